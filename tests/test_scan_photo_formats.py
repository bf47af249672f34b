"""Photos of ballots in the formats phones leave them in (#16's leftovers): an iPhone's HEIC,
as copied to a computer, and WebP (what some messaging apps save). Read like a JPEG; refused
clearly when broken or too large, before anything is decoded."""
import io

import cv2
import numpy as np
import pytest

from tests.factories import rows
from tests.scan_corpus import CONFERENCE_ID, TEMPLATE_VERSION, marked_sheet, photographed
from tests.scan_pages import LEVELS, reading_world, sheet, upload_and_read
from tinnhiem.scanning.models import ScanPage
from tinnhiem.scanning.pages import ScanError, pages_of_upload
from tinnhiem.scanning.reader import read_page
from tinnhiem.scanning.uploads import file_kind


def heic(image: np.ndarray, quality: int = 85) -> bytes:
    import pillow_heif
    from PIL import Image

    out = io.BytesIO()
    pillow_heif.from_pillow(Image.fromarray(image).convert("RGB")).save(out, quality=quality)
    return out.getvalue()


def webp(image: np.ndarray, lossless: bool = False) -> bytes:
    quality = 101 if lossless else 85  # OpenCV: above 100 is lossless
    ok, data = cv2.imencode(".webp", image, [cv2.IMWRITE_WEBP_QUALITY, quality])
    assert ok
    return data.tobytes()


def refused(data: bytes) -> ScanError:
    with pytest.raises(ScanError) as caught:
        list(pages_of_upload(data, "upload"))
    return caught.value


@pytest.fixture(scope="module")
def photo():
    """A marked ballot photographed on a phone, and what was marked on it."""
    rng = np.random.default_rng(16)
    drawn = marked_sheet(5, rng, kinds=("mark",), write_ins=False, dpi=200)
    return photographed(drawn.pages[0], rng), drawn


@pytest.mark.parametrize("encode", [heic, webp, lambda image: webp(image, lossless=True)],
                         ids=["heic", "webp", "webp-lossless"])
def test_a_photo_in_another_format_is_read_like_a_jpeg(photo, encode):
    image, drawn = photo
    data = encode(image)
    assert file_kind(data) in ("heif", "webp")
    [page] = pages_of_upload(data, "")
    assert page.ndim == 2 and page.shape == image.shape[:2]
    reading = read_page(page, CONFERENCE_ID, TEMPLATE_VERSION)
    assert [("mark", row.level) for row in reading.rows] == drawn.truth


def test_broken_or_huge_pictures_are_refused_before_decoding(photo, monkeypatch):
    image, _ = photo
    data = heic(image)
    error = refused(data[:len(data) // 2])
    assert error.code == "not_image" and "HEIC, WebP" in str(error.message)
    assert refused(data[:40]).code == "not_image"
    # a WebP announcing 16384 x 16384 pixels (its lossless header's two 14-bit sizes)
    lossless = bytearray(webp(np.zeros((8, 8), np.uint8), lossless=True))
    assert lossless[12:16] == b"VP8L"
    lossless[21:25] = (0x3FFF | 0x3FFF << 14).to_bytes(4, "little")
    assert refused(bytes(lossless)).code == "too_large"
    monkeypatch.setattr("tinnhiem.scanning.pages.MAX_PIXELS", 1000)
    assert refused(data).code == "too_large"  # HEIC: from its header, nothing decoded
    assert refused(webp(image)).code == "too_large"


@pytest.fixture
def world(make):
    return reading_world(make)


def test_a_board_uploads_an_iphone_photo_and_a_webp_and_both_are_counted(make, world, login,
                                                                          client):
    rng = np.random.default_rng(17)
    sheets = [sheet(world, rng) for _ in range(2)]
    files = [("IMG_4021.HEIC", heic(photographed(sheets[0].pages[0], rng))),
             ("zalo.webp", webp(photographed(sheets[1].pages[0], rng)))]
    login(world.counter_a1)
    page = client.get(f"/conferences/{world.voting.id}/scans")
    assert "image/heic" in page.text and "(JPEG, PNG, TIFF, HEIC, WebP)" in page.text
    batch = upload_and_read(make, client, world, files)
    assert (batch.status, batch.pages, batch.pages_read) == ("read", 2, 2)
    pages = sorted(rows(make, ScanPage, batch_id=batch.id), key=lambda p: p.position)
    assert [p.status for p in pages] == ["read", "read"]
    for page, truth in zip(pages, sheets):
        assert [r["mark"] for r in page.rows] == [LEVELS[t[1]] for t in truth.truth]
    image = client.get(f"/conferences/{world.voting.id}/scans/pages/{pages[0].id}.jpg")
    assert image.status_code == 200 and image.data[:3] == b"\xff\xd8\xff"  # shown as JPEG

