"""The province's cadre registry: a unit learns nothing about other units' people and cannot
block them; the province sees and resolves every place."""
import json
import re
import uuid

import pytest

from tests.factories import refused_page


@pytest.fixture
def w(make, token, client, login):
    """World A with round_a (A1 and A2), A1's draft conference listing CB-A1, and a
    three-unit round (A1, A2, A1's child) for the two-places rule. w.api(who, ...) calls the
    API as 'province', 'a1', 'a2', 'child', 'b' (another province's admin) or 'b1'."""
    from tinnhiem.platform.auth.roles import Role

    world = make.world()
    make.conference_for(world)
    world.child_admin = make.account(Role.UNIT_ADMIN, world.a1_child)
    headers = {"province": token(world.admin_a), "a1": token(world.unit_admin_a1),
               "a2": token(world.unit_admin_a2), "child": token(world.child_admin),
               "b": token(world.admin_b), "b1": token(world.unit_admin_b1)}

    def api(who, method, url, **kwargs):
        return client.open(f"/api/v1{url}", method=method, headers=headers[who], **kwargs)

    world.api, world.make = api, make
    world.round_url = f"/rounds/{world.round_a.id}"
    world.category_id = api("province", "GET", world.round_url).json["categories"][0]["id"]
    three = api("province", "POST", "/rounds", json={
        "name": "Đợt ba đơn vị", "year": 2023,
        "unit_ids": [str(u.id) for u in (world.a1, world.a2, world.a1_child)],
        "categories": [{"name": "Lãnh đạo", "deadline": "2023-06-30"}]})
    assert three.status_code == 201, three.json
    world.three_url = f"/rounds/{three.json['id']}"
    world.pages = {who: login(account, target=make.app.test_client()) for who, account in (
        ("province", world.admin_a), ("a1", world.unit_admin_a1), ("a2", world.unit_admin_a2))}
    return world


def _enter(w, unit, code, name="Trần Văn Nơi Khác", url=None):
    return w.api("province", "POST", f"{url or w.round_url}/registry", json={
        "unit_id": str(unit.id), "cadre_code": code, "full_name": name, "post": "Phó Bí thư"})


def _conference(w, who):
    created = w.api(who, "POST", "/conferences", json={
        "round_id": str(w.round_a.id), "title": "Hội nghị thêm", "held_on": "2023-06-21"})
    assert created.status_code == 201, created.json
    return created.json["id"]


def _add(w, who, conference_id, code):
    return w.api(who, "POST", f"/conferences/{conference_id}/nominees", json={
        "full_name": "Trần Văn Nơi Khác", "cadre_code": code, "post": "Phó Bí thư",
        "category_id": w.category_id})


def _request(w, who, code, url=None, name="Lê Thị Đề Nghị"):
    return w.api(who, "POST", f"{url or w.round_url}/cadre-requests", json={
        "cadre_code": code, "full_name": name, "post": "Trưởng ban", "note": "Mới điều động"})


