"""The SQLAlchemy extension, the declarative base and the tenant-aware session class."""
import functools
import hashlib
import hmac
import itertools
import random
import select
import sqlite3
import time

from flask import current_app
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapper
from sqlalchemy.pool import NullPool

from tinnhiem.platform.db_errors import is_sqlite_locked, is_transient, sqlite_wait_ms

# Deterministic constraint names keep migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class TenantSession(FlaskSession):
    """Session class the tenancy listeners are attached to (see tenants.scope). A session
    made with info={"engine": ...} runs on that engine (a crossing's, see owner_engine)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.info.get("engine") is not None:
            return self.info["engine"]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": TenantSession})
_models_mapped = itertools.count(1)
_models_version = [0]


@event.listens_for(Mapper, "instrument_class")
def _count_model(_mapper, _class) -> None:
    _models_version[0] = next(_models_mapped)


def models_version() -> int:
    """Changes whenever a model is mapped: the key of what is worked out once from the set
    of models (asked per statement and per row, so it must cost nothing: listing the
    registry's mappers builds a set of them all)."""
    return _models_version[0]


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, _record):
    # SQLite ignores foreign keys unless asked on every connection.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def is_postgresql(bind) -> bool:
    return bind.dialect.name == "postgresql"


SCOPE_SIGNATURE_VERSION = "tinnhiem-scope-v1"  # the same string as platform/rls.py's
# Where a session keeps its bound tenant scope (session.info): tenants binds it, platform only
# carries it along (a replica's session reads with the request's scope, read_replica.py).
SCOPE_KEY = "tenant_scope"


def database_scope_key() -> bytes:
    """The key the app signs its database scope with (DB_SCOPE_KEY, by default derived
    from SECRET_KEY); the owner keeps a copy the app's role cannot read (revision 0012)."""
    from tinnhiem.platform.config import derived_key

    app = current_app._get_current_object()
    key = app.extensions.get("tinnhiem.scope_key")
    if key is None:
        key = app.extensions["tinnhiem.scope_key"] = derived_key(
            "DB_SCOPE_KEY", b"tinnhiem database scope")
    return key


def scope_signature(province: str, unit: str, crossing: str, account: str = "",
                    conference: str = "") -> str:
    """The HMAC the database checks (platform/rls.py). A voter's conference is appended only
    when there is one (revision 0015), so every other scope signs as before."""
    fields = (SCOPE_SIGNATURE_VERSION, province, unit, crossing, account)
    message = "|".join(fields + ((conference,) if conference else ())).encode()
    return hmac.new(database_scope_key(), message, hashlib.sha256).hexdigest()


# SQLite refuses (rather than waits for) a reader that wants to write while another writes;
# its busy timeout already waits inside SQLite for a lock that is simply held. The tries
# here add at most this many seconds of sleep to one call, so a request thread never sleeps
# for long: past it (or past the lock timeout) the request answers 503 `database_busy`.
RETRY_SLEEP_BUDGET = 0.3
pause = time.sleep  # tests count the pauses through this name


def _retry_pause(attempt: int) -> float:
    """Growing and jittered, so writers refused together do not collide again."""
    return random.uniform(0.5, 1.0) * min(0.01 * 2 ** attempt, RETRY_SLEEP_BUDGET)


def run_in_transaction(session, work):
    """Run `work()` and commit it as one transaction, again when that may help: once after a
    transient PostgreSQL failure (a restart, a deadlock); after SQLite's refusal while both
    the lock timeout and RETRY_SLEEP_BUDGET last. Anything else (a ServiceError too) is
    rolled back and raised, as is the last refusal (the 503 of platform.db_failures)."""
    transient_tries = 1
    slept = 0.0
    deadline = time.monotonic() + sqlite_wait_ms(current_app.config) / 1000
    for attempt in itertools.count():
        try:
            result = work()
            session.commit()
            return result
        except DBAPIError as error:
            session.rollback()
            if is_sqlite_locked(error):
                wait = _retry_pause(attempt)
                if slept + wait > RETRY_SLEEP_BUDGET or time.monotonic() + wait > deadline:
                    raise
                pause(wait)
                slept += wait
                continue
            if is_transient(error) and transient_tries:
                transient_tries -= 1
                continue
            raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")


class NoOwnerConnection(RuntimeError):
    """A crossing was asked on PostgreSQL with no owner connection configured."""


def owner_engine():
    """On PostgreSQL, the engine a crossing runs on: the table owner's (MIGRATE_DATABASE_URL),
    since policies refuse crossings to the app's role. None on SQLite (no row-level
    security: the app's engine crosses). Connections are not pooled: crossings are rare (the
    CLI, tests) and an app's web workers never hold one."""
    app = current_app._get_current_object()
    if not is_postgresql(db.engine):
        return None
    engine = app.extensions.get("tinnhiem.owner_engine")
    if engine is None:
        url = app.config.get("MIGRATE_DATABASE_URL")
        if not url:
            raise NoOwnerConnection(
                "crossing the tenant scope on PostgreSQL needs MIGRATE_DATABASE_URL (the table"
                " owner): the app's role cannot cross")
        engine = app.extensions["tinnhiem.owner_engine"] = create_engine(url, poolclass=NullPool)
    return engine


class UnsafeDatabaseRole(RuntimeError):
    """The app connects to PostgreSQL as a role that Row-Level Security would not bind."""


