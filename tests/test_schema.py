"""Introspection: every unit-owned table carries its tenant and is guarded in PostgreSQL."""
import psycopg
import pytest
from sqlalchemy import UniqueConstraint

import tinnhiem.models  # noqa: F401  (complete metadata)
from tinnhiem.platform.db import db
from tinnhiem.tenants.owned import ProvinceOwned, UnitOwned
from tests.pg_cluster import APP

# A unique that does not include unit_id leaks existence across units; these are the only
# exceptions, each because the row *is* the unit.
UNIQUE_EXCEPTIONS = {
    ("units", ("province_id", "code")): "a unit's own code, set only by the operator",
    ("units", ("province_id", "id")): "target of the same-province parent foreign key",
    ("cadre_entries", ("round_id", "cadre_code", "slot")):
        "the two-places rule must see across units (DOMAIN.md: at most 2 places a round);"
        " only the province, whose scope is every unit, writes these rows (rounds.registry)",
}


# The unit tree is also the operator's (Scope.for_directory); everything else is strictly
# the unit's (or, for province-shared tables, the province's).
TABLE_KIND = {"units": "directory", "unit_successions": "directory", "polls": "directory",
              **{t: "province" for t in ("ballot_templates", "rounds", "round_categories")}}
# What each kind of policy must (and must not) mention, as PostgreSQL prints it back.
# Every kind crosses only for a role other than the app's.
APP_CANNOT_CROSS = "pg_has_role(CURRENT_USER, r.oid, 'MEMBER'::text)"
# Since revision 0019 the signature is checked once (app_scope_trusted) and rows are compared
# with the raw settings it covers.
TRUSTED = "( SELECT app_scope_trusted() AS app_scope_trusted)"
POLICY = {"unit": ({"app_raw_province()", "app_raw_unit()", APP_CANNOT_CROSS, TRUSTED},
                   {"'directory'"}),
          "directory": ({"app_raw_province()", "app_raw_unit()", "'directory'",
                         APP_CANNOT_CROSS, TRUSTED}, set()),
          "province": ({"app_raw_province()", APP_CANNOT_CROSS, TRUSTED},
                       {"app_raw_unit()", "'directory'"})}


def unit_owned_tables():
    mappers = db.Model.registry.mappers
    return sorted({m.local_table.name for m in mappers if issubclass(m.class_, UnitOwned)})


def province_shared_tables():
    mappers = db.Model.registry.mappers
    return sorted({m.local_table.name for m in mappers
                   if issubclass(m.class_, ProvinceOwned) and not issubclass(m.class_, UnitOwned)})


def test_there_are_tenant_tables():
    assert {"units", "unit_successions", "conferences", "nominees"} <= set(unit_owned_tables())
    assert {"rounds", "ballot_templates"} <= set(province_shared_tables())
    assert set(TABLE_KIND) - set(unit_owned_tables()) == set(province_shared_tables())


@pytest.mark.parametrize("table_name", province_shared_tables())
def test_province_shared_uniques_include_province_id(table_name):
    table = db.metadata.tables[table_name]
    assert table.c["province_id"].nullable is False
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            assert "province_id" in [c.name for c in constraint.columns]


@pytest.mark.parametrize("table_name", unit_owned_tables())
def test_unit_owned_table_has_tenant_columns(table_name):
    table = db.metadata.tables[table_name]
    for column in ("province_id", "unit_id"):
        assert table.c[column].nullable is False
        assert any(column in [c.name for c in index.columns] for index in table.indexes)


@pytest.mark.parametrize("table_name", unit_owned_tables())
def test_uniques_include_unit_id(table_name):
    table = db.metadata.tables[table_name]
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            columns = tuple(c.name for c in constraint.columns)
            assert "unit_id" in columns or (table_name, columns) in UNIQUE_EXCEPTIONS


@pytest.mark.postgresql_only
def test_rls_enabled_forced_with_policy_on_every_tenant_table(app, pg_database):
    with psycopg.connect(pg_database.owner_url.replace("+psycopg", "")) as conn:
        for table in unit_owned_tables() + province_shared_tables():
            enabled, forced = conn.execute(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = %s",
                (table,)).fetchone()
            assert enabled and forced, table
            qual, check = conn.execute(
                "SELECT qual, with_check FROM pg_policies WHERE tablename = %s"
                " AND policyname = 'tenant_scope'", (table,)).fetchone()
            present, absent = POLICY[TABLE_KIND.get(table, "unit")]
            for text in (qual, check):
                assert all(p in text for p in present), (table, text)
                assert not any(a in text for a in absent), (table, text)


@pytest.mark.postgresql_only
def test_app_role_owns_nothing_and_cannot_bypass_rls(app, pg_database):
    with psycopg.connect(pg_database.app_url.replace("+psycopg", "")) as conn:
        superuser, bypass = conn.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert (superuser, bypass) == (False, False)
        owned = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE tableowner = current_user").fetchone()[0]
        assert owned == 0
        assert conn.execute("SELECT current_user").fetchone()[0] == APP


@pytest.mark.postgresql_only
def test_app_role_cannot_rewrite_the_audit_log(app, pg_database):
    with psycopg.connect(pg_database.app_url.replace("+psycopg", "")) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE audit_log SET actor = 'x'")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM audit_log")


@pytest.mark.sqlite_only
def test_audit_log_is_append_only_on_sqlite(app, make):
    make.province()
    import sqlite3

    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError,
                                                      match="append-only"):
        conn.execute("UPDATE audit_log SET actor = 'x'")


@pytest.mark.postgresql_only
def test_app_refuses_to_serve_as_the_table_owner(pg_database, caplog):
    """Connected as a role that owns the tables, RLS would not bind it: refuse, loudly."""
    from tests.conftest import TEST_CONFIG
    from tinnhiem import create_app

    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": pg_database.owner_url})
    response = app.test_client().get("/login")
    assert response.status_code == 500
    assert "owns" in caplog.text and "refusing to serve" in caplog.text
    with app.app_context():
        db.engine.dispose()


@pytest.mark.postgresql_only
def test_app_refuses_to_serve_as_a_role_the_policies_would_let_cross(
        pg_database, pg_cluster_running, caplog):
    """The policies refuse crossings to the app's role and its members: any other role
    could cross, so the app will not serve as one."""
    from tests.conftest import TEST_CONFIG
    from tinnhiem import create_app

    with psycopg.connect(pg_cluster_running.superuser_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'tinnhiem_other'").fetchone():
            conn.execute("CREATE ROLE tinnhiem_other LOGIN PASSWORD 'tinnhiem_other'")
    url = pg_database.app_url.replace(f"{APP}:{APP}@", "tinnhiem_other:tinnhiem_other@")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    assert app.test_client().get("/login").status_code == 500
    assert f"is neither DB_APP_ROLE ({APP}) nor a member of it" in caplog.text
    with app.app_context():
        db.engine.dispose()


@pytest.mark.postgresql_only
def test_app_serves_as_its_own_role(app):
    assert app.test_client().get("/login").status_code == 200
    assert app.extensions["tinnhiem.db_role_ok"] is True
