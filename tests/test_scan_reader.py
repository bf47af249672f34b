"""The ballot reader (tinnhiem/scanning) on ballots printed by the app, marked and degraded with
known truth (tests/scan_corpus.py). No database: each test runs once."""
import io
import uuid

import cv2
import numpy as np
import pytest

from tests import scan_corpus as corpus
from tinnhiem.conferences import ballot_layout as layout
from tinnhiem.scanning import fingerprint
from tinnhiem.scanning.pages import ScanError, pages_of_upload
from tinnhiem.scanning.reader import read_page


def read(image, conference=corpus.CONFERENCE_ID, version=corpus.TEMPLATE_VERSION):
    return read_page(image, conference, version)


def refused(image_or_bytes):
    with pytest.raises(ScanError) as caught:
        if isinstance(image_or_bytes, bytes):
            list(pages_of_upload(image_or_bytes, "upload"))
        else:
            read(image_or_bytes)
    return caught.value


def png(image) -> bytes:
    return cv2.imencode(".png", image)[1].tobytes()


def test_corpus_no_row_is_read_wrongly_without_being_doubtful(record_property):
    """Ball pen, felt pen and pencil ballots, every kind of row, scanned (200-300 dpi, ±5°,
    noise, dust, some upside down) and photographed (perspective, uneven light, JPEG)."""
    plan = np.random.default_rng(2028)
    rows = doubtful = needless = 0
    wrong = []
    for i in range(8):
        sheet = corpus.marked_sheet(15, plan, tool=corpus.TOOLS[i % 4])
        page = sheet.pages[0]
        down = i % 3 == 1
        for picture, upside_down in (
                (corpus.scanned(page, plan, dpi=(200, 250, 300)[i % 3], upside_down=down), down),
                (corpus.photographed(page, plan, quality=65 + 3 * i), False)):
            reading = read(picture)
            assert reading.upside_down == upside_down
            n, d, bad = corpus.read_truthfully(reading.rows, sheet.truth)
            rows, doubtful, wrong = rows + n, doubtful + d, wrong + bad
            needless += corpus.needless_doubtful(reading.rows, sheet.truth)
    rate = doubtful / rows
    record_property("doubtful_rate", round(rate, 4))
    record_property("needless_doubtful_rate", round(needless / rows, 4))
    print(f"scan corpus: {rows} rows, {doubtful} doubtful ({rate:.1%}), "
          f"{needless} of them needlessly ({needless / rows:.1%}), {len(wrong)} wrong")
    assert wrong == []
    assert rows == 8 * 2 * 15
    # the corpus draws a sixth of its rows as truly doubtful (scribble, across, faint): the
    # reader adds few of its own
    assert needless / rows <= 0.05


def test_each_row_kind_reads_as_domain_md_says():
    plan = np.random.default_rng(5)
    expected = {"mark": "mark", "blank": "blank", "several": "several", "crossed": "crossed",
                "scribble": "doubtful", "across": "doubtful", "faint": "doubtful"}
    for kind, status in expected.items():
        sheet = corpus.marked_sheet(6, plan, kinds=(kind,), write_ins=False)
        # a name written in under the printed rows is ignored
        corpus.write_in(sheet.pages[0], 300, plan, layout.row_top(6) + 1)
        reading = read(corpus.scanned(sheet.pages[0], plan, dpi=250))
        assert [r.status for r in reading.rows] == [status] * 6, kind
        if kind == "mark":
            assert [("mark", r.level) for r in reading.rows] == sheet.truth
            assert [r.mark for r in reading.rows] == [layout.LEVELS[t[1]] for t in sheet.truth]
        assert reading.page == reading.pages == 1 and reading.people == 6


def test_pencil_ballot_reads_as_marks_and_a_faint_mark_on_a_pen_ballot_is_doubtful():
    plan = np.random.default_rng(11)
    pencil = corpus.marked_sheet(8, plan, tool=corpus.PENCIL, kinds=("mark",))
    reading = read(corpus.photographed(pencil.pages[0], plan))
    assert [("mark", r.level) for r in reading.rows] == pencil.truth
    mixed = corpus.marked_sheet(8, plan, kinds=("mark", "faint"))
    reading = read(corpus.scanned(mixed.pages[0], plan, dpi=200))
    assert [r.status for r in reading.rows] == [
        "doubtful" if t == "doubtful" else "mark" for t in mixed.truth]
    assert "doubtful" in mixed.truth
    assert {r.reason for r in reading.rows if r.status == "doubtful"} == {"faint"}


