"""Reading a stored batch page by page, off the request (scanning.jobs runs it): each page is
read, kept with its image and committed at once, so the board's page shows the progress and a
stopped worker loses one page at most. Pages of this conference's ballot are compared with
every page read before, in any batch: the same sheet scanned twice is kept as a duplicate,
shown and never counted."""
import hashlib
import io

import cv2
import numpy as np
from sqlalchemy import delete, select

from tinnhiem.conferences.lifecycle import audit_conference
from tinnhiem.conferences.services import get_conference
from tinnhiem.platform.errors import ServiceError
from tinnhiem.rounds.services import frozen_template
from tinnhiem.scanning import read_pages
from tinnhiem.scanning.fingerprint import Fingerprint, same_sheet
from tinnhiem.scanning.models import ScanBatch, ScanFile, ScanPage
from tinnhiem.scanning.pages import ScanError, pages_of_upload
from tinnhiem.scanning.reader import CROSSED, DOUBTFUL, read_page

# What the board looks at to decide a row: enough to see a faint mark, small enough to keep
# 500 ballots in the unit's database.
IMAGE_HEIGHT = 1400
JPEG_QUALITY = 80


def read_stored_batch(session, batch_id) -> ScanBatch | None:
    """Read every page of a queued batch (in the caller's unit scope), committing each."""
    batch = session.get(ScanBatch, batch_id)
    if batch is None or batch.status not in ("queued", "reading"):
        return batch  # read already, or gone with its conference
    conference = get_conference(session, batch.conference_id)
    version = frozen_template(session, conference.template_id).version
    files = session.execute(select(ScanFile.id, ScanFile.name).where(
        ScanFile.batch_id == batch.id).order_by(ScanFile.position)).all()
    seen = _seen(session, conference)
    batch.status, batch.pages, batch.pages_read, batch.doubts = "reading", 0, 0, 0
    session.execute(delete(ScanPage).where(ScanPage.batch_id == batch.id)
                    .execution_options(synchronize_session=False))  # a restarted read
    first_error = None
    for file_id, name in files:
        data = session.scalar(select(ScanFile.data).where(ScanFile.id == file_id))
        batch.pages += max(count_pages(data), 1)
        session.commit()
        try:
            for image in pages_of_upload(data, name):
                _read_one(session, batch, conference, version, image, seen)
                session.commit()
        except ScanError as error:
            first_error = first_error or error.code
            _keep(session, batch, status="refused", error_code=error.code)
            session.commit()
    _finish(session, batch, conference, first_error)
    session.commit()
    return batch


def count_pages(data: bytes) -> int:
    """Pages in a file before reading it, for the progress bar: a PDF's count, else one (a
    multi-page TIFF's grow as they are read); 0 for a PDF that does not open (reading it
    says why)."""
    try:
        if data[:5] == b"%PDF-":
            import pypdfium2 as pdfium

            document = pdfium.PdfDocument(data)
            try:
                return len(document)
            finally:
                document.close()
    except Exception:  # anything broken: pages_of_upload refuses it with its reason
        return 0
    return 1


def _seen(session, conference) -> dict:
    """page number -> [(page id, what it said, fingerprint)] of the conference's pages read
    so far."""
    seen = {}
    for page_id, number, rows, packed in read_pages.fingerprints(session, conference):
        seen.setdefault(number, []).append((page_id, _said(rows), unpack(number, packed)))
    return seen


def _said(rows) -> tuple:
    return tuple((r["index"], r["status"], r["mark"]) for r in rows or [])


def _read_one(session, batch, conference, version, image, seen) -> None:
    try:
        reading = read_page(image, conference.id, version)
    except ScanError as error:
        _keep(session, batch, status="refused", error_code=error.code, image=image)
        return
    upright = cv2.rotate(image, cv2.ROTATE_180) if reading.upside_down else image
    rows = [_row(r) for r in reading.rows]
    # The same sheet scanned twice reads the same, row by row: two sheets that read
    # differently are never taken for one, however alike their ink.
    said = _said(rows)
    earlier = next((page_id for page_id, page_said, print_ in seen.get(reading.page, [])
                    if page_said == said and same_sheet(print_, reading.fingerprint)), None)
    doubts = sum(1 for r in reading.rows if r.status in (DOUBTFUL, CROSSED))
    if earlier is not None:
        status = "duplicate"
    else:
        status = "doubtful" if doubts else "read"
        batch.doubts += doubts
    page = _keep(session, batch, status=status, image=upright, page_number=reading.page,
                 page_count=reading.pages, rows=rows, fingerprint=pack(reading.fingerprint),
                 duplicate_of=earlier)
    if earlier is None:
        seen.setdefault(reading.page, []).append((page.id, said, reading.fingerprint))


def _row(row) -> dict:
    return {"index": row.index, "status": row.status, "mark": row.mark,
            "fills": [round(float(f), 3) for f in row.fills], "reason": row.reason}


def _keep(session, batch, *, status, image=None, **fields) -> ScanPage:
    jpeg = None if image is None else page_jpeg(image)
    page = ScanPage(batch_id=batch.id, conference_id=batch.conference_id,
                    position=batch.pages_read, status=status, image=jpeg,
                    digest=None if jpeg is None else hashlib.sha256(jpeg).hexdigest(),
                    province_id=batch.province_id, unit_id=batch.unit_id, **fields)
    session.add(page)
    batch.pages_read += 1
    batch.pages = max(batch.pages, batch.pages_read)
    session.flush()
    return page


def _finish(session, batch, conference, first_error) -> None:
    session.execute(delete(ScanFile).where(ScanFile.batch_id == batch.id)
                    .execution_options(synchronize_session=False))
    pages = read_pages.batch_pages(session, batch)
    if first_error and not any(p.status != "refused" for p in pages):
        batch.status, batch.error_code = "failed", first_error
    else:
        batch.status = "read"
    batch.pages = batch.pages_read
    counts = {state: sum(1 for p in pages if p.status == state)
              for state in ("read", "doubtful", "duplicate", "refused")}
    audit_conference(session, None, "scan.read", conference, batch=str(batch.id),
                     doubts=batch.doubts, **counts)


def page_jpeg(image: np.ndarray) -> bytes:
    """The page as the board sees it: grey, IMAGE_HEIGHT pixels high at most, JPEG."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if grey.shape[0] > IMAGE_HEIGHT:
        width = round(grey.shape[1] * IMAGE_HEIGHT / grey.shape[0])
        grey = cv2.resize(grey, (width, IMAGE_HEIGHT), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ServiceError("reader_failed", "JPEG")
    return encoded.tobytes()


def pack(fingerprint: Fingerprint) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, fingerprint.cells, allow_pickle=False)
    return buffer.getvalue()


def unpack(page: int, packed: bytes) -> Fingerprint:
    return Fingerprint(page, np.load(io.BytesIO(packed), allow_pickle=False))
