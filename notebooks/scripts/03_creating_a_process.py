"""Chapter 3 without the course's helpers: create, start, join, stop, and get results back."""

import multiprocessing
import signal
import time


def greet():
    """Function run in the new process"""
    print("greeting from the new process", flush=True)


def append_and_report(numbers, queue):
    """Change the child's copy of the list, and send back what the child sees."""
    numbers.append(99)
    queue.put(list(numbers))


def put_square(queue, index, number):
    """Send (index, number squared) back to the parent."""
    queue.put((index, number * number))


if __name__ == "__main__":
    # Create, start, join: the original answer's three steps.
    p = multiprocessing.Process(target=greet)
    p.start()
    p.join()
    print("Main process finished, exit code", p.exitcode)

    # The child works on a copy of its arguments.
    numbers = [1, 2, 3]
    queue = multiprocessing.Queue()
    p = multiprocessing.Process(target=append_and_report, args=(numbers, queue))
    p.start()
    print("the child's list: ", queue.get(timeout=30))
    p.join()
    print("the parent's list:", numbers)

    # Stop a stuck child from outside; a negative exit code names the signal.
    p = multiprocessing.Process(target=time.sleep, args=(60,))
    p.start()
    p.join(timeout=0.2)
    p.terminate()
    p.join()
    print("terminated, exit code is -SIGTERM:", p.exitcode == -signal.SIGTERM)

    # Results come back through a queue, in any order: send an index, read before join, sort.
    children = [multiprocessing.Process(target=put_square, args=(queue, i, n)) for i, n in enumerate([5, 6, 7, 8])]
    for child in children:
        child.start()
    pairs = [queue.get(timeout=30) for _ in children]
    for child in children:
        child.join()
    print("squares:", [square for _, square in sorted(pairs)])
