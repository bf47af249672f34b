"""The migration history runs both ways on SQLite and PostgreSQL."""
import os
import re
import subprocess
import sys
import time

import psycopg
import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import TEST_CONFIG
from tests.pg_cluster import create_database, OWNER, APP
from tinnhiem import create_app
from tinnhiem.platform.db import db

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The advisory lock key migrations/env.py takes (the file runs on import, so read it).
with open(os.path.join(REPOSITORY, "migrations", "env.py"), encoding="utf-8") as _env:
    MIGRATION_LOCK = int(re.search(r"^MIGRATION_LOCK = (\w+)", _env.read(), re.M).group(1), 0)

# A province's template, a round and its post category, as raw rows for revisions that
# predate the models (ids :template, :round, :category, :province).
ROUND_ROWS = [
    "INSERT INTO ballot_templates (id, version, title, header, high_label, confidence_label,"
    " low_label, instructions, crossed_out_rule, frozen, province_id) VALUES (:template, 1,"
    " 'Phiếu', '', 'Cao', 'Tín nhiệm', 'Thấp', '', 'row', 1, :province)",
    "INSERT INTO rounds (id, name, plan_reference, year, template_id,"
    " exempt_retirement_notice, exempt_appointed_this_year, dossier_days, province_id)"
    " VALUES (:round, 'Đợt', '', 2023, :template, 1, 1, 15, :province)",
    "INSERT INTO round_categories (id, round_id, name, deadline, province_id)"
    " VALUES (:category, :round, 'Nhóm', '2023-06-30', :province)",
]


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


def _tenant_tables(mixin_name="ProvinceOwned") -> set[str]:
    import tinnhiem.models  # noqa: F401  (complete metadata)
    from tinnhiem.platform.db import db
    from tinnhiem.tenants import scope

    mixin = getattr(scope, mixin_name)
    return {m.local_table.name for m in db.Model.registry.mappers
            if issubclass(m.class_, mixin)}


def test_upgrade_downgrade_upgrade_on_postgresql(pg_cluster_running):
    name = create_database(pg_cluster_running)
    owner = pg_cluster_running.url(OWNER, name)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": owner,
                      "MIGRATE_DATABASE_URL": owner, "DB_ROLE_CHECK": False})
    _round_trip(app)
    with psycopg.connect(owner.replace("+psycopg", "")) as conn:
        policies = dict(conn.execute(
            "SELECT policyname, count(*) FROM pg_policies GROUP BY policyname").fetchall())
        # one per tenant table, and a voter's narrowing per unit table (0015), none left over
        assert policies == {"tenant_scope": len(_tenant_tables()),
                            "voter_conference": len(_tenant_tables("UnitOwned")),
                            "history_read": len(_tenant_tables()),  # 0022
                            "succession_by_operator": 1}
        granted = conn.execute(
            "SELECT count(*) FROM information_schema.role_table_grants"
            " WHERE grantee = %s AND table_name = 'audit_log' AND privilege_type = 'UPDATE'",
            (APP,)).fetchone()[0]
        assert granted == 0