def test_a_units_answer_is_the_same_whether_the_cadre_is_listed_elsewhere(w):
    """Adding a cadre another unit has on its ballot, and a code nobody has: same answer."""
    assert _enter(w, w.a2, "CB-ELSE1").status_code == 201
    assert _add(w, "a2", _conference(w, "a2"), "CB-ELSE1").status_code == 201
    conference_id = _conference(w, "a1")
    unknown = f"CB-{uuid.uuid4().hex[:5].upper()}"
    answers = []
    for code in ("CB-ELSE1", unknown):
        response = _add(w, "a1", conference_id, code)
        body = json.dumps(response.json, ensure_ascii=False, sort_keys=True)
        answers.append((response.status_code, body.replace(code, "X")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 409 and "chưa được Ban Tổ chức Tỉnh ủy" in answers[0][1]
    pages = []
    for code in ("CB-ELSE1", unknown):
        page = refused_page(w.pages["a1"], w.pages["a1"].post(
            f"/conferences/{conference_id}/nominees", data={
                "nominee-full_name": "Trần Văn Nơi Khác", "nominee-cadre_code": code,
                "nominee-post": "Phó Bí thư", "nominee-category_id": w.category_id}))
        assert 'value="Trần Văn Nơi Khác"' in page.text  # the typed values come back
        text = page.get_data(as_text=True).replace(code, "X")
        # The CSRF token carries the second it was made: not part of the answer.
        pages.append((page.status_code, re.sub(r'value="[\w.-]{40,}"', "", text)))
    assert pages[0][0] == pages[1][0] == 200
    assert pages[0][1] == pages[1][1]
    assert "Đảng ủy phường A2" not in pages[0][1]


def test_nothing_a_unit_does_changes_what_another_unit_may_list(w):
    """A1 asks for, tries to add and tries to register a cadre; A2 is still given them and
    lists them, and the province could still give the cadre a second place."""
    conference_id = _conference(w, "a1")
    assert _request(w, "a1", "CB-SQUAT").status_code == 201
    assert _add(w, "a1", conference_id, "CB-SQUAT").status_code == 409
    for unit in (w.a1, w.a2):
        squat = w.api("a1", "POST", f"{w.round_url}/registry", json={
            "unit_id": str(unit.id), "cadre_code": "CB-SQUAT", "full_name": "X", "post": "Y"})
        assert squat.status_code == 404
    assert _enter(w, w.a2, "CB-SQUAT").status_code == 201
    assert _add(w, "a2", _conference(w, "a2"), "CB-SQUAT").status_code == 201
    assert _enter(w, w.a1, "CB-SQUAT").status_code == 201


def test_a_third_place_is_refused_to_the_province_with_both_places_named(w):
    for unit in (w.a1, w.a2):
        assert _enter(w, unit, "CB-THREE", url=w.three_url).status_code == 201
    third = _enter(w, w.a1_child, "cb-three", url=w.three_url)
    assert third.status_code == 409 and third.json["code"] == "third_place"
    assert third.json["field"] == "cadre_code"
    assert "Đảng ủy xã A1" in third.json["message"]
    assert "Đảng ủy phường A2" in third.json["message"]
    request_id = _request(w, "child", "CB-THREE", url=w.three_url).json["id"]
    approved = w.api("province", "POST", f"{w.three_url}/cadre-requests/{request_id}/approve")
    assert approved.status_code == 409 and "Đảng ủy xã A1" in approved.json["message"]
    still = w.api("child", "GET", f"{w.three_url}/cadre-requests/{request_id}")
    assert still.json["status"] == "pending"


def test_the_province_sees_more_requests_than_places_as_a_conflict(w):
    assert _enter(w, w.a1, "CB-WANTED", url=w.three_url).status_code == 201
    for who in ("a2", "child"):
        assert _request(w, who, "CB-WANTED", url=w.three_url).status_code == 201
    conflicts = w.api("province", "GET", f"{w.three_url}/registry/conflicts").json
    assert conflicts == [{"cadre_code": "CB-WANTED", "places_left": 1,
                          "places": ["Đảng ủy xã A1"],
                          "requested_by": ["Chi bộ A1-1", "Đảng ủy phường A2"]}]
    page = w.pages["province"].get(f"{w.three_url}/registry").get_data(as_text=True)
    assert "Cần xử lý" in page and "Chi bộ A1-1" in page
    assert w.api("a2", "GET", f"{w.three_url}/registry/conflicts").status_code == 404


def test_a_unit_sees_only_its_own_entries_and_requests(w):
    _enter(w, w.a2, "CB-A2ONLY", name="Phan Văn Riêng")
    a2_request = _request(w, "a2", "CB-A2ASK", name="Đoàn Thị Kín").json["id"]
    a1_request = _request(w, "a1", "CB-A1ASK", name="Lâm Văn Mở").json["id"]
    entries = w.api("a1", "GET", f"{w.round_url}/registry").json
    assert [e["cadre_code"] for e in entries] == ["CB-A1"]
    requests = w.api("a1", "GET", f"{w.round_url}/cadre-requests").json
    assert [r["id"] for r in requests] == [a1_request]
    assert w.api("a1", "GET", f"{w.round_url}/cadre-requests/{a2_request}").status_code == 404
    page = w.pages["a1"].get(f"{w.round_url}/cadres")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Lâm Văn Mở" in text and "Nguyễn Văn Được" in text
    assert "Phan Văn Riêng" not in text and "Đoàn Thị Kín" not in text
    province = w.pages["province"].get(f"{w.round_url}/registry").get_data(as_text=True)
    assert all(name in province for name in ("Phan Văn Riêng", "Đoàn Thị Kín", "Lâm Văn Mở"))
    assert w.pages["a1"].get(f"{w.round_url}/registry").status_code == 404


def test_the_province_approves_and_declines_and_the_unit_reads_the_outcome(w):
    for code, name in (("CB-YES", "Hồ Văn Được"), ("CB-NO", "Hồ Văn Không")):
        filed = w.pages["a1"].post(f"{w.round_url}/cadres/requests", data={
            "request-cadre_code": code, "request-full_name": name, "request-post": "Chánh VP",
            "request-note": "Vừa điều động về"})
        assert filed.status_code == 302
    pending = {r["cadre_code"]: r["id"] for r in
               w.api("province", "GET", f"{w.round_url}/cadre-requests").json}
    base = f"{w.round_url}/registry/requests"
    approved = w.pages["province"].post(f"{base}/{pending['CB-YES']}/approve", data={})
    assert approved.status_code == 302
    empty = refused_page(w.pages["province"], w.pages["province"].post(
        f"{base}/{pending['CB-NO']}/decline", data={f"decline-{pending['CB-NO']}-reason": ""}),
        f"{w.round_url}/registry")
    assert "Trường này là bắt buộc." in empty.text
    reason = {f"decline-{pending['CB-NO']}-reason": "Không thuộc diện lấy phiếu"}
    declined = w.pages["province"].post(f"{base}/{pending['CB-NO']}/decline", data=reason)
    assert declined.status_code == 302
    page = w.pages["a1"].get(f"{w.round_url}/cadres").get_data(as_text=True)
    assert "Đã chấp thuận" in page and "Không thuộc diện lấy phiếu" in page
    assert _add(w, "a1", _conference(w, "a1"), "CB-YES").status_code == 201
    assert _add(w, "a1", _conference(w, "a1"), "CB-NO").status_code == 409
    again = w.api("province", "POST", f"{w.round_url}/cadre-requests/{pending['CB-NO']}/approve")
    assert again.status_code == 409 and again.json["code"] == "already_decided"

    def registry_actions(session):
        from sqlalchemy import select

        from tinnhiem.platform.audit.models import AuditEntry

        return sorted(session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.like("registry.%"))))

    assert w.make._run(registry_actions) == [
        "registry.entered", "registry.entered", "registry.request_approved",
        "registry.request_declined", "registry.requested", "registry.requested"]


