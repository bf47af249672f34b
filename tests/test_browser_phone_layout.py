"""In Chromium, on a 390 px phone (#15, findings 2 and 11): the results tables read as one card
per person, nothing off-screen to the right; each person's card on the ballot shows its top
edge; the roll-up cards' labels are not cut. A desktop still shows the results as a table."""
import pytest

from tests import browser_app
from tests.conftest import PASSWORD
from tests.factories import Factory
from tests.voter_pages import cast

browser_type_launch_args, live = browser_app.browser_type_launch_args, browser_app.live
PHONE = browser_app.PHONE
# As long as Vietnamese names and posts often are: in a column of their own they wrap.
NAMES = ["Nguyễn Thị Phương Thảo Hoàng Lan", "Trần Văn Bảo Quốc Khánh"]
POST = "Phó Bí thư Thường trực Đảng ủy, Chủ tịch Hội đồng nhân dân"
BANDS = {NAMES[0]: "Bình thường", NAMES[1]: "Từ 2/3 trở lên tín nhiệm thấp"}
FIGURES = ["Thu về", "Không hợp lệ", "Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp"]
# Each labelled cell of a card: its label (the ::before box) and the cell itself, measured.
LABELS = """row => [...row.querySelectorAll('td[data-label]')].map(td => {
    const label = getComputedStyle(td, '::before'), box = td.getBoundingClientRect();
    return {label: label.content.replace(/^"|"$/g, ''), labelHeight: parseFloat(label.height),
            scrollWidth: td.scrollWidth, clientWidth: td.clientWidth,
            scrollHeight: td.scrollHeight, clientHeight: td.clientHeight,
            left: box.left, right: box.right};
})"""


@pytest.fixture
def voting(live):
    """A1's electronic conference with two people on the ballot, its vote open, three codes
    issued: (app, base, world, codes, poll slug)."""
    app, base = live
    make = Factory(app)
    w = make.world()
    make.open_conference(w, people=2, summoned=5, names=NAMES, post=POST)
    codes, slug = make.issue_codes(w, 3)
    return app, base, w, codes, slug


@pytest.fixture
def published(voting):
    """The same conference voted (the second person two thirds low), counted, certified by
    two counters and published."""
    app, base, w, codes, slug = voting
    make = Factory(app)
    client = app.test_client()
    for code, second in zip(codes, ("low", "low", "high")):
        assert cast(client, slug, code, {0: "high", 1: second}).status_code == 200
    make.close_vote(w)
    make.publish_results(w)
    return voting


def _phone(browser):
    return browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)


def _within_phone(box):
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def _assert_labels_whole(cells):
    """Each label inside its cell (none spilling over the next), each cell on the screen."""
    for cell in cells:
        assert cell["labelHeight"] <= cell["clientHeight"], cell
        assert cell["scrollHeight"] <= cell["clientHeight"], cell
        assert cell["scrollWidth"] <= cell["clientWidth"], cell
        assert cell["left"] >= 0 and cell["right"] <= PHONE["width"], cell


def _assert_cards(page):
    """One card per person: name, band and every figure under its label, on the screen."""
    from playwright.sync_api import expect

    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(len(NAMES))
    expect(page.locator("#results thead")).to_be_hidden()
    for name in NAMES:
        row = rows.filter(has_text=name)
        title = row.get_by_text(name)
        low = row.locator('td[data-label="Tín nhiệm thấp"]')
        band = row.get_by_text(BANDS[name], exact=True)
        for seen in (title, low, band):
            expect(seen).to_be_visible()
            assert _within_phone(seen.bounding_box()), seen
        # the name spans the card, not a narrow column it wraps in
        assert title.bounding_box()["width"] > PHONE["width"] / 2
        cells = row.evaluate(LABELS)
        assert [c["label"] for c in cells if c["label"] in FIGURES] == FIGURES
        _assert_labels_whole(cells)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_voter_and_staff_read_the_results_as_cards_on_a_phone(published, browser):
    _app, base, w, codes, slug = published
    voter = _phone(browser)
    page = voter.new_page()
    page.goto(f"{base}/v/{slug}")
    page.get_by_label("Mã bỏ phiếu bạn đã dùng").fill(codes[0])
    page.get_by_role("button", name="Xem kết quả").click()
    _assert_cards(page)
    voter.close()

    staff = _phone(browser)
    page = staff.new_page()
    browser_app.sign_in(page, base, w.unit_admin_a1.username, PASSWORD)
    page.goto(f"{base}/conferences/{w.voting.id}/results")
    _assert_cards(page)
    # the consequence of the band stays in the card
    assert _within_phone(page.get_by_text("Cho thôi giữ chức vụ").bounding_box())
    staff.close()


def test_a_desktop_still_shows_the_results_as_a_table(published, browser):
    from playwright.sync_api import expect

    _app, base, w, _codes, _slug = published
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = desk.new_page()
    browser_app.sign_in(page, base, w.unit_admin_a1.username, PASSWORD)
    page.goto(f"{base}/conferences/{w.voting.id}/results")
    headers = page.locator("#results thead th")
    expect(headers).to_have_text(["STT", "Họ và tên", *FIGURES, "Mức"])
    row = page.locator("#results tbody tr").filter(has_text=NAMES[1])
    name, low = row.locator("td").nth(1).bounding_box(), row.locator("td").nth(6).bounding_box()
    assert low["y"] == name["y"] and low["x"] > name["x"] + name["width"]  # one row, side by side
    assert row.locator("td").nth(0).inner_text() == "2"
    desk.close()


def test_each_person_on_the_phone_ballot_has_a_top_edge(voting, browser):
    _app, base, _w, codes, slug = voting
    phone = _phone(browser)
    page = phone.new_page()
    page.goto(f"{base}/v/{slug}?ma={codes[0]}")
    page.get_by_role("button", name="Tiếp tục").click()
    for name in NAMES:
        card = page.get_by_role("group", name=name)
        top, header_top = card.evaluate("""card => [
            parseFloat(getComputedStyle(card).borderTopWidth) || 0,
            card.querySelector('legend').getBoundingClientRect().top
                - card.getBoundingClientRect().top]""")
        # a border, and the header below it rather than drawn over it
        assert top > 0 and header_top >= top, (name, top, header_top)
    phone.close()


def test_the_roll_up_cards_labels_are_not_cut_on_a_phone(published, browser):
    from playwright.sync_api import expect

    _app, base, w, _codes, _slug = published
    phone = _phone(browser)
    page = phone.new_page()
    browser_app.sign_in(page, base, w.viewer_a.username, PASSWORD)
    page.goto(f"{base}/rounds/{w.round_a.id}/rollup")
    rows = page.locator("#rollup tr[data-band]")
    expect(rows).to_have_count(len(NAMES))
    for i in range(len(NAMES)):
        cells = rows.nth(i).evaluate(LABELS)
        assert "Nhóm chức danh" in [c["label"] for c in cells]
        _assert_labels_whole(cells)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.close()
