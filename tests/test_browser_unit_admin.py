"""In Chromium, on a phone: the unit admin's attendance list and add-person form (#15,
finding 8). Rows at least 44 px high that tick by a tap anywhere on them, "Chọn tất cả", a
running count; the add-person form open again, typed into at once, after each add."""
from tests import browser_app
from tests.conftest import PASSWORD
from tests.factories import Factory

browser_type_launch_args, live = browser_app.browser_type_launch_args, browser_app.live


def test_attendance_and_adding_people_on_a_phone(live, browser):
    from playwright.sync_api import expect

    app, base = live
    make = Factory(app)
    w = make.world()
    make.conference_for(w)
    make.register(w.round_a.id, w.a1, [
        {"full_name": "Trần Thị Hai", "cadre_code": "CB-A2", "post": "Phó Bí thư"}])

    def summon(session, actor):
        from tinnhiem.conferences import services as conferences
        from tinnhiem.conferences import voters

        voters.replace_voters(session, actor, conferences.get_conference(
            session, w.conference_a1.id), [("Lê Văn Một", "Bí thư"), ("Phạm Thị Hai", ""),
                                           ("Võ Văn Ba", "Đảng ủy viên")])

    make.as_account(w.unit_admin_a1, summon)
    page = browser.new_context(viewport=browser_app.PHONE, locale="vi-VN", is_mobile=True,
                               has_touch=True).new_page()
    browser_app.sign_in(page, base, w.unit_admin_a1.username, PASSWORD)
    page.goto(f"{base}/conferences/{w.conference_a1.id}")

    rows = page.locator(".attendance-row")
    expect(rows).to_have_count(3)
    for index in range(3):
        box = rows.nth(index).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300, box
    count = page.locator("#attendance-count")
    expect(count).to_have_text("Đã đánh dấu: 0 / 3")
    rows.nth(1).get_by_text("Phạm Thị Hai").tap()  # the name, not the box
    expect(page.get_by_label("Phạm Thị Hai")).to_be_checked()
    expect(count).to_have_text("Đã đánh dấu: 1 / 3")
    page.get_by_role("button", name="Chọn tất cả").tap()
    expect(count).to_have_text("Đã đánh dấu: 3 / 3")
    page.get_by_label("Võ Văn Ba — Đảng ủy viên").uncheck()  # one exception before saving
    expect(count).to_have_text("Đã đánh dấu: 2 / 3")
    page.get_by_role("button", name="Ghi nhận điểm danh").tap()
    expect(page.get_by_text("Đã ghi nhận điểm danh.")).to_be_visible()
    expect(count).to_have_text("Đã đánh dấu: 2 / 3")  # from the server, after the save
    expect(page.get_by_label("Võ Văn Ba — Đảng ủy viên")).not_to_be_checked()
    # Enter in the count field saves the count; "Chọn tất cả" does not take it.
    page.get_by_label("Số người có mặt").fill("1")
    page.get_by_label("Số người có mặt").press("Enter")
    expect(page.locator("#attendance-summary")).to_contain_text("Có mặt: 1")
    expect(count).to_have_text("Đã đánh dấu: 0 / 3")

    page.locator("#add-person > summary").tap()
    page.get_by_label("Họ và tên").fill("Trần Thị Hai")
    page.get_by_label("Mã cán bộ").fill("CB-A2")
    page.get_by_label("Chức vụ").fill("Phó Bí thư")
    page.get_by_role("button", name="Thêm", exact=True).tap()
    expect(page.get_by_text("Đã thêm. Có thể nhập ngay người tiếp theo.")).to_be_visible()
    expect(page.locator("#add-person")).to_have_attribute("open", "")
    expect(page.get_by_label("Họ và tên")).to_be_focused()
    expect(page.locator("td.category", has_text="Lãnh đạo cấp ủy")).to_have_count(2)
