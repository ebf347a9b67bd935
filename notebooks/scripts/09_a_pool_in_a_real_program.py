"""A pool as a real program needs it: Ctrl+C stops it cleanly, and the workers' logs reach the parent (notebook 09)."""

import logging
import logging.handlers
import multiprocessing
import signal
import sys


def start_worker(queue):
    """Pool initializer: ignore Ctrl+C (the parent decides what it stops), and log into the parent's queue."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(queue)]
    root.setLevel(logging.INFO)


def square(number):
    """Function to be executed by worker processes: it logs, and the record travels to the parent."""
    logging.getLogger("squares").info("square of %d is %d", number, number * number)
    return number * number


class KeepMessages(logging.Handler):
    """The parent's handler: keep each record's text (the workers log in any order)."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(f"{record.levelname} {record.name}: {record.getMessage()}")


if __name__ == "__main__":
    kept = KeepMessages()
    queue = multiprocessing.Queue()
    listener = logging.handlers.QueueListener(queue, kept)  # a thread here that hands the records to kept
    listener.start()
    try:
        with multiprocessing.Pool(2, initializer=start_worker, initargs=(queue,)) as pool:
            try:
                # get(timeout) ends the wait even if a task was lost with its worker
                squares = pool.map_async(square, range(8)).get(timeout=60)
            except KeyboardInterrupt:
                print("Ctrl+C: stopping the workers")
                sys.exit(130)  # leaving the with block terminates the workers
            # Accept no more tasks, and wait until the workers have exited (their last records sent)
            pool.close()
            pool.join()
    finally:
        listener.stop()  # after join(): every record is in the queue by now

    print(squares)
    print("\n".join(sorted(kept.messages)))
