"""When the database cannot answer in time: bounds on every request's transactions, which
failures say the database is busy, and the 503 a person or a client gets (the bounded retry
of a transaction that may simply be repeated is platform.db.run_in_transaction).

On PostgreSQL every transaction a request opens carries `statement_timeout` and
`lock_timeout` (DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS), set transaction-locally: they
hold behind pgbouncer in transaction mode as well, and never reach a CLI command (backups,
migrations and `audit verify` take as long as they need; they also run on the owner's own
engine). On SQLite the lock timeout is the busy timeout. A cancelled statement aborts its
transaction, which is rolled back: nothing of the request was stored, as the 503 says.
"""
import logging
import sqlite3

from flask import current_app, has_request_context, make_response, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from tinnhiem.platform import web
from tinnhiem.platform.db import db, defer_settings, is_postgresql, tune_engine
from tinnhiem.platform.db_errors import is_busy, sqlite_wait_ms, sqlstate

log = logging.getLogger("tinnhiem.db")

RETRY_AFTER_SECONDS = 5

VOTE_NOT_STORED = _l("Hệ thống đang bận, phiếu của bạn chưa được ghi. Vui lòng thử lại.")
NOT_DONE = _l("Hệ thống đang bận, thao tác của bạn chưa được thực hiện. Vui lòng thử lại.")


def _answer(error: DBAPIError):
    db.session.rollback()
    if not is_busy(error):
        return web._handle_unexpected(error)
    # The state only: a statement's text or values never reach the log.
    log.warning("database busy or away (sqlstate %s): answered 503",
                sqlstate(error) or type(error.orig).__name__)
    voting = request.path.startswith("/v/") or request.path.startswith("/api/v1/polls/")
    response = make_response(web.error_response(
        503, "database_busy", VOTE_NOT_STORED if voting else NOT_DONE))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _bound_request_transaction(connection) -> None:
    if not has_request_context():
        return
    config = current_app.config
    # Sent with the scope, in the same statement (platform.db.defer_settings).
    defer_settings(connection, {"statement_timeout": str(config["DB_STATEMENT_TIMEOUT_MS"]),
                                "lock_timeout": str(config["DB_LOCK_TIMEOUT_MS"])})


def bound_engine(engine) -> None:
    """Bound a PostgreSQL engine's request transactions: the app's, and the replica's the
    roll-up reads (platform/read_replica.py)."""
    tune_engine(engine)
    event.listen(engine, "begin", _bound_request_transaction)


def _sqlite_busy_timeout(milliseconds: int):
    def on_connect(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")

    return on_connect


def init_app(app) -> None:
    """Bound the app's engines (the web's; the owner's engine of CLI crossings is left
    alone) and answer a busy database with 503."""
    with app.app_context():
        for engine in db.engines.values():
            if is_postgresql(engine):
                bound_engine(engine)
            else:
                event.listen(engine, "connect",
                             _sqlite_busy_timeout(sqlite_wait_ms(app.config)))
    app.register_error_handler(DBAPIError, _answer)
