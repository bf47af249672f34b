"""A board's upload read by the job, page by page, into what the board works on: the marks
of the real printed ballot, the same sheet scanned twice kept apart, another conference's
page refused, a broken file said so; every figure the board's pages show."""
import uuid

import cv2
import numpy as np
import pytest

from tinnhiem.scanning.models import ScanFile, ScanPage
from tests.factories import rows
from tests.scan_pages import LEVELS, reading_world, sheet, upload_and_read
from tests.scan_corpus import photographed, scanned



@pytest.fixture
def world(make):
    return reading_world(make)


def jpeg(image) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return data.tobytes()


def test_scans_and_photos_are_read_row_by_row_and_a_second_scan_is_not_counted(
        make, world, login, client):
    rng = np.random.default_rng(11)
    sheets = [sheet(world, rng) for _ in range(3)]
    files = [(f"quet-{i}.jpg", jpeg(scanned(s.pages[0], rng, dpi=200, source_dpi=200)))
             for i, s in enumerate(sheets)]
    files.append(("dien-thoai.jpg", jpeg(photographed(sheets[1].pages[0], rng))))  # sheet 2
    files.append(("hoi-nghi-khac.jpg", jpeg(scanned(sheet(world, rng, uuid.uuid4()).pages[0],
                                                    rng, dpi=200, source_dpi=200))))
    login(world.counter_a1)
    batch = upload_and_read(make, client, world, files)
    assert (batch.status, batch.pages, batch.pages_read, batch.doubts) == ("read", 5, 5, 0)
    pages = sorted(rows(make, ScanPage, batch_id=batch.id), key=lambda p: p.position)
    assert [p.status for p in pages] == ["read", "read", "read", "duplicate", "refused"]
    assert pages[3].duplicate_of == pages[1].id and pages[4].error_code == "wrong_conference"
    for page, truth in zip(pages, sheets):
        assert [r["mark"] for r in page.rows] == [LEVELS[t[1]] for t in truth.truth]
        assert page.digest and len(page.digest) == 64
    assert not rows(make, ScanFile)  # the upload is gone once read; the pages stay
    overview = client.get(f"/conferences/{world.voting.id}/scans").text
    assert 'id="summary-kept">3<' in overview and 'id="summary-duplicates">1<' in overview
    assert 'http-equiv="refresh"' not in overview and "Đã đọc 3 phiếu." in overview
    detail = client.get(f"/conferences/{world.voting.id}/scans/{batch.id}").text
    assert "Quét trùng, không đếm" in detail
    assert "Trang này là phiếu của một hội nghị khác." in detail
    image = client.get(f"/conferences/{world.voting.id}/scans/pages/{pages[0].id}.jpg")
    assert image.status_code == 200 and image.data[:3] == b"\xff\xd8\xff"


def test_a_broken_pdf_fails_the_batch_with_its_reason(make, world, login, client):
    login(world.counter_a1)
    batch = upload_and_read(make, client, world, [("hong.pdf", b"%PDF-1.7\nnot really")])
    assert (batch.status, batch.error_code) == ("failed", "corrupt_pdf")
    assert not rows(make, ScanFile)
    page = client.get(f"/conferences/{world.voting.id}/scans").text
    assert "Không đọc được" in page and "Tệp PDF bị hỏng hoặc không đọc được." in page


def test_a_photo_with_no_ballot_is_refused_and_shown(make, world, login, client):
    noise = np.random.default_rng(3).integers(0, 255, (900, 700), dtype=np.uint8)
    login(world.counter_a1)
    batch = upload_and_read(make, client, world, [("meo.jpg", jpeg(noise))])
    [page] = rows(make, ScanPage, batch_id=batch.id)
    assert (batch.status, page.status, page.error_code) == ("read", "refused", "no_ballot")
    assert 'id="summary-refused">1<' in client.get(f"/conferences/{world.voting.id}/scans").text
    detail = client.get(f"/conferences/{world.voting.id}/scans/{batch.id}").text
    assert "Không tìm thấy phiếu trong ảnh" in detail
