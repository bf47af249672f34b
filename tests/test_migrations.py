"""The migration history runs both ways on SQLite and PostgreSQL."""
import psycopg
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import TEST_CONFIG
from tests.pg_cluster import create_database, OWNER, APP
from tinnhiem import create_app
from tinnhiem.platform.db import db


def _tables(app):
    with app.app_context():
        engine = db.engine
        names = set(inspect(engine).get_table_names())
        engine.dispose()
        return names


def _round_trip(app):
    with app.app_context():
        upgrade()
        downgrade(revision="base")
    assert _tables(app) <= {"alembic_version"}
    with app.app_context():
        upgrade()
    assert {"units", "accounts", "audit_log", "unit_types", "unit_successions"} <= _tables(app)


def test_upgrade_downgrade_upgrade_on_sqlite(tmp_path):
    _round_trip(create_app({**TEST_CONFIG,
                            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"}))


def _tenant_tables() -> set[str]:
    import tinnhiem.models  # noqa: F401  (complete metadata)
    from tinnhiem.platform.db import db
    from tinnhiem.tenants.scope import ProvinceOwned

    return {m.local_table.name for m in db.Model.registry.mappers
            if issubclass(m.class_, ProvinceOwned)}


def test_upgrade_downgrade_upgrade_on_postgresql(pg_cluster_running):
    name = create_database(pg_cluster_running)
    owner = pg_cluster_running.url(OWNER, name)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": owner,
                      "MIGRATE_DATABASE_URL": owner, "DB_ROLE_CHECK": False})
    _round_trip(app)
    with psycopg.connect(owner.replace("+psycopg", "")) as conn:
        policies = conn.execute("SELECT count(*) FROM pg_policies").fetchone()[0]
        assert policies == len(_tenant_tables())  # one per tenant table, none left over
        granted = conn.execute(
            "SELECT count(*) FROM information_schema.role_table_grants"
            " WHERE grantee = %s AND table_name = 'audit_log' AND privilege_type = 'UPDATE'",
            (APP,)).fetchone()[0]
        assert granted == 0
