"""More than one machine on real engines: the app talks to PostgreSQL through pgbouncer in
transaction mode, and the roll-up reads from a hot standby made with pg_basebackup; writes stay
on the primary. PostgreSQL only: SQLite has neither a pooler nor replicas."""
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests import pg_cluster
from tests.pgbouncer import start_pgbouncer
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.config import load_config
from tinnhiem.platform.db import db

pytestmark = pytest.mark.postgresql_only
VOTERS = 100


@pytest.fixture(scope="module")
def standby(pg_cluster_running, pg_database):
    cluster = pg_cluster.start_standby(pg_cluster_running)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def bouncer(pg_cluster_running, pg_database):
    bouncer = start_pgbouncer(pg_cluster_running, [pg_cluster.APP], pg_database.name)
    yield bouncer
    bouncer.stop()


@pytest.fixture
def app_config(pg_database, bouncer, standby):
    # migrations and the factories' crossings go to PostgreSQL itself (MIGRATE_DATABASE_URL)
    return {"SQLALCHEMY_DATABASE_URI": bouncer.url(pg_cluster.APP, pg_database.name),
            "DATABASE_PREPARE_THRESHOLD": None,
            "DATABASE_REPLICA_URL": standby.url(pg_cluster.APP, pg_database.name)}


def superuser(cluster, database):
    return psycopg.connect(cluster.superuser_url.rsplit("/", 1)[0] + f"/{database}",
                           autocommit=True)


def replayed(primary, standby, database, step="replay", timeout=15.0) -> None:
    """Wait until the standby has replayed (or, step="receive", received) everything the
    primary has written so far."""
    with superuser(primary, database) as conn:
        conn.execute("SELECT pg_switch_wal()")  # flushed and sent, whatever synchronous_commit
        lsn = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + timeout
    with superuser(standby, database) as conn:
        while not conn.execute(f"SELECT pg_last_wal_{step}_lsn() >= %s::pg_lsn",
                               (lsn,)).fetchone()[0]:
            assert time.monotonic() < deadline, f"the standby did not {step} in time"
            time.sleep(0.1)


@pytest.mark.parametrize("value, threshold", [
    (None, 5), ("", None), ("off", None), ("None", None), ("0", 0), ("12", 12)])
def test_the_prepare_threshold_setting(monkeypatch, tmp_path, value, threshold):
    if value is None:
        monkeypatch.delenv("DATABASE_PREPARE_THRESHOLD", raising=False)
    else:
        monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", value)
    assert load_config(str(tmp_path))["DATABASE_PREPARE_THRESHOLD"] == threshold


def test_a_prepare_threshold_that_is_not_a_number_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", "sometimes")
    with pytest.raises(ValueError, match="DATABASE_PREPARE_THRESHOLD"):
        load_config(str(tmp_path))


def test_prepared_statements_collide_behind_this_pgbouncer(bouncer, pg_database):
    """What the product owner met (psycopg prepares a statement on one server connection,
    another client's transaction gets that connection): the pooler here reproduces it."""
    url = bouncer.url(pg_cluster.APP, pg_database.name).replace("+psycopg", "")
    with psycopg.connect(url, autocommit=True, prepare_threshold=0) as first, \
            psycopg.connect(url, autocommit=True, prepare_threshold=0) as second:
        first.execute("SELECT 1")
        with pytest.raises(psycopg.errors.DuplicatePreparedStatement):
            second.execute("SELECT 1")


