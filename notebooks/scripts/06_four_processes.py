"""Four processes, each with its own number, shown in a stable order (notebook 06)."""

import multiprocessing


def send_number(queue, number):
    """Report this process's number to the parent, instead of printing it here."""
    queue.put(number)


if __name__ == "__main__":
    # Create 4 processes, each given its own number
    queue = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=send_number, args=(queue, i)) for i in range(4)]
    for p in processes:
        p.start()

    # Get one number per process, in whatever order they arrive, before joining
    numbers = [queue.get(timeout=30) for _ in processes]

    # Wait for the processes to finish
    for p in processes:
        p.join()

    # The parent prints, in a stable order
    for number in sorted(numbers):
        print("number", number)
    print("All processes finished")
