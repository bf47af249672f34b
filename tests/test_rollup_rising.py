"""The roll-up's "only rising" filter and the rise in its spreadsheet (#17's leftovers): the
people whose share of low confidence rose past the round's threshold since their previous
certified round, on the page, in the API and in the XLSX, across a succession too.

The world is test_cadre_history's: CB-HIST rises 15 points into 2023 (flagged) and, in 2025,
50 points in A2 (flagged) and 5 in A1 (not); CB-EDGE rises exactly the threshold (not)."""
import datetime as dt
import re

import pytest

from tests import cadre_world
from tests.cadre_world import CODE, _round, _succeed
from tests.rollup_world import f, xlsx_rows
from tinnhiem.platform.auth.roles import Role

world = cadre_world.world  # the fixture
RISEN = "Tỷ lệ thấp tăng +50,00 điểm %"


def _listed(page) -> list[tuple[str, str]]:
    """(name, unit) of each row of the roll-up's table."""
    table = page.text.split('id="rollup"')[1].split("</table>")[0]
    return [(re.search(r'<a href="/cadres/[^"]+">([^<]+)</a>', row).group(1),
             re.search(r'data-label="Đơn vị"><a href="[^"]*">([^<]+)</a>', row).group(1))
            for row in re.findall(r"<tr data-band.*?</tr>", table, re.S)]


def _a1_round(make, world, year: int, person: tuple, collected: int):
    """A round of province A in `year` where unit A1 voted on `person` (name, code, figures),
    certified; the round."""
    round_, category = _round(make, world.admin_a, world.province_a, [world.a1], f"Đợt {year}",
                              year)
    make.certified(world.a1, round_.id, category, [person], collected,
                   held_on=dt.date(year, 6, 1))
    return round_


def test_the_page_lists_only_the_risen_and_keeps_the_counts(world, login):
    client = login(world.viewer_a)
    page = client.get(f"/rounds/{world.third.id}/rollup", query_string={"rising": "1"})
    assert page.status_code == 200
    assert _listed(page) == [("Nguyễn Văn Lịch Sử", "Đảng ủy phường A2")]
    assert RISEN in page.text
    assert ("Bảng chỉ liệt kê 1 người có tỷ lệ tín nhiệm thấp tăng quá 10 điểm % so với đợt"
            " trước.") in page.text
    assert "3 người" in page.text.split('id="summary"')[1][:40]  # the counts: every person
    assert 'id="f-rising" name="rising" value="1" checked' in page.text
    # the table's download carries the filter; the official report lists every low result
    assert f'/rounds/{world.third.id}/rollup.xlsx?rising=1' in page.text
    assert f'href="/rounds/{world.third.id}/rollup.pdf"' in page.text
    plain = client.get(f"/rounds/{world.third.id}/rollup")
    assert len(_listed(plain)) == 3 and "Bảng chỉ liệt kê" not in plain.text
    first = client.get(f"/rounds/{world.first.id}/rollup", query_string={"rising": "1"})
    assert _listed(first) == []
    assert "Không có ai có tỷ lệ tín nhiệm thấp tăng quá ngưỡng." in first.text


def test_the_filter_combines_with_the_others(world, login):
    client = login(world.admin_a)
    url = f"/rounds/{world.third.id}/rollup"
    assert _listed(client.get(url, query_string={"rising": "1", "band": "normal"})) == []
    assert _listed(client.get(url, query_string={"rising": "1", "unit_id": world.a2.id})) == [
        ("Nguyễn Văn Lịch Sử", "Đảng ủy phường A2")]
    assert _listed(client.get(url, query_string={"rising": "1", "unit_id": world.a1.id})) == []
    second = client.get(f"/rounds/{world.second.id}/rollup", query_string={"rising": "on"})
    assert _listed(second) == [("Nguyễn Văn Lịch Sử", "Đảng ủy xã A1")]


def test_the_api_lists_the_risen_with_their_count(world, client, token):
    headers = token(world.viewer_a)
    url = f"/api/v1/rounds/{world.third.id}/rollup"
    body = client.get(url, headers=headers, query_string={"rising": "true"}).json
    assert [(r["cadre_code"], r["unit_name"], r["low_change"], r["low_rose"])
            for r in body["rows"]] == [(CODE, "Đảng ủy phường A2", "50.00", True)]
    assert body["row_count"] == 1 and body["summary"]["total"] == 3
    assert client.get(url, headers=headers).json["row_count"] == 3
    beyond = client.get(url, headers=headers, query_string={"rising": "1", "offset": 1}).json
    assert beyond["rows"] == [] and beyond["row_count"] == 1


