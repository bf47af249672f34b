"""The province's roll-up: only certified results, filters and bands, people voted on in two
places side by side, units dissolved since the round, progress, documents and isolation."""
import re
import unicodedata

import pytest

from tests.rollup_world import f, rollup_names as names, rollup_world, xlsx_rows
from tests.snapshots import snapshot
from tinnhiem.platform.auth.roles import Role


@snapshot
def world(make):
    return rollup_world(make)


def dashboard(client, world, **args):
    return client.get(f"/rounds/{world.round.id}/rollup", query_string=args)


def test_only_certified_results_with_the_low_bands_on_top(world, login):
    page = dashboard(login(world.viewer_a), world)
    assert page.status_code == 200
    # the most serious band first, and within a band the largest share of low confidence
    assert names(page) == ["Trần Thấp Nhiều", "Phạm Hai Nơi", "Võ Quá Nửa", "Phạm Hai Nơi",
                           "Lê Bình Thường"]
    assert "Ẩn Chưa Chứng Nhận" not in page.text
    assert re.search(r'id="count-two_thirds_low">[^<]*: 2<', page.text)
    assert re.search(r'id="count-over_half_low">[^<]*: 1<', page.text)
    assert re.search(r'id="count-normal">[^<]*: 2<', page.text)
    assert "Cho thôi giữ chức vụ" in page.text  # the consequence the rules attach


@pytest.mark.parametrize("args, expected", [
    ({"band": "two_thirds_low"}, ["Trần Thấp Nhiều", "Phạm Hai Nơi"]),
    ({"band": "over_half_low"}, ["Võ Quá Nửa"]),
    ({"band": "normal", "sort": "name"}, ["Phạm Hai Nơi", "Lê Bình Thường"]),  # by given name
    ({"sort": "low_share"}, ["Trần Thấp Nhiều", "Phạm Hai Nơi", "Võ Quá Nửa", "Phạm Hai Nơi",
                             "Lê Bình Thường"]),
])
def test_filters_by_band_and_sorting(world, login, args, expected):
    assert names(dashboard(login(world.admin_a), world, **args)) == expected


def test_filters_by_unit_type_and_category(world, login, make):
    client = login(world.admin_a)
    assert names(dashboard(client, world, unit_id=str(world.district.id))) == [
        "Phạm Hai Nơi", "Võ Quá Nửa"]
    assert set(names(dashboard(client, world, category_id=str(world.leaders)))) == {
        "Trần Thấp Nhiều", "Lê Bình Thường", "Phạm Hai Nơi"}
    assert len(names(dashboard(client, world, type_id=str(world.a1.type_id)))) == 5
    bad = dashboard(client, world, band="very_low")
    assert bad.status_code == 422 and "Mức không hợp lệ" in bad.text


def test_certifying_brings_results_in_and_annulling_takes_them_out(world, login, make, app):
    from sqlalchemy import select

    from tinnhiem.conferences import services as conferences
    from tinnhiem.counting import services as counting
    from tinnhiem.counting.models import Result
    from tinnhiem.tenants.scope import unscoped

    client = login(world.admin_a)
    for counter in make._unit_staff(world.a2)[Role.COUNTER]:
        make.as_account(counter, lambda s, a: counting.certify(
            s, a, conferences.get_conference(s, world.conference_a2.id)))
    assert "Ẩn Chưa Chứng Nhận" in names(dashboard(client, world))
    make.as_account(make._unit_staff(world.a1)[Role.UNIT_ADMIN], lambda s, a: conferences.annul(
        s, a, conferences.get_conference(s, world.conference_a1.id), "Sai sót khi kiểm phiếu"))
    page = dashboard(client, world)
    assert names(page) == ["Ẩn Chưa Chứng Nhận", "Phạm Hai Nơi", "Võ Quá Nửa"]
    assert re.search(r'id="count-two_thirds_low">[^<]*: 2<', page.text)
    assert 'id="pairs"' not in page.text  # one place left for Phạm Hai Nơi
    with app.app_context(), unscoped("test: read the annulled figures") as session:
        kept = session.execute(select(Result.low, Result.certified).where(
            Result.conference_id == world.conference_a1.id).order_by(Result.low)).all()
    assert [tuple(r) for r in kept] == [(4, False), (10, False), (34, False)]  # figures kept


def test_an_annulment_racing_a_certification_still_takes_the_results_out(world, login, make):
    from tinnhiem.conferences import services as conferences
    from tinnhiem.counting import services as counting

    first, second = make._unit_staff(world.a2)[Role.COUNTER]

    def certify(session, actor):
        counting.certify(session, actor, conferences.get_conference(
            session, world.conference_a2.id))

    make.as_account(first, certify)

    def annul_after_a_late_certification(session, actor):
        conference = conferences.get_conference(session, world.conference_a2.id)  # counted
        make.as_account(second, certify)  # certified and committed meanwhile
        conferences.annul(session, actor, conference, "Phiếu sai mẫu")

    make.as_account(make._unit_staff(world.a2)[Role.UNIT_ADMIN], annul_after_a_late_certification)
    assert "Ẩn Chưa Chứng Nhận" not in dashboard(login(world.viewer_a), world).text


