"""The scope of a session: what it sees, what it may write, and the pitfalls of DESIGN.md."""
import pathlib
import re
import uuid

import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy import delete, func, insert, select, text, update

from tests.snapshots import snapshot
from tinnhiem.platform.db import db, scope_signature
from tinnhiem.tenants.models import Unit, UnitSuccession
from tinnhiem.tenants.scope import Scope, ScopeMissing, ScopeViolation, bind_scope, unscoped

ROOT = pathlib.Path(__file__).resolve().parents[1]


@snapshot
def world(make):
    return make.world()


def _scoped_session(app, scope):
    session = db.session.session_factory()
    bind_scope(session, scope)
    return session


def _names(session):
    return sorted(session.scalars(select(Unit.name)))


def test_unit_scope_sees_only_its_unit(app, world):
    with app.app_context():
        session = _scoped_session(app, Scope.for_unit(world.province_a.id, world.a1.id))
        assert _names(session) == ["Đảng ủy xã A1"]
        assert session.get(Unit, world.a2.id) is None
        assert session.get(Unit, world.b1.id) is None
        session.close()


def test_province_scope_sees_its_province_only(app, world):
    with app.app_context():
        session = _scoped_session(app, Scope.for_province(world.province_a.id))
        assert _names(session) == ["Chi bộ A1-1", "Tỉnh ủy Alpha", "Đảng ủy phường A2",
                                   "Đảng ủy xã A1"]
        session.close()


def test_query_without_scope_raises_instead_of_returning_everything(app, world):
    with app.app_context():
        session = db.session.session_factory()
        with pytest.raises(ScopeMissing):
            session.scalars(select(Unit)).all()
        session.close()


def test_new_row_is_stamped_with_the_scope(app, world):
    with app.app_context():
        session = _scoped_session(app, Scope.for_unit(world.province_a.id, world.a1.id))
        link = UnitSuccession(predecessor_id=world.a2.id,
                              predecessor_province_id=world.province_a.id)
        session.add(link)
        try:
            session.flush()
            refused = False
        except DBAPIError:
            refused = True
        assert (link.province_id, link.unit_id) == (world.province_a.id, world.a1.id)
        # A succession link is what a history scope is granted from (tenants.history): in
        # PostgreSQL only the operator's scope may write one (revision 0022).
        assert refused == app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
        session.rollback()
        session.close()


@pytest.mark.parametrize("scope, owner", [
    ("unit", "a2"),      # unit staff writing for a neighbour unit
    ("unit", "b1"),      # ... or for a unit of another province
    ("province", "b1"),  # province staff writing for another province's unit
])
def test_row_outside_the_scope_is_refused_before_flush(app, world, scope, owner):
    other = getattr(world, owner)
    bound = (Scope.for_unit(world.province_a.id, world.a1.id) if scope == "unit"
             else Scope.for_province(world.province_a.id))
    with app.app_context():
        session = _scoped_session(app, bound)
        province_id = world.province_a.id if scope == "province" else other.province_id
        session.add(UnitSuccession(province_id=province_id, unit_id=other.id,
                                   predecessor_id=world.a1.id,
                                   predecessor_province_id=world.province_a.id))
        with pytest.raises(ScopeViolation):
            session.flush()
        session.rollback()
        session.close()


def test_orm_update_touches_only_the_scope(app, world):
    with app.app_context():
        session = _scoped_session(app, Scope.for_unit(world.province_a.id, world.a1.id))
        session.execute(update(Unit).values(code="DOI-MA"))
        session.commit()
        session.close()
    with app.app_context(), unscoped("test") as crossing:
        codes = dict(crossing.execute(select(Unit.id, Unit.code)).all())
    assert codes[world.a1.id] == "DOI-MA"
    assert codes[world.a2.id] != "DOI-MA" and codes[world.b1.id] != "DOI-MA"


def test_orm_bulk_insert_is_refused(app, world):
    with app.app_context():
        session = _scoped_session(app, Scope.for_unit(world.province_a.id, world.a1.id))
        with pytest.raises(ScopeViolation):
            session.execute(insert(UnitSuccession), [{
                "id": uuid.uuid4(), "province_id": world.province_b.id, "unit_id": world.b1.id,
                "predecessor_id": world.a1.id}])
        session.close()


def test_identity_map_is_reset_when_the_scope_changes(app, world):
    """session.get() answers from the identity map without SQL; a new scope must not see
    an object loaded under the old one."""
    with app.app_context():
        session = _scoped_session(app, Scope.for_directory())
        assert session.get(Unit, world.b1.id) is not None
        bind_scope(session, Scope.for_unit(world.province_a.id, world.a1.id))
        assert session.get(Unit, world.b1.id) is None
        session.close()


