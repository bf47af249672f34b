"""/api/v1 for the vote: issuing codes, the voter's ballot and casting, closing, paper entry."""
import pytest

from tinnhiem.tally.models import Ballot
from tests.factories import rows


@pytest.fixture
def world(make):
    w = make.world()
    make.open_conference(w, people=2, summoned=4)
    return w


def test_issue_codes_cast_and_close_through_the_api(make, world, client, token):
    admin = token(world.unit_admin_a1)
    base = f"/api/v1/conferences/{world.voting.id}"
    issued = client.post(f"{base}/codes", headers=admin, json={"count": 3})
    assert issued.status_code == 201 and len(issued.json["codes"]) == 3
    assert issued.json["issued"] == 3 and "/v/" in issued.json["vote_url"]
    slug = issued.json["vote_url"].rsplit("/", 1)[1]
    too_many = client.post(f"{base}/codes", headers=admin, json={"count": 2})
    assert too_many.status_code == 409 and too_many.json["code"] == "too_many_codes"

    ballot = client.get(f"/api/v1/polls/{slug}")
    assert ballot.status_code == 200 and ballot.json["status"] == "open"
    assert [n["full_name"] for n in ballot.json["nominees"]] == ["Người Thứ 1", "Người Thứ 2"]
    assert ballot.json["levels"]["low"] == "Tín nhiệm thấp"
    people = [n["id"] for n in ballot.json["nominees"]]
    cast = client.post(f"/api/v1/polls/{slug}/ballots", json={
        "code": issued.json["codes"][0], "choices": [{"nominee_id": people[0], "level": "low"}]})
    assert cast.status_code == 201 and len(cast.json["tracker"]) == 9
    spent = client.post(f"/api/v1/polls/{slug}/ballots", json={"code": issued.json["codes"][0]})
    assert spent.status_code == 409 and spent.json["code"] == "code_spent"
    unknown = client.post(f"/api/v1/polls/{slug}/ballots", json={"code": "ABCDE-FGHJK"})
    assert unknown.status_code == 422 and unknown.json["code"] == "code_unknown"
    twice = client.post(f"/api/v1/polls/{slug}/ballots", json={
        "code": issued.json["codes"][1], "choices": [{"nominee_id": people[0], "level": "low"},
                                                      {"nominee_id": people[0], "level": "high"}]})
    assert twice.status_code == 422 and twice.json["code"] == "duplicate_nominee"

    closed = client.post(f"{base}/close", headers=admin, json={})
    assert closed.status_code == 200
    assert (closed.json["issued"], closed.json["collected"], closed.json["unused"]) == (3, 1, 2)
    assert len(closed.json["seal_digest"]) == 64 and closed.json["status"] == "closed"
    late = client.post(f"/api/v1/polls/{slug}/ballots", json={"code": issued.json["codes"][2]})
    assert late.status_code == 409 and late.json["code"] == "vote_closed"
    assert client.get(f"{base}/vote", headers=token(world.admin_a)).json["collected"] == 1


def test_only_the_unit_admin_issues_codes_and_closes(world, client, token):
    base = f"/api/v1/conferences/{world.voting.id}"
    for account in (world.counter_a1, world.admin_a):
        headers = token(account)
        assert client.post(f"{base}/codes", headers=headers, json={"count": 1}).status_code == 404
        assert client.post(f"{base}/close", headers=headers, json={}).status_code == 404
    assert client.post(f"{base}/codes", json={"count": 1}).status_code == 401


def test_paper_entry_through_the_api(make, token, client):
    world = make.world()
    make.open_conference(world, mode="paper", people=2, summoned=5)
    base = f"/api/v1/conferences/{world.voting.id}"
    admin, counter = token(world.unit_admin_a1), token(world.counter_a1)
    early = client.post(f"{base}/sheet/ballots", headers=counter, json={"marks": []})
    assert early.status_code == 409 and early.json["code"] == "entry_closed"
    assert client.post(f"{base}/close", headers=admin,
                       json={"ballots_issued": 3}).status_code == 200
    people = [str(p.id) for p in world.people]
    missing = client.post(f"{base}/sheet/ballots", headers=counter,
                          json={"marks": [{"nominee_id": people[0], "mark": "high"}]})
    assert missing.status_code == 422 and missing.json["code"] == "row_missing"
    entered = client.post(f"{base}/sheet/ballots", headers=counter, json={
        "marks": [{"nominee_id": people[0], "mark": "high"},
                  {"nominee_id": people[1], "mark": "several"}]})
    assert entered.status_code == 201
    blank = client.post(f"{base}/sheet/ballots", headers=counter, json={"blank": True})
    assert blank.status_code == 201
    removed = client.delete(f"{base}/sheet/ballots/{blank.json['id']}", headers=counter)
    assert removed.status_code == 204
    mine = client.get(f"{base}/sheet", headers=counter).json
    assert mine["collected"] == 1 and mine["method"] == "ballots"
    figures = {p["nominee_id"]: p for p in mine["people"]}
    assert (figures[people[0]]["high"], figures[people[1]]["invalid"]) == (1, 1)
    assert client.put(f"{base}/sheet/totals", headers=counter, json={
        "collected": 1, "totals": []}).json["code"] == "sheet_method"

    submitted = client.post(f"{base}/sheet/state", headers=counter, json={"action": "submit"})
    assert submitted.status_code == 200 and submitted.json["submitted"] is True
    accepted = client.post(f"{base}/count", headers=counter, json={"sheet_id": mine["id"]})
    assert accepted.status_code == 200 and accepted.json["collected"] == 1
    assert accepted.json["issued"] == 3 and len(accepted.json["seal_digest"]) == 64
    comparison = client.get(f"{base}/sheets", headers=counter).json
    assert comparison["differences"] == [] and comparison["sheets"][0]["accepted"] is True
    # the province sees the counts, not the figures per person, before certification
    assert client.get(f"{base}/sheets", headers=token(world.admin_a)).status_code == 404
    assert client.get(f"{base}/vote", headers=token(world.admin_a)).json["collected"] == 1


def test_hand_count_totals_through_the_api(make, token, client):
    world = make.world()
    make.open_conference(world, mode="paper", people=1, summoned=5)
    make.close_vote(world, ballots_issued=5)
    base = f"/api/v1/conferences/{world.voting.id}"
    counter = token(world.counter_a1)
    person = str(world.people[0].id)
    wrong = client.put(f"{base}/sheet/totals", headers=counter, json={
        "collected": 5, "totals": [{"nominee_id": person, "high": 1, "confidence": 1, "low": 1,
                                    "invalid": 1}]})
    assert wrong.status_code == 422 and wrong.json["code"] == "totals_mismatch"
    saved = client.put(f"{base}/sheet/totals", headers=counter, json={
        "collected": 5, "totals": [{"nominee_id": person, "high": 2, "confidence": 1, "low": 1,
                                    "invalid": 1}]})
    assert saved.status_code == 200 and saved.json["collected"] == 5
    assert rows(make, Ballot, conference_id=world.voting.id) == []
