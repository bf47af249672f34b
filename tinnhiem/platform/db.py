"""The SQLAlchemy extension, the declarative base and the tenant-aware session class."""
import sqlite3

from flask import current_app
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool

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


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, _record):
    # SQLite ignores foreign keys unless asked on every connection.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def is_postgresql(bind) -> bool:
    return bind.dialect.name == "postgresql"


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


def _check_database_role_once():
    app = current_app._get_current_object()
    if not app.config["DB_ROLE_CHECK"] or app.extensions.get("tinnhiem.db_role_ok"):
        return
    with db.engine.connect() as connection:
        problems = database_role_problems(connection, app.config["DB_APP_ROLE"])
    if problems:
        raise UnsafeDatabaseRole(
            "refusing to serve: the database role in DATABASE_URL " + ", ".join(problems)
            + "; connect as a role that owns no table (see deploy/env.example)")
    app.extensions["tinnhiem.db_role_ok"] = True


def init_app(app) -> None:
    """Bind the extension; check the app's database role at its first request (not at
    start, so nothing touches the database before gunicorn forks)."""
    db.init_app(app)
    app.before_request(_check_database_role_once)
