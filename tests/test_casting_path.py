"""The cast at the database's pace (issue 14): what one ballot costs the database, and that
the quick way keeps every rule of the careful one (a vote suspended or closed after the
ballot's people were remembered, a closed connection in the pool)."""
import re
import time
import uuid

import psycopg
import pytest
from sqlalchemy import event

from tests.factories import rows
from tests.snapshots import snapshot
from tinnhiem.conferences import lifecycle
from tinnhiem.conferences.services import get_conference
from tinnhiem.platform.db import db
from tinnhiem.tally.models import Ballot, BallotMark
from tinnhiem.voting.models import VoteCode

# BEGIN, the scope and timeouts, the code spent, the ballot, its marks, COMMIT.
ROUND_TRIPS_PER_BALLOT = 6


@snapshot
def world(make):
    w = make.world()
    make.open_conference(w, people=15, summoned=20)
    return w


def cast_body(world, code, level="confidence"):
    return {"code": code, "choices": [{"nominee_id": str(p.id), "level": level}
                                      for p in world.people]}


class RoundTrips:
    """Statements, BEGINs and COMMITs on the app's engine (not the rate limiter's)."""

    def __init__(self, engine):
        self.statements, self.begins, self.commits = [], 0, 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._commit)

    def _statement(self, _conn, _cursor, statement, *_args):
        self.statements.append(statement.split(None, 1)[0].upper())

    def _begin(self, _conn):
        self.begins += 1

    def _commit(self, _conn):
        self.commits += 1

    @property
    def total(self) -> int:
        return len(self.statements) + self.begins + self.commits


@pytest.mark.postgresql_only
def test_an_api_ballot_costs_six_round_trips(app, make, world, client):
    issued, slug = make.issue_codes(world, 3)
    first = client.post(f"/api/v1/polls/{slug}/ballots", json=cast_body(world, issued[0]))
    assert first.status_code == 201  # the worker now knows the link and the ballot's people
    with app.app_context():
        counted = RoundTrips(db.engine)
    answer = client.post(f"/api/v1/polls/{slug}/ballots", json=cast_body(world, issued[1]))
    assert answer.status_code == 201
    assert counted.statements == ["SELECT", "UPDATE", "INSERT", "INSERT"]
    assert (counted.begins, counted.commits) == (1, 1)
    assert counted.total == ROUND_TRIPS_PER_BALLOT
    assert len(rows(make, Ballot, conference_id=world.voting.id)) == 2
    assert len(rows(make, BallotMark)) == 2 * 15


def test_the_first_cast_of_a_worker_and_the_next_store_the_same(app, make, world, client):
    issued, slug = make.issue_codes(world, 2)
    for code in issued:
        assert client.post(f"/api/v1/polls/{slug}/ballots",
                           json=cast_body(world, code, "low")).status_code == 201
    marks = rows(make, BallotMark)
    assert len(marks) == 30 and {m.mark for m in marks} == {"low"}
    assert {m.nominee_id for m in marks} == {p.id for p in world.people}
    assert {c.state for c in rows(make, VoteCode, conference_id=world.voting.id)} == {"spent"}


def _move(make, world, move):
    make._run(lambda session: lifecycle.transition(
        session, None, get_conference(session, world.voting.id), move))


@pytest.mark.parametrize("move, code", [(lifecycle.SUSPEND, "vote_suspended"),
                                        (lifecycle.CLOSE, "vote_closed")])
def test_a_vote_stopped_after_the_people_were_remembered_takes_no_ballot(
        app, make, world, client, move, code):
    issued, slug = make.issue_codes(world, 3)
    assert client.post(f"/api/v1/polls/{slug}/ballots",
                       json=cast_body(world, issued[0])).status_code == 201
    _move(make, world, move)
    refused = client.post(f"/api/v1/polls/{slug}/ballots", json=cast_body(world, issued[1]))
    assert refused.status_code == 409 and refused.json["code"] == code
    page = client.post(f"/v/{slug}/cast", data={"code": issued[2]})
    assert page.status_code == 409
    assert len(rows(make, Ballot, conference_id=world.voting.id)) == 1
    states = sorted(c.state for c in rows(make, VoteCode, conference_id=world.voting.id))
    assert states.count("spent") == 1


