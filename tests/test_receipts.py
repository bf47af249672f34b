"""No lost receipts: a voter whose ballot was stored but whose answer never arrived sends the
same form (or API request) again and gets the same receipt, not "code spent", while the
database keeps no link from a code to a ballot."""
import logging
import re

import pytest
from sqlalchemy import inspect

from tests.concurrency import concurrently
from tests.factories import rows
from tests.voter_pages import person_ids, tracker_of
from tinnhiem.platform.db import db
from tinnhiem.tally.models import Ballot
from tinnhiem.voting.models import VoteCode

EARLIER = "đã được ghi nhận trước đó"
SPENT = "đã được dùng"


@pytest.fixture
def world(make):
    w = make.world()
    make.open_conference(w, people=2, summoned=10)
    return w


def hidden(page, name) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page.text).group(1)


def reviewed_form(client, slug, code) -> dict:
    """The form the review page sends to cast, as the browser would send it."""
    ballot = client.post(f"/v/{slug}/ballot", data={"code": code})
    assert ballot.status_code == 200
    choices = {f"p-{person}": "high" for person in person_ids(ballot)}
    review = client.post(f"/v/{slug}/review", data={
        "code": code, "tracker": hidden(ballot, "tracker"), "tag": hidden(ballot, "tag"),
        **choices})
    assert review.status_code == 200
    form = {"code": hidden(review, "code"), "tracker": hidden(review, "tracker"),
            "tag": hidden(review, "tag"), **choices}
    assert form["tracker"] == hidden(ballot, "tracker")  # one tracker for the whole attempt
    return form


def ballots(make, world):
    return rows(make, Ballot, conference_id=world.voting.id)


def test_a_resent_form_gets_the_same_receipt_and_casts_nothing_more(make, world, client):
    issued, slug = make.issue_codes(world, 2)
    form = reviewed_form(client, slug, issued[0])
    first = client.post(f"/v/{slug}/cast", data=form)
    assert first.status_code == 200 and EARLIER not in first.text
    assert tracker_of(first) == form["tracker"]
    again = client.post(f"/v/{slug}/cast", data=form)  # the first answer was lost
    assert again.status_code == 200 and EARLIER in again.text and SPENT not in again.text
    assert tracker_of(again) == tracker_of(first)
    stored = ballots(make, world)
    assert [b.tracker for b in stored] == [form["tracker"].replace("-", "")]
    # After the close too: the voter learns the ballot counted.
    make.close_vote(world)
    late = client.post(f"/v/{slug}/cast", data=form)
    assert late.status_code == 200 and tracker_of(late) == tracker_of(first)
    assert len(ballots(make, world)) == 1


def test_a_spent_code_with_a_forged_claim_is_refused(make, world, client):
    issued, slug = make.issue_codes(world, 1)
    form = reviewed_form(client, slug, issued[0])
    assert client.post(f"/v/{slug}/cast", data=form).status_code == 200
    for change in ({"tracker": "2345-6789"},  # a tracker of the forger's choosing
                   {"tag": "0" * 32}, {"tag": ""}, {"tracker": "x" * 300, "tag": "é" * 32}):
        forged = client.post(f"/v/{slug}/cast", data={**form, **change})
        assert forged.status_code == 409 and SPENT in forged.text, change
    assert len(ballots(make, world)) == 1


def test_someone_elses_tracker_gets_no_receipt_with_a_spent_code(make, world, client):
    issued, slug = make.issue_codes(world, 2)
    mine, theirs = reviewed_form(client, slug, issued[0]), reviewed_form(client, slug, issued[1])
    assert client.post(f"/v/{slug}/cast", data=mine).status_code == 200
    assert client.post(f"/v/{slug}/cast", data=theirs).status_code == 200
    # My spent code with their tracker and tag (seen over a shoulder): their tag is not mine.
    stolen = client.post(f"/v/{slug}/cast", data={**mine, "tracker": theirs["tracker"],
                                                  "tag": theirs["tag"]})
    assert stolen.status_code == 409 and SPENT in stolen.text
    assert theirs["tracker"] not in stolen.text