def test_cached_criteria_uses_each_scopes_own_ids(app, world):
    """The criteria lambda is cached by its code; the ids must still be each scope's."""
    seen = []
    with app.app_context():
        for unit in (world.a1, world.a2, world.b1, world.a1):
            session = _scoped_session(app, Scope.for_unit(unit.province_id, unit.id))
            seen.append(_names(session))
            session.close()
    assert seen == [["Đảng ủy xã A1"], ["Đảng ủy phường A2"], ["Đảng ủy xã B1"],
                    ["Đảng ủy xã A1"]]


@pytest.mark.sqlite_only
def test_raw_sql_bypasses_the_orm_scope_on_sqlite(app, world):
    """Why feature code may not use text(): on SQLite nothing else would stop it."""
    with app.app_context():
        session = _scoped_session(app, Scope.for_unit(world.province_a.id, world.a1.id))
        assert session.execute(text("SELECT count(*) FROM units")).scalar() == 6
        session.close()


@pytest.mark.postgresql_only
def test_raw_sql_under_rls_sees_only_the_scope(app, world):
    with app.app_context():
        session = _scoped_session(app, Scope.for_unit(world.province_a.id, world.a1.id))
        assert session.execute(text("SELECT name FROM units")).scalars().all() == [
            "Đảng ủy xã A1"]
        session.close()
        session = _scoped_session(app, Scope.for_province(world.province_b.id))
        assert session.execute(text("SELECT count(*) FROM units")).scalar() == 2
        session.close()


def _insert_for_b1(world):
    return insert(UnitSuccession.__table__).values(
        id=uuid.uuid4(), province_id=world.province_b.id, unit_id=world.b1.id,
        predecessor_id=world.b1.id)


def test_core_dml_through_the_session_is_refused(app, world):
    with app.app_context():
        session = _scoped_session(app, Scope.for_unit(world.province_a.id, world.a1.id))
        for statement in (_insert_for_b1(world), update(Unit.__table__).values(code="X"),
                          delete(UnitSuccession.__table__)):
            with pytest.raises(ScopeViolation):
                session.execute(statement)
        session.close()


@pytest.mark.postgresql_only
def test_core_insert_on_the_raw_connection_is_refused_by_rls(app, world):
    """Below the session no hook runs: PostgreSQL's policy is what refuses the row."""
    with app.app_context():
        session = _scoped_session(app, Scope.for_unit(world.province_a.id, world.a1.id))
        with pytest.raises(Exception, match="row-level security"):
            session.connection().execute(_insert_for_b1(world))
        session.rollback()
        session.close()


@pytest.mark.parametrize("statement", [
    lambda: select(func.count()).select_from(Unit),
    lambda: select(Unit.name).where(Unit.id.in_(select(Unit.id).scalar_subquery())),
    lambda: select(func.count()).select_from(select(Unit.id).subquery()),
])
def test_counts_and_subqueries_see_only_the_scope(app, world, statement):
    with app.app_context():
        session = _scoped_session(app, Scope.for_unit(world.province_a.id, world.a1.id))
        result = session.execute(statement()).scalars().all()
        assert result in ([1], ["Đảng ủy xã A1"])
        session.close()
        bare = db.session.session_factory()
        with pytest.raises(ScopeMissing):
            bare.execute(statement())
        bare.close()


def test_join_from_an_unscoped_table_sees_only_the_scope(app, world):
    from tinnhiem.platform.auth.models import Account

    with app.app_context():
        session = _scoped_session(app, Scope.for_unit(world.province_a.id, world.a1.id))
        found = session.scalars(select(Account.username).join(Unit, Account.unit_id == Unit.id)
                                .where(Unit.name == "Đảng ủy xã B1")).all()
        assert found == []
        session.close()


def test_deleting_a_row_of_another_unit_is_refused(app, world):
    with app.app_context():
        with unscoped("test") as crossing:
            crossing.add(UnitSuccession(province_id=world.province_a.id, unit_id=world.a2.id,
                                        predecessor_id=world.a1.id,
                                        predecessor_province_id=world.province_a.id))
            crossing.commit()
            link = crossing.scalars(select(UnitSuccession)).one()
            crossing.expunge(link)
        session = _scoped_session(app, Scope.for_unit(world.province_a.id, world.a1.id))
        session.delete(session.merge(link, load=False))
        with pytest.raises(ScopeViolation):
            session.flush()
        session.rollback()
        session.close()


