"""The original Q5 answer, done right: every task sent at once, the pool always shut down (notebook 05)."""

import multiprocessing


def double(number):
    """Function to be executed by worker processes"""
    return number * 2


if __name__ == "__main__":
    # Create a pool of 4 worker processes; leaving the with block stops them, even after an error
    with multiprocessing.Pool(processes=4) as pool:
        # map sends every task before waiting for any, and returns the results in item order
        results = pool.map(double, range(10))

        # Or send each task with apply_async, and only then wait for each result
        pending = [pool.apply_async(double, (i,)) for i in range(10)]
        same = [result.get(timeout=30) for result in pending]

        # Accept no more tasks, and wait until the workers have finished and exited
        pool.close()
        pool.join()

    print(results)
    print("apply_async gave the same:", same == results)
    print("worker processes still running:", len(multiprocessing.active_children()))