def test_a_form_without_a_claim_still_casts_once(make, world, client):
    """A page served before this release: a fresh tracker, and a resend is refused as ever."""
    issued, slug = make.issue_codes(world, 1)
    form = reviewed_form(client, slug, issued[0])
    old = {k: v for k, v in form.items() if k not in ("tracker", "tag")}
    cast = client.post(f"/v/{slug}/cast", data=old)
    assert cast.status_code == 200 and tracker_of(cast) != form["tracker"]
    assert client.post(f"/v/{slug}/cast", data=old).status_code == 409
    # The claim drawn for the code was never used, so it proves nothing either.
    assert client.post(f"/v/{slug}/cast", data=form).status_code == 409
    assert len(ballots(make, world)) == 1


def test_a_replayed_form_with_an_unused_code_votes_once(make, world, client):
    issued, slug = make.issue_codes(world, 1)
    form = reviewed_form(client, slug, issued[0])
    statuses = [client.post(f"/v/{slug}/cast", data=form).status_code for _ in range(3)]
    assert statuses == [200, 200, 200] and len(ballots(make, world)) == 1
    assert [r.state for r in rows(make, VoteCode, conference_id=world.voting.id)] == ["spent"]


def api_claim(client, slug, code):
    claim = client.post(f"/api/v1/polls/{slug}/trackers", json={"code": code})
    assert claim.status_code == 200, claim.text
    return claim.json


def test_the_api_answers_a_repeated_cast_with_the_same_receipt(make, world, client):
    issued, slug = make.issue_codes(world, 2)
    body = {"code": issued[0], "choices": [{"nominee_id": str(world.people[0].id),
                                            "level": "low"}],
            **api_claim(client, slug, issued[0])}
    first = client.post(f"/api/v1/polls/{slug}/ballots", json=body)
    assert first.status_code == 201 and first.json == {"tracker": body["tracker"]}
    again = client.post(f"/api/v1/polls/{slug}/ballots", json=body)
    assert again.status_code == 200 and again.json == first.json
    for forged in ({"tag": "f" * 32}, {"tracker": "2345-6789"},
                   api_claim(client, slug, issued[1]), {"tracker": None, "tag": None}):
        refused = client.post(f"/api/v1/polls/{slug}/ballots", json={**body, **forged})
        assert refused.status_code == 409 and refused.json["code"] == "code_spent"
    assert len(ballots(make, world)) == 1
    spent = client.post(f"/api/v1/polls/{slug}/trackers", json={"code": issued[0]})
    assert spent.status_code == 409 and spent.json["code"] == "code_spent"
    unknown = client.post(f"/api/v1/polls/{slug}/trackers", json={"code": "ABCDE-FGHJK"})
    assert unknown.status_code == 422 and unknown.json["code"] == "code_unknown"


def test_two_submissions_of_one_form_at_once_store_one_ballot(app, make, world):
    issued, slug = make.issue_codes(world, 1)
    form = reviewed_form(app.test_client(), slug, issued[0])
    answers = concurrently(app, [lambda c: c.post(f"/v/{slug}/cast", data=form)] * 6,
                            workers=6)
    assert [a.status_code for a in answers] == [200] * 6
    assert {tracker_of(a) for a in answers} == {form["tracker"]}
    assert sum(EARLIER in a.text for a in answers) == 5
    assert len(ballots(make, world)) == 1


# What the tables held before receipts: nothing was added that could join a code to a ballot.
BALLOT_COLUMNS = {"id", "province_id", "unit_id", "conference_id", "origin", "sheet_id",
                  "tracker", "not_issued", "blank", "extra_names"}
CODE_COLUMNS = {"id", "province_id", "unit_id", "conference_id", "digest", "state"}


def test_no_column_joins_a_code_to_a_ballot_and_nothing_is_logged(app, make, world, client,
                                                                  caplog):
    issued, slug = make.issue_codes(world, 1)
    caplog.set_level(logging.DEBUG)
    form = reviewed_form(client, slug, issued[0])
    client.post(f"/v/{slug}/cast", data=form)
    client.post(f"/v/{slug}/cast", data=form)
    logged = caplog.text
    for secret in (form["tracker"], form["tag"], issued[0], form["tracker"].replace("-", "")):
        assert secret not in logged
    with app.app_context():
        table = inspect(db.engine)
        assert {c["name"] for c in table.get_columns("ballots")} == BALLOT_COLUMNS
        assert {c["name"] for c in table.get_columns("vote_codes")} == CODE_COLUMNS
