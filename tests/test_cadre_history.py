"""A cadre's history (issue #17): every certified result of one cadre code, round after
round, with the change of the low share; the roll-up's link to it and its flag on a rise;
who reads it, and what someone else learns (nothing)."""
import datetime as dt
import re

import pytest
from sqlalchemy import text

from tests import cadre_world
from tests.cadre_world import CODE, _round, _succeed
from tests.rollup_world import f
from tinnhiem.platform.auth.roles import Role

world = cadre_world.world  # the fixture


def _rows(page) -> list[list[str]]:
    """The history table's rows as the page shows them, cell texts without tags."""
    table = page.text.split('id="history"')[1].split("</table>")[0]
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split())
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr data-band.*?</tr>", table, re.S)]


def test_history_of_one_code_across_three_rounds(world, login):
    """Every round's figures and band in the order held, the change of the low share, and
    the person's name and post as of the latest round."""
    page = login(world.viewer_a).get(f"/cadres/{CODE}")
    assert page.status_code == 200
    assert 'id="person">Nguyễn Văn Lịch Sử<' in page.text
    assert "Bí thư · Mã cán bộ" in page.text  # the latest post, not "Phó Bí thư"
    rows = _rows(page)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("Đợt 2021 (2021)", "Đảng ủy xã A1", "10/06/2021 Hội nghị 2021"),
        ("Đợt 2023 (2023)", "Đảng ủy xã A1", "12/06/2023 Hội nghị 2023"),
        ("Đợt 2025 (2025)", "Đảng ủy xã A1", "02/06/2025 Hội nghị A1 2025"),
        ("Đợt 2025 (2025)", "Đảng ủy phường A2", "05/06/2025 Hội nghị A2 2025")]
    assert [r[7] for r in rows] == ["4 · 10,00 %", "10 · 25,00 %", "12 · 30,00 %",
                                    "30 · 75,00 %"]
    assert [r[8].split(" ")[0] for r in rows] == ["Bình", "Bình", "Bình", "Từ"]
    # A1 against A1 the round before; A2 (not there before) against the round's highest.
    assert [r[9] for r in rows] == ["Đợt đầu", "+15,00 điểm %", "+5,00 điểm %",
                                    "+50,00 điểm %"]
    assert 'role="img"' in page.text and "<desc>Đợt 2021 · Đảng ủy xã A1: 10,00" in page.text


def test_the_api_gives_the_same_history(world, client, token):
    body = client.get(f"/api/v1/cadres/{CODE.lower()}", headers=token(world.admin_a)).json
    assert (body["cadre_code"], body["full_name"], body["post"]) == (
        CODE, "Nguyễn Văn Lịch Sử", "Bí thư")
    assert [(r["round_name"], r["round_year"], r["unit_name"], r["low"], r["low_percent"],
             r["band"], r["low_change"], r["historical_source"]) for r in body["rows"]] == [
        ("Đợt 2021", 2021, "Đảng ủy xã A1", 4, "10.00", "normal", None, None),
        ("Đợt 2023", 2023, "Đảng ủy xã A1", 10, "25.00", "normal", "15.00", None),
        ("Đợt 2025", 2025, "Đảng ủy xã A1", 12, "30.00", "normal", "5.00", None),
        ("Đợt 2025", 2025, "Đảng ủy phường A2", 30, "75.00", "two_thirds_low", "50.00", None)]
    assert body["rows"][0]["held_on"] == "2021-06-10" and body["rows"][0]["collected"] == 40


@pytest.mark.parametrize("who, units", [
    ("admin_a", ["Đảng ủy xã A1"] * 3 + ["Đảng ủy phường A2"]),
    ("unit_admin_a1", ["Đảng ủy xã A1"] * 3),
    ("counter_a1", ["Đảng ủy xã A1"] * 3),
    ("unit_admin_a2", ["Đảng ủy phường A2"]),
])
def test_each_reader_sees_the_places_of_its_scope(world, login, token, client, who, units):
    account = getattr(world, who)
    page = login(account, target=client).get(f"/cadres/{CODE}")
    assert [r[1] for r in _rows(page)] == units
    api = client.get(f"/api/v1/cadres/{CODE}", headers=token(account)).json
    assert [r["unit_name"] for r in api["rows"]] == units


