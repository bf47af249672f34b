"""A throwaway redis-server, for tests whose rate-limit counters live in Redis as a large
deployment keeps them (RATELIMIT_STORAGE_URI=redis://…)."""
import shutil
import subprocess
from contextlib import contextmanager

from tests.deploy_tools import free_port, wait_for_port


@contextmanager
def serving():
    """A redis-server on a free local port, keeping nothing on disk; yields the port."""
    port = free_port()
    server = subprocess.Popen([shutil.which("redis-server"), "--port", str(port), "--bind",
                               "127.0.0.1", "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port, server, seconds=10)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)