def test_a_unit_is_found_by_its_name_without_accents_or_case(world, login):
    client = login(world.viewer_a)
    assert names(dashboard(client, world, unit_name="  dang UY xa a1 ")) == [
        "Trần Thấp Nhiều", "Phạm Hai Nơi", "Lê Bình Thường"]
    assert names(dashboard(client, world, unit_name="Huyện")) == ["Phạm Hai Nơi", "Võ Quá Nửa"]
    none = dashboard(client, world, unit_name="Không có")
    assert none.status_code == 200 and names(none) == []
    assert "Không có đơn vị nào khớp “Không có”." in none.text
    assert dashboard(client, world, unit_name="x" * 201).status_code == 422
    drilled = dashboard(client, world, unit_id=str(world.district.id)).text
    assert re.search(r'id="chosen-unit"[^>]*>Huyện ủy Cũ<', drilled)


def test_names_sort_in_vietnamese_alphabetical_order(world, login, make):
    """By given name (the last word) in Vietnamese letter order: ă and â after a, đ after d."""
    make.certified(world.a3, world.round.id, world.others, [
        (name, f"CB-{n}", f(9, 1, 0)) for n, name in enumerate(
            ("Zô Văn Zô", "Đỗ Văn Đức", "Dương Văn Dung", "Ân Thị Ăn", "Ăn Văn Ân", "Lê Thị An"))],
        10)
    sorted_names = names(dashboard(login(world.viewer_a), world, sort="name", band="normal"))
    assert sorted_names == ["Lê Thị An", "Ân Thị Ăn", "Ăn Văn Ân", "Dương Văn Dung", "Đỗ Văn Đức",
                            "Phạm Hai Nơi", "Lê Bình Thường", "Zô Văn Zô"]


def test_results_and_progress_come_a_page_at_a_time(world, login, monkeypatch):
    from tinnhiem.rollup import dashboard_page as views

    monkeypatch.setattr(views, "ROWS_PER_PAGE", 2)
    monkeypatch.setattr(views, "PROGRESS_ROWS", 2)
    client = login(world.viewer_a)
    pages = [dashboard(client, world, page=n) for n in (1, 2, 3)]
    assert [names(p) for p in pages] == [["Trần Thấp Nhiều", "Phạm Hai Nơi"],
                                         ["Võ Quá Nửa", "Phạm Hai Nơi"], ["Lê Bình Thường"]]
    assert "3–4 trong 5" in pages[1].text and 'rel="next"' in pages[1].text
    assert 'rel="next"' not in pages[2].text.split('id="rollup"')[1].split("</section>")[0]

    def progress(page):
        table = page.text.split('id="progress"')[1].split("</table>")[0]
        return re.findall(r"<tr><td>([^<]+)</td><td[^>]*>([^<]+)</td>", table)

    assert progress(dashboard(client, world, units_page=1)) == [
        ("Đảng ủy phường A2", "Đang thực hiện"), ("Đảng ủy xã Chưa Làm", "Chưa thực hiện")]
    assert progress(dashboard(client, world, units_page=2)) == [  # Đ before H, as in Vietnamese
        ("Đảng ủy xã A1", "Đã hoàn thành"), ("Huyện ủy Cũ", "Đã hoàn thành")]
    ignored = dashboard(client, world, round_id="x", _method="POST", page=1)
    assert ignored.status_code == 200 and "round_id=x" not in ignored.text
    for bad_page in ("hai", "0", "²", "9" * 5000, "-1"):
        bad = dashboard(client, world, page=bad_page)
        assert bad.status_code == 422 and "Số trang không hợp lệ" in bad.text


def test_two_places_are_shown_side_by_side_never_merged(world, login):
    page = dashboard(login(world.admin_a), world).text
    pairs = page.split('id="pairs"')[1].split("</table>")[0]
    row = re.findall(r'<tr><td><a href="/cadres/CB-TWO">Phạm Hai Nơi</a></td>(.*?)</tr>', pairs,
                     re.S)
    assert len(row) == 1
    assert "Đảng ủy xã A1" in row[0] and "Huyện ủy Cũ" in row[0]
    assert "10/40 (25,00\u00a0%)" in row[0] and "14/20 (70,00\u00a0%)" in row[0]


def test_a_unit_dissolved_since_keeps_its_name_and_shows_its_successor(world, login):
    page = dashboard(login(world.admin_a), world).text
    assert "Huyện ủy Cũ" in page and "đã giải thể 30/06/2025" in page
    assert "kế thừa: Đảng ủy xã Kế Thừa" in page


