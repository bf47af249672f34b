"""What a careful tester found wrong, each answered: an empty vote has no figures, a dissolved
unit no longer acts, shares are the decimal strings the schema says, and wrong codes share one
budget across every route that takes a code."""
import datetime as dt
import re

import pytest
from sqlalchemy import select

from tests.factories import refused_page
from tests.voter_pages import cast
from tinnhiem.conferences.models import Conference
from tinnhiem.counting.models import Result
from tinnhiem.platform.auth.roles import Role


def _status(make, conference_id):
    return make._run(lambda s: s.scalar(select(Conference.status).where(
        Conference.id == conference_id)))


def test_a_vote_nobody_cast_has_nothing_to_count(app, make, token, login):
    world = make.world()
    make.open_conference(world, people=2, summoned=10)
    make.issue_codes(world, 5)
    make.close_vote(world)
    headers = token(world.unit_admin_a1)
    counted = app.test_client().post(f"/api/v1/conferences/{world.voting.id}/results/state",
                                     json={"action": "count"}, headers=headers)
    assert counted.status_code == 409 and counted.json["code"] == "nothing_to_count"
    assert "Không có phiếu nào được thu về" in counted.json["message"]
    client = login(world.unit_admin_a1)
    page = refused_page(client, client.post(f"/conferences/{world.voting.id}/results/count",
                                            data={}))
    assert "không xếp mức tín nhiệm" in page.text
    assert make._run(lambda s: s.scalars(select(Result).where(
        Result.conference_id == world.voting.id)).all()) == []
    assert _status(make, world.voting.id) == "closed"
    annulled = app.test_client().post(f"/api/v1/conferences/{world.voting.id}/annul",
                                      json={"reason": "Không ai bỏ phiếu"}, headers=headers)
    assert annulled.status_code == 200 and _status(make, world.voting.id) == "annulled"


@pytest.fixture
def dissolved(make):
    world = make.world()
    make.conference_for(world)
    world.district = make.unit("Huyện ủy Giải Thể", parent=world.province_a,
                               valid_to=dt.date(2025, 6, 30))
    world.successor = make.unit("Đảng ủy xã Kế Tục", parent=world.province_a,
                                valid_from=dt.date(2025, 7, 1), predecessors=[world.district])
    return world


def _new_round(make, world, unit, year):
    from tinnhiem.rounds import services as rounds

    return make.as_account(world.admin_a, lambda s, a: rounds.create_round(
        s, a, world.province_a.id, {"name": f"Đợt {year}", "year": year, "unit_ids": [unit.id],
                                    "categories": [{"name": "Nhóm",
                                                    "deadline": dt.date(year, 12, 31)}]}))


def test_a_dissolved_unit_holds_no_conference_after_its_end(app, make, dissolved, token):
    world = dissolved
    admin = make.account(Role.UNIT_ADMIN, world.district)  # made while the district stood
    round_ = _new_round(make, world, world.district, 2025)
    headers = token(admin)
    refused = app.test_client().post("/api/v1/conferences", headers=headers, json={
        "round_id": str(round_.id), "title": "Hội nghị sau giải thể", "held_on": "2025-08-15"})
    assert refused.status_code == 422 and refused.json["code"] == "unit_dissolved"
    message = refused.json["message"]
    assert "30/06/2025" in message and "Đảng ủy xã Kế Tục" in message and "15/08/2025" in message
    before = app.test_client().post("/api/v1/conferences", headers=headers, json={
        "round_id": str(round_.id), "title": "Hội nghị trước giải thể", "held_on": "2025-06-20"})
    assert before.status_code == 201
    moved = app.test_client().patch(f"/api/v1/conferences/{before.json['id']}", headers=headers,
                                    json={"held_on": "2025-07-02"})
    assert moved.status_code == 422 and moved.json["code"] == "unit_dissolved"
    titles = make._run(lambda s: s.scalars(select(Conference.title).where(
        Conference.unit_id == world.district.id)).all())
    assert titles == ["Hội nghị trước giải thể"]


def test_a_round_cannot_take_in_a_unit_dissolved_before_its_year(app, make, dissolved, token):
    world = dissolved
    response = app.test_client().post("/api/v1/rounds", headers=token(world.admin_a), json={
        "name": "Đợt 2028", "year": 2028, "unit_ids": [str(world.district.id)],
        "categories": [{"name": "Nhóm", "deadline": "2028-06-30"}]})
    assert response.status_code == 422 and response.json["code"] == "unit_dissolved"
    assert "Đảng ủy xã Kế Tục" in response.json["message"]
    assert _new_round(make, world, world.successor, 2025).year == 2025  # founded mid-year


