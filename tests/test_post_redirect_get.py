"""A refused action on a staff page answers Post/Redirect/Get (#15, finding 4): a 303 back to
the page, which shows the errors next to their fields and the values typed, once; so the
browser is left on the page's own address and reloading it sends nothing again."""
import io
import random
import re

import pytest

from tests import browser_app
from tests.conftest import PASSWORD
from tests.factories import Factory, refused_page, rows
from tinnhiem.conferences.models import Nominee
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.auth.roles import Role
from tinnhiem.voting.models import VoteCode

browser_type_launch_args, live = browser_app.browser_type_launch_args, browser_app.live


@pytest.fixture
def world(make):
    w = make.world()
    make.conference_for(w)
    return w


def _summoned_and_ready(make, w, summoned, present):
    from tinnhiem.conferences import services as conferences
    from tinnhiem.conferences import voters

    def prepare(session, actor):
        conference = conferences.get_conference(session, w.conference_a1.id)
        voters.set_summoned_count(session, actor, conference, summoned)
        conferences.mark_ready(session, actor, conference)
        voters.record_attendance(session, actor, conference, present_count=present)

    make.as_account(w.unit_admin_a1, prepare)


def test_a_bad_voter_file_comes_back_to_the_page_once(app, world, login):
    client = login(world.unit_admin_a1)
    url = f"/conferences/{world.conference_a1.id}"
    posted = client.post(f"{url}/voters/import", content_type="multipart/form-data",
                         data={"import-file": (io.BytesIO(b"Ho va ten\nA\n"), "ds.txt")})
    page = refused_page(client, posted, url)
    assert "Chỉ nhận tệp .xlsx hoặc .csv." in page.text
    assert re.search(r'id="import-file"[^>]*is-invalid|is-invalid[^>]*id="import-file"', page.text)
    again = client.get(url)  # a reload: the refusal was said once, nothing is sent again
    assert again.status_code == 200 and "Chỉ nhận tệp .xlsx hoặc .csv." not in again.text


def test_many_bad_rows_come_back_counted_within_the_session(app, world, login):
    client = login(world.unit_admin_a1)
    url = f"/conferences/{world.conference_a1.id}"
    sheet = "Họ và tên\n" + ",x\n" * 300  # 300 rows without a name
    posted = client.post(f"{url}/voters/import", content_type="multipart/form-data",
                         data={"import-file": (io.BytesIO(sheet.encode()), "ds.csv")})
    page = refused_page(client, posted, url)
    assert "Dòng 2: Thiếu họ và tên." in page.text and "Dòng 21: Thiếu họ và tên." in page.text
    assert "Dòng 22:" not in page.text and "Và 280 dòng khác không hợp lệ." in page.text


def test_opening_without_a_quorum_is_refused_on_the_page(app, make, world, login):
    _summoned_and_ready(make, world, summoned=3, present=1)
    client = login(world.unit_admin_a1)
    url = f"/conferences/{world.conference_a1.id}"
    page = refused_page(client, client.post(f"{url}/open"), url)
    assert "Chưa đủ số lượng: có mặt 1/3 người, cần ít nhất 2" in page.text
    assert re.search(r'id="status"[^>]*>Đã chốt phiếu<', page.text)
    assert not rows(make, AuditEntry, action="conference.opened")


def test_a_wrong_number_of_codes_keeps_what_was_typed(app, make, world, login):
    make.open_conference(world, summoned=10)
    client = login(world.unit_admin_a1)
    url = f"/conferences/{world.voting.id}"
    for typed in ("0", "7000"):
        page = refused_page(client, client.post(f"{url}/codes", data={"issue-count": typed}),
                            f"{url}/vote")
        assert re.search(rf'id="issue-count"[^>]*value="{typed}"', page.text), typed
        assert 'class="invalid-feedback d-block" id="issue-count-errors"' in page.text
    over = refused_page(client, client.post(f"{url}/codes", data={"issue-count": "11"}))
    assert "vượt số người được triệu tập (10)" in over.text
    assert rows(make, VoteCode, conference_id=world.voting.id) == []


def test_a_second_confirmation_and_an_empty_count_are_refused_on_the_results_page(
        app, make, world, login):
    from tinnhiem.rounds import services as rounds

    category = make._run(lambda s: s.scalars(rounds.select_categories(world.round_a.id)).first())
    conference = make.certified(world.a2, world.round_a.id, category, [
        ("Lê Văn Đếm", "CB-DEM", {"high": 3, "confidence": 1, "low": 0, "invalid": 0})], 4,
        certify=False)
    counter = make._unit_staff(world.a2)[Role.COUNTER][0]
    client = login(counter)
    results = f"/conferences/{conference.id}/results"
    assert client.post(f"{results}/certify").status_code == 302
    twice = refused_page(client, client.post(f"{results}/certify"), results)
    assert "thành viên khác" in twice.text
    assert len(rows(make, AuditEntry, action="conference.confirmed")) == 1

    make.open_conference(world)
    make.close_vote(world)  # closed with no ballot: nothing to count
    admin = login(world.unit_admin_a1, target=app.test_client())
    early = f"/conferences/{world.voting.id}/results"
    page = refused_page(admin, admin.post(f"{early}/count"), early)
    assert "Không có phiếu nào được thu về" in page.text
    assert not rows(make, AuditEntry, action="conference.counted", target=str(world.voting.id))


