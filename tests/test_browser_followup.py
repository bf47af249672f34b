"""In Chromium (issue #17): a Standing Committee viewer goes from the roll-up to a flagged
person's history and to their follow-up, and can record nothing there; the province admin
records the follow-up's decision."""
import datetime as dt

from tests import browser_app
from tests.conftest import PASSWORD
from tests.factories import Factory
from tests.rollup_world import f

browser_type_launch_args, live = browser_app.browser_type_launch_args, browser_app.live
CODE = "CB-Q"


def _rounds_of_one_cadre(make, world):
    """Quách Văn Đức in two certified rounds of unit A1: 10 % low, then 60 % (over half)."""
    earlier, category = make.round_with_category(world, "Đợt 2023", 2023, dt.date(2023, 6, 30))
    make.certified(world.a1, earlier.id, category, [
        ("Quách Văn Đức", CODE, f(16, 2, 2)), ("Lê Văn Ổn", "CB-O", f(18, 1, 1))], 20,
        held_on=dt.date(2023, 6, 20))
    later, category = make.round_with_category(world, "Đợt 2028", 2028, dt.date(2028, 6, 30))
    make.certified(world.a1, later.id, category, [
        ("Quách Văn Đức", CODE, f(5, 3, 12)), ("Lê Văn Ổn", "CB-O", f(17, 2, 1))], 20,
        held_on=dt.date(2028, 6, 20))
    return later


def test_the_viewer_reads_a_flagged_persons_history_and_the_admin_records_a_follow_up(
        live, browser):
    from playwright.sync_api import expect

    app, base = live
    make = Factory(app)
    world = make.world()
    round_ = _rounds_of_one_cadre(make, world)

    viewer = browser.new_context(locale="vi-VN").new_page()
    browser_app.sign_in(viewer, base, world.viewer_a.username, PASSWORD)
    viewer.goto(f"{base}/rounds/{round_.id}/rollup")
    row = viewer.locator("#rollup tbody tr", has_text="Quách Văn Đức")
    expect(row.locator(".low-rose")).to_have_text("Tỷ lệ thấp tăng +50,00 điểm %")
    expect(viewer.locator("#rollup tbody tr", has_text="Lê Văn Ổn").locator(".low-rose")) \
        .to_have_count(0)
    row.get_by_role("link", name="Quách Văn Đức").click()
    expect(viewer).to_have_url(f"{base}/cadres/{CODE}")
    history = viewer.locator("#history tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("Đợt 2023")
    expect(history.nth(1)).to_contain_text("+50,00 điểm %")
    expect(viewer.get_by_role("button", name="Ghi nhận")).to_have_count(0)

    viewer.goto(f"{base}/rounds/{round_.id}/rollup")
    viewer.get_by_role("link", name="Toàn bộ danh sách theo dõi xử lý").click()
    viewer.get_by_role("link", name="Quách Văn Đức").click()
    expect(viewer.locator("#state")).to_have_text("Chưa xử lý")
    expect(viewer.locator("#record-step")).to_have_count(0)  # read-only: no form
    person = viewer.url
    # Even sent by hand, with the page's own CSRF token (the sign-out form's), it is refused.
    token = viewer.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = viewer.request.post(f"{person}/steps", form={
        "csrf_token": token, "state": "in_progress", "note": "Viewer thử ghi"})
    assert refused.status == 403, refused.status
    viewer.reload()
    expect(viewer.locator("#steps")).to_contain_text("Chưa có bước nào.")

    admin = browser.new_context(locale="vi-VN").new_page()
    browser_app.sign_in(admin, base, world.admin_a.username, PASSWORD)
    admin.goto(person)
    admin.get_by_label("Trạng thái sau bước này").select_option(label="Đã có quyết định")
    admin.get_by_label("Hình thức xử lý (khi đã có quyết định)").select_option(
        label="Miễn nhiệm")
    admin.get_by_label("Số quyết định").fill("125-QĐ/TU")
    admin.get_by_label("Ngày quyết định").fill("2026-09-15")
    admin.get_by_role("button", name="Ghi nhận").click()
    expect(admin.locator("#state")).to_have_text("Đã có quyết định")
    expect(admin.locator("#steps")).to_contain_text("Quyết định số 125-QĐ/TU ngày 15/09/2026")
    expect(admin.locator("#steps")).to_contain_text("Miễn nhiệm")

    viewer.reload()  # the Standing Committee reads what the admin recorded
    expect(viewer.locator("#state")).to_have_text("Đã có quyết định")
