"""In Chromium: the counting board keys paper ballots with the keyboard alone (#15, finding
1: after each saved ballot the focus was lost, so every ballot needed a click)."""
from tests.conftest import PASSWORD
from tests.factories import Factory, rows
from tests import browser_app
from tinnhiem.tally.models import Ballot

# The browser tests' fixtures: Debian's Chromium, and the app served on a free port.
browser_type_launch_args, live = browser_app.browser_type_launch_args, browser_app.live


def test_a_counter_keys_ballot_after_ballot_without_touching_the_mouse(live, browser):
    from playwright.sync_api import expect

    app, base = live
    make = Factory(app)
    w = make.world()
    make.open_conference(w, mode="paper", people=3, summoned=10, present=8)
    make.close_vote(w, ballots_issued=4)
    page = browser.new_context(viewport={"width": 1280, "height": 700},
                               locale="vi-VN").new_page()
    browser_app.sign_in(page, base, w.counter_a1.username, PASSWORD)
    page.goto(f"{base}/conferences/{w.voting.id}/sheet")
    first_row = page.locator(".paper-key").first
    for number, keys in enumerate(("123", "311", "202"), start=1):
        expect(first_row).to_be_focused()
        for position, key in enumerate(keys):
            page.keyboard.type(key)
            page.keyboard.press("Enter" if position == len(keys) - 1 else "Tab")
        expect(page.get_by_text("Đã nhập phiếu.")).to_be_visible()
        expect(page.locator("#entered")).to_have_text(str(number))
        assert "#" not in page.url
    expect(first_row).to_be_focused()
    assert first_row.evaluate("e => e.getBoundingClientRect().top < window.innerHeight")
    assert len(rows(make, Ballot, conference_id=w.voting.id)) == 3
