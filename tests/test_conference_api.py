"""DOMAIN.md's quorum, exemption and third-place examples through /api/v1."""
import pytest

from tinnhiem.platform.auth.roles import Role


@pytest.fixture
def api(make, token, client):
    world = make.world()
    world.unit_admin_a2_api = token(world.unit_admin_a2)
    headers = {"province": token(world.admin_a), "a1": token(world.unit_admin_a1),
               "a2": world.unit_admin_a2_api,
               "a1b": token(make.account(Role.UNIT_ADMIN, world.a1_child))}

    def call(who, method, url, **kwargs):
        return client.open(f"/api/v1{url}", method=method, headers=headers[who], **kwargs)

    created = call("province", "POST", "/rounds", json={
        "name": "Đợt 2023", "plan_reference": "Kế hoạch 153-KH/TU", "year": 2023,
        "unit_ids": [str(world.a1.id), str(world.a2.id), str(world.a1_child.id)],
        "categories": [{"name": "Lãnh đạo cấp ủy", "deadline": "2023-06-30"},
                       {"name": "Lãnh đạo khác", "deadline": "2023-07-31"}]})
    assert created.status_code == 201, created.json
    call.round = created.json
    call.world = world
    return call


def _conference(api, who):
    response = api(who, "POST", "/conferences", json={
        "round_id": api.round["id"], "title": "Hội nghị Ban Chấp hành", "held_on": "2023-06-20"})
    assert response.status_code == 201, response.json
    return response.json["id"]


UNITS = {"a1": "a1", "a2": "a2", "a1b": "a1_child"}


def _register(api, who, code):
    """The province's registry gives `who`'s unit this cadre."""
    unit = getattr(api.world, UNITS[who])
    return api("province", "POST", f"/rounds/{api.round['id']}/registry", json={
        "unit_id": str(unit.id), "cadre_code": code, "full_name": "Nguyễn Văn Thử",
        "post": "Phó Bí thư"})


def _person(api, who, conference_id, code, **extra):
    assert _register(api, who, code).status_code in (201, 409)
    return api(who, "POST", f"/conferences/{conference_id}/nominees", json={
        "full_name": "Nguyễn Văn Thử", "cadre_code": code, "post": "Phó Bí thư",
        "category_id": api.round["categories"][0]["id"], **extra})


def test_round_is_readable_by_its_units_only(api):
    round_id = api.round["id"]
    assert api("a1", "GET", f"/rounds/{round_id}").status_code == 200
    assert [r["name"] for r in api("a1", "GET", "/rounds").json] == ["Đợt 2023"]
    assert api("a1", "GET", "/template").json["high_label"] == "Tín nhiệm cao"


def test_exemptions_through_the_api(api):
    conference_id = _conference(api, "a1")
    this_year = _person(api, "a1", conference_id, "CB-1", appointed_on="2023-03-15")
    last_year = _person(api, "a1", conference_id, "CB-2", appointed_on="2022-12-20")
    assert this_year.status_code == 201 and this_year.json["exemption"] == "appointed_this_year"
    assert this_year.json["on_ballot"] is False
    assert last_year.json["exemption"] is None and last_year.json["on_ballot"] is True


def test_third_place_through_the_api(api):
    for who in ("a1", "a2"):
        assert _person(api, who, _conference(api, who), "CB-9").status_code == 201
    third = _register(api, "a1b", "CB-9")
    assert third.status_code == 409 and third.json["code"] == "third_place"
    refused = api("a1b", "POST", f"/conferences/{_conference(api, 'a1b')}/nominees", json={
        "full_name": "Nguyễn Văn Thử", "cadre_code": "CB-9", "post": "Phó Bí thư",
        "category_id": api.round["categories"][0]["id"]})
    assert refused.status_code == 409 and refused.json["code"] == "not_in_registry"


@pytest.mark.parametrize("present, status", [(32, 200), (31, 409)])
def test_quorum_through_the_api(api, present, status):
    conference_id = _conference(api, "a1")
    _person(api, "a1", conference_id, "CB-5")
    url = f"/conferences/{conference_id}"
    assert api("a1", "PUT", f"{url}/summoned-count",
               json={"summoned_count": 48}).json["summoned"] == 48
    assert api("a1", "POST", f"{url}/transitions", json={"to": "ready"}).json["status"] == "ready"
    state = api("a1", "PUT", f"{url}/attendance", json={"present_count": present}).json
    assert state["quorum_met"] is (status == 200) and state["quorum_needed"] == 32
    opened = api("a1", "POST", f"{url}/transitions", json={"to": "open"})
    assert opened.status_code == status
    if status == 409:
        assert opened.json["code"] == "no_quorum" and "31/48" in opened.json["message"]
    assert api("a1", "GET", url).json["status"] == ("open" if status == 200 else "ready")


