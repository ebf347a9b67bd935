"""A Mandelbrot picture drawn by a pool whose workers write rows into shared memory (notebook 07)."""

import multiprocessing
from multiprocessing import shared_memory

WIDTH, HEIGHT, MAX_ITER = 64, 24, 200  # escape counts up to 200 fit in one byte per pixel
SHADES = " .:-=+*#%@"


def mandelbrot_row(row):
    """Escape counts of one image row: how many steps of z = z*z + c kept |z| <= 2."""
    imag = -1.2 + 2.4 * row / (HEIGHT - 1)
    counts = []
    for column in range(WIDTH):
        c = complex(-2.2 + 3.0 * column / (WIDTH - 1), imag)
        z, steps = 0j, 0
        while steps < MAX_ITER and abs(z) <= 2.0:
            z = z * z + c
            steps += 1
        counts.append(steps)
    return counts


def start_worker(counter):
    """Pool initializer: keep the shared counter, handed over once per worker (it cannot go with a task)."""
    global inside
    inside = counter


def fill_row(name, row):
    """Write one row into the shared block called name; count its pixels inside the set."""
    counts = mandelbrot_row(row)
    block = shared_memory.SharedMemory(name=name)  # attach by name: no pixel is pickled
    try:
        block.buf[row * WIDTH : (row + 1) * WIDTH] = bytes(counts)
    finally:
        block.close()  # close this worker's handle; the creator unlinks the block
    with inside.get_lock():  # += reads, then writes: without the lock, updates get lost
        inside.value += counts.count(MAX_ITER)


if __name__ == "__main__":
    inside = multiprocessing.Value("i", 0)
    block = shared_memory.SharedMemory(create=True, size=WIDTH * HEIGHT)
    try:
        with multiprocessing.Pool(2, initializer=start_worker, initargs=(inside,)) as pool:
            pool.starmap(fill_row, [(block.name, row) for row in range(HEIGHT)])
            pool.close()
            pool.join()
        image = bytes(block.buf)  # a copy of the pixels, taken before the block goes
    finally:
        block.close()
        block.unlink()  # once, by the process that created it, after every worker is done

    for row in range(HEIGHT):
        pixels = image[row * WIDTH : (row + 1) * WIDTH]
        print("".join(SHADES[min(steps // 3, len(SHADES) - 1)] for steps in pixels))
    print("pixels inside the set:", inside.value, "of", WIDTH * HEIGHT)
