"""gunicorn with the shipped configuration (deploy/gunicorn.conf.py), on a free loopback port,
for tests that must see what several worker processes do."""
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp_path, **settings) -> dict:
    """The environment of a production start: nothing from the test's own app config."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("SECRET_KEY", "VOTE_CODE_KEY", "AUDIT_KEY", "DATABASE_URL",
                          "RATELIMIT_STORAGE_URI", "MIGRATE_DATABASE_URL")}
    env.update({"INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONPATH": str(ROOT),
                "GUNICORN_CONTROL_SOCKET": str(tmp_path / "gunicorn.ctl")})
    env.update({key: str(value) for key, value in settings.items()})
    return env


def start(env: dict, port: int, output=subprocess.PIPE) -> subprocess.Popen:
    """gunicorn on `port`; its output to `output` (a pipe: read it, or gunicorn blocks once
    the pipe is full; a file for a server that runs a while)."""
    env = {**env, "BIND": f"127.0.0.1:{port}"}
    return subprocess.Popen([GUNICORN, "-c", "deploy/gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                            env=env, stdout=output, stderr=subprocess.STDOUT
                            if output is not subprocess.PIPE else subprocess.PIPE, text=True)


@contextmanager
def serving(env: dict, ready_path="/healthz", timeout=60):
    """The base URL of a running gunicorn, stopped after."""
    with serving_process(env, ready_path, timeout) as (base, _process):
        yield base


@contextmanager
def serving_process(env: dict, ready_path="/healthz", timeout=60):
    """(base URL, gunicorn's master process) once it answers; stopped after."""
    port = free_port()
    output = tempfile.TemporaryFile("w+")
    process = start(env, port, output)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                output.seek(0)
                raise AssertionError(f"gunicorn stopped: {output.read()[-3000:]}")
            try:
                if requests.get(base + ready_path, timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or still loading
                pass
            if time.monotonic() > deadline:
                raise AssertionError("gunicorn did not answer in time")
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()
