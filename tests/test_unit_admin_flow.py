"""The unit admin's way through a conference (#15, finding 8): opening points at issuing
codes, the add-person form stays open, the voter list has a template, attendance is counted,
and a counter who confirmed is not offered the button again."""
import io
import re

import pytest
from openpyxl import load_workbook

from tests.factories import refused_page

from tinnhiem.platform.auth.roles import Role


@pytest.fixture
def world(make):
    w = make.world()
    make.conference_for(w, w.a1)
    w.url = f"/conferences/{w.conference_a1.id}"
    return w


def _import(client, url, content: bytes, name="ds.xlsx"):
    return client.post(f"{url}/voters/import", data={"import-file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_opening_an_electronic_vote_points_at_issuing_codes(app, world, login, make):
    client = login(world.unit_admin_a1)
    url = world.url
    assert client.post(f"{url}/voters/count", data={"count-summoned_count": "3"}).status_code == 302
    assert client.post(f"{url}/ready").status_code == 302
    assert client.post(f"{url}/attendance",
                       data={"attendance-present_count": "3"}).status_code == 302
    assert "next-step" not in client.get(url).text  # not before the vote is open
    opened = client.post(f"{url}/open", follow_redirects=True)
    assert opened.status_code == 200
    assert "Đã bắt đầu bỏ phiếu. Bước tiếp theo: phát mã bỏ phiếu" in opened.text
    pointer = re.search(r'id="next-step".*?href="([^"]+)"[^>]*>([^<]+)</a>', opened.text, re.S)
    assert pointer and pointer.group(2) == "Phát mã bỏ phiếu"
    assert pointer.group(1) == f"{url}/vote#codes-heading"
    manage = client.get(pointer.group(1)).text
    assert 'id="codes-heading"' in manage and "Phát mã và tải phiếu in (PDF)" in manage
    # A paper vote has no codes to issue: no pointer.
    paper = make.open_conference(world, mode="paper", title="Hội nghị giấy")
    assert "next-step" not in client.get(f"/conferences/{paper.id}").text


def test_the_add_person_form_stays_open_and_the_list_shows_the_category(app, world, login,
                                                                         make):
    make.register(world.round_a.id, world.a1, [
        {"full_name": "Trần Thị Hai", "cadre_code": "CB-A2", "post": "Phó Bí thư"}])
    client = login(world.unit_admin_a1)
    first = client.get(world.url).text
    assert re.search(r'<details[^>]*id="add-person"\s*>', first)  # folded at first
    category = re.search(r'<option value="([^"]+)"', first).group(1)
    added = client.post(f"{world.url}/nominees", data={
        "nominee-full_name": "Trần Thị Hai", "nominee-cadre_code": "CB-A2",
        "nominee-post": "Phó Bí thư", "nominee-category_id": category})
    assert added.status_code == 302
    assert added.headers["Location"].endswith("adding=1")
    page = client.get(added.headers["Location"]).text
    assert "Đã thêm người được lấy phiếu." in page
    assert "Đã thêm. Có thể nhập ngay người tiếp theo." in page
    assert re.search(r'<details[^>]*id="add-person"\s*open>', page)
    assert re.search(r'<input[^>]*autofocus[^>]*id="nominee-full_name"|'
                     r'<input[^>]*id="nominee-full_name"[^>]*autofocus', page)
    rows = re.findall(r"<tr><td>\d+</td>.*?</tr>", page, re.S)
    assert len(rows) == 2
    assert all('<td class="category">Lãnh đạo cấp ủy</td>' in row for row in rows)


def test_the_voter_template_imports_once_filled_in(app, world, login, make):
    client = login(world.unit_admin_a1)
    page = client.get(world.url).text
    hint = re.search(r'id="import-hint">(.*?)</p>', page, re.S).group(1)
    assert "«Họ và tên» (bắt buộc)" in hint and "«Chức vụ»" in hint
    link = f"{world.url}/voters/template.xlsx"
    assert f'href="{link}"' in hint
    response = client.get(link)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["Họ và tên", "Chức vụ"]
    assert sheet.max_row == 1  # nothing to delete before filling it in
    sheet["A2"], sheet["B2"] = "Lê Văn Mẫu", "Đảng ủy viên"
    filled = io.BytesIO()
    book.save(filled)
    assert _import(client, world.url, filled.getvalue()).status_code == 302
    page = client.get(world.url).text
    assert "Lê Văn Mẫu — Đảng ủy viên" in page
    assert re.search(r"Đã đánh dấu:\s*<span data-ticked>0</span> / 1", page)
    # In English the headers are translated, and the import reads those too.
    client.get("/lang/en")
    book = load_workbook(io.BytesIO(client.get(link).data))
    assert [cell.value for cell in book.worksheets[0][1]] == ["Full name", "Position"]
    book.worksheets[0].append(["Ngô Thị Anh", "Member"])
    filled = io.BytesIO()
    book.save(filled)
    assert _import(client, world.url, filled.getvalue()).status_code == 302
    assert "Ngô Thị Anh — Member" in client.get(world.url).text
    # The unit's staff only: its counter may fetch it, the province and other units not.
    assert login(world.counter_a1, target=app.test_client()).get(link).status_code == 200
    assert login(world.admin_a, target=app.test_client()).get(link).status_code in (403, 404)
    assert login(world.unit_admin_a2, target=app.test_client()).get(link).status_code == 404


def test_attendance_select_all_and_the_count_work_without_a_script(app, world, login):
    client = login(world.unit_admin_a1)
    csv_file = "Họ và tên,Chức vụ\nA,\nB,\nC,\n".encode()
    assert _import(client, world.url, csv_file, "ds.csv").status_code == 302
    page = client.get(world.url).text
    ids = re.findall(r'name="present" value="([^"]+)"', page)
    assert len(ids) == 3
    assert re.search(r"Đã đánh dấu:\s*<span data-ticked>0</span> / 3", page)
    assert 'name="all" value="1"' in page and "Chọn tất cả" in page
    assert "js/attendance.js" in page
    assert client.post(f"{world.url}/attendance", data={"present": ids[:2]}).status_code == 302
    page = client.get(world.url).text
    assert re.search(r"Đã đánh dấu:\s*<span data-ticked>2</span> / 3", page)
    assert client.post(f"{world.url}/attendance", data={"all": "1"}).status_code == 302
    page = client.get(world.url).text
    assert re.search(r"Đã đánh dấu:\s*<span data-ticked>3</span> / 3", page)
    assert "Có mặt: 3" in page


def test_a_counter_who_confirmed_is_not_offered_it_again(app, world, login, make):
    from tinnhiem.rounds import services as rounds

    category = make._run(lambda s: s.scalars(rounds.select_categories(world.round_a.id)).first())
    counted = make.certified(world.a1, world.round_a.id, category, [
        ("Trần Thị Kiểm", "KT-1", {"high": 7, "confidence": 2, "low": 1, "invalid": 0})],
        collected=10, certify=False)
    first, second = make._unit_staff(world.a1)[Role.COUNTER]
    url = f"/conferences/{counted.id}/results"
    button = ">Xác nhận kết quả</button>"
    one = login(first)
    assert button in one.get(url).text
    assert one.post(f"{url}/certify").status_code == 302
    page = one.get(url).text
    assert button not in page and "Bạn đã xác nhận" in page
    again = refused_page(one, one.post(f"{url}/certify"))  # the rule holds without the button
    assert "Bạn đã xác nhận rồi" in again.text
    two = login(second, target=app.test_client())
    page = two.get(url).text
    assert button in page and "Bạn đã xác nhận" not in page
    assert two.post(f"{url}/certify").status_code == 302
    page = two.get(url).text
    assert "Đã chứng nhận" in page and button not in page
