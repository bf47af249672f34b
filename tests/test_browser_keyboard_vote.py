"""In Chromium: a voter who uses no pointer (a keyboard, a switch, a screen reader) votes from
the code to the receipt with keys alone, and each page names its parts as a screen reader
reads them: a banner, the main content, one group per person named by that person, each
level a named radio button (#15, accessibility)."""
from tests import browser_app
from tests.factories import Factory, rows
from tinnhiem.tally.models import BallotMark

browser_type_launch_args, live = browser_app.browser_type_launch_args, browser_app.live
LEVELS = ("Tín nhiệm cao", "Tín nhiệm", "Tín nhiệm thấp")
# What each person gets: arrows move within a person's levels, Space picks the first.
KEYS = {0: (["Space"], "high"), 1: (["ArrowRight"], "confidence"),
        2: (["ArrowRight", "ArrowRight"], "low")}


def _focused_name(page) -> str:
    return page.evaluate("document.activeElement.getAttribute('name') || ''")


def _tab_to(page, name: str, most: int = 10) -> None:
    for _ in range(most):
        if _focused_name(page) == name:
            return
        page.keyboard.press("Tab")
    assert _focused_name(page) == name, f"{name} not reached with {most} tabs"


def test_a_voter_votes_with_the_keyboard_alone_and_hears_each_part_named(live, browser):
    from playwright.sync_api import expect

    app, base = live
    make = Factory(app)
    world = make.world()
    make.open_conference(world, people=3, summoned=5)
    issued, slug = make.issue_codes(world, 1)
    page = browser.new_context(viewport=browser_app.PHONE, locale="vi-VN").new_page()
    page.goto(f"{base}/v/{slug}")
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    code = page.get_by_role("textbox", name="Mã bỏ phiếu", exact=True)
    _tab_to(page, "code")
    page.keyboard.type(issued[0])
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for index, person in enumerate(world.people):
        group = page.get_by_role("group", name=f"{index + 1}. {person.full_name}")
        expect(group).to_have_count(1)
        for level in LEVELS:
            expect(group.get_by_role("radio", name=level, exact=True)).to_have_count(1)
    for index, person in enumerate(world.people):
        # Past the skip link (first) and the person's self-assessment report link; a
        # person's three levels are one stop, so one Tab leaves them.
        _tab_to(page, f"p-{person.id}", most=10 if index == 0 else 2)
        for key in KEYS[index][0]:
            page.keyboard.press(key)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Xem lại phiếu")).to_be_focused()
    page.keyboard.press("Enter")

    send = page.get_by_role("button", name="Gửi phiếu")
    expect(send).to_be_visible()
    while not send.evaluate("b => b === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#tracker")).to_be_visible()
    stored = {mark.nominee_id: mark.mark for mark in rows(make, BallotMark)}
    assert stored == {person.id: KEYS[index][1] for index, person in enumerate(world.people)}
    assert code.count() == 0  # the receipt asks for nothing more