def test_a_unit_admin_sees_no_change_against_a_place_it_cannot_read(world, login):
    """A2's admin reads A2's one place: its first round as far as A2 can tell."""
    rows = _rows(login(world.unit_admin_a2).get(f"/cadres/{CODE}"))
    assert [r[9] for r in rows] == ["Đợt đầu"]


def _untokened(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', page)


@pytest.mark.parametrize("who, code", [
    ("admin_b", CODE),           # another province
    ("unit_admin_b1", CODE),
    ("unit_admin_a1", "CB-A2"),  # another unit's person
    ("counter_a1", "CB-A2"),
])
def test_outsiders_get_the_same_404_as_for_no_one(world, login, token, client, who, code):
    account = getattr(world, who)
    browser = login(account, target=client)
    theirs, no_one = browser.get(f"/cadres/{code}"), browser.get("/cadres/CB-KHONG-CO")
    assert theirs.status_code == no_one.status_code == 404
    assert "Không có kết quả đã chứng nhận nào của cán bộ có mã này" in theirs.text
    # The forms' CSRF tokens carry the second they were made in.
    assert _untokened(theirs.text).replace(code, "") == \
        _untokened(no_one.text).replace("CB-KHONG-CO", "")
    headers = token(account)
    theirs = client.get(f"/api/v1/cadres/{code}", headers=headers)
    no_one = client.get("/api/v1/cadres/CB-KHONG-CO", headers=headers)
    assert theirs.status_code == no_one.status_code == 404
    assert theirs.json == no_one.json and theirs.json["code"] == "cadre_not_found"


def test_no_voter_operator_or_stranger_reads_a_history(world, login, client, token):
    assert client.get(f"/cadres/{CODE}").status_code == 302  # to sign in
    assert client.get(f"/api/v1/cadres/{CODE}").status_code == 401
    operator = login(world.operator, target=client)
    assert operator.get(f"/cadres/{CODE}").status_code == 404
    assert client.get(f"/api/v1/cadres/{CODE}",
                      headers=token(world.operator)).status_code == 404


def test_uncertified_results_are_not_history(world, make, login):
    later, category = _round(make, world.admin_a, world.province_a, [world.a1], "Đợt 2027", 2027)
    counted = make.certified(world.a1, later.id, category, [
        ("Nguyễn Văn Lịch Sử", CODE, f(0, 0, 40))], 40, held_on=dt.date(2027, 6, 1),
        certify=False)
    client = login(world.unit_admin_a1)
    rows = _rows(client.get(f"/cadres/{CODE}"))
    assert len(rows) == 3 and "Đợt 2027 (2027)" not in [r[0] for r in rows]
    # the unit's results page links its people to their history once certified, not before
    link = f'<a href="/cadres/{CODE}">Nguyễn Văn Lịch Sử</a>'
    assert link in client.get(f"/conferences/{world.conference_2021.id}/results").text
    page = client.get(f"/conferences/{counted.id}/results")
    assert page.status_code == 200 and "Nguyễn Văn Lịch Sử" in page.text and link not in page.text


@pytest.mark.parametrize("segment, status, code", [
    ("%00", 400, "invalid_characters"),
    ("CB%00HIST", 400, "invalid_characters"),
    ("%ED%A0%80", 400, "not_utf8"),
    ("x" * 10_000, 422, "too_long"),
    ("C%C3%81N-B%E1%BB%98", 422, "invalid_code"),  # "CÁN-BỘ": not a code
    ("CB%20HIST%3B", 422, "invalid_code"),
])
def test_bad_codes_in_the_path_are_refused_clearly(world, login, token, client, segment,
                                                   status, code):
    page = login(world.admin_a, target=client).get(f"/cadres/{segment}")
    assert page.status_code == status and "Lỗi" in page.text
    api = client.get(f"/api/v1/cadres/{segment}", headers=token(world.admin_a))
    assert (api.status_code, api.json["code"]) == (status, code)


def _rollup(client, round_, **args):
    return client.get(f"/rounds/{round_.id}/rollup", query_string=args)


def _flagged(page) -> dict:
    """Name -> the rise badge shown beside it (or None), from the roll-up's table."""
    table = page.text.split('id="rollup"')[1].split("</table>")[0]
    out = {}
    for row in re.findall(r"<tr data-band.*?</tr>", table, re.S):
        name = re.search(r'<a href="/cadres/[^"]+">([^<]+)</a>', row).group(1)
        badge = re.search(r'class="badge text-bg-danger low-rose"[^>]*>([^<]+)<', row)
        out.setdefault(name, []).append(badge.group(1) if badge else None)
    return out


def test_the_roll_up_links_each_person_and_flags_a_rise(world, login):
    """More than the round's threshold (10 points by default) since the previous round is
    flagged; exactly the threshold is not."""
    client = login(world.viewer_a)
    page = _rollup(client, world.second)
    assert f'<a href="/cadres/{CODE}">Nguyễn Văn Lịch Sử</a>' in page.text
    assert _flagged(page) == {"Nguyễn Văn Lịch Sử": ["Tỷ lệ thấp tăng +15,00 điểm %"],
                              "Trần Văn Biên": [None]}  # 10 % → 20 %: not more than 10
    third = _flagged(_rollup(client, world.third, sort="unit"))
    # by unit: A2 ("phường") before A1 ("xã")
    assert third == {"Nguyễn Văn Lịch Sử": ["Tỷ lệ thấp tăng +50,00 điểm %", None],
                     "Lê Thị Khác": [None]}
    assert _flagged(_rollup(client, world.first)) == {"Nguyễn Văn Lịch Sử": [None],
                                                      "Trần Văn Biên": [None]}
    history = client.get(f"/cadres/{CODE}")
    assert history.status_code == 200


def test_the_threshold_is_the_rounds(world, make, login):
    """A round whose threshold is 20 points does not flag a rise of 15."""
    strict, category = _round(make, world.admin_a, world.province_a, [world.a1], "Đợt 2027",
                              2027, low_rise_points=4)
    make.certified(world.a1, strict.id, category, [("Nguyễn Văn Lịch Sử", CODE, f(10, 12, 18))],
                   40, held_on=dt.date(2027, 6, 1))  # 45 %: +15 over 2025's A1 place
    lenient, category = _round(make, world.admin_a, world.province_a, [world.a1], "Đợt 2029",
                               2029, low_rise_points=20)
    make.certified(world.a1, lenient.id, category, [("Nguyễn Văn Lịch Sử", CODE, f(0, 16, 24))],
                   40, held_on=dt.date(2029, 6, 1))  # 60 %: +15 over 2027
    client = login(world.admin_a)
    assert _flagged(_rollup(client, strict)) == {
        "Nguyễn Văn Lịch Sử": ["Tỷ lệ thấp tăng +15,00 điểm %"]}
    assert _flagged(_rollup(client, lenient)) == {"Nguyễn Văn Lịch Sử": [None]}


def test_the_roll_up_api_carries_the_change_and_the_flag(world, client, token):
    body = client.get(f"/api/v1/rounds/{world.third.id}/rollup",
                      headers=token(world.admin_a)).json
    places = sorted((r["unit_name"], r["low_change"], r["low_rose"]) for r in body["rows"]
                    if r["cadre_code"] == CODE)
    assert places == [("Đảng ủy phường A2", "50.00", True), ("Đảng ủy xã A1", "5.00", False)]
    other = [r for r in body["rows"] if r["cadre_code"] == "CB-A2"][0]
    assert (other["low_change"], other["low_rose"]) == (None, False)
    pair = body["two_places"][0]
    assert sorted(r["low_rose"] for r in pair) == [False, True]


def test_the_roll_up_reads_the_flags_in_one_query_per_page(world, login, app, monkeypatch):
    """The page's codes are read at once, whatever the number of people shown."""
    from tinnhiem.cadres.rises import Rises

    calls = []
    real = Rises._earlier
    monkeypatch.setattr(Rises, "_earlier", lambda self, codes: calls.append(
        sorted(codes)) or real(self, codes))
    assert _rollup(login(world.admin_a), world.second).status_code == 200
    assert calls == [["CB-EDGE", CODE]]


@pytest.mark.parametrize("value, status", [(0, 201), (100, 201), (101, 422), (-1, 422),
                                           ("mười", 422)])
def test_the_round_setting_is_checked(world, client, token, value, status):
    response = client.post("/api/v1/rounds", headers=token(world.admin_a), json={
        "name": "Đợt thử", "year": 2026, "unit_ids": [str(world.a1.id)],
        "categories": [{"name": "Lãnh đạo", "deadline": "2026-06-30"}],
        "low_rise_points": value})
    assert response.status_code == status, response.json
    if status == 201:
        assert response.json["low_rise_points"] == value


def test_the_round_form_sets_and_shows_the_threshold(world, login):
    client = login(world.admin_a)
    form = client.get("/rounds/new")
    assert re.search(r'name="low_rise_points"[^>]*value="10"', form.text)

    def post(name, points):
        return client.post("/rounds/new", follow_redirects=True, data={
            "name": name, "year": "2026", "dossier_days": "15", "low_rise_points": points,
            "categories-0-name": "Lãnh đạo", "categories-0-deadline": "2026-06-30",
            "unit_ids": [str(world.a1.id)]})

    assert "tăng hơn 7 điểm %" in post("Đợt biểu mẫu", "7").text
    refused = post("Đợt sai", "101")
    assert 'id="low_rise_points"' in refused.text and "Đợt sai" in refused.text  # kept, shown again
    assert "Đợt sai" not in client.get("/rounds/").text


@pytest.mark.postgresql_only
def test_a_unit_scope_reads_no_other_units_results_in_the_database(world, app):
    """Row-level security, under the ORM: raw SQL in A1's scope sees only A1's places."""
    from tinnhiem.platform.db import db
    from tinnhiem.tenants.scope import Scope, bind_scope

    with app.app_context():
        session = db.session.session_factory()
        bind_scope(session, Scope.for_unit(world.province_a.id, world.a1.id))
        units = set(session.execute(text(
            "SELECT unit_id FROM results WHERE cadre_code = :code"), {"code": CODE}).scalars())
        others = session.execute(text(
            "SELECT count(*) FROM results WHERE cadre_code = 'CB-A2'")).scalar()
        session.close()
    assert units == {world.a1.id} and others == 0


# --- Across provinces ----------------------------------------------------------------------
def test_history_across_two_provinces_marks_the_predecessors_rows(world, make, app, login,
                                                                  token, client):
    """Province A succeeded Vĩnh Phúc (tenants.history): A reads Vĩnh Phúc's certified
    result of the same cadre code, marked as history; Vĩnh Phúc never reads A's."""
    vinh_phuc = make.province("Tỉnh ủy Vĩnh Phúc")
    district = make.unit("Huyện ủy Tam Dương", parent=vinh_phuc)
    admin = make.account(Role.PROVINCE_ADMIN, vinh_phuc)
    old, category = _round(make, admin, vinh_phuc, [district], "Đợt 2020", 2020)
    make.certified(district, old.id, category, [("Nguyễn Văn Lịch Sử", CODE, f(36, 2, 2))], 40,
                   title="Hội nghị huyện", held_on=dt.date(2020, 5, 20), post="Chánh Văn phòng")
    _succeed(make, world.province_a, vinh_phuc)

    rows = _rows(login(world.viewer_a, target=client).get(f"/cadres/{CODE}"))
    assert [(r[0], r[1]) for r in rows][:2] == [
        ("Đợt 2020 (2020)", "Huyện ủy Tam Dương Dữ liệu lịch sử — Tỉnh ủy Vĩnh Phúc"),
        ("Đợt 2021 (2021)", "Đảng ủy xã A1")]
    assert [r[9] for r in rows][:2] == ["Đợt đầu", "+5,00 điểm %"]  # 5 % → 10 %
    body = client.get(f"/api/v1/cadres/{CODE}", headers=token(world.viewer_a)).json
    assert [r["historical_source"] for r in body["rows"]] == ["Tỉnh ủy Vĩnh Phúc"] + [None] * 4
    assert body["rows"][0]["post"] == "Chánh Văn phòng" and body["post"] == "Bí thư"
    # Never the other way round: Vĩnh Phúc's users see only their province ...
    own = client.get(f"/api/v1/cadres/{CODE}", headers=token(admin)).json
    assert [r["unit_name"] for r in own["rows"]] == ["Huyện ủy Tam Dương"]
    # ... and once it has merged away, nothing: its accounts ended with it.
    headers = token(admin)
    _succeed(make, world.province_a, vinh_phuc, dissolved_on=dt.date(2025, 6, 30))
    app.extensions.pop("tinnhiem.cache.provinces", None)  # what a minute's wait does
    ended = client.get(f"/api/v1/cadres/{CODE}", headers=headers)
    assert ended.status_code == 401 and ended.json["code"] == "account_ended"
    # Province B succeeded nothing: the code is not its to read.
    assert client.get(f"/api/v1/cadres/{CODE}",
                      headers=token(world.admin_b)).status_code == 404