def test_voter_list_and_ticks_through_the_api(api):
    conference_id = _conference(api, "a1")
    url = f"/conferences/{conference_id}"
    state = api("a1", "PUT", f"{url}/voters",
                json={"voters": [{"full_name": f"Đại biểu {n}"} for n in range(3)]}).json
    assert state == {"summoned": 3, "present": 0, "has_list": True, "quorum_needed": 2,
                     "quorum_met": False}
    ids = [v["id"] for v in api("a1", "GET", f"{url}/voters").json]
    state = api("a1", "PUT", f"{url}/attendance", json={"present_ids": ids[:2]}).json
    assert state["present"] == 2 and state["quorum_met"] is True


def test_province_reads_conferences_but_cannot_run_them(api):
    conference_id = _conference(api, "a1")
    assert api("province", "GET", f"/conferences/{conference_id}").status_code == 200
    refused = api("province", "POST", f"/conferences/{conference_id}/transitions",
                  json={"to": "ready"})
    assert refused.status_code == 404
    assert api("a2", "GET", f"/conferences/{conference_id}").status_code == 404


def test_files_through_the_api(api):
    import io

    conference_id = _conference(api, "a1")
    person = _person(api, "a1", conference_id, "CB-7").json
    url = f"/conferences/{conference_id}"
    report = b"%PDF-1.4\n" + b"0" * 2_000_000  # larger than an ordinary request may be
    uploaded = api("a1", "PUT", f"{url}/nominees/{person['id']}/report",
                   data={"file": (io.BytesIO(report), "bao-cao\x00.pdf")},
                   content_type="multipart/form-data")
    assert uploaded.status_code == 200, uploaded.json
    fetched = api("a1", "GET", f"{url}/nominees/{person['id']}/report")
    assert fetched.status_code == 200 and fetched.data == report
    not_pdf = api("a1", "PUT", f"{url}/nominees/{person['id']}/report",
                  data={"file": (io.BytesIO(b"hello"), "x.pdf")},
                  content_type="multipart/form-data")
    assert not_pdf.status_code == 422 and not_pdf.json["code"] == "report_not_pdf"
    sheet = io.BytesIO("Họ và tên\nA\nB\n".encode())
    imported = api("a1", "POST", f"{url}/voters/import", data={"file": (sheet, "ds.csv")},
                   content_type="multipart/form-data")
    assert imported.status_code == 200 and imported.json["summoned"] == 2
    ballot = api("a1", "GET", f"{url}/ballot.pdf")
    assert ballot.status_code == 200 and ballot.data.startswith(b"%PDF")
    assert api("a2", "GET", f"{url}/ballot.pdf").status_code == 404
    versions = api("a1", "GET", "/template/versions").json
    assert [v["version"] for v in versions] == [1]


def test_round_moves_to_a_new_template_version_but_frozen_ballots_keep_theirs(api):
    conference_id = _conference(api, "a1")
    _person(api, "a1", conference_id, "CB-8")
    url = f"/conferences/{conference_id}"
    api("a1", "PUT", f"{url}/summoned-count", json={"summoned_count": 3})
    frozen = api("a1", "POST", f"{url}/transitions", json={"to": "ready"}).json["template_id"]
    template = api("province", "GET", "/template").json
    changed = api("province", "PUT", "/template", json={**{k: template[k] for k in (
        "high_label", "confidence_label", "low_label", "header", "instructions",
        "crossed_out_rule")}, "title": "PHIẾU MỚI"}).json
    assert changed["version"] == 2 and changed["id"] != frozen
    moved = api("province", "PUT", f"/rounds/{api.round['id']}/template",
                json={"template_id": changed["id"]})
    assert moved.status_code == 200 and moved.json["template_id"] == changed["id"]
    assert api("a1", "GET", url).json["template_id"] == frozen
    assert api("a1", "PUT", f"/rounds/{api.round['id']}/template",
               json={"template_id": changed["id"]}).status_code == 404