def test_operator_directory_scope_reaches_only_the_unit_tree(app, world):
    """The operator has no data scope: the unit tree, nothing else."""
    with app.app_context():
        session = _scoped_session(app, Scope.for_directory())
        assert len(_names(session)) == 6
        session.close()


@pytest.mark.postgresql_only
def test_no_scope_set_sees_nothing_and_pooled_connections_forget_it(app, world):
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM units")).scalar() == 0
            province = str(world.province_a.id)
            conn.execute(text("SELECT set_config('app.province_id', :p, true),"
                              " set_config('app.scope_sig', :s, true)"),
                         {"p": province, "s": scope_signature(province, "", "")})
            assert conn.execute(text("SELECT count(*) FROM units")).scalar() == 4
            conn.commit()
            # Same connection, next transaction: the setting reads '' and nothing is seen.
            assert conn.execute(text("SELECT count(*) FROM units")).scalar() == 0


@pytest.mark.postgresql_only
def test_scope_is_set_even_when_the_transaction_began_before_binding(app, world):
    """The account is loaded before the scope is known; the scope must still apply."""
    with app.app_context():
        session = db.session.session_factory()
        session.execute(text("SELECT 1"))  # transaction already open, no scope
        bind_scope(session, Scope.for_unit(world.province_a.id, world.a1.id))
        assert session.execute(text("SELECT count(*) FROM units")).scalar() == 1
        session.close()


FORBIDDEN = re.compile(r"\btext\(|\binsert\(|__table__|exec_driver_sql|\.execute\(\s*[\"']")
ALLOWED = {
    "tinnhiem/platform/audit/services.py": "takes the audit chain's advisory lock",
    "tinnhiem/platform/db.py": "turns on SQLite's foreign keys per connection, checks the"
                               " database's scope key",
    "tinnhiem/platform/scope_key_cli.py": "installs the scope key in the owner's table",
    "tinnhiem/backup/services.py": "reads and loads every table as the owner, with the"
                                   " crossing",
    "tinnhiem/platform/db_failures.py": "sets each request transaction's timeouts",
    "tinnhiem/platform/limit_storage.py": "rate-limit counters: no tenant data, own engine",
    "tinnhiem/platform/read_replica.py": "reads the replica's replay lag",
    "tinnhiem/platform/health.py": "the readiness probe's SELECT 1 on its own connection",
    "tinnhiem/rollup/services.py": "a planner hint around two page queries (SET LOCAL"
                                   " enable_sort): no data read or written",
    "tinnhiem/voting/casting.py": "spends a code with one Core UPDATE, and reads a voter's"
                                  " conference and code with one Core SELECT, whose owner"
                                  " terms tenants.checked_rows checks against the bound"
                                  " scope first (tests/test_casting_path.py)",
    "tinnhiem/platform/bulk_insert.py": "insert_rows' statements (tenants/scope.py checks"
                                        " each row against the scope first; the ORM refuses"
                                        " them otherwise; tests/test_insert_rows.py)",
}


def test_feature_code_uses_no_raw_sql_or_core_insert():
    """Raw SQL and Core insert() bypass the ORM scope: only the listed files may use them."""
    offenders = []
    for path in (ROOT / "tinnhiem").rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED or relative == "tinnhiem/platform/rls.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


@pytest.mark.postgresql_only
def test_the_app_role_cannot_cross_by_setting_the_crossing_itself(
        app, world, pg_database, pg_cluster_running):
    """Whatever SQL the web process could run, its role (or a login role that is a member of
    it) sees one scope at most; the owner (the CLI's crossings) sees every province."""
    import psycopg

    from tests.pg_cluster import APP

    with psycopg.connect(pg_cluster_running.superuser_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'tinnhiem_web'").fetchone():
            conn.execute("CREATE ROLE tinnhiem_web LOGIN PASSWORD 'tinnhiem_web'"
                         f" NOSUPERUSER NOBYPASSRLS IN ROLE {APP}")
    member_url = pg_database.app_url.replace(f"{APP}:{APP}@", "tinnhiem_web:tinnhiem_web@")

    def units_seen_crossing_as(url):
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            conn.execute("SELECT set_config('app.crossing', 'on', true)")
            return conn.execute("SELECT count(DISTINCT province_id) FROM units").fetchone()[0]

    assert units_seen_crossing_as(pg_database.app_url) == 0
    assert units_seen_crossing_as(member_url) == 0
    assert units_seen_crossing_as(pg_database.owner_url) == 2  # provinces A and B
