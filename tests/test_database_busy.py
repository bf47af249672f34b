"""A busy or lost database answers a clear 503 `database_busy` in bounded time, never a hang,
and stores nothing; a transient PostgreSQL failure during a cast is tried once more."""
import sqlite3
import time
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import text

from tests.factories import rows
from tinnhiem.platform.db import db
from tinnhiem.voting import casting
from tinnhiem.tally.models import Ballot
from tinnhiem.voting.models import VoteCode

LOCK_TIMEOUT_MS = 200
NOT_STORED = "Hệ thống đang bận, phiếu của bạn chưa được ghi"
CAST_BALLOT = casting.cast_ballot


@pytest.fixture
def app_config():
    return {"DB_LOCK_TIMEOUT_MS": LOCK_TIMEOUT_MS, "DB_STATEMENT_TIMEOUT_MS": 1000}


@pytest.fixture
def world(make):
    w = make.world()
    make.open_conference(w, people=1, summoned=3)
    return w


@contextmanager
def codes_locked(app, backend, request):
    """Another connection holds what a cast must write: the codes table (PostgreSQL, as the
    owner) or the database's write lock (SQLite)."""
    if backend == "postgresql":
        owner_url = request.getfixturevalue("pg_database").owner_url.replace("+psycopg", "")
        with psycopg.connect(owner_url) as holder:
            holder.execute("LOCK TABLE vote_codes IN EXCLUSIVE MODE")
            yield
            holder.rollback()
    else:
        holder = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"),
                                 isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.rollback()
            holder.close()


def cast_body(world, code):
    return {"code": code, "choices": [{"nominee_id": str(world.people[0].id), "level": "high"}]}


def test_a_held_lock_gets_a_quick_503_and_stores_nothing(app, make, world, client, backend,
                                                         request):
    issued, slug = make.issue_codes(world, 2)
    with codes_locked(app, backend, request):
        started = time.monotonic()
        api = client.post(f"/api/v1/polls/{slug}/ballots", json=cast_body(world, issued[0]))
        assert api.status_code == 503 and api.json["code"] == "database_busy"
        assert int(api.headers["Retry-After"]) > 0 and NOT_STORED in api.json["message"]
        page = client.post(f"/v/{slug}/cast", data={"code": issued[1]})
        assert page.status_code == 503 and NOT_STORED in page.text
        assert time.monotonic() - started < 10  # SQLite: a bounded few tries; PostgreSQL: one
    assert rows(make, Ballot, conference_id=world.voting.id) == []
    assert {c.state for c in rows(make, VoteCode, conference_id=world.voting.id)} == {"unused"}
    released = client.post(f"/api/v1/polls/{slug}/ballots", json=cast_body(world, issued[0]))
    assert released.status_code == 201
    assert len(rows(make, Ballot, conference_id=world.voting.id)) == 1


@pytest.mark.postgresql_only
def test_a_long_statement_is_cancelled_with_a_503(app, client):
    @app.get("/api/v1/slow")
    def slow():
        db.session.execute(text("SELECT pg_sleep(5)"))
        return {}

    started = time.monotonic()
    answer = client.get("/api/v1/slow")
    assert answer.status_code == 503 and answer.json["code"] == "database_busy"
    assert time.monotonic() - started < 4


@pytest.mark.postgresql_only
def test_only_requests_are_bounded(app):
    def setting(name):
        value = db.session.execute(text(f"SHOW {name}")).scalar()
        db.session.rollback()
        return value

    with app.test_request_context():
        assert (setting("statement_timeout"), setting("lock_timeout")) == ("1s", "200ms")
    with app.app_context():  # the CLI: a backup or an audit check takes what it needs
        assert (setting("statement_timeout"), setting("lock_timeout")) == ("0", "0")


def lose_the_connection(monkeypatch, times):
    """The database drops the cast's connection `times` times (as a restart would)."""
    calls = []

    def flaky(session, *args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return CAST_BALLOT(session, *args, **kwargs)

    monkeypatch.setattr(casting, "cast_ballot", flaky)
    return calls


@pytest.mark.postgresql_only
def test_a_lost_connection_during_a_cast_is_tried_once_more(app, make, world, client,
                                                            monkeypatch):
    issued, slug = make.issue_codes(world, 2)
    calls = lose_the_connection(monkeypatch, times=1)
    cast = client.post(f"/api/v1/polls/{slug}/ballots", json=cast_body(world, issued[0]))
    assert cast.status_code == 201 and len(calls) == 2
    assert len(rows(make, Ballot, conference_id=world.voting.id)) == 1

    calls = lose_the_connection(monkeypatch, times=2)
    lost = client.post(f"/api/v1/polls/{slug}/ballots", json=cast_body(world, issued[1]))
    assert lost.status_code == 503 and lost.json["code"] == "database_busy"
    assert len(calls) == 2 and len(rows(make, Ballot, conference_id=world.voting.id)) == 1
    again = client.post(f"/api/v1/polls/{slug}/ballots", json=cast_body(world, issued[1]))
    assert again.status_code == 201


@pytest.mark.sqlite_only
def test_a_refused_sqlite_cast_sleeps_a_bounded_total_before_its_503(app, make, world, client,
                                                                     monkeypatch):
    """SQLite refusing every try: a few tries, at most RETRY_SLEEP_BUDGET of sleep in all (the
    request thread never sleeps for seconds), then the 503 `database_busy`; nothing stored."""
    from sqlalchemy.exc import OperationalError

    from tinnhiem.platform import db as platform_db

    issued, slug = make.issue_codes(world, 1)
    attempts, pauses = [], []

    def refused(*_args, **_kwargs):
        attempts.append(1)
        raise OperationalError("INSERT INTO ballots", {}, sqlite3.OperationalError(
            "database is locked"))

    monkeypatch.setattr(casting, "cast_ballot", refused)
    monkeypatch.setattr(platform_db, "pause", pauses.append)  # counted, not slept
    api = client.post(f"/api/v1/polls/{slug}/ballots", json=cast_body(world, issued[0]))
    assert api.status_code == 503 and api.json["code"] == "database_busy"
    assert NOT_STORED in api.json["message"]
    assert len(attempts) == len(pauses) + 1 >= 3  # it did try again, a bounded few times
    assert sum(pauses) <= platform_db.RETRY_SLEEP_BUDGET <= 0.3
    assert rows(make, Ballot, conference_id=world.voting.id) == []
