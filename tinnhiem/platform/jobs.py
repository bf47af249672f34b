"""Background jobs: long work (reading a 500-page PDF) taken off the web request and run by a
consumer of a huey queue.

    from tinnhiem.platform.jobs import job

    @job("scan.read_batch")            # a stable name: queued jobs are found by it
    def read_batch(batch_id: str): ...

    read_batch.enqueue(batch_id=str(batch.id))

The contract:
- **Arguments** are keyword arguments that survive JSON unchanged (ids as strings, numbers):
  never an ORM object, a UUID or a date; `enqueue` refuses anything else at once.
- **Sent after commit.** Called while the caller's transaction is open (a view: always), the
  job is sent when that transaction commits and dropped if it rolls back, so a job never
  reads what its caller had not yet committed, nor work that was refused. Outside a
  transaction (the CLI, a job that has committed) it is sent at once.
- **Where it runs.** In an app context of the consumer's app (the same configuration: the
  worker builds it with create_app() from the environment, as wsgi.py does), with no tenant
  scope bound: the job binds the scope of the rows it works on, through tenants. Its session
  is committed when it returns and rolled back when it raises, as a request's is; a long job
  commits its progress as it goes, in short transactions (on SQLite a write transaction
  holds back every web request that writes). The statement timeouts of web requests do not
  apply (as for the CLI).
- **At most once.** A job is never retried. When it raises, its transaction is rolled back,
  the failure is logged (job name, job id and arguments, which are ids; the body must not
  put ballot content in its exceptions) and its failure handler runs, in a new transaction:

      @read_batch.on_failure
      def _read_failed(batch_id: str): ...   # e.g. mark the batch failed, for its page

  The caller's own tables are the only place a job's state is known (pages read, done,
  failed): the queue keeps no results. A job cut short by a consumer's stop (past
  JOBS_GRACEFUL_TIMEOUT) or a lost machine is logged as interrupted, when possible, and is
  not run again: a caller whose row stays "running" without progress offers to start again.
- **Known by name.** The consumer knows the jobs its app imported: a job module must be
  imported by create_app (its views import it).
- **Its rows may be gone, or be queued twice.** By the time a job runs, what it names may
  have been deleted or the database restored from a backup (the queue is in no backup), and
  two clicks queue two jobs: it loads by id, checks the row's state, and returns quietly
  when there is nothing (left) to do.
"""
import functools
import hashlib
import hmac
import json
import logging
import os
import re
import threading
import time
from pathlib import Path

from flask import current_app, g
from huey import RedisHuey, SqliteHuey
from huey import signals
from huey.serializer import SignedSerializer
from sqlalchemy import event
from sqlalchemy.engine import make_url

from tinnhiem.platform.config import jobs_embedded
from tinnhiem.platform.db import TenantSession, db

log = logging.getLogger("tinnhiem.jobs")

QUEUE_NAME = "tinnhiem"
EXTENSION = "tinnhiem.jobs"
PENDING = "tinnhiem.jobs.pending"  # session.info: jobs waiting for their transaction's commit
# How long an idle SQLite consumer thread waits at most between two looks at the queue
# (Redis wakes it at once).
IDLE_POLL_SECONDS = 1.0

_JOBS: dict[str, "Job"] = {}


class Job:
    """A function registered under a stable name; call it directly to run it here and now."""

    def __init__(self, name: str, function):
        self.name = name
        self.function = function
        self.failure_handler = None
        functools.update_wrapper(self, function)

    def __call__(self, **arguments):
        return self.function(**arguments)

    def on_failure(self, handler):
        """Register `handler(**arguments)`, run in a new transaction after the job raised."""
        self.failure_handler = handler
        return handler

    def enqueue(self, **arguments) -> str:
        """Queue a run (after the current transaction commits); returns the job's id."""
        return queue_of(current_app).enqueue(self.name, arguments)


def job(name: str):
    """Register the decorated function as the job `name`."""
    def register(function):
        known = _JOBS.get(name)
        if known is not None and (known.function.__module__, known.function.__qualname__) != (
                function.__module__, function.__qualname__):
            raise ValueError(f"two jobs are named {name!r}")
        _JOBS[name] = Job(name, function)
        return _JOBS[name]

    return register


def _json_arguments(arguments: dict) -> str:
    try:
        text = json.dumps(arguments, sort_keys=True)
    except TypeError as error:
        raise TypeError(f"a job's arguments must be plain JSON values (ids): {error}") from None
    if json.loads(text) != arguments:  # a tuple or a non-string key would not come back
        raise TypeError("a job's arguments must be plain JSON values (ids)")
    return text


def queue_location(config, instance_path: str) -> str:
    """The queue's place: a Redis URL, or the path of the embedded queue's SQLite file (beside
    a SQLite database, so each database has its own queue; else in the instance folder)."""
    url = config["JOBS_URL"]
    if not jobs_embedded(url):
        return url
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):]
    database = make_url(config["SQLALCHEMY_DATABASE_URI"])
    if database.get_backend_name() == "sqlite" and database.database not in (None, "",
                                                                           ":memory:"):
        path = Path(database.database)
        return str(path.with_name(f"{path.stem}-jobs.sqlite3"))
    return str(Path(instance_path) / "jobs.sqlite3")


