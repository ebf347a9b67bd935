"""Chapter 2 without the course's helpers: the same tasks on threads, processes and interpreters."""

import concurrent.futures
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

COUNTER = 0
COUNTER_LOCK = threading.Lock()


def count_primes(limit):
    """CPU-bound: count the primes below limit by trial division."""
    return sum(all(n % d for d in range(2, int(n**0.5) + 1)) for n in range(2, limit))


def wait_and_return(seconds):
    """I/O-bound stand-in: wait without using the CPU."""
    time.sleep(seconds)
    return seconds


def add_to_counter(amount):
    """Add to this process's COUNTER, under a lock, and return the new value."""
    global COUNTER
    with COUNTER_LOCK:
        COUNTER += amount
        return COUNTER


if __name__ == "__main__":
    executors = [ThreadPoolExecutor, ProcessPoolExecutor]
    if hasattr(concurrent.futures, "InterpreterPoolExecutor"):  # new in Python 3.14
        executors.append(concurrent.futures.InterpreterPoolExecutor)

    # The same code runs on each kind of worker; only the class changes.
    results = []
    for executor in executors:
        with executor(max_workers=2) as pool:
            primes = list(pool.map(count_primes, [2000, 3000]))
            waits = list(pool.map(wait_and_return, [0.1, 0.1]))
        results.append((primes, waits))
    print("primes below 2000 and below 3000:", results[0][0])
    print("every kind of worker gave the same results:", all(result == results[0] for result in results))

    # Threads share the module's COUNTER; each process adds to its own copy.
    with ThreadPoolExecutor(max_workers=4) as pool:
        print("threads saw COUNTER become:", sorted(pool.map(add_to_counter, [1] * 4)))
    print("COUNTER in the main thread:", COUNTER)
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(add_to_counter, [1] * 4))
    print("after 4 more additions in processes, COUNTER here is still:", COUNTER)
