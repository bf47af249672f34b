"""Nothing links a ballot to its code, to a voter or to a time finer than the conference:
not a column, not the storage order, not a log line, not an audit entry, not a cookie."""
import logging
import re

import pytest
from sqlalchemy import Date, DateTime, Integer, Time, text

import tinnhiem.models  # noqa: F401  (complete metadata)
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.db import db
from tinnhiem.tally.models import Ballot
from tests.factories import rows
from tests.pg_cluster import owner_connection
from tests.snapshots import snapshot
from tests.voter_pages import cast, tracker_of

BALLOT_TABLES = ("ballots", "ballot_marks")
CODE_TABLES = ("vote_codes", "polls")
LINKING_NAMES = re.compile(r"code|digest|account|user|session|address|ip|device|agent|time|"
                           r"_at$|_on$|created|seq|order|position", re.I)


@snapshot
def world(make):
    w = make.world()
    make.open_conference(w, people=2, summoned=20)
    return w


@pytest.mark.parametrize("table_name", BALLOT_TABLES + CODE_TABLES)
def test_no_time_or_arrival_order_column(table_name):
    table = db.metadata.tables[table_name]
    for column in table.columns:
        assert not isinstance(column.type, (Date, DateTime, Time)), column
        assert not (column.primary_key and isinstance(column.type, Integer)), column
        assert column.server_default is None, column


@pytest.mark.parametrize("table_name", BALLOT_TABLES)
def test_ballot_tables_name_nothing_that_could_identify_a_voter(table_name):
    table = db.metadata.tables[table_name]
    assert [c.name for c in table.columns if LINKING_NAMES.search(c.name)] == []
    referred = {fk.column.table.name for fk in table.foreign_keys}
    assert not referred & {"vote_codes", "accounts", "audit_log", "polls"}


def test_codes_do_not_point_at_ballots():
    for table_name in CODE_TABLES:
        referred = {fk.column.table.name for fk in db.metadata.tables[table_name].foreign_keys}
        assert not referred & set(BALLOT_TABLES)


@pytest.mark.sqlite_only
def test_ballot_tables_keep_no_hidden_row_number_on_sqlite(app):
    with app.app_context():
        for table_name in BALLOT_TABLES:
            sql = db.session.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"),
                                     {"n": table_name}).scalar()
            assert "WITHOUT ROWID" in sql


def _stored_order(app, backend, pg_url, conference_id) -> list[str]:
    """Trackers in the order the storage keeps the rows (what a dump would show)."""
    if backend == "sqlite":
        with app.app_context():
            return list(db.session.execute(text(
                "SELECT tracker FROM ballots WHERE conference_id = :c"),
                {"c": conference_id.hex}).scalars())
    with owner_connection(pg_url) as conn:
        return [r[0] for r in conn.execute(
            "SELECT tracker FROM ballots WHERE conference_id = %s ORDER BY ctid",
            (conference_id,))]


def test_after_the_close_storage_order_is_not_arrival_order(app, make, world, backend, request):
    issued, slug = make.issue_codes(world, 12)
    client = app.test_client()
    arrival = [tracker_of(cast(client, slug, code, {0: "high"})).replace("-", "")
               for code in issued]
    make.close_vote(world)
    pg_url = None
    if backend == "postgresql":
        pg_url = request.getfixturevalue("pg_database").owner_url
    stored = _stored_order(app, backend, pg_url, world.voting.id)
    assert sorted(stored) == sorted(arrival)
    assert stored != arrival  # 1 chance in 12! of failing by luck


@pytest.mark.postgresql_only
def test_after_the_close_no_row_keeps_the_transaction_of_its_vote(app, make, world, pg_database):
    issued, slug = make.issue_codes(world, 5)
    client = app.test_client()
    for code in issued[:4]:
        assert cast(client, slug, code, {0: "low"}).status_code == 200
    owner = pg_database.owner_url
    with owner_connection(owner) as conn:
        before = conn.execute("SELECT count(DISTINCT xmin::text) FROM ballots").fetchone()[0]
    assert before == 4  # while the vote is open, each ballot has its own transaction
    make.close_vote(world)
    with owner_connection(owner) as conn:
        ballots = {r[0] for r in conn.execute("SELECT xmin::text FROM ballots")}
        marks = {r[0] for r in conn.execute("SELECT xmin::text FROM ballot_marks")}
        codes = {r[0] for r in conn.execute("SELECT xmin::text FROM vote_codes")}
    assert len(ballots) == 1 and ballots == marks == codes  # all written by the close


def audit_actions(make) -> list[str]:
    """What the audit log says happened (the test's own reads are crossings: left out)."""
    return [e.action for e in rows(make, AuditEntry) if e.action != "tenancy.crossed"]


def test_casting_writes_no_log_line_or_audit_entry_that_names_the_ballot(app, make, world,
                                                                         caplog, capsys):
    issued, slug = make.issue_codes(world, 2)
    audit_before = audit_actions(make)
    client = app.test_client()
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # even with SQL logging on
    try:
        with caplog.at_level(logging.DEBUG):
            receipt = cast(client, slug, issued[0], {0: "high", 1: "low"})
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert receipt.status_code == 200
    ballot = rows(make, Ballot, conference_id=world.voting.id)[0]
    with app.app_context():
        from tinnhiem.voting.codes import code_digest

        digest = code_digest(world.voting.id, issued[0])
    logged = caplog.text + "".join(capsys.readouterr())
    assert "INSERT INTO ballots" in logged  # the SQL log was on, so the check means something
    for secret in (issued[0], issued[0][:5], digest, ballot.id.hex, str(ballot.id),
                   ballot.tracker, str(world.people[0].id)):
        assert secret not in logged
    assert audit_actions(make) == audit_before


def test_voter_pages_set_no_cookie_and_are_never_cached(make, world, client):
    issued, slug = make.issue_codes(world, 1)
    responses = [client.get(f"/v/{slug}?ma={issued[0]}"),
                 client.post(f"/v/{slug}/ballot", data={"code": issued[0]}),
                 client.post(f"/v/{slug}/review", data={"code": issued[0]}),
                 client.post(f"/v/{slug}/cast", data={"code": issued[0]})]
    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    for response in responses:
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"


@pytest.fixture
def app_config():
    return {"VOTE_FAILURE_LIMIT": "3 per minute"}


def test_guessing_codes_meets_the_limit_but_voting_does_not(make, world, client):
    issued, slug = make.issue_codes(world, 5)
    for code in issued:  # a hall of voters behind one address
        assert cast(client, slug, code, {0: "high"}).status_code == 200
    statuses = [client.post(f"/v/{slug}/ballot", data={"code": "ABCDEFGHJK"}).status_code
                for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
