"""Where read-only pages read from: a streaming replica when DATABASE_REPLICA_URL is set (the
roll-up and its exports), else, or when the replica does not answer, the primary.

Writes never go to the replica: a hot standby refuses them, and nothing here commits. The
replica session carries the request's own signed tenant scope; the replica holds the same
app_scope_key row (replicated), so its policies believe the signature as the primary's do.
"""
import logging
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import create_engine, text
from sqlalchemy.exc import InterfaceError, OperationalError

from tinnhiem.platform.config import connect_args, is_postgresql
from tinnhiem.platform.db import SCOPE_KEY, db
from tinnhiem.platform.db_failures import bound_engine

CONNECT_TIMEOUT = 2  # seconds a page waits for a silent replica before reading the primary
RETRY_AFTER = 30  # seconds the primary serves alone after the replica failed, so that every
#                   page does not wait CONNECT_TIMEOUT for a replica that is down

# Seconds since the last replayed transaction, but 0 while the standby has replayed all it
# received and its WAL receiver runs: an idle primary sends nothing, which is no lag.
# NULL before anything was replayed. Not in recovery (a replica promoted, or a URL naming the
# primary): no lag.
LAG = text(
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"
    "  AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0"
    " ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float END")
log = logging.getLogger("tinnhiem.replica")


@dataclass
class Source:
    """The session a page reads from, and what the page says about it."""
    session: object
    replica: bool = False
    lag_seconds: float | None = None
    fell_back: bool = False

    @property
    def note(self):
        if self.fell_back:
            return _l("Bản sao dữ liệu không trả lời: số liệu được đọc từ máy chủ chính.")
        if not self.replica:
            return None
        if self.lag_seconds is None:
            return _l("Dữ liệu đọc từ bản sao; chưa rõ độ trễ.")
        return _l("Dữ liệu cách đây %(seconds)d giây (đọc từ bản sao).",
                  seconds=math.ceil(self.lag_seconds))

    def as_json(self) -> dict:
        note = self.note
        return {"replica": self.replica, "lag_seconds": self.lag_seconds,
                "note": str(note) if note else None}


def _replica_engine(app):
    url = app.config.get("DATABASE_REPLICA_URL")
    if not url:
        return None
    engine = app.extensions.get("tinnhiem.replica_engine")
    if engine is None:
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        engine = create_engine(url, **{**options, "connect_args": {
            **connect_args(url, app.config), "connect_timeout": CONNECT_TIMEOUT}})
        if is_postgresql(url):
            bound_engine(engine)  # the same statement and lock timeouts as the primary's
        app.extensions["tinnhiem.replica_engine"] = engine
    return engine


@contextmanager
def read_source():
    """A Source for a read-only page: the replica's session, bound to the request's scope,
    when there is a replica that answers; else the request's own session (db.session)."""
    app = current_app._get_current_object()
    engine = _replica_engine(app)
    if engine is None:
        yield Source(db.session)
        return
    if app.extensions.get("tinnhiem.replica_down_until", 0) > time.monotonic():
        yield Source(db.session, fell_back=True)
        return
    session = db.session.session_factory(
        info={"engine": engine, SCOPE_KEY: db.session().info.get(SCOPE_KEY)})
    try:
        yield _probed(app, session)
    finally:
        session.close()


def _probed(app, session) -> Source:
    """The replica's session with its lag, or the primary's when the replica does not answer."""
    try:
        lag = session.execute(LAG).scalar()  # opens the transaction: the scope is set
    except (OperationalError, InterfaceError) as error:
        log.warning("replica unreachable, reading the primary for %ss: %s", RETRY_AFTER,
                    error.orig)
        app.extensions["tinnhiem.replica_down_until"] = time.monotonic() + RETRY_AFTER
        return Source(db.session, fell_back=True)
    return Source(session, replica=True, lag_seconds=lag)