def test_results_counted_before_0005_get_their_roll_up_columns(tmp_path):
    """Revision 0005 fills the new columns of existing results as counting now would, and
    0007 marks those of a certified conference as certified, 0008 gives names their keys
    in Vietnamese order, and 0021 keys people's names by given name."""
    import uuid

    from sqlalchemy import text

    from tinnhiem.platform.collation import person_sort_key, sort_key

    app = create_app({**TEST_CONFIG,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'b.sqlite3'}"})
    ids = {name: uuid.uuid4().hex for name in ("type", "province", "template", "round",
                                               "category", "conference", "nominee", "result")}
    rows = [
        "INSERT INTO unit_types (id, code, name) VALUES (:type, 'T', 'Loại')",
        "INSERT INTO units (id, code, name, type_id, valid_from, unit_id, province_id)"
        " VALUES (:province, 'P', 'Tỉnh ủy', :type, '2020-01-01', :province, :province)",
        *ROUND_ROWS,
        "INSERT INTO conferences (id, round_id, title, held_on, place, voting_body, mode, status,"
        " unit_id, province_id, published) VALUES (:conference, :round, 'Hội nghị', '2023-06-01',"
        " '', '', 'paper', 'certified', :province, :province, 0)",
        "INSERT INTO nominees (id, conference_id, full_name, cadre_code, post, category_id,"
        " ballot_order, retirement_notice, unit_id, province_id) VALUES (:nominee, :conference,"
        " 'Nguyễn Văn A', 'CB-1', 'Bí thư', :category, 1, 0, :province, :province)",
        "INSERT INTO results (id, conference_id, nominee_id, issued, collected, high, confidence,"
        " low, invalid, unit_id, province_id) VALUES (:result, :conference, :nominee, 48, 48,"
        " 20, 3, 25, 0, :province, :province)",
    ]
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as connection:
            for statement in rows:
                connection.execute(text(statement), ids)
        upgrade()
        with db.engine.connect() as connection:
            filled = connection.execute(text(
                "SELECT round_id, category_id, full_name, post, cadre_code, band, severity,"
                " low_share, high_tenth, confidence_tenth, low_tenth, certified, name_key"
                " FROM results")).one()
            unit_key = connection.execute(text("SELECT name_key FROM units")).scalar()
        db.engine.dispose()
    assert tuple(filled) == (ids["round"], ids["category"], "Nguyễn Văn A", "Bí thư", "CB-1",
                             "over_half_low", 1, 5208, 4, 0, 5, 1,
                             person_sort_key("Nguyễn Văn A"))
    assert unit_key == sort_key("Tỉnh ủy")


def test_revision_0011_turns_every_live_place_into_a_registry_entry(tmp_path):
    """Each cadre on the ballot of a conference not annulled becomes an entry of the
    province's registry for that unit, so an existing round keeps working; on the way down
    the old place claims come back."""
    import uuid

    from sqlalchemy import text

    app = create_app({**TEST_CONFIG,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.sqlite3'}"})
    ids = {name: uuid.uuid4().hex for name in (
        "type", "province", "u1", "u2", "template", "round", "category", "c1", "c2", "c3",
        "n1", "n2", "n3", "n4")}
    unit = ("INSERT INTO units (id, code, name, type_id, valid_from, parent_id, unit_id,"
            " province_id) VALUES (:{0}, '{0}', 'Đơn vị {0}', :type, '2020-01-01', {1}, :{0},"
            " :province)")
    conference = ("INSERT INTO conferences (id, round_id, title, held_on, place, voting_body,"
                  " mode, status, unit_id, province_id, published) VALUES (:{0}, :round, 'Hội"
                  " nghị {0}', '2023-06-01', '', '', 'paper', '{1}', :{2}, :province, 0)")
    nominee = ("INSERT INTO nominees (id, conference_id, full_name, cadre_code, post,"
               " category_id, ballot_order, retirement_notice, exemption, unit_id, province_id)"
               " VALUES (:{0}, :{1}, 'Người {0}', '{2}', 'Bí thư', :category, 1, 0, {3}, :{4},"
               " :province)")
    rows = [
        "INSERT INTO unit_types (id, code, name) VALUES (:type, 'T', 'Loại')",
        unit.format("province", "NULL"), unit.format("u1", ":province"),
        unit.format("u2", ":province"),
        *ROUND_ROWS,
        conference.format("c1", "draft", "u1"), conference.format("c2", "annulled", "u2"),
        conference.format("c3", "ready", "u2"),
        nominee.format("n1", "c1", "CB-1", "NULL", "u1"),
        nominee.format("n2", "c2", "CB-2", "NULL", "u2"),
        nominee.format("n3", "c3", "CB-1", "NULL", "u2"),
        nominee.format("n4", "c1", "CB-X", "'retirement_notice'", "u1"),
    ]
    entries = "SELECT cadre_code, unit_id, slot, full_name FROM cadre_entries ORDER BY slot"
    with app.app_context():
        upgrade(revision="0009")
        with db.engine.begin() as connection:
            for statement in rows:
                connection.execute(text(statement), ids)
        upgrade(revision="0011")
        with db.engine.connect() as connection:
            registered = [tuple(row) for row in connection.execute(text(entries))]
        downgrade(revision="0009")
        with db.engine.connect() as connection:
            places = [tuple(row) for row in connection.execute(text(
                "SELECT cadre_code, unit_id, nominee_id FROM cadre_places ORDER BY slot"))]
        db.engine.dispose()
    assert sorted((code, unit, name) for code, unit, _slot, name in registered) == sorted(
        [("CB-1", ids["u1"], "Người n1"), ("CB-1", ids["u2"], "Người n3")])
    assert [slot for _code, _unit, slot, _name in registered] == [1, 2]
    assert sorted(places) == sorted([("CB-1", ids["u1"], ids["n1"]),
                                     ("CB-1", ids["u2"], ids["n3"])])


def _upgrade_process(database_url: str, instance_path) -> subprocess.Popen:
    """`flask --app wsgi db upgrade` as a host's migration unit runs it."""
    env = {**os.environ, "DATABASE_URL": database_url, "MIGRATE_DATABASE_URL": database_url,
           **{key: TEST_CONFIG[key] for key in ("SECRET_KEY", "VOTE_CODE_KEY", "AUDIT_KEY")},
           "INSTANCE_PATH": str(instance_path),
           "DB_ROLE_CHECK": "false"}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                            cwd=REPOSITORY, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _wait_for(condition, seconds=60.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_two_hosts_upgrading_at_once_take_turns_on_postgresql(pg_cluster_running, tmp_path):
    """Two migration units started together (two hosts) both succeed: the second waits on the
    migration lock, then finds the database at head. The test holds the lock first so both
    are surely waiting at the same time when it lets go."""
    name = create_database(pg_cluster_running)
    owner = pg_cluster_running.url(OWNER, name)
    plain = owner.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        hosts = [_upgrade_process(owner, tmp_path / str(n)) for n in (1, 2)]
        try:
            def waiting() -> int:
                return holder.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())").fetchone()[0]

            _wait_for(lambda: waiting() == 2 or any(h.poll() is not None for h in hosts))
            assert [h.poll() for h in hosts] == [None, None]  # both blocked, neither migrated
            holder.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
            outputs = [h.communicate(timeout=120)[0] for h in hosts]
        finally:
            for host in hosts:
                if host.poll() is None:
                    host.kill()
    assert [h.returncode for h in hosts] == [0, 0], outputs
    assert all("Another host is migrating" in output for output in outputs)
    with psycopg.connect(plain) as conn:
        versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    head = ScriptDirectory(os.path.join(REPOSITORY, "migrations")).get_current_head()
    assert versions == [(head,)]
    assert sum(f" -> {head}, " in output for output in outputs) == 1  # migrated once


@pytest.mark.sqlite_only
def test_revision_0013_keeps_every_row_under_a_conference_on_sqlite(app, make):
    """0013 recreates the conferences table on SQLite (a new CHECK): with foreign keys on,
    dropping the old table would delete every nominee, code and ballot by cascade."""
    from sqlalchemy import func, select

    from tinnhiem.conferences.models import Conference, Nominee
    from tinnhiem.tenants.scope import unscoped
    from tinnhiem.voting.models import VoteCode

    w = make.world()
    make.open_conference(w, people=2)
    make.issue_codes(w, 3)

    def counts():
        with app.app_context(), unscoped("test: counting rows") as session:
            return [session.scalar(select(func.count()).select_from(model))
                    for model in (Conference, Nominee, VoteCode)]

    before = counts()
    with app.app_context():
        downgrade(revision="0012")
        upgrade()
        db.engine.dispose()
    assert counts() == before and before[1] >= 3 and before[2] == 3


def test_revision_0026_adds_the_post_to_the_registry_search_and_takes_it_out_again(tmp_path):
    import uuid

    from sqlalchemy import text

    from tinnhiem.platform.collation import search_key

    app = create_app({**TEST_CONFIG,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.sqlite3'}"})
    ids = {name: uuid.uuid4().hex for name in ("type", "province", "post")}
    rows = [
        "INSERT INTO unit_types (id, code, name) VALUES (:type, 'T', 'Loại')",
        "INSERT INTO units (id, code, name, type_id, valid_from, unit_id, province_id, name_key,"
        " search_key) VALUES (:province, 'P', 'Tỉnh ủy', :type, '2020-01-01', :province,"
        " :province, 'p', 'p')",
        "INSERT INTO cadre_posts (id, cadre_code, full_name, name_key, search_key, post,"
        " post_key, held_since, note, unit_id, province_id) VALUES (:post, 'CB-1',"
        " 'Trần Thị Bình', 'k', :old, 'Phó Bí thư', 'phó bí thư', '2021-03-01', '',"
        " :province, :province)",
    ]
    old, new = search_key("Trần Thị Bình", "CB-1"), search_key("Trần Thị Bình", "CB-1",
                                                              "Phó Bí thư")

    def stored():
        with db.engine.connect() as connection:
            return connection.execute(text("SELECT search_key FROM cadre_posts")).scalar()

    with app.app_context():
        upgrade(revision="0025_low_rise")
        with db.engine.begin() as connection:
            for statement in rows:
                connection.execute(text(statement), {**ids, "old": old})
        upgrade(revision="0026_registry_post_search")
        assert stored() == new and "pho bi thu" in new
        downgrade(revision="0025_low_rise")
        assert stored() == old
        db.engine.dispose()