def test_refusals_keep_their_order_once_the_people_are_remembered(app, make, world, client):
    issued, slug = make.issue_codes(world, 2)
    assert client.post(f"/api/v1/polls/{slug}/ballots",
                       json=cast_body(world, issued[0])).status_code == 201
    spent = client.post(f"/api/v1/polls/{slug}/ballots", json=cast_body(world, issued[0]))
    assert spent.status_code == 409 and spent.json["code"] == "code_spent"
    wrong_row = cast_body(world, issued[1])
    wrong_row["choices"][0]["level"] = "high"
    wrong_row["choices"][0]["nominee_id"] = "00000000-0000-4000-8000-000000000000"
    refused = client.post(f"/api/v1/polls/{slug}/ballots", json=wrong_row)
    assert refused.status_code == 422 and refused.json["code"] == "unknown_nominee"
    unknown = client.post(f"/api/v1/polls/{slug}/ballots", json=cast_body(world, "ABCDE-FGHJK"))
    assert unknown.status_code == 422 and unknown.json["code"] == "code_unknown"
    assert len(rows(make, Ballot, conference_id=world.voting.id)) == 1
    assert client.post(f"/api/v1/polls/{slug}/ballots",
                       json=cast_body(world, issued[1])).status_code == 201


@pytest.mark.postgresql_only
def test_a_connection_the_server_closed_is_replaced_without_a_failed_request(
        app, make, world, client, pg_cluster_running):
    """No pool_pre_ping round trip, yet a pooled connection whose backend was terminated (as
    a restart would) is not handed to a request."""
    issued, slug = make.issue_codes(world, 2)
    assert client.post(f"/api/v1/polls/{slug}/ballots",
                       json=cast_body(world, issued[0])).status_code == 201
    database = app.config["SQLALCHEMY_DATABASE_URI"].rsplit("/", 1)[1]
    with psycopg.connect(pg_cluster_running.superuser_url, autocommit=True) as superuser:
        ended = superuser.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()", (database,)).fetchone()[0]
    assert ended >= 1
    time.sleep(0.2)  # the server's goodbye reaches the idle socket
    page = client.get(f"/v/{slug}")  # a read that no retry would save
    assert page.status_code == 200 and "database_busy" not in page.text


def _as_voter(app, url, conference, *statements):
    """Run `statements` ((SQL, parameters) pairs, one transaction) as the app's role under
    a voter's signed scope for `conference`, as the app would set it; the error PostgreSQL
    raises, or None."""
    from tinnhiem.platform.db import scope_signature

    province, unit = str(conference.province_id), str(conference.unit_id)
    with app.app_context():
        signature = scope_signature(province, unit, "", "", str(conference.id))
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        conn.execute("SELECT set_config('app.province_id', %s, true),"
                     " set_config('app.unit_id', %s, true),"
                     " set_config('app.conference_id', %s, true),"
                     " set_config('app.scope_sig', %s, true)",
                     (province, unit, str(conference.id), signature))
        try:
            for statement, params in statements:
                conn.execute(statement, params)
        except psycopg.Error as error:
            return error
        return None


@pytest.mark.postgresql_only
def test_a_voters_scope_writes_marks_only_within_its_conference(app, make, world, client,
                                                               pg_database):
    """Revision 0017: the policy looks up each mark's ballot and person; a mark joining a
    ballot of one conference to a person of another of the same unit is refused, from
    either conference's scope."""
    issued, slug = make.issue_codes(world, 1)
    assert client.post(f"/api/v1/polls/{slug}/ballots",
                       json=cast_body(world, issued[0])).status_code == 201
    ballot = rows(make, Ballot, conference_id=world.voting.id)[0]
    other = world.conference_a1  # another conference of A1, with world.nominee_a1 on it
    mark = ("INSERT INTO ballot_marks (ballot_id, nominee_id, mark, province_id, unit_id)"
            " VALUES (%s, %s, 'high', %s, %s)")
    crossing = (ballot.id, world.nominee_a1.id, ballot.province_id, ballot.unit_id)
    for scope in (world.voting, other):
        refused = _as_voter(app, pg_database.app_url, scope, (mark, crossing))
        assert isinstance(refused, psycopg.errors.InsufficientPrivilege), scope.title
    fresh = uuid.uuid4()
    owner = (ballot.province_id, ballot.unit_id)
    assert _as_voter(app, pg_database.app_url, world.voting, (
        "INSERT INTO ballots (id, conference_id, origin, not_issued, blank, extra_names,"
        " province_id, unit_id) VALUES (%s, %s, 'electronic', false, false, false, %s, %s)",
        (fresh, world.voting.id, *owner)), (mark, (fresh, world.people[0].id, *owner))) is None


