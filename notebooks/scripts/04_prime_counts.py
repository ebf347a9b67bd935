"""Count the primes below a few limits on a pool of worker processes (notebook 04)."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

LIMITS = (1_000, 2_000, 5_000, 10_000)


def count_primes(limit):
    """Count the primes below limit by trial division: pure Python, CPU-bound."""
    count = 0
    for candidate in range(2, limit):
        divisor = 2
        while divisor * divisor <= candidate:
            if candidate % divisor == 0:
                break
            divisor += 1
        else:
            count += 1
    return count


def primes_with_limit(limit):
    """Return the limit with its count, so a result says which task it belongs to."""
    return limit, count_primes(limit)


if __name__ == "__main__":
    # A pool of 2 workers; results arrive in the order the tasks finish
    with multiprocessing.Pool(processes=2) as pool:
        prime_counts = dict(pool.imap_unordered(primes_with_limit, LIMITS))
        pool.close()
        pool.join()
    for limit in LIMITS:
        print(f"primes below {limit}: {prime_counts[limit]}")

    # The same with concurrent.futures: map gives the results in input order
    with ProcessPoolExecutor(max_workers=2) as executor:
        counts = list(executor.map(count_primes, LIMITS))
    print("ProcessPoolExecutor agrees:", counts == [prime_counts[limit] for limit in LIMITS])