def shown_location(location: str) -> str:
    """The queue's place without a password, for log lines and the CLI."""
    return re.sub(r"//([^:@/]*):[^@/]*@", r"//\1:***@", location)


class JobQueue:
    """One app's queue. The huey instance is made in the process that uses it (gunicorn
    forks after the app is built: a SQLite connection must not cross a fork)."""

    def __init__(self, app):
        self.app = app
        self.location = queue_location(app.config, app.instance_path)
        self.embedded = jobs_embedded(app.config["JOBS_URL"])
        # Messages are pickles: signed, so that whoever can write to Redis cannot make the
        # worker run code of their choosing (it would need SECRET_KEY).
        self._secret = hmac.new(app.config["SECRET_KEY"].encode(), b"tinnhiem job queue",
                                hashlib.sha256).hexdigest()
        self._lock = threading.Lock()
        self._made: tuple[int, object, object] | None = None  # (pid, huey, task)

    def _make(self):
        options = {"results": False, "utc": True,
                   "serializer": SignedSerializer(secret=self._secret, salt="tinnhiem-jobs")}
        if self.embedded:
            Path(self.location).parent.mkdir(parents=True, exist_ok=True)
            huey = SqliteHuey(QUEUE_NAME, filename=self.location, **options)
        else:
            huey = RedisHuey(QUEUE_NAME, url=self.location, **options)
        app = self.app

        def run(name, arguments, task=None):
            _execute(app, name, arguments, task.id)

        run.__module__ = "tinnhiem.jobs"  # the queue's name for it, wherever this code moves
        task = huey.task(name="run", context=True)(run)
        huey.signal(signals.SIGNAL_INTERRUPTED)(_interrupted)
        return huey, task

    def _current(self):
        made = self._made
        if made is None or made[0] != os.getpid():
            with self._lock:
                made = self._made
                if made is None or made[0] != os.getpid():
                    made = self._made = (os.getpid(), *self._make())
        return made

    @property
    def huey(self):
        return self._current()[1]

    def enqueue(self, name: str, arguments: dict) -> str:
        if name not in _JOBS:
            raise LookupError(f"no job is named {name!r}")
        message = self._current()[2].s(name, _json_arguments(arguments))
        session = db.session()
        if session.in_transaction():
            session.info.setdefault(PENDING, []).append((self, message))
        else:
            self.send(message)
        return message.id

    def send(self, message) -> None:
        self.huey.enqueue(message)
        log.info("job queued: %s", _described(*message.args, message.id))


def _described(name: str, arguments: str, job_id: str) -> str:
    return f"{name} {job_id} {arguments}"


@event.listens_for(TenantSession, "after_commit")
def _send_pending(session) -> None:
    for queue, message in session.info.pop(PENDING, []):
        try:
            queue.send(message)
        except Exception:
            # What the transaction wrote stands; the caller's row shows the job never began.
            log.exception("job not queued: %s", _described(*message.args, message.id))


@event.listens_for(TenantSession, "after_transaction_end")
def _drop_unsent(session, transaction) -> None:
    """The outermost transaction ended without a commit (after_commit took the rest)."""
    if transaction.parent is None and session.info.get(PENDING):
        dropped = session.info.pop(PENDING)
        log.info("%d job(s) not queued: their transaction rolled back", len(dropped))


def _execute(app, name: str, arguments: str, job_id: str) -> None:
    described = _described(name, arguments, job_id)
    known = _JOBS.get(name)
    if known is None:
        log.error("job dropped: %s is not a job this worker knows", described)
        return
    started = time.monotonic()
    with app.app_context():
        g.job_id = job_id
        log.info("job started: %s", described)
        try:
            known.function(**json.loads(arguments))
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            log.error("job failed: %s after %.1f s (%s)", described,
                      time.monotonic() - started, type(error).__name__, exc_info=error)
            _handle_failure(known, arguments, described)
            return
        log.info("job done: %s in %.1f s", described, time.monotonic() - started)


def _handle_failure(known: Job, arguments: str, described: str) -> None:
    if known.failure_handler is None:
        return
    db.session.remove()
    try:
        known.failure_handler(**json.loads(arguments))
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.error("failure handler failed: %s (%s)", described, type(error).__name__,
                  exc_info=error)


def _interrupted(_signal, task, *_args) -> None:
    log.warning("job interrupted by the consumer's stop, not run again: %s",
                _described(*task.args, task.id))


def queue_of(app) -> JobQueue:
    return app.extensions[EXTENSION]


def init_app(app) -> None:
    app.extensions[EXTENSION] = JobQueue(app)


@job("jobs.ping")
def ping(nonce: str) -> None:
    """Answer `flask --app wsgi jobs ping`: proof that a consumer runs this queue."""
    queue_of(current_app).huey.put(f"ping:{nonce}", time.time())
