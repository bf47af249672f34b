"""Requests sent at the same moment, each through its own test client."""
import threading
from concurrent.futures import ThreadPoolExecutor


def concurrently(app, calls, workers):
    """Run each call(client) on `workers` threads, released together: their results."""
    barrier = threading.Barrier(min(workers, len(calls)))

    def run(call):
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        return call(app.test_client())

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, calls))