def test_a_long_list_runs_over_pages_each_readable_alone():
    plan = np.random.default_rng(32)
    sheet = corpus.marked_sheet(32, plan, kinds=("mark", "blank"))
    assert len(sheet.pages) == 3
    seen = {}
    for picture in reversed([corpus.scanned(p, plan, dpi=200) for p in sheet.pages]):
        reading = read(picture)
        seen[reading.page] = reading
        assert reading.pages == 3 and reading.people == 32
    assert [len(seen[p].rows) for p in (1, 2, 3)] == [15, 15, 2]
    rows = [r for p in (1, 2, 3) for r in seen[p].rows]
    assert [r.index for r in rows] == list(range(32))
    assert [("mark", r.level) if r.status == "mark" else r.status for r in rows] == sheet.truth


def test_upside_down_sideways_and_steep_pages_are_read():
    plan = np.random.default_rng(9)
    sheet = corpus.marked_sheet(15, plan, kinds=("mark",))
    upright = read(sheet.pages[0])
    assert not upright.upside_down and abs(upright.rotation) < 0.5
    down = read(cv2.rotate(corpus.scanned(sheet.pages[0], plan, dpi=200), cv2.ROTATE_180))
    sideways = read(cv2.rotate(corpus.photographed(sheet.pages[0], plan),
                               cv2.ROTATE_90_CLOCKWISE))
    steep = read(corpus.photographed(sheet.pages[0], plan, tilt=0.08, width=1100))
    assert down.upside_down and not sideways.upside_down and 60 < sideways.rotation < 120
    for reading in (upright, down, sideways, steep):
        assert [("mark", r.level) for r in reading.rows] == sheet.truth


def test_another_conference_or_template_version_is_refused():
    page = corpus.blank_pages(4, 150)[0]
    assert [r.status for r in read(page).rows] == ["blank"] * 4
    other = refused(corpus.blank_pages(4, 150, conference_id=uuid.uuid4())[0])
    assert other.code == "wrong_conference"
    assert str(other.message) == "Trang này là phiếu của một hội nghị khác."
    newer = refused(corpus.blank_pages(4, 150, template_version=4)[0])
    assert newer.code == "wrong_template" and "phiên bản mẫu phiếu khác" in str(newer.message)


def test_the_same_sheet_scanned_twice_is_one_sheet_and_sheets_marked_alike_are_not():
    sheets = [corpus.marked_sheet(15, np.random.default_rng(1), np.random.default_rng(hand))
              for hand in (100, 200)]
    assert sheets[0].truth == sheets[1].truth  # the same choices, by two hands
    noise = np.random.default_rng(3)
    first = read(corpus.scanned(sheets[0].pages[0], noise, dpi=300))
    again = read(corpus.photographed(sheets[0].pages[0], noise))
    twin = read(corpus.scanned(sheets[1].pages[0], noise, dpi=300))
    assert [r.status for r in first.rows] == [r.status for r in twin.rows]
    assert fingerprint.same_sheet(first.fingerprint, again.fingerprint)
    assert not fingerprint.same_sheet(first.fingerprint, twin.fingerprint)
    assert not fingerprint.same_sheet(again.fingerprint, twin.fingerprint)
    prints = [first.fingerprint, twin.fingerprint, again.fingerprint]
    assert [(i, j) for i, j, _score in fingerprint.find_duplicates(prints)] == [(0, 2)]
    # a blank page has nothing of a hand on it: never taken for another
    blank = read(corpus.scanned(corpus.blank_pages(15)[0], noise, dpi=200))
    assert blank.fingerprint.empty and not fingerprint.same_sheet(blank.fingerprint,
                                                                   blank.fingerprint)


