"""In Chromium, on a phone: an action that cannot be undone is asked twice (#15, finding 3).
The first button only unfolds what it will do; nothing changes until the second."""
from tests import browser_app
from tests.conftest import PASSWORD
from tests.factories import Factory

browser_type_launch_args, live = browser_app.browser_type_launch_args, browser_app.live


def test_freezing_the_ballot_needs_a_second_deliberate_tap(live, browser):
    from playwright.sync_api import expect

    app, base = live
    make = Factory(app)
    w = make.world()
    make.conference_for(w)

    def summon(session, actor):
        from tinnhiem.conferences import services as conferences
        from tinnhiem.conferences import voters

        voters.set_summoned_count(session, actor, conferences.get_conference(
            session, w.conference_a1.id), 5)

    make.as_account(w.unit_admin_a1, summon)
    page = browser.new_context(viewport=browser_app.PHONE, locale="vi-VN", is_mobile=True,
                               has_touch=True).new_page()
    browser_app.sign_in(page, base, w.unit_admin_a1.username, PASSWORD)
    page.goto(f"{base}/conferences/{w.conference_a1.id}")
    status = page.locator("#status")
    expect(status).to_have_text("Đang chuẩn bị")
    confirm = page.get_by_role("button", name="Xác nhận chốt danh sách và phiếu")
    expect(confirm).to_be_hidden()
    page.locator("summary", has_text="Chốt danh sách và phiếu").tap()
    expect(page.get_by_text("không sửa được danh sách người được lấy phiếu")).to_be_visible()
    expect(confirm).to_be_visible()
    page.reload()  # unfolding changed nothing on the server
    expect(status).to_have_text("Đang chuẩn bị")
    page.locator("summary", has_text="Chốt danh sách và phiếu").tap()
    confirm.tap()
    expect(status).to_have_text("Đã chốt phiếu")
