"""The province and unit pages of a round and a conference, and the printable ballot."""
import io
import re

import pytest

from tests.documents import pdf_text
from tests.factories import refused_page


@pytest.fixture
def world(make):
    w = make.world()
    make.conference_for(w, w.a1)
    return w


def test_ballot_pdf_has_the_header_rows_and_levels_in_vietnamese(app, world, login):
    client = login(world.unit_admin_a1)
    response = client.get(f"/conferences/{world.conference_a1.id}/ballot.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in ("PHIẾU LẤY PHIẾU TÍN NHIỆM", "TỈNH ỦY ALPHA", "Đảng ủy xã A1".upper(),
                     "ĐẢNG CỘNG SẢN VIỆT NAM", "Hội nghị A1",
                     "Nguyễn Văn Được", "Bí thư", "Tín nhiệm cao", "Tín nhiệm thấp",
                     "Đánh dấu (X)"):
        assert expected in text, expected


def test_province_admin_sets_template_and_round_and_sees_progress(app, world, login):
    client = login(world.admin_a)
    saved = client.post("/template", data={
        "title": "PHIẾU TÍN NHIỆM TỈNH ALPHA", "header": "TỈNH ỦY ALPHA",
        "high_label": "Tín nhiệm cao", "confidence_label": "Tín nhiệm",
        "low_label": "Tín nhiệm thấp", "instructions": "Đánh dấu X.",
        "crossed_out_rule": "ballot"})
    assert saved.status_code == 302
    created = client.post("/rounds/new", data={
        "name": "Đợt giữa nhiệm kỳ 2028", "plan_reference": "Kế hoạch 1-KH/TU", "year": "2028",
        "dossier_days": "15", "exempt_retirement_notice": "y",
        "categories-0-name": "Lãnh đạo cấp ủy", "categories-0-deadline": "2028-06-30",
        "categories-1-name": "Lãnh đạo khác", "categories-1-deadline": "2028-07-31",
        "unit_ids": [str(world.a1.id), str(world.a2.id)]})
    assert created.status_code == 302
    page = client.get(created.headers["Location"]).text
    assert "Đợt giữa nhiệm kỳ 2028" in page and "hạn 30/06/2028" in page
    assert "Đảng ủy phường A2" in page and "Chưa có hội nghị" in page
    overview = client.get(f"/rounds/{world.round_a.id}").text
    assert "Hội nghị A1" in overview and "Đang chuẩn bị" in overview


def test_round_without_category_or_units_is_refused(app, world, login):
    client = login(world.admin_a)
    response = refused_page(client, client.post("/rounds/new", data={
        "name": "Thiếu", "year": "2028", "dossier_days": "15"}), "/rounds/new")
    assert "ít nhất một nhóm chức danh" in response.text and 'value="Thiếu"' in response.text


def test_unit_admin_runs_a_conference_to_the_opening(app, world, login, make):
    make.register(world.round_a.id, world.a1, [
        {"full_name": "Trần Thị Hai", "cadre_code": "CB-A2", "post": "Phó Bí thư"}])
    client = login(world.unit_admin_a1)
    url = f"/conferences/{world.conference_a1.id}"
    added = client.post(f"{url}/nominees", data={
        "nominee-full_name": "Trần Thị Hai", "nominee-cadre_code": "CB-A2",
        "nominee-post": "Phó Bí thư",
        "nominee-category_id": re.search(r'<option value="([^"]+)"',
                                         client.get(url).text).group(1)})
    assert added.status_code == 302
    csv_file = (io.BytesIO("Họ và tên\nA\nB\nC\n".encode()), "ds.csv")
    assert client.post(f"{url}/voters/import", data={"import-file": csv_file},
                       content_type="multipart/form-data").status_code == 302
    assert client.post(f"{url}/ready").status_code == 302
    late = client.post(f"{url}/nominees", data={"nominee-full_name": "Muộn",
                                                 "nominee-cadre_code": "X", "nominee-post": "Y"},
                       follow_redirects=True)
    assert [r.status_code for r in late.history] == [303] and late.request.path == url
    assert "không thể sửa" in late.text
    page = client.get(url).text
    ids = re.findall(r'name="present" value="([^"]+)"', page)
    assert len(ids) == 3
    client.post(f"{url}/attendance", data={"present": ids[:1]})
    refused = client.post(f"{url}/open", follow_redirects=True)
    assert [r.status_code for r in refused.history] == [303] and refused.status_code == 200
    assert "Chưa đủ số lượng: có mặt 1/3 người, cần ít nhất 2" in refused.text
    client.post(f"{url}/attendance", data={"present": ids[:2]})
    assert client.post(f"{url}/open").status_code == 302
    assert "Đang bỏ phiếu" in client.get(url).text


def test_bad_voter_sheet_lists_its_rows(app, world, login):
    client = login(world.unit_admin_a1)
    url = f"/conferences/{world.conference_a1.id}"
    sheet = (io.BytesIO("Họ và tên,Chức vụ\nA,x\n,thiếu tên\n".encode()), "ds.csv")
    response = client.post(f"{url}/voters/import", data={"import-file": sheet},
                           content_type="multipart/form-data", follow_redirects=True)
    assert [r.status_code for r in response.history] == [303] and response.request.path == url
    assert response.status_code == 200 and "Dòng 3: Thiếu họ và tên." in response.text


def test_counter_reads_but_cannot_change(app, world, login):
    client = login(world.counter_a1)
    url = f"/conferences/{world.conference_a1.id}"
    assert client.get(url).status_code == 200
    assert client.post(f"{url}/ready").status_code == 404


def test_province_viewer_drills_down_from_the_round_to_a_conference(app, world, login):
    client = login(world.viewer_a)
    overview = client.get(f"/rounds/{world.round_a.id}").text
    link = re.search(r'href="(/conferences/[0-9a-f-]+)">Hội nghị A1<', overview).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "Nguyễn Văn Được" in page.text
    assert "Chốt danh sách và phiếu" not in page.text  # reading only
    assert login(world.admin_b, target=app.test_client()).get(link).status_code == 404


def test_each_state_has_its_own_badge_colour_on_the_lists(app, world, login):
    """#15, finding 11: the lists showed every state in grey."""
    from tinnhiem.conferences.lifecycle import STYLES, State

    assert set(STYLES) == set(State)
    assert len({STYLES[s] for s in (State.DRAFT, State.READY, State.OPEN, State.CLOSED,
                                    State.COUNTED, State.ANNULLED)}) == 6
    page = login(world.unit_admin_a1).get("/conferences/").text
    assert f'text-bg-{STYLES[State.DRAFT]}">Đang chuẩn bị' in page