def test_votes_through_pgbouncer_and_the_roll_up_from_the_standby(
        app, make, token, login, pg_cluster_running, standby, pg_database):
    world = make.world()
    make.open_conference(world, people=3, summoned=VOTERS)
    codes, slug = make.issue_codes(world, VOTERS)
    with app.app_context(), db.engine.connect() as connection:
        assert connection.connection.driver_connection.prepare_threshold is None
    people = [n["id"] for n in app.test_client().get(f"/api/v1/polls/{slug}").json["nominees"]]
    choices = [{"nominee_id": person, "level": level}
               for person, level in zip(people, ("low", "high", "confidence"))]

    def cast(code):
        # a client per thread, as phones in a hall are
        return app.test_client().post(f"/api/v1/polls/{slug}/ballots",
                                      json={"code": code, "choices": choices}).status_code

    with ThreadPoolExecutor(8) as threads:
        statuses = list(threads.map(cast, codes))
    assert statuses == [201] * VOTERS  # no prepared statement collided
    with superuser(pg_cluster_running, pg_database.name) as conn:  # stored on the primary
        assert conn.execute("SELECT count(*) FROM ballots").fetchone()[0] == VOTERS

    client = app.test_client()
    conference = f"/api/v1/conferences/{world.voting.id}"
    assert client.post(f"{conference}/close", headers=token(world.unit_admin_a1),
                       json={}).status_code == 200
    assert client.post(f"{conference}/results/state", headers=token(world.unit_admin_a1),
                       json={"action": "count"}).status_code == 200
    replayed(pg_cluster_running, standby, pg_database.name)

    # Replay paused: what the primary certifies now, the standby does not have yet.
    with superuser(standby, pg_database.name) as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
    second_counter = make.account(Role.COUNTER, world.a1)
    for counter in (world.counter_a1, second_counter):
        certified = client.post(f"{conference}/results/state", headers=token(counter),
                                json={"action": "certify"})
        assert certified.status_code == 200, certified.text
    viewer = token(world.viewer_a)
    rollup = f"/api/v1/rounds/{world.round_a.id}/rollup"
    replayed(pg_cluster_running, standby, pg_database.name, step="receive")
    behind = client.get(rollup, headers=viewer).json
    assert behind["summary"]["total"] == 0  # read from the standby, which has not replayed it
    assert behind["data_source"]["replica"] is True
    assert behind["data_source"]["lag_seconds"] > 0
    assert behind["data_source"]["note"].startswith("Dữ liệu cách đây")

    with superuser(standby, pg_database.name) as conn:
        conn.execute("SELECT pg_wal_replay_resume()")
    replayed(pg_cluster_running, standby, pg_database.name)
    data = client.get(rollup, headers=viewer).json
    assert data["summary"]["total"] == 3
    assert {(r["full_name"], r["high"], r["confidence"], r["low"]) for r in data["rows"]} == {
        ("Người Thứ 1", 0, 0, VOTERS), ("Người Thứ 2", VOTERS, 0, 0),
        ("Người Thứ 3", 0, VOTERS, 0)}
    # caught up: 0 unless a record (a checkpoint...) arrived in the meantime
    assert data["data_source"]["replica"] is True and data["data_source"]["lag_seconds"] < 15
    assert data["data_source"]["note"].startswith("Dữ liệu cách đây")
    page = login(world.viewer_a).get(f"/rounds/{world.round_a.id}/rollup")
    assert page.status_code == 200 and "Người Thứ 1" in page.text
    assert "Dữ liệu cách đây" in page.text and "giây (đọc từ bản sao)" in page.text
    exported = client.get(f"{rollup}.xlsx", headers=viewer)
    assert exported.status_code == 200 and exported.data[:2] == b"PK"


def test_the_replica_refuses_writes(app, make, pg_cluster_running, standby, pg_database):
    from tinnhiem.platform.auth.models import Account
    from tinnhiem.platform.read_replica import read_source
    from tinnhiem.rounds.models import Round
    from tinnhiem.tenants.request import scope_for
    from tinnhiem.tenants.scope import bind_scope

    world = make.conference_for(make.world())
    replayed(pg_cluster_running, standby, pg_database.name)
    with app.app_context(), app.test_request_context():
        bind_scope(db.session, scope_for(db.session.get(Account, world.admin_a.id)))
        with read_source() as source:
            assert source.replica  # in the province admin's own signed scope
            bound = source.session.scalar(text(
                "SELECT setting FROM pg_settings WHERE name = 'statement_timeout'"))
            assert int(bound) == app.config["DB_STATEMENT_TIMEOUT_MS"] > 0  # as the primary's
            round_ = source.session.get(Round, world.round_a.id)
            round_.name = "Đổi trên bản sao"
            with pytest.raises(DBAPIError, match="read-only transaction"):
                source.session.flush()


def test_an_unreachable_replica_falls_back_to_the_primary(app, make, login, token):
    world = make.world()
    # nothing listens there: the page reads the primary and says so, rather than failing
    app.config["DATABASE_REPLICA_URL"] = (
        f"postgresql+psycopg://{pg_cluster.APP}:x@127.0.0.1:{pg_cluster._free_port()}/none")
    make.conference_for(world)
    page = login(world.viewer_a).get(f"/rounds/{world.round_a.id}/rollup")
    assert page.status_code == 200
    assert "Bản sao dữ liệu không trả lời" in page.text
    data = app.test_client().get(f"/api/v1/rounds/{world.round_a.id}/rollup",
                                 headers=token(world.viewer_a)).json
    assert data["data_source"]["replica"] is False
    assert data["data_source"]["note"].startswith("Bản sao dữ liệu không trả lời")