def database_role_problems(connection, app_role: str) -> list[str]:
    if connection.dialect.name != "postgresql":
        return []
    superuser, bypass = connection.execute(text(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
    # the policies refuse crossings to app_role and its members only (platform/rls.py)
    member = connection.execute(text(
        "SELECT pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles WHERE rolname = :role"),
        {"role": app_role}).scalar()
    owned = connection.execute(text(
        "SELECT count(*) FROM pg_tables WHERE tableowner = current_user"
        " AND schemaname = current_schema()")).scalar()
    problems = []
    if superuser:
        problems.append("is a SUPERUSER")
    if bypass:
        problems.append("has BYPASSRLS")
    if owned:
        problems.append(f"owns {owned} table(s)")
    if not member:
        problems.append(f"is neither DB_APP_ROLE ({app_role}) nor a member of it")
    return problems


# Transaction-local settings asked for when a transaction begins (platform.db_failures'
# timeouts), kept on the connection until they can ride along with the statement that sets
# the scope: one round trip instead of two. A transaction that sets no scope sends them just
# before its first statement (send_deferred_settings).
DEFERRED_SETTINGS = "tinnhiem_deferred_settings"


def defer_settings(connection, settings: dict) -> None:
    connection.info[DEFERRED_SETTINGS] = dict(settings)


def _set_config_sql(names, placeholder) -> str:
    # The names are the code's own constants, never input; the values are parameters.
    return "SELECT " + ", ".join(
        f"set_config('{name}', {placeholder(i)}, true)" for i, name in enumerate(names))


def send_deferred_settings(connection, cursor, _statement, _parameters, _context,
                           _executemany) -> None:
    """before_cursor_execute: settings still waiting when another statement is about to run
    go first, on the same cursor."""
    settings = connection.info.pop(DEFERRED_SETTINGS, None)
    if settings:
        cursor.execute(_set_config_sql(settings, lambda i: f"%(s{i})s"),
                       {f"s{i}": value for i, value in enumerate(settings.values())})


def make_read_only(connection) -> None:
    """This transaction writes nothing: PostgreSQL refuses any write outright. Must come
    before its first statement."""
    connection.exec_driver_sql("SET TRANSACTION READ ONLY")


def set_signed_scope(connection, province="", unit="", crossing="", account="",
                     conference="") -> None:
    """The transaction's scope as PostgreSQL's policies read it, with its signature, and any
    deferred settings, in one statement. is_local=true: the settings end with the
    transaction, so a pooled connection never carries one request's scope into the next.
    `conference` narrows a voter's unit scope to one conference (revision 0015)."""
    settings = {"app.province_id": province, "app.unit_id": unit, "app.crossing": crossing,
                "app.account_id": account, "app.conference_id": conference,
                "app.scope_sig": scope_signature(province, unit, crossing, account, conference),
                **connection.info.pop(DEFERRED_SETTINGS, {})}
    connection.execute(_set_config_clause(tuple(settings)),
                       {f"s{i}": value for i, value in enumerate(settings.values())})


@functools.lru_cache(maxsize=8)
def _set_config_clause(names: tuple):
    """The statement for these setting names, made once (there are only a few sets)."""
    return text(_set_config_sql(names, lambda i: f":s{i}"))


def _drop_closed_connection(dbapi_connection, _record, _proxy) -> None:
    """pool_pre_ping's care without its round trip on every checkout: an idle connection's
    socket has something to read only when the server has closed it (a restart, a
    terminated backend), so a readable socket is a connection to replace (the pool then
    opens another)."""
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("the connection is closed")
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN)
    if poller.poll(0):
        raise DisconnectionError("the server closed the connection")


def tune_engine(engine) -> None:
    """A PostgreSQL engine of the app's requests: connections the server closed are
    replaced at checkout, deferred settings are sent, and many rows given to one INSERT go
    as multi-row VALUES (psycopg would otherwise pipeline one INSERT per row, and the
    row-level security policies read the scope once per statement: a ballot's marks cost
    one reading, not one per person)."""
    engine.dialect.use_insertmanyvalues_wo_returning = True
    event.listen(engine, "checkout", _drop_closed_connection)
    event.listen(engine, "before_cursor_execute", send_deferred_settings)


def scope_key_matches(connection) -> bool:
    """Whether the database accepts this app's signature (True before revision 0012)."""
    if not is_postgresql(connection) or not connection.execute(text(
            "SELECT to_regclass('public.app_scope_key') IS NOT NULL")).scalar():
        return True
    set_signed_scope(connection)
    return bool(connection.execute(text("SELECT app_scope_signature_ok()")).scalar())


def _check_database_role_once():
    app = current_app._get_current_object()
    if not app.config["DB_ROLE_CHECK"] or app.extensions.get("tinnhiem.db_role_ok"):
        return
    with db.engine.connect() as connection:
        problems = database_role_problems(connection, app.config["DB_APP_ROLE"])
        if not scope_key_matches(connection):
            problems.append(
                "is signed for with a key the database does not hold (DB_SCOPE_KEY or"
                " SECRET_KEY differs from the one `flask --app wsgi scope-key install` or the"
                " migrations put in place)")
    if problems:
        raise UnsafeDatabaseRole(
            "refusing to serve: the database role in DATABASE_URL " + ", ".join(problems)
            + "; connect as a role that owns no table (see deploy/env.example)")
    app.extensions["tinnhiem.db_role_ok"] = True


def init_app(app) -> None:
    """Bind the extension; check the app's database role at its first request (not at
    start, so nothing touches the database before gunicorn forks)."""
    from tinnhiem.platform.config import app_connect_args

    # Worked out from the final URL (a test or a caller may override the environment's).
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        "connect_args": app_connect_args(app.config)}
    db.init_app(app)
    app.before_request(_check_database_role_once)
