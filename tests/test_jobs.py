"""Background jobs (platform/jobs.py) run by a real consumer in this process's threads, on
the app's database (SQLite and PostgreSQL) and on both queues (the embedded SQLite file,
Redis): a job queued by a request runs after the request committed and sees what it wrote;
a refused request queues nothing; a failing job is rolled back, logged, handed to its failure
handler, never retried, and the consumer goes on. (The worker command and gunicorn's
embedded consumer, as processes: test_jobs_processes.py.)"""
import datetime as dt
import logging
import time
import uuid

import pytest
import redis
from flask import current_app, jsonify, request
from sqlalchemy import select

from tests import redis_server
from tests.conftest import TEST_CONFIG
from tests.deploy_tools import wait_until
from tinnhiem import create_app
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.audit.services import record
from tinnhiem.platform.db import db
from tinnhiem.platform.config import jobs_settings
from tinnhiem.platform.jobs import job, queue_of, shown_location
from tinnhiem.platform.jobs_consumer import running
from tinnhiem.platform.request_log import current_request_id

BROKEN_CALLS: list[str] = []


@job("tests.jobs.look")
def look(marker: str) -> None:
    """Records whether the row its request wrote was there; left uncommitted on purpose: the
    queue commits a job that returns."""
    asked = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "jobs.test.asked")).all()
    record(db.session, "jobs.test.done", details={
        "marker": marker, "saw_request_row": any(e.details["marker"] == marker for e in asked),
        "job_id": current_request_id(),
        "database": current_app.config["SQLALCHEMY_DATABASE_URI"]})


@job("tests.jobs.broken")
def broken(marker: str) -> None:
    BROKEN_CALLS.append(marker)
    record(db.session, "jobs.test.partial", details={"marker": marker})
    db.session.flush()
    raise ValueError("the job broke")


@broken.on_failure
def _broken_failed(marker: str) -> None:
    record(db.session, "jobs.test.failed", details={"marker": marker})


@pytest.fixture
def queue(request):
    """The embedded queue (JOBS_URL unset) or a throwaway Redis."""
    if getattr(request, "param", "embedded") == "embedded":
        yield {}
        return
    with redis_server.serving() as port:
        yield {"JOBS_URL": f"redis://127.0.0.1:{port}/1"}


@pytest.fixture
def app_config(request, monkeypatch, tmp_path):
    # A queue of the test's own: the embedded one lives beside the database (SQLite) or in the
    # instance folder (PostgreSQL's tests share one database).
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    return request.getfixturevalue("queue") if "queue" in request.fixturenames else {}


@pytest.fixture
def asking(app):
    """A page that writes a row and queues `look` in the same request (refused on ?refuse=1,
    after both)."""
    def ask():
        marker = request.form["marker"]
        record(db.session, "jobs.test.asked", details={"marker": marker})
        job_id = look.enqueue(marker=marker)
        answer = {"job_id": job_id, "waiting": queue_of(current_app).huey.pending_count()}
        return (jsonify(answer), 409) if request.args.get("refuse") else jsonify(answer)

    app.add_url_rule("/_test/ask", "test_ask", ask, methods=["POST"])
    return app.test_client()


def _entries(app, action: str) -> list[dict]:
    with app.app_context():
        return [entry.details for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action))]


def _wait_for(app, action: str, count: int = 1, seconds: float = 15) -> list[dict]:
    deadline = time.monotonic() + seconds
    while len(found := _entries(app, action)) < count:
        assert time.monotonic() < deadline, f"no {action} within {seconds} s"
        time.sleep(0.05)
    return found


@pytest.mark.parametrize("queue", ["embedded", "redis"], indirect=True)
def test_a_job_queued_by_a_request_runs_after_its_commit_and_sees_what_it_wrote(
        app, asking, queue):
    answer = asking.post("/_test/ask", data={"marker": "m1"})
    assert answer.status_code == 200, answer.text
    # Inside the request the job waited for the commit: the queue was still empty.
    assert answer.json["waiting"] == 0
    assert queue_of(app).huey.pending_count() == 1
    with running(app):
        (done,) = _wait_for(app, "jobs.test.done")
    assert done == {"marker": "m1", "saw_request_row": True, "job_id": answer.json["job_id"],
                    "database": app.config["SQLALCHEMY_DATABASE_URI"]}
    assert queue_of(app).huey.pending_count() == 0