def test_no_account_is_bound_to_a_dissolved_unit(app, make, dissolved, token, login):
    world = dissolved
    headers = token(world.operator)
    refused = app.test_client().post("/api/v1/accounts", headers=headers, json={
        "username": "cu-huyen", "full_name": "Trần Văn Cũ", "role": "unit_admin",
        "unit_id": str(world.district.id)})
    assert refused.status_code == 422 and refused.json["code"] == "unit_dissolved"
    assert "Đảng ủy xã Kế Tục" in refused.json["message"]
    operator = login(world.operator)
    page = refused_page(operator, operator.post("/accounts/new", data={
        "username": "cu-huyen", "full_name": "Trần Văn Cũ", "role": "unit_admin",
        "unit_id": str(world.district.id), "password": "mat-khau-tam-thoi"}), "/accounts/new")
    assert "đã giải thể từ sau ngày 30/06/2025" in page.text and 'value="cu-huyen"' in page.text
    assert "mat-khau-tam-thoi" not in page.text  # a password never comes back
    moved = app.test_client().patch(f"/api/v1/accounts/{world.unit_admin_a1.id}",
                                    headers=headers, json={"unit_id": str(world.district.id)})
    assert moved.status_code == 422 and moved.json["code"] == "unit_dissolved"
    kept = make.account(Role.UNIT_ADMIN, world.district)
    renamed = app.test_client().patch(f"/api/v1/accounts/{kept.id}", headers=headers,
                                      json={"full_name": "Tên Mới", "role": "counter"})
    assert renamed.status_code == 200  # an existing binding is history, not a new act


PERCENT = re.compile(r"^\d{1,3}\.\d{2}$")


def test_shares_are_decimal_strings_and_the_schema_says_so(app, make, token, client):
    world = make.world()
    make.conference_for(world)
    conference = make.certified(world.a1, world.round_a.id, _category(make, world), [
        ("Lê Văn Năm", "CB-50", {"high": 3, "confidence": 0, "low": 5, "invalid": 0})], 8)
    spec = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    for schema in ("PersonResult", "RollupRow"):
        for level in ("high", "confidence", "low"):
            prop = spec[schema]["properties"][f"{level}_percent"]
            assert prop["type"] == "string" and prop["format"] == "decimal"
    body = client.get(f"/api/v1/conferences/{conference.id}/results",
                      headers=token(world.unit_admin_a1)).json
    row = body["results"][0]
    assert row["low_percent"] == "62.50" and row["high_percent"] == "37.50"
    assert all(PERCENT.match(row[f"{level}_percent"]) for level in ("high", "confidence", "low"))


def _category(make, world):
    from tinnhiem.rounds import services as rounds

    return make._run(lambda s: s.scalars(rounds.select_categories(world.round_a.id)).first())


class TestWrongCodesShareOneBudget:
    @pytest.fixture
    def app_config(self):
        return {"VOTE_FAILURE_LIMIT": "3 per minute"}

    def test_the_pages_and_the_api_count_together(self, app, make):
        world = make.world()
        make.open_conference(world)
        codes, slug = make.issue_codes(world, 1)
        client = app.test_client()
        wrong = {"code": "ABCDEFGHJK"}
        assert client.post(f"/v/{slug}/ballot", data=wrong).status_code == 422
        assert client.post(f"/v/{slug}/ballot", data=wrong).status_code == 422
        api = f"/api/v1/polls/{slug}/ballots"
        assert client.post(api, json={**wrong, "choices": []}).status_code == 422
        blocked = client.post(api, json={"code": codes[0], "choices": []})
        assert blocked.status_code == 429 and blocked.json["code"] == "rate_limited"
        assert client.post(f"/v/{slug}/ballot", data=wrong).status_code == 429
        assert client.post(f"/api/v1/polls/{slug}/results", json=wrong).status_code == 429
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
        assert cast(other, slug, codes[0], {0: "high"}).status_code == 200

    def test_a_closed_vote_costs_the_hall_nothing(self, app, make):
        """Voters still sending ballots after the close guess nothing: no budget is spent."""
        world = make.world()
        make.open_conference(world)
        codes, slug = make.issue_codes(world, 6)
        make.close_vote(world)
        client = app.test_client()
        for code in codes:
            refused = client.post(f"/api/v1/polls/{slug}/ballots", json={"code": code,
                                                                          "choices": []})
            assert refused.status_code == 409 and refused.json["code"] == "vote_closed"
