"""What a database failure says: busy or away (answer 503, try again later), transient (the
transaction may simply run again), or neither. Plain functions of the error, used by the
retry in platform.db and the 503 of platform.db_failures."""
import sqlite3

from sqlalchemy.exc import DBAPIError

# query_canceled (statement_timeout) and lock_not_available (lock_timeout).
BUSY_STATES = frozenset({"57014", "55P03"})
# The server shutting down or restarting, a serialization failure, a deadlock: the
# transaction failed as a whole and may simply run again (with class 08, a lost connection).
TRANSIENT_STATES = frozenset({"57P01", "57P02", "57P03", "40001", "40P01"})
SQLITE_DEFAULT_WAIT_MS = 5000  # when DB_LOCK_TIMEOUT_MS is 0: SQLite cannot wait forever


def sqlstate(error: DBAPIError) -> str:
    return getattr(error.orig, "sqlstate", None) or ""


def is_sqlite_locked(error: DBAPIError) -> bool:
    return isinstance(error.orig, sqlite3.OperationalError) and "locked" in str(error.orig)


def is_transient(error: DBAPIError) -> bool:
    state = sqlstate(error)
    return bool(error.connection_invalidated) or state.startswith("08") or state in TRANSIENT_STATES


def is_busy(error: DBAPIError) -> bool:
    """A failure that says the database is busy or away, not that the request is wrong."""
    return sqlstate(error) in BUSY_STATES or is_sqlite_locked(error) or is_transient(error)


def sqlite_wait_ms(config) -> int:
    return config["DB_LOCK_TIMEOUT_MS"] or SQLITE_DEFAULT_WAIT_MS
