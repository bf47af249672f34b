"""In Chromium, axe-core (WCAG 2.1 A and AA rules) over every page of every role, on a desk
and on a phone: no violation of serious or critical impact. The voter's pages also keep
their touch targets at 44 px or more and load no script. One data set and one sign-in per
role serve all the pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests import browser_app
from tests.conftest import PASSWORD
from tests.factories import Factory, rows
from tests.scan_pages import drawn, scanned
from tests.voter_pages import cast
from tinnhiem.scanning.models import ScanPage

browser_type_launch_args = browser_app.browser_type_launch_args
DESK = {"width": 1280, "height": 900}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"]}
AXE = Axe()
IMPACTS = ("serious", "critical")
TOUCH = 44  # px, the voter's pages' smallest target (buttons, fields, the ballot's levels)


@pytest.fixture(scope="module")
def site(request):
    """Province A with a draft, an open, a paper (closed) and a published conference of A1."""
    with browser_app.served(request, "axe") as (app, base):
        make = Factory(app)
        w = make.world()
        make.conference_for(w)  # w.conference_a1: a draft with one person and a report
        w.paper = make.open_conference(w, mode="paper", people=2, summoned=6, present=5,
                                       title="Hội nghị phiếu giấy")
        make.close_vote(w, ballots_issued=4)
        # Its board's scans: a ballot read clearly, one with a doubtful row, one drawn.
        pages = scanned(make, w, ["12", "1?"], conference=w.paper)
        w.scan_batch = rows(make, ScanPage, id=pages[0])[0].batch_id
        w.scan_check = drawn(make, w, pages[0], conference=w.paper)
        w.published = make.open_conference(w, people=2, summoned=5, title="Hội nghị đã công bố")
        w.history_code = w.people[0].cadre_code  # a cadre's history, once certified
        issued, w.published_slug = make.issue_codes(w, 1)
        w.published_code = issued[0]
        cast(app.test_client(), w.published_slug, issued[0], {0: "high", 1: "low"})
        make.close_vote(w)
        make.publish_results(w, w.published)
        make.open_conference(w, people=3, summoned=10, title="Hội nghị đang bỏ phiếu")
        issued, w.slug = make.issue_codes(w, 1)
        w.code = issued[0]
        yield w, base


def _staff_pages(w):
    round_ = f"/rounds/{w.round_a.id}"
    a1, draft, open_ = w.a1.id, w.conference_a1.id, w.voting.id
    paper, published = w.paper.id, w.published.id
    account = w.unit_admin_a1.id
    own = ["/account/sessions", "/account/password"]
    return {
        "operator": (w.operator, ["/units/", f"/units/{a1}", "/units/new", f"/units/{a1}/edit",
                                  "/unit-types/", "/unit-types/new", "/accounts/",
                                  "/accounts/new", f"/accounts/{account}/edit", "/audit/",
                                  "/account/totp", *own]),
        "province_admin": (w.admin_a, ["/rounds/", "/rounds/new", round_, f"{round_}/registry",
                                       f"{round_}/rollup", f"{round_}/report-upward",
                                       "/template", "/units/"]),
        "province_viewer": (w.viewer_a, ["/rounds/", round_, f"{round_}/rollup",
                                         f"/conferences/{published}/results",
                                         f"/cadres/{w.history_code}", *own]),
        "unit_admin": (w.unit_admin_a1, [
            "/conferences/", "/conferences/new", f"/conferences/{draft}",
            f"/conferences/{open_}", f"/conferences/{open_}/vote", f"/conferences/{paper}",
            f"/conferences/{published}", f"/conferences/{published}/results",
            f"/conferences/{paper}/vote", f"/conferences/{paper}/sheet", f"{round_}/cadres",
            "/rounds/", round_, f"/cadres/{w.history_code}"]),
        "counter": (w.counter_a1, [
            "/conferences/", f"/conferences/{paper}/results", f"/conferences/{paper}/sheet",
            f"/conferences/{paper}/scans", f"/conferences/{paper}/scans/{w.scan_batch}",
            f"/conferences/{paper}/scans/review", f"/conferences/{paper}/scans/check",
            f"/conferences/{paper}/scans/check/{w.scan_check}",
            f"/conferences/{published}/results", f"/conferences/{open_}/vote"]),
    }


def _serious(page, where) -> list[str]:
    """axe's serious and critical violations on the page as it is, one line each."""
    found = AXE.run(page, options=WCAG).response["violations"]
    return [f"{where}: {v['id']} ({v['impact']}) at "
            + "; ".join(", ".join(n["target"]) for n in v["nodes"][:8])
            for v in found if v["impact"] in IMPACTS]


def _too_wide(page, where) -> list[str]:
    """A page a phone must scroll sideways to read (a wide table scrolls inside its own
    box instead)."""
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return [f"{where}: {wide} px wider than the screen"] if wide > 0 else []