def test_a_refused_request_queues_nothing(app, asking):
    answer = asking.post("/_test/ask?refuse=1", data={"marker": "m2"})
    assert answer.status_code == 409
    assert queue_of(app).huey.pending_count() == 0
    assert _entries(app, "jobs.test.asked") == []  # its row was rolled back too


def test_a_failing_job_is_logged_handed_to_its_handler_and_the_consumer_goes_on(
        app, caplog):
    caplog.set_level(logging.INFO, logger="tinnhiem.jobs")
    marker = uuid.uuid4().hex
    with app.app_context():  # no transaction open: sent at once, in this order
        failing_id = broken.enqueue(marker=marker)
        look.enqueue(marker="after")
    with running(app, workers=1):
        _wait_for(app, "jobs.test.done")
    assert BROKEN_CALLS.count(marker) == 1  # run once, and no retry waits in the queue
    assert queue_of(app).huey.pending_count() == 0
    assert _entries(app, "jobs.test.partial") == []  # its own writes were rolled back
    assert _entries(app, "jobs.test.failed") == [{"marker": marker}]
    (failed,) = [r for r in caplog.records if r.message.startswith("job failed")]
    assert failed.levelno == logging.ERROR
    assert f"tests.jobs.broken {failing_id} {{\"marker\": \"{marker}\"}}" in failed.message
    assert isinstance(failed.exc_info[1], ValueError)


def test_the_embedded_queue_needs_no_redis(app, backend, monkeypatch, tmp_path):
    """JOBS_URL unset: a SQLite file beside a SQLite database, else in the instance folder;
    nothing ever asks Redis for a connection."""
    def no_redis(*_args, **_kwargs):
        raise AssertionError("the embedded queue asked Redis for a connection")

    monkeypatch.setattr(redis.ConnectionPool, "get_connection", no_redis)
    queue = queue_of(app)
    assert app.config["JOBS_URL"] == "sqlite" and queue.embedded
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    expected = (database.removeprefix("sqlite:///").replace(".sqlite3", "-jobs.sqlite3")
                if backend == "sqlite" else str(tmp_path / "instance" / "jobs.sqlite3"))
    assert queue.location == expected
    with app.app_context():
        look.enqueue(marker="embedded")
    with running(app):
        _wait_for(app, "jobs.test.done")


@pytest.mark.sqlite_only  # the queue's messages, whatever database the jobs use
def test_a_consumer_runs_only_messages_signed_with_its_apps_key(app, caplog):
    """Whoever can write to the queue (Redis) without SECRET_KEY cannot have a job run: a
    message signed under another key is dropped with a logged error."""
    other = create_app({**TEST_CONFIG, "SECRET_KEY": "another-secret-key",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert queue_of(other).location == queue_of(app).location
    with other.app_context():
        look.enqueue(marker="forged")
    with running(app):
        wait_until(lambda: queue_of(app).huey.pending_count() == 0, seconds=15)
    assert any("Error reading from queue" in r.message for r in caplog.records
               if r.levelno == logging.ERROR)
    assert _entries(app, "jobs.test.done") == []


@pytest.mark.sqlite_only  # what is checked happens before any database is read
def test_a_job_takes_plain_json_arguments_only(app):
    with app.app_context():
        for refused in ({"marker": uuid.uuid4()}, {"marker": dt.date(2028, 6, 30)},
                        {"marker": ("a", "b")}, {"marker": {1: "a"}}):
            with pytest.raises(TypeError, match="plain JSON values"):
                look.enqueue(**refused)
        with pytest.raises(LookupError):
            queue_of(app).enqueue("tests.jobs.nobody", {})
    assert queue_of(app).huey.pending_count() == 0


def test_the_queue_settings_are_checked_at_start_up(monkeypatch):
    monkeypatch.setenv("JOBS_URL", "postgresql://tinnhiem:secret@db/tinnhiem")
    with pytest.raises(ValueError, match="JOBS_URL must be") as refused:
        jobs_settings()
    assert "secret" not in str(refused.value)
    monkeypatch.setenv("JOBS_URL", "redis://:secret@127.0.0.1:6379/1")
    monkeypatch.setenv("JOBS_WORKERS", "0")
    with pytest.raises(ValueError, match="JOBS_WORKERS must be 1 or more"):
        jobs_settings()
    monkeypatch.setenv("JOBS_WORKERS", "3")
    assert jobs_settings()["JOBS_WORKERS"] == 3
    assert shown_location(jobs_settings()["JOBS_URL"]) == "redis://:***@127.0.0.1:6379/1"