def test_progress_counts_units_and_what_is_overdue(world, login):
    page = dashboard(login(world.admin_a), world).text
    assert re.search(r'id="units-done">2<', page)          # A1 and the district
    assert re.search(r'id="units-in_progress">1<', page)   # A2: counted, not certified
    assert re.search(r'id="units-not_started">1<', page)   # A3
    assert re.search(r'id="units-overdue">2<', page)       # A2 and A3, leaders due 30/06/2023
    assert "Lãnh đạo cấp ủy (30/06/2023)" in page
    # the progress chart ends at two certified conferences
    assert re.search(r'text-anchor="(start|end)">2</text>', page)


def test_report_pdf_and_xlsx_read_back(world, login):
    from tests.documents import pdf_text

    client = login(world.viewer_a)
    pdf = client.get(f"/rounds/{world.round.id}/rollup.pdf")
    assert pdf.status_code == 200
    text = unicodedata.normalize("NFC", pdf_text(pdf.data))
    assert "BÁO CÁO TỔNG HỢP KẾT QUẢ LẤY PHIẾU TÍN NHIỆM" in text
    assert "Trần Thấp Nhiều Bí thư Đảng ủy xã A1 40 34 85,00 % Từ 2/3 trở lên tín nhiệm thấp" in text
    assert "Võ Quá Nửa Bí thư Huyện ủy Cũ 20 11 55,00 % Trên 50% tín nhiệm thấp" in text
    assert "Lê Bình Thường" not in text.split("Kết quả theo đơn vị")[0]  # only the low bands
    assert "Ẩn Chưa Chứng Nhận" not in text
    sheet = client.get(f"/rounds/{world.round.id}/rollup.xlsx", query_string={"sort": "name"})
    rows = xlsx_rows(sheet.data)
    assert rows[1][:5] == ["Đơn vị", "Loại đơn vị", "Hội nghị", "Ngày", "Họ và tên"]
    body = rows[2:]
    assert [r[4] for r in body] == ["Trần Thấp Nhiều", "Phạm Hai Nơi", "Phạm Hai Nơi",
                                    "Võ Quá Nửa", "Lê Bình Thường"]  # Nhiều, Nơi, Nửa, Thường
    district = next(r for r in body if r[4] == "Võ Quá Nửa")
    assert district[7:] == [20, 20, 20, 0, 5, 25.0, 4, 20.0, 11, 55.0, "Trên 50% tín nhiệm thấp",
                            None, None, "Đảng ủy xã Kế Thừa"]  # first round: no change


def test_the_api_gives_the_same_roll_up(world, token, client):
    headers = token(world.viewer_a)
    data = client.get(f"/api/v1/rounds/{world.round.id}/rollup", headers=headers,
                      query_string={"band": "two_thirds_low"}).json
    assert data["summary"] == {"total": 2, "two_thirds_low": 2, "over_half_low": 0, "normal": 0}
    assert [(r["full_name"], r["low_percent"]) for r in data["rows"]] == [
        ("Trần Thấp Nhiều", "85.00"), ("Phạm Hai Nơi", "70.00")]
    assert data["rows"][1]["successors"] == ["Đảng ủy xã Kế Thừa"]
    assert [len(pair) for pair in data["two_places"]] == [2]
    assert data["two_place_count"] == 1
    beyond = client.get(f"/api/v1/rounds/{world.round.id}/rollup", headers=headers,
                        query_string={"pairs_offset": 1}).json
    assert beyond["two_place_count"] == 1 and beyond["two_places"] == []
    assert data["progress"]["not_started"] == 1
    listed = client.get(f"/api/v1/rounds/{world.round.id}/rollup", headers=headers,
                        query_string={"units_limit": 1, "unit_name": "huyen uy"}).json
    assert listed["progress"]["participating"] == 4
    assert [u["unit_name"] for u in listed["progress"]["units"]] == ["Đảng ủy phường A2"]
    assert {r["full_name"] for r in listed["rows"]} == {"Võ Quá Nửa", "Phạm Hai Nơi"}
    bad = client.get(f"/api/v1/rounds/{world.round.id}/rollup", headers=headers,
                     query_string={"band": "x"})
    assert bad.status_code == 422


@pytest.mark.parametrize("who", ["unit_admin_a1", "counter_a1", "admin_b", "operator"])
def test_nobody_outside_the_province_users_sees_the_roll_up(world, login, token, client, who):
    account = getattr(world, who)
    page = dashboard(login(account, target=client), world)
    assert page.status_code == 404
    api = client.get(f"/api/v1/rounds/{world.round.id}/rollup", headers=token(account))
    assert api.status_code == 404
    for document in ("rollup.pdf", "rollup.xlsx"):
        assert client.get(f"/rounds/{world.round.id}/{document}").status_code == 404