def _check(page, where) -> list[str]:
    """The page at desk width, then at phone width."""
    page.set_viewport_size(DESK)
    problems = _serious(page, f"{where} (desk)")
    page.set_viewport_size(browser_app.PHONE)
    return (problems + _serious(page, f"{where} (390 px)")
            + _too_wide(page, f"{where} (390 px)"))


def _small_targets(page, where) -> list[str]:
    """Buttons, fields and the ballot's level labels under 44 px on the phone."""
    targets = page.evaluate("""() => [...document.querySelectorAll(
        'button, input:not([type=hidden]):not(.btn-check), select, .vote-levels label, a.btn')]
        .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
        .filter(([, r]) => r.width > 0)
        .map(([html, r]) => [`${html} ${Math.round(r.width)}x${Math.round(r.height)}`,
                             Math.min(r.width, r.height)])""")
    return [f"{where}: {target}" for target, side in targets if side < TOUCH]


def test_the_login_page(site, browser):
    _w, base = site
    page = browser.new_context(viewport=DESK, locale="vi-VN").new_page()
    page.goto(f"{base}/login")
    problems = _check(page, "/login")
    page.context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ["operator", "province_admin", "province_viewer",
                                  "unit_admin", "counter"])
def test_every_page_of_a_role(site, browser, role):
    w, base = site
    account, paths = _staff_pages(w)[role]
    page = browser.new_context(viewport=DESK, locale="vi-VN").new_page()
    browser_app.sign_in(page, base, account.username, PASSWORD)
    problems, failed = [], []
    for path in paths:
        response = page.goto(f"{base}{path}")
        if response.status != 200:
            failed.append(f"{path}: {response.status}")
            continue
        problems += _check(page, path)
    page.context.close()
    assert not failed, failed
    assert not problems, "\n".join(problems)


def test_the_voters_pages(site, browser):
    from playwright.sync_api import expect

    w, base = site
    context = browser.new_context(viewport=browser_app.PHONE, locale="vi-VN", is_mobile=True,
                                  has_touch=True)
    scripts = []
    context.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script"
               else None)
    page = context.new_page()
    problems, small = [], []

    def visit(where):
        assert page.evaluate("document.scripts.length") == 0, where
        small.extend(_small_targets(page, where))
        problems.extend(_check(page, where))

    page.goto(f"{base}/v/{w.slug}?ma={w.code}")
    visit("code entry")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("group")).to_have_count(3)
    expect(page.locator(".vote-levels label")).to_have_count(9)
    visit("ballot")
    page.get_by_role("group").first.locator("label").first.click()
    page.get_by_role("button", name="Xem lại phiếu").click()
    expect(page.get_by_role("button", name="Gửi phiếu")).to_be_visible()
    visit("review")
    page.get_by_role("button", name="Gửi phiếu").click()
    expect(page.get_by_text("Phiếu của bạn đã được ghi nhận.")).to_be_visible()  # waits for it
    visit("receipt")
    page.goto(f"{base}/v/{w.published_slug}")
    visit("results: code entry")
    page.get_by_label("Mã bỏ phiếu bạn đã dùng").fill(w.published_code)
    page.get_by_role("button", name="Xem kết quả").click()
    expect(page.locator("#results")).to_be_visible()
    visit("results")
    context.close()
    assert not scripts, scripts
    assert not small, "\n".join(small)
    assert not problems, "\n".join(problems)


def test_a_file_field_says_choose_in_vietnamese_and_takes_the_keyboard(site, browser, tmp_path):
    """#15, finding 11: the browser's own 'Choose File' button is replaced by ours."""
    from playwright.sync_api import expect

    w, base = site
    sheet = tmp_path / "danh-sach.csv"
    sheet.write_text("Họ và tên\nĐỗ Văn Một\n", encoding="utf-8")
    page = browser.new_context(viewport=DESK, locale="vi-VN").new_page()
    # Listening from the start: Chromium's choosers are intercepted only once someone listens.
    page.on("filechooser", lambda chooser: chooser.set_files(str(sheet)))
    browser_app.sign_in(page, base, w.unit_admin_a1.username, PASSWORD)
    page.goto(f"{base}/conferences/{w.conference_a1.id}")
    field = page.get_by_label("Danh sách người được triệu tập (.xlsx hoặc .csv)")
    expect(field).to_have_id("import-file")
    assert field.bounding_box()["width"] <= 1  # the native button is not shown
    button = page.locator("label.btn[for=import-file]")
    expect(button).to_have_text("Chọn tệp…")
    expect(button).to_be_visible()
    chosen = page.locator("#import-file-chosen")
    expect(chosen).to_have_text("Chưa chọn tệp")
    expect(field).to_have_attribute("aria-describedby", "import-file-chosen")

    field.focus()
    page.keyboard.press("Tab")
    expect(field).not_to_be_focused()
    page.keyboard.press("Shift+Tab")  # back onto the file field, in the tab order
    expect(field).to_be_focused()
    assert button.evaluate("b => getComputedStyle(b).outlineStyle") == "solid"
    page.keyboard.press("Space")  # opens the chooser (answered by the listener above)
    expect(chosen).to_have_text("danh-sach.csv")
    page.context.close()
