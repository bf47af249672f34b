"""`flask --app wsgi scope-key install`: give the database the key the app signs its scope
with, after SECRET_KEY or DB_SCOPE_KEY changed (run as the owner: MIGRATE_DATABASE_URL)."""
import click
from flask import Blueprint
from sqlalchemy import text

from tinnhiem.platform.db import NoOwnerConnection, database_scope_key, db, owner_engine

bp = Blueprint("scope_key_cli", __name__, cli_group="scope-key")


@bp.cli.command("install")
def install_command():
    """Store this app's scope key in the database (the owner's table)."""
    try:
        engine = owner_engine()
    except NoOwnerConnection as error:
        raise click.ClickException(str(error)) from None
    if engine is None:
        click.echo("SQLite has no row-level security: nothing to install")
        return
    with engine.begin() as connection:
        updated = connection.execute(text("UPDATE app_scope_key SET key = :key WHERE id = 1"),
                                     {"key": database_scope_key()}).rowcount
    if updated != 1:
        raise click.ClickException("no app_scope_key row: run `flask --app wsgi db upgrade` first")
    db.engine.dispose()
    click.echo("OK: the database now accepts scopes signed with this app's key")