def test_uploads_are_split_into_pages():
    pdf = corpus.ballot_pdf(20)
    pages = list(pages_of_upload(pdf, "phieu.pdf"))
    assert len(pages) == 2 and pages[0].shape == (2339, 1654)  # A4 at 200 dpi
    assert [read(p).page for p in pages] == [1, 2]
    scans = [corpus.scanned(p, np.random.default_rng(0), dpi=200) for p in
             corpus.blank_pages(20)]
    ok, tiff = cv2.imencodemulti(".tiff", scans)
    assert ok and len(list(pages_of_upload(tiff.tobytes(), "scan.tiff"))) == 2
    jpeg = cv2.imencode(".jpg", scans[0])[1].tobytes()
    assert len(list(pages_of_upload(jpeg, "anh.jpg"))) == 1
    # a scanner's PDF: each page's JPEG decoded straight at a quarter of its 300 dpi
    plan = np.random.default_rng(6)
    sheet = corpus.marked_sheet(20, plan, kinds=("mark",))
    scanned = [corpus.scanned(p, plan, dpi=300) for p in sheet.pages]
    pages = list(pages_of_upload(corpus.scanner_pdf(scanned), "may-quet.pdf"))
    assert [p.shape for p in pages] == [tuple(-(-n // 4) for n in s.shape) for s in scanned]
    rows = [r for p in pages for r in read(p).rows]
    assert [("mark", r.level) for r in rows] == sheet.truth


def test_bad_files_are_refused_with_a_clear_message(monkeypatch):
    from pypdf import PdfReader, PdfWriter

    pdf = corpus.ballot_pdf(4)
    error = refused(b"Hello, these are not pictures")
    assert error.code == "not_image" and "JPEG, PNG, TIFF" in str(error.message)
    assert refused(pdf[:len(pdf) // 3]).code == "corrupt_pdf"
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt("mat-khau")
    locked = io.BytesIO()
    writer.write(locked)
    error = refused(locked.getvalue())
    assert error.code == "encrypted_pdf" and "mật khẩu" in str(error.message)
    # a picture announcing 100,000 x 100,000 pixels is refused before it is decoded
    bomb = png(np.zeros((8, 8), np.uint8))
    bomb = bomb[:16] + (100000).to_bytes(4, "big") * 2 + bomb[24:]
    assert refused(bomb).code == "too_large"
    monkeypatch.setattr("tinnhiem.scanning.pages.MAX_BYTES", 1000)
    assert refused(pdf).code == "too_large"


def test_bad_pictures_are_refused_with_a_clear_message():
    rng = np.random.default_rng(4)
    page = corpus.blank_pages(15)[0]
    scan = corpus.scanned(page, rng, dpi=200)
    table = np.full((1500, 1100), 120, np.uint8)  # a photo with no ballot in it
    cv2.circle(table, (500, 700), 300, 40, -1)
    error = refused(table)
    assert error.code == "no_ballot" and "bốn ô vuông đen" in str(error.message)
    error = refused(scan[: scan.shape[0] * 3 // 4])
    assert error.code == "cut_off" and "đủ bốn góc" in str(error.message)
    error = refused(cv2.GaussianBlur(scan, (0, 0), 4))
    assert error.code == "unreadable" and "quá mờ" in str(error.message)
    # a little soft, or dim, is still read
    assert len(read(cv2.GaussianBlur(scan, (0, 0), 1.5)).rows) == 15
    assert len(read((scan * 0.35).astype(np.uint8)).rows) == 15


def test_printed_ballots_are_alike_and_each_page_names_itself():
    """Nothing on a printed ballot tells one copy from another; every page's QR code names
    the conference, the template version, the page, the page count and the people."""
    import pypdfium2 as pdfium

    from tests.documents import pdf_text

    first, second = corpus.ballot_pdf.__wrapped__(32), corpus.ballot_pdf(32)
    assert "Trang 1/3" in pdf_text(first) and "Trang 3/3" in pdf_text(first)
    detector = cv2.QRCodeDetector()
    for number, (a, b) in enumerate(zip(pdfium.PdfDocument(first), pdfium.PdfDocument(second)),
                                    start=1):
        pixels = [p.render(scale=100 / 72, grayscale=True).to_numpy() for p in (a, b)]
        assert np.array_equal(*pixels)
        text = detector.detectAndDecode(np.ascontiguousarray(pixels[0][..., 0]
                                                             if pixels[0].ndim == 3
                                                             else pixels[0]))[0]
        assert text == f"TN1:{corpus.CONFERENCE_ID.hex.upper()}:3:{number}:3:32"


@pytest.mark.parametrize("how", corpus.CROSSINGS)
def test_a_name_struck_through_at_any_slant_is_crossed(how):
    """Along the name, at a slant, corner to corner or with an X, in pen or pencil, scanned or
    photographed: the row is crossed out (invalid for that person), never read as its mark."""
    rng = np.random.default_rng(40 + corpus.CROSSINGS.index(how))
    for tool in (corpus.PEN, corpus.PENCIL):
        page = corpus.blank_pages(10, 200)[0].copy()
        for slot in range(0, 10, 2):  # every other name struck, each row marked
            corpus.cross_out(page, layout.name_rect(slot), 200, rng, tool, how)
        for slot in range(10):
            corpus.draw_mark(page, layout.box_rect(slot, slot % 3), "x", 200, rng, tool)
        for picture in (corpus.scanned(page, rng, dpi=200, source_dpi=200),
                        corpus.photographed(page, rng)):
            rows = read(picture).rows
            assert [r.status for r in rows[0::2]] == ["crossed"] * 5, (tool, how)
            assert [(r.status, r.level) for r in rows[1::2]] == [
                ("mark", slot % 3) for slot in range(1, 10, 2)], (tool, how)

