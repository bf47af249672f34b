"""What the deploy-file tests share: the checkout's deploy/ folder, the tools that check it,
free ports and processes started and stopped around a test."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPLOY = os.path.join(REPOSITORY, "deploy")
# The virtualenv this test runs in: flask and gunicorn for the units' ExecStart= lines.
VENV_BIN = os.path.dirname(sys.executable)


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    assert found, f"{name} is missing: scripts/system-deps.sh installs it (make test runs it)"
    return found


def read(name: str) -> str:
    with open(os.path.join(DEPLOY, name), encoding="utf-8") as source:
        return source.read()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, process.communicate()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listens on {port}"
            time.sleep(0.1)


def stop(*processes: subprocess.Popen) -> list[str]:
    """One SIGTERM each (a graceful stop, as systemd does; a second one would cut it short),
    all at once; then what each process wrote."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return [process.communicate()[0] or "" for process in processes]


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (a gunicorn master's workers), read from /proc:
    asking the control socket while a reload restarts it can catch gunicorn cancelling
    the answer, which it logs as a traceback."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def wait_until(condition, seconds=30.0):
    """What `condition()` returns once it is true (asked every 0.2 s)."""
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
    return found
