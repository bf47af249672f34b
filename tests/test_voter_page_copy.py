"""The voter's pages that spend nothing (the code page, the review of a ballot the ballot page
checked, the receipt) read an open vote from their worker's copy for VOTER_PAGE_COPY_SECONDS
(issue 14); whatever spends a code asks the database, so a vote closed meanwhile takes no
ballot. A second app on the same database is a second worker, with a memory of its own."""
import re

import pytest
from sqlalchemy import event

from tests.conftest import TEST_CONFIG
from tests.factories import rows
from tests.voter_pages import person_ids
from tinnhiem import create_app
from tinnhiem.platform.db import db
from tinnhiem.tally.models import Ballot
from tinnhiem.voting import voter_access
from tinnhiem.voting.models import VoteCode

CODE_FORM = "Nhập mã bỏ phiếu"
CLOSED = "Cuộc bỏ phiếu này đã kết thúc"
HIDDEN = re.compile(r'name="(tracker|tag)" value="([^"]*)"')


@pytest.fixture
def world(make):
    w = make.world()
    make.open_conference(w, people=2, summoned=10)
    return w


@pytest.fixture
def clock(monkeypatch):
    """The monotonic clock the copies are dated with, moved by hand."""
    now = [1_000.0]
    monkeypatch.setattr(voter_access, "monotonic", lambda: now[0])
    return now


def _another_worker(app, **config):
    database = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI",
                                                 "MIGRATE_DATABASE_URL") if app.config.get(key)}
    return create_app({**TEST_CONFIG, **database, **config})


@pytest.fixture
def other(app):
    worker = _another_worker(app)
    yield worker
    with worker.app_context():
        db.engine.dispose()


def _ballot_form(client, slug, code) -> dict:
    """The ballot page for `code`, and what its form sends on: the code, the claim, a mark
    for each person."""
    page = client.post(f"/v/{slug}/ballot", data={"code": code})
    assert page.status_code == 200, page.text
    return {"code": code, **dict(HIDDEN.findall(page.text)),
            **{f"p-{pid}": "high" for pid in person_ids(page)}}


def test_a_close_on_another_worker_shows_there_within_the_copy_time_and_takes_no_ballot(
        make, world, other, clock):
    issued, slug = make.issue_codes(world, 2)
    voter = other.test_client()
    assert CODE_FORM in voter.get(f"/v/{slug}").text
    form = _ballot_form(voter, slug, issued[0])
    make.close_vote(world, ballots_issued=0)  # on the first worker: the second is not told

    clock[0] += 0.5
    start = voter.get(f"/v/{slug}")
    assert start.status_code == 200 and CODE_FORM in start.text  # its copy, half a second old
    review = voter.post(f"/v/{slug}/review", data=form)
    assert review.status_code == 200 and "Gửi phiếu" in review.text
    cast = voter.post(f"/v/{slug}/cast", data=form)
    assert cast.status_code == 409 and CLOSED in cast.text  # the cast asks the database
    assert rows(make, Ballot, conference_id=world.voting.id) == []
    assert {c.state for c in rows(make, VoteCode, conference_id=world.voting.id)} == {"void"}

    clock[0] += 0.5  # the copy is a second old: read again
    start = voter.get(f"/v/{slug}")
    assert start.status_code == 409 and CLOSED in start.text and CODE_FORM not in start.text


def test_the_worker_that_closes_the_vote_shows_it_at_once(make, world, client, clock):
    _issued, slug = make.issue_codes(world, 1)
    assert CODE_FORM in client.get(f"/v/{slug}").text
    make.close_vote(world, ballots_issued=0)  # the same app: the same worker
    start = client.get(f"/v/{slug}")
    assert start.status_code == 409 and CLOSED in start.text


def test_with_no_copy_time_every_page_asks_the_database(app, make, world, clock):
    worker = _another_worker(app, VOTER_PAGE_COPY_SECONDS=0)
    try:
        _issued, slug = make.issue_codes(world, 1)
        voter = worker.test_client()
        assert CODE_FORM in voter.get(f"/v/{slug}").text
        make.close_vote(world, ballots_issued=0)
        start = voter.get(f"/v/{slug}")
        assert start.status_code == 409 and CLOSED in start.text
    finally:
        with worker.app_context():
            db.engine.dispose()


def test_a_vote_not_yet_open_is_never_kept(make, world, other, clock):
    """Opening shows at once on every worker: only an open vote is copied."""
    _issued, slug = make.issue_codes(world, 1)
    make.close_vote(world, ballots_issued=0)
    voter = other.test_client()
    assert voter.get(f"/v/{slug}").status_code == 409
    with other.app_context():
        assert voter_access._open_copies() == {}


def test_a_review_without_a_valid_claim_asks_the_database(make, world, other, clock):
    issued, slug = make.issue_codes(world, 2)
    voter = other.test_client()
    form = _ballot_form(voter, slug, issued[0])
    assert voter.post(f"/v/{slug}/cast", data=form).status_code == 200  # the code is spent
    for tag in ("0" * 32, "", "not a tag"):
        review = voter.post(f"/v/{slug}/review", data={**form, "tag": tag})
        assert review.status_code == 409 and "đã được dùng" in review.text, tag
    # Another code's claim does not vouch for this one.
    other_form = _ballot_form(voter, slug, issued[1])
    review = voter.post(f"/v/{slug}/review", data={**other_form, "code": issued[0]})
    assert review.status_code == 409 and "đã được dùng" in review.text


def test_a_code_spent_elsewhere_after_its_ballot_page_is_refused_at_the_cast(
        make, world, other, client, clock):
    issued, slug = make.issue_codes(world, 1)
    voter = other.test_client()
    form = _ballot_form(voter, slug, issued[0])
    second_device = _ballot_form(client, slug, issued[0])
    assert client.post(f"/v/{slug}/cast", data=second_device).status_code == 200
    review = voter.post(f"/v/{slug}/review", data=form)  # the claim's word
    assert review.status_code == 200
    cast = voter.post(f"/v/{slug}/cast", data=form)
    assert cast.status_code == 409 and "đã được dùng" in cast.text
    assert len(rows(make, Ballot, conference_id=world.voting.id)) == 1


def test_the_code_page_and_a_claimed_review_ask_the_database_nothing(app, make, world,
                                                                     client, clock):
    issued, slug = make.issue_codes(world, 1)
    assert client.get(f"/v/{slug}").status_code == 200
    form = _ballot_form(client, slug, issued[0])
    statements = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(f"/v/{slug}?ma={issued[0]}").status_code == 200
        assert client.post(f"/v/{slug}/review", data=form).status_code == 200
        assert statements == []
        assert client.post(f"/v/{slug}/cast", data=form).status_code == 200
        assert statements  # the cast does ask
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(rows(make, Ballot, conference_id=world.voting.id)) == 1
