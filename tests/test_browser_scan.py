"""In Chromium, the issue's whole path (#16): a counter uploads a scanner's PDF of a paper
conference, the board settles the doubtful row with a second member, passes the blind check,
accepts the reading, and the count is the truth."""
import numpy as np

from tests import browser_app
from tests.conftest import PASSWORD
from tests.factories import Factory, rows
from tests.scan_corpus import marked_sheet, scanned
from tests.scan_pages import scanner_pdf
from tinnhiem.conferences import services as conferences
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.jobs_consumer import running
from tinnhiem.rounds.services import frozen_template
from tinnhiem.tally.models import BallotMark, TallySheet

browser_type_launch_args, live = browser_app.browser_type_launch_args, browser_app.live
LEVELS = ("high", "confidence", "low")
KEYS = {"high": "1", "confidence": "2", "low": "3"}
DPI = 200


def _paper_conference(make):
    w = make.world()
    w.counter_b = make.account(Role.COUNTER, w.a1)
    make.open_conference(w, mode="paper", people=3, summoned=8, present=8)
    make.close_vote(w, ballots_issued=8)
    w.version = make._run(lambda s: frozen_template(s, conferences.get_conference(
        s, w.voting.id).template_id).version)
    return w


def _ballots(w):
    """Six marked ballots scanned into one PDF, the fourth with one mark across two boxes
    (the board's to decide: it decides "low"); the truth of each, as marks."""
    rng = np.random.default_rng(5)
    images, truth = [], []
    for number in range(6):
        sheet = _one_across(w, rng) if number == 3 else _sheet(w, rng, ("mark",))
        images.append(scanned(sheet.pages[0], rng, dpi=DPI, source_dpi=DPI))
        truth.append(["low" if t == "doubtful" else LEVELS[t[1]] for t in sheet.truth])
    return scanner_pdf(images, DPI), truth


def _sheet(w, rng, kinds):
    return marked_sheet(3, rng, kinds=kinds, dpi=DPI, write_ins=False,
                        conference_id=w.voting.id, template_version=w.version)


def _one_across(w, rng):
    while True:
        sheet = _sheet(w, rng, ("mark", "across"))
        if sum(1 for t in sheet.truth if t == "doubtful") == 1:
            return sheet


def test_a_board_reads_a_paper_conference_from_a_scan_and_the_count_is_the_truth(
        live, browser):
    from playwright.sync_api import expect

    app, base = live
    make = Factory(app)
    w = _paper_conference(make)
    pdf, truth = _ballots(w)
    path = f"{base}/conferences/{w.voting.id}/scans"
    first = browser.new_context(locale="vi-VN").new_page()
    second = browser.new_context(locale="vi-VN").new_page()
    browser_app.sign_in(first, base, w.counter_a1.username, PASSWORD)
    browser_app.sign_in(second, base, w.counter_b.username, PASSWORD)
    with running(app):
        first.goto(path)
        first.locator("#upload-files").set_input_files(
            files=[{"name": "may-quet.pdf", "mimeType": "application/pdf", "buffer": pdf}])
        first.get_by_role("button", name="Tải lên và đọc").click()
        expect(first.locator("#summary-kept")).to_have_text("6", timeout=60_000)
    expect(first.locator("#scan-problems")).to_contain_text("chưa được hai thành viên")

    for page in (first, second):  # one proposes, the other confirms
        page.goto(f"{path}/review")
        page.locator("label", has_text="Tín nhiệm thấp").first.click()
        page.locator("main form button[type=submit]").first.click()
        expect(page.get_by_text("Đã ghi ý kiến cho dòng")).to_be_visible()
    expect(second.get_by_text("Đã quyết định: Tín nhiệm thấp")).to_be_visible()

    first.goto(f"{path}/check")
    first.get_by_role("button", name="Rút phiếu").click()
    links = first.get_by_role("link", name="Nhập từ phiếu giấy")
    expect(links).to_have_count(5)
    for _ in range(5):
        first.get_by_role("link", name="Nhập từ phiếu giấy").first.click()
        image = first.locator("img").first.get_attribute("src")
        page_id = image.rsplit("/", 1)[1].removesuffix(".jpg")
        marks = _truth_of_page(make, page_id, truth)
        for position, mark in enumerate(marks):
            first.keyboard.type(KEYS[mark])
            first.keyboard.press("Enter" if position == len(marks) - 1 else "Tab")
        expect(first.get_by_text("Đã lưu phiếu kiểm tra.")).to_be_visible()
    expect(first.locator("#checks")).not_to_contain_text("Khác kết quả đọc")

    first.goto(path)
    first.locator("summary", has_text="Nhận kết quả đọc").click()
    first.get_by_label("Số phiếu thu về (đếm trong thùng phiếu)").fill("6")
    first.get_by_role("button", name="Nhận làm bảng nhập của tôi và nộp").click()
    expect(first.get_by_text("Đã nhận kết quả đọc làm bảng nhập của bạn và nộp bảng.")) \
        .to_be_visible()
    [sheet] = rows(make, TallySheet)
    people = {p.id: i for i, p in enumerate(w.people)}
    counted = {}
    for mark in rows(make, BallotMark):
        counted.setdefault(mark.ballot_id, [None] * 3)[people[mark.nominee_id]] = mark.mark
    assert sheet.submitted and sorted(counted.values()) == sorted(truth)


def _truth_of_page(make, page_id, truth):
    """The paper in the counter's hand: the ballot this page is, by the order it was
    scanned."""
    import uuid

    from tinnhiem.scanning.models import ScanPage

    [page] = rows(make, ScanPage, id=uuid.UUID(page_id))
    return truth[page.position]