def test_the_add_person_form_offers_the_units_registered_cadres(w):
    _enter(w, w.a1, "CB-PICK", name="Tô Thị Chọn")
    conference = w.conference_a1.id
    page = w.pages["a1"].get(f"/conferences/{conference}").get_data(as_text=True)
    assert 'list="cadre-codes"' in page and "Chọn Tô Thị Chọn (CB-PICK)" in page
    picked = w.pages["a1"].get(f"/conferences/{conference}?cadre=CB-PICK").get_data(as_text=True)
    assert 'value="Tô Thị Chọn"' in picked


def test_another_province_reaches_nothing_of_the_registry(w):
    request_id = _request(w, "a1", "CB-FAR").json["id"]
    entry_id = w.api("province", "GET", f"{w.round_url}/registry").json[0]["id"]
    for who in ("b", "b1"):
        assert w.api(who, "GET", f"{w.round_url}/registry").status_code == 404
        assert w.api(who, "GET", f"{w.round_url}/cadre-requests").status_code == 404
        assert w.api(who, "POST", f"{w.round_url}/cadre-requests/{request_id}/approve"
                     ).status_code == 404
        assert w.api(who, "DELETE", f"{w.round_url}/registry/{entry_id}").status_code == 404
    assert w.api("province", "GET", f"{w.round_url}/cadre-requests/{request_id}"
                 ).json["status"] == "pending"


def test_an_entry_a_live_conference_lists_cannot_be_removed(w):
    entry_id = w.api("province", "GET", f"{w.round_url}/registry").json[0]["id"]
    refused = w.api("province", "DELETE", f"{w.round_url}/registry/{entry_id}")
    assert refused.status_code == 409 and refused.json["code"] == "entry_in_use"
    assert "Hội nghị A1" in refused.json["message"]
    annulled = w.api("a1", "POST", f"/conferences/{w.conference_a1.id}/annul",
                     json={"reason": "Sai danh sách"})
    assert annulled.status_code == 200, annulled.json
    assert w.api("province", "DELETE", f"{w.round_url}/registry/{entry_id}").status_code == 204
    assert w.api("province", "GET", f"{w.round_url}/registry").json == []
