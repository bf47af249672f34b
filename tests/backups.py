"""Taking and restoring the product's backup through its commands, and reading a whole
database back to compare."""
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from tinnhiem.backup import services as backup


def take_backup(app, path):
    result = app.test_cli_runner().invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 0, result.output
    return result


def restore(app, path):
    return app.test_cli_runner().invoke(args=["backup", "restore", str(path)])


def everything(app) -> dict[str, list[tuple]]:
    """What every table holds, as the owner sees it, in key order (values as the app reads
    them: SQLite keeps a timestamp's text as it was first written)."""
    url = app.config.get("MIGRATE_DATABASE_URL") or app.config["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT set_config('app.crossing', 'on', true)"))
            return {table.name: [tuple(row) for row in conn.execute(
                select(*table.columns).order_by(*backup.order_key(table)))]
                for table in backup.tables()}
    finally:
        engine.dispose()
