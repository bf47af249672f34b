"""Every spreadsheet the product writes keeps text as text: a name, post or title that starts
with =, +, - or @ (a formula such as HYPERLINK) comes back as the same string, never a
formula (OWASP's CSV or formula injection)."""
import datetime as dt
import io
import re
import zipfile

import pytest

from tinnhiem.rounds import services as rounds

HOSTILE = {
    "name": '=HYPERLINK("http://evil.example/name","Bấm vào đây")',
    "post": '+HYPERLINK("http://evil.example/post","Bí thư")',
    "title": '-HYPERLINK("http://evil.example/title","Hội nghị")',
    "round": '@HYPERLINK("http://evil.example/round","Đợt")',
    "plan": '=1+1',
    "unit": '=HYPERLINK("http://evil.example/unit","Đảng ủy")',
    "unit_type": '+HYPERLINK("http://evil.example/type","Loại")',
    "category": '-HYPERLINK("http://evil.example/category","Nhóm")',
    "successor": '@HYPERLINK("http://evil.example/successor","Kế thừa")',
}
# What each document carries of them: the conference's table, and the province's roll-up.
IN_RESULTS = ("name", "post", "title")
IN_ROLLUP = ("name", "post", "title", "round", "plan", "unit", "unit_type", "category",
             "successor")


@pytest.fixture
def world(make):
    w = make.world()
    unit_type = make.unit_type(HOSTILE["unit_type"])
    w.unit = make.unit(HOSTILE["unit"], parent=w.province_a, type_id=unit_type.id,
                       valid_to=dt.date(2025, 6, 30))
    make.unit(HOSTILE["successor"], parent=w.province_a, predecessors=[w.unit])

    def create(session, actor):
        round_ = rounds.create_round(session, actor, w.province_a.id, {
            "name": HOSTILE["round"], "plan_reference": HOSTILE["plan"], "year": 2023,
            "unit_ids": [w.unit.id],
            "categories": [{"name": HOSTILE["category"], "deadline": dt.date(2023, 6, 30)}]})
        return round_, round_.categories[0].id

    w.round, category = make.as_account(w.admin_a, create)
    w.conference = make.certified(w.unit, w.round.id, category, [
        (HOSTILE["name"], "CB-F", {"high": 5, "confidence": 1, "low": 4, "invalid": 0})], 10,
        title=HOSTILE["title"], post=HOSTILE["post"])
    return w


def assert_text_kept(data: bytes, keys) -> None:
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for member in book.namelist():
            assert not re.search(rb"<(\w+:)?f[\s/>]", book.read(member)), member
    cells = {cell.value: cell.data_type
             for row in load_workbook(io.BytesIO(data)).active.iter_rows() for cell in row}
    for key in keys:
        assert cells.get(HOSTILE[key]) == "s", key


def test_spreadsheets_keep_formula_like_text_as_text(world, login, token, client):
    page = login(world.viewer_a)
    headers = token(world.viewer_a)
    for url, keys in ((f"/conferences/{world.conference.id}/results.xlsx", IN_RESULTS),
                      (f"/rounds/{world.round.id}/rollup.xlsx", IN_ROLLUP)):
        for response in (page.get(url), client.get(f"/api/v1{url}", headers=headers)):
            assert response.status_code == 200, url
            assert_text_kept(response.data, keys)
