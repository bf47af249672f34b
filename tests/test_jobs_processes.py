"""The job consumer as the processes production and `make run` start: the worker command
(tinnhiem-worker.service, compose's worker) and the one consumer gunicorn runs beside its
workers under the embedded queue. A ping job queued here must be answered by them; each
stops with its SIGTERM, leaving no process behind. (The queue itself: test_jobs.py.)"""
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import TEST_CONFIG
from tests.deploy_tools import (REPOSITORY, VENV_BIN, children, free_port, stop, wait_for_port,
                                wait_until)
from tinnhiem import create_app

# The process-tree checks read /proc, and the processes run SQLite: the consumer and its
# start and stop are the same whatever database the jobs use (test_jobs.py runs both).
pytestmark = pytest.mark.sqlite_only
PROCESS_ENV = ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_CONTROL_SOCKET", "BIND",
               "PORT", "RUNTIME_DIRECTORY", "PROMETHEUS_MULTIPROC_DIR", "DATABASE_URL",
               "JOBS_URL", "JOBS_WORKERS")


@pytest.fixture
def database(tmp_path, sqlite_template) -> str:
    path = tmp_path / "tinnhiem.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def _environment(tmp_path, database: str, **settings) -> dict:
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    return {**{k: v for k, v in os.environ.items() if k not in PROCESS_ENV},
            "DATABASE_URL": database, "INSTANCE_PATH": str(instance),
            "SECRET_KEY": TEST_CONFIG["SECRET_KEY"], "VOTE_CODE_KEY": "jobs-vote-code-key",
            "AUDIT_KEY": "jobs-audit-key", "LOG_FORMAT": "text", **settings}


def _ping(database: str, wait: float, **config):
    """`flask --app wsgi jobs ping` from an app of the same database, keys and queue."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database, **config})
    return app.test_cli_runner().invoke(args=["jobs", "ping", "--wait", str(wait)])


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_worker_command_runs_jobs_and_stops_on_sigterm(tmp_path, database):
    queue = {"JOBS_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}"}
    nobody = _ping(database, 0.5, **queue)
    assert nobody.exit_code == 1 and "no consumer answered" in nobody.output
    worker = subprocess.Popen(
        [os.path.join(VENV_BIN, "flask"), "--app", "wsgi", "jobs", "worker", "--threads", "1"],
        cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=_environment(tmp_path, database, **queue))
    try:
        answered = _ping(database, 30, **queue)
        assert answered.exit_code == 0, answered.output
        # The unit's ExecReload: the worker starts again in the same process, and answers.
        worker.send_signal(signal.SIGHUP)
        answered_again = _ping(database, 30, **queue)
        assert worker.poll() is None
    finally:
        started = time.monotonic()
        (output,) = stop(worker)
    assert answered.output.startswith("OK: a consumer answered")
    assert answered_again.exit_code == 0, (answered_again.output, output)
    # The ping queued before the worker started stood in the queue: it was run too.
    assert output.count("job done: jobs.ping") == 3, output
    assert output.count("jobs consumer: 1 thread(s) on") == 2, output
    assert worker.returncode == 0 and time.monotonic() - started < 10, output
    assert "Traceback" not in output


def test_gunicorn_runs_one_job_consumer_beside_its_workers_and_stops_it(tmp_path, database):
    """The embedded queue (JOBS_URL unset) under `make run`'s gunicorn: no other service."""
    port = free_port()
    master = subprocess.Popen(
        [os.path.join(VENV_BIN, "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=_environment(tmp_path, database, PORT=str(port), WEB_CONCURRENCY="2"))
    try:
        wait_for_port(port, master)
        assert requests.get(f"http://127.0.0.1:{port}/login", timeout=30).status_code == 200
        answered = _ping(database, 30)
        assert answered.exit_code == 0, answered.output
        # Two web workers and one more child, whose one child is the consumer.
        served = wait_until(lambda: len(found := children(master.pid)) == 3 and found)
        (pool,) = [pid for pid in served if children(pid)]
        (consumer,) = children(pool)
        processes = served | {consumer}
    finally:
        (output,) = stop(master)
    assert master.returncode == 0, output
    assert "job done: jobs.ping" in output and "Traceback" not in output
    assert output.count("jobs consumer: 2 thread(s) on") == 1  # one consumer, not one a worker
    assert not [pid for pid in processes if _alive(pid)]
    assert _ping(database, 0.5).exit_code == 1  # and nothing consumes any more