@pytest.mark.parametrize("value", ["maybe", "2", "%00", "%ED%A0%80"])
def test_a_bad_switch_is_refused_clearly(world, client, token, login, value):
    api = client.get(f"/api/v1/rounds/{world.third.id}/rollup?rising={value}",
                     headers=token(world.admin_a))
    assert api.status_code in (400, 422) and "code" in api.json
    page = login(world.admin_a).get(f"/rounds/{world.third.id}/rollup?rising={value}")
    assert page.status_code in (400, 422) and "<html" in page.text


def test_the_spreadsheet_carries_the_change_and_the_filter(world, login):
    client = login(world.viewer_a)
    url = f"/rounds/{world.third.id}/rollup.xlsx"
    rows = xlsx_rows(client.get(url, query_string={"sort": "unit"}).data)
    header = rows[1]
    change, rose = (header.index("Tỷ lệ thấp thay đổi so với đợt trước (điểm %)"),
                    header.index("Tăng quá ngưỡng"))
    assert [(r[4], r[0], r[change], r[rose]) for r in rows[2:]] == [
        ("Lê Thị Khác", "Đảng ủy phường A2", None, None),
        ("Nguyễn Văn Lịch Sử", "Đảng ủy phường A2", 50.0, "Tăng quá 10 điểm %"),
        ("Nguyễn Văn Lịch Sử", "Đảng ủy xã A1", 5.0, None)]
    risen = xlsx_rows(client.get(url, query_string={"rising": "1"}).data)[2:]
    assert [(r[4], r[0]) for r in risen] == [("Nguyễn Văn Lịch Sử", "Đảng ủy phường A2")]


def test_a_rise_counts_from_the_predecessors_round(world, make, login, token, client):
    """Province A succeeded Vĩnh Phúc: a person at 5 % there in 2020 and at 50 % in A's 2030
    round has risen, on A's page, API and spreadsheet; Vĩnh Phúc's own reading of 2020 knows
    nothing of A."""
    vinh_phuc = make.province("Tỉnh ủy Vĩnh Phúc")
    district = make.unit("Huyện ủy Tam Dương", parent=vinh_phuc)
    admin = make.account(Role.PROVINCE_ADMIN, vinh_phuc)
    old, category = _round(make, admin, vinh_phuc, [district], "Đợt 2020", 2020)
    make.certified(district, old.id, category, [("Đinh Văn Mới", "CB-NEW", f(36, 2, 2))], 40,
                   held_on=dt.date(2020, 5, 20))
    _succeed(make, world.province_a, vinh_phuc)
    later = _a1_round(make, world, 2030, ("Đinh Văn Mới", "CB-NEW", f(10, 10, 20)), 40)

    page = login(world.viewer_a).get(f"/rounds/{later.id}/rollup", query_string={"rising": 1})
    assert _listed(page) == [("Đinh Văn Mới", "Đảng ủy xã A1")]
    assert "Tỷ lệ thấp tăng +45,00 điểm %" in page.text
    body = client.get(f"/api/v1/rounds/{later.id}/rollup", headers=token(world.viewer_a),
                      query_string={"rising": 1}).json
    assert [(r["cadre_code"], r["low_change"]) for r in body["rows"]] == [("CB-NEW", "45.00")]
    own = client.get(f"/api/v1/rounds/{old.id}/rollup", headers=token(admin)).json
    assert [(r["cadre_code"], r["low_change"], r["low_rose"]) for r in own["rows"]] == [
        ("CB-NEW", None, False)]


def test_a_page_finds_the_predecessors_once(world, make, login, monkeypatch):
    """The rises of the page and of its "only rising" list read the same predecessors: they
    are found once per request (each finding opens a session per predecessor)."""
    from tinnhiem.tenants import history

    vinh_phuc = make.province("Tỉnh ủy Vĩnh Phúc")
    _succeed(make, world.province_a, vinh_phuc)
    client = login(world.viewer_a)
    opened = []
    real = history.history_session
    monkeypatch.setattr(history, "history_session",
                        lambda source: opened.append(source.key) or real(source))
    page = client.get(f"/rounds/{world.third.id}/rollup", query_string={"rising": 1})
    assert page.status_code == 200 and RISEN in page.text
    assert opened == [vinh_phuc.id]


def test_a_share_just_past_the_threshold_is_found(world, make, login):
    """101 low of 1,009 (10.0099 %, kept as 1000 ten-thousandths for sorting) after 0 %: a
    rise of just more than 10 points is listed, the sorting share's rounding
    notwithstanding."""
    _a1_round(make, world, 2031, ("Mạc Văn Sát", "CB-EDGE2", f(40, 0, 0)), 40)
    after = _a1_round(make, world, 2033, ("Mạc Văn Sát", "CB-EDGE2", f(908, 0, 101)), 1009)
    page = login(world.viewer_a).get(f"/rounds/{after.id}/rollup", query_string={"rising": 1})
    assert _listed(page) == [("Mạc Văn Sát", "Đảng ủy xã A1")]
    assert "Tỷ lệ thấp tăng +10,01 điểm %" in page.text

