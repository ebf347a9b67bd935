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


if __name__ == "__main__":
    # A pool of 2 workers; map hands back the results in the order of LIMITS
    with multiprocessing.Pool(processes=2) as pool:
        pool_counts = pool.map(count_primes, LIMITS)
        pool.close()
        pool.join()
    for limit, count in zip(LIMITS, pool_counts, strict=True):
        print(f"primes below {limit}: {count}")

    # The same with concurrent.futures: map gives the results in input order
    with ProcessPoolExecutor(max_workers=2) as executor:
        counts = list(executor.map(count_primes, LIMITS))
    print("ProcessPoolExecutor agrees:", counts == pool_counts)