def test_the_code_is_spent_only_within_the_bound_scope(app, make, world):
    """The spending UPDATE is Core (no ORM criteria): its owner terms are checked against
    the bound voter scope first, so a place of another unit or conference is refused before
    any statement, and nothing is spent (both backends; PostgreSQL's policies besides)."""
    from tinnhiem.tenants.scope import ScopeViolation
    from tinnhiem.tenants.voter_scope import VoterPlace, bind_known_voter_scope
    from tinnhiem.voting import casting
    from tinnhiem.voting.codes import code_digest

    issued, _slug = make.issue_codes(world, 1)
    own = VoterPlace(world.voting.province_id, world.voting.unit_id, world.voting.id)
    others = [own._replace(unit_id=world.a2.id), own._replace(conference_id=uuid.uuid4()),
              own._replace(province_id=world.province_b.id)]
    with app.app_context():
        digest = code_digest(world.voting.id, issued[0])
        for other in others:
            bind_known_voter_scope(db.session, own)
            with pytest.raises(ScopeViolation):
                casting._spend_code(db.session, other, digest)
            db.session.rollback()
        bind_known_voter_scope(db.session, own)
        assert casting._spend_code(db.session, own, digest) is True  # control
        db.session.rollback()
    assert {c.state for c in rows(make, VoteCode, conference_id=world.voting.id)} == {"unused"}


@pytest.mark.postgresql_only
def test_each_voter_page_reads_its_conference_and_code_in_one_statement(
        app, make, world, client, monkeypatch):
    """The ballot, and a review without the ballot page's claim, each read the conference,
    with the code's state, in one SELECT (no second one for the code); the code page, a
    claimed review and the receipt take the open vote's copy (voter_access.open_vote_copy);
    the cast adds no read to the API's."""
    from tinnhiem.voting import voter_access

    monkeypatch.setattr(voter_access, "monotonic", lambda: 1_000.0)  # the copy stays fresh
    issued, slug = make.issue_codes(world, 2)
    shown = f"{issued[1][:5]}-{issued[1][5:]}"
    # The worker now knows the link, the ballot's people and their conference, its labels.
    assert client.post(f"/api/v1/polls/{slug}/ballots",
                       json=cast_body(world, issued[0])).status_code == 201
    assert client.get(f"/v/{slug}").status_code == 200
    with app.app_context():
        counted = RoundTrips(db.engine)
    ballot = client.post(f"/v/{slug}/ballot", data={"code": shown})
    claim = dict(re.findall(r'name="(tracker|tag)" value="([^"]*)"', ballot.text))
    steps = [("GET", f"/v/{slug}", {}, []),
             ("POST", f"/v/{slug}/ballot", {"code": shown}, ["SELECT", "SELECT"]),
             ("POST", f"/v/{slug}/review", {"code": shown}, ["SELECT", "SELECT"]),
             ("POST", f"/v/{slug}/review", {"code": shown, **claim}, [])]
    for method, path, data, statements in steps:
        counted.statements.clear()
        answer = client.open(path, method=method, data=data)
        assert answer.status_code == 200, path
        assert counted.statements == statements, path  # the scope, the read
    counted.statements.clear()
    receipt = client.post(f"/v/{slug}/cast", data={"code": shown, **claim, **{
        f"p-{p.id}": "high" for p in world.people}})
    assert receipt.status_code == 200 and 'id="tracker"' in receipt.get_data(as_text=True)
    assert counted.statements == ["SELECT", "UPDATE", "INSERT", "INSERT"]


def test_a_voters_read_is_refused_outside_the_bound_scope(app, make, world):
    """The voter's read is Core too: a place of another unit, province or conference is
    refused before any statement; the code's state is read only for the code typed."""
    from tinnhiem.tenants.scope import ScopeViolation
    from tinnhiem.tenants.voter_scope import VoterPlace, bind_known_voter_scope
    from tinnhiem.voting import casting

    issued, _slug = make.issue_codes(world, 1)
    own = VoterPlace(world.voting.province_id, world.voting.unit_id, world.voting.id)
    others = [own._replace(unit_id=world.a2.id), own._replace(conference_id=uuid.uuid4()),
              own._replace(province_id=world.province_b.id)]
    with app.app_context():
        for other in others:
            bind_known_voter_scope(db.session, own)
            with pytest.raises(ScopeViolation):
                casting.read_for_voter(db.session, other, issued[0])
            db.session.rollback()
        bind_known_voter_scope(db.session, own)
        read = casting.read_for_voter(db.session, own, issued[0])
        assert (read.id, read.status, read.code_state) == (world.voting.id, "open", "unused")
        assert casting.read_for_voter(db.session, own, "ZZZZZ-ZZZZZ").code_state is None
        assert casting.read_for_voter(db.session, own).title == world.voting.title
        db.session.rollback()
