"""Alembic environment. Migrations run as the table owner: MIGRATE_DATABASE_URL when set
(PostgreSQL, where the app's own role owns nothing), else the app's DATABASE_URL (SQLite)."""
import logging
from contextlib import contextmanager
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import create_engine, pool, text

import tinnhiem.models  # noqa: F401  (every table in the metadata)

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def owner_url() -> str:
    return (current_app.config.get("MIGRATE_DATABASE_URL")
            or current_app.config["SQLALCHEMY_DATABASE_URI"])


# Session-level advisory lock key (any constant shared by every host of the deployment):
# two hosts upgrading at once would otherwise both run the same revision.
MIGRATION_LOCK = 0x74696E6E6869656D  # "tinnhiem"


@contextmanager
def migration_lock(connection):
    """On PostgreSQL, hold the migration lock for the whole upgrade. A host that finds it
    taken waits, then reads the version the other host left and runs only what is still
    missing (usually nothing). SQLite runs on one host and needs none."""
    if connection.dialect.name != "postgresql":
        yield
        return
    if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                              {"key": MIGRATION_LOCK}).scalar():
        logger.info("Another host is migrating this database; waiting for it to finish.")
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
    # Commit the autobegun transaction (the lock outlives it): alembic must see no
    # transaction of ours, or it would not commit its own.
    connection.commit()
    try:
        yield
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()


@contextmanager
def sqlite_foreign_keys_off(connection):
    """On SQLite, foreign keys off for the upgrade and checked once at its end: a batch
    migration recreates a table, and dropping the old one with them on would cascade into
    (delete) every row that refers to it. The pragma is ignored inside a transaction, so it
    is set and committed before alembic begins its own."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    yield
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    connection.commit()
    if broken:
        raise RuntimeError(f"rows refer to missing rows after migrating: {broken[:5]}")


def run_migrations_offline():
    context.configure(url=owner_url(), target_metadata=target_db.metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            if directives[0].upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    engine = create_engine(owner_url(), poolclass=pool.NullPool)
    with engine.connect() as connection, migration_lock(connection), \
            sqlite_foreign_keys_off(connection):
        context.configure(connection=connection, target_metadata=target_db.metadata,
                          **conf_args)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