def test_adding_a_person_with_a_bad_field_keeps_the_values_typed(app, make, world, login):
    client = login(world.unit_admin_a1)
    url = f"/conferences/{world.conference_a1.id}"
    category = re.search(r'<option value="([^"]+)"', client.get(url).text).group(1)
    posted = client.post(f"{url}/nominees", data={
        "nominee-full_name": "Phạm Thị Gõ", "nominee-cadre_code": "CB-A1",
        "nominee-post": "Phó Chủ tịch", "nominee-category_id": category,
        "nominee-appointed_on": "31/02/2025", "nominee-retirement_notice": "y"})
    page = refused_page(client, posted, url).text
    assert "Ngày không hợp lệ (định dạng năm-tháng-ngày)." in page
    assert re.search(r'id="nominee-appointed_on"[^>]*is-invalid', page) or \
        re.search(r'is-invalid[^>]*id="nominee-appointed_on"', page)
    for value in ("Phạm Thị Gõ", "CB-A1", "Phó Chủ tịch", "31/02/2025"):
        assert f'value="{value}"' in page, value
    assert re.search(r'<input checked[^>]*id="nominee-retirement_notice"', page)
    assert len(rows(make, Nominee, conference_id=world.conference_a1.id)) == 1
    fresh = client.get(url).text  # shown once
    assert 'value="Phạm Thị Gõ"' not in fresh and "Ngày không hợp lệ" not in fresh


def test_a_password_never_goes_into_the_session(app, world, login):
    client = login(world.operator)
    posted = client.post("/accounts/new", data={
        "username": "", "full_name": "Trần Văn Mới", "role": "unit_admin",
        "unit_id": str(world.a1.id), "password": "bi-mat-tam-thoi"})
    assert posted.status_code == 303
    with client.session_transaction() as session:
        kept = session["kept_form"]
    assert ("full_name", "Trần Văn Mới") in [tuple(pair) for pair in kept["values"]]
    assert "bi-mat-tam-thoi" not in repr(kept) and "password" in kept["dropped"]
    page = client.get(posted.location)
    assert 'value="Trần Văn Mới"' in page.text and "bi-mat-tam-thoi" not in page.text


def test_a_long_text_is_dropped_not_the_error(app, world, login):
    """The session is a cookie: a value too long for it is not kept; its error still is."""
    client = login(world.unit_admin_a1)
    url = f"/conferences/{world.conference_a1.id}"
    letters = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậ "
    rng = random.Random(15)
    reason = "".join(rng.choice(letters) for _ in range(3000))
    posted = client.post(f"{url}/annul", data={"annul-reason": reason})
    cookie = next(c for c in posted.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert len(cookie) < 4000
    page = refused_page(client, posted, url).text
    assert re.search(r'id="annul-reason"[^>]*is-invalid|is-invalid[^>]*id="annul-reason"', page)
    assert reason[:100] not in page


def test_the_browser_reloads_the_page_and_sends_nothing_again(live, browser):
    """After a refused action, reloading shows the page (GET): the server sees no second
    POST and no row or audit entry appears."""
    from playwright.sync_api import expect

    app, base = live
    make = Factory(app)
    w = make.world()
    make.conference_for(w)
    page = browser.new_context(viewport=browser_app.PHONE, locale="vi-VN").new_page()
    browser_app.sign_in(page, base, w.unit_admin_a1.username, PASSWORD)
    url = f"{base}/conferences/{w.conference_a1.id}"
    page.goto(url)
    page.locator("#add-person summary").click()
    page.get_by_label("Họ và tên").fill("Đỗ Văn Thử")
    page.get_by_label("Mã cán bộ").fill("CB-KHONG-CO")
    page.get_by_label("Chức vụ").fill("Ủy viên")
    posts = []
    page.on("request", lambda request: posts.append(request.url)
            if request.method == "POST" else None)
    page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.get_by_text("chưa được Ban Tổ chức Tỉnh ủy")).to_be_visible()
    expect(page.get_by_label("Họ và tên")).to_have_value("Đỗ Văn Thử")
    assert page.url == url and posts == [f"{url}/nominees"]
    added = len(rows(make, AuditEntry, action="nominee.added"))
    page.reload()
    expect(page.get_by_text("chưa được Ban Tổ chức Tỉnh ủy")).to_have_count(0)
    assert page.url == url and posts == [f"{url}/nominees"]
    assert len(rows(make, Nominee, conference_id=w.conference_a1.id)) == 1
    assert len(rows(make, AuditEntry, action="nominee.added")) == added
