"""Scanned pages as the reader would have stored them, for the board's tests (no images read:
tests/test_scan_reader.py tests the reader itself)."""
import uuid

from tinnhiem.scanning.models import ScanBatch, ScanPage

LEVELS = ("high", "confidence", "low")  # a read mark's level, by its box
LEVEL = {"1": "high", "2": "confidence", "3": "low", "0": "blank", "4": "several",
         "5": "crossed"}


def board_world(make):
    """A closed paper conference of unit A1 (3 people, 12 ballots issued) whose board has
    two counters: world.counter_a1 and world.counter_a1_b."""
    from tinnhiem.platform.auth.roles import Role

    w = make.world()
    w.counter_a1_b = make.account(Role.COUNTER, w.a1)
    make.open_conference(w, mode="paper", people=3, summoned=12, present=12)
    make.close_vote(w, ballots_issued=12)
    return w


def reading_world(make):
    """board_world, with world.version: its ballot template's version, which the printed
    ballot's QR codes carry (for ballots drawn by tests/scan_corpus.py and then read)."""
    from tinnhiem.conferences import services as conferences
    from tinnhiem.rounds.services import frozen_template

    w = board_world(make)
    w.version = make._run(lambda s: frozen_template(s, conferences.get_conference(
        s, w.voting.id).template_id).version)
    return w


def sheet(world, rng, conference_id=None):
    """A ballot of the reading world's conference (or another's), marked at random: one
    clear mark a row."""
    from tests.scan_corpus import marked_sheet

    return marked_sheet(3, rng, kinds=("mark",), write_ins=False, dpi=200,
                        conference_id=conference_id or world.voting.id,
                        template_version=world.version)


def upload_and_read(make, client, world, files):
    """The signed-in board member uploads `files` (name, bytes); the batch is read as the
    worker reads it. Returns the batch, read."""
    import io

    from tests.factories import rows
    from tinnhiem.scanning import jobs

    answer = client.post(f"/conferences/{world.voting.id}/scans",
                         content_type="multipart/form-data",
                         data={"upload-files": [(io.BytesIO(d), n) for n, d in files]})
    assert answer.status_code == 302, answer.status_code
    [batch] = [b for b in rows(make, ScanBatch) if b.status == "queued"]
    with make.app.app_context():  # what the worker does with the queued job
        jobs.read_batch(province_id=str(batch.province_id), unit_id=str(batch.unit_id),
                        batch_id=str(batch.id))
    return rows(make, ScanBatch, id=batch.id)[0]


def row(index: int, key: str) -> dict:
    """One row: a paper entry key, or "?" for a doubtful mark."""
    if key == "?":
        return {"index": index, "status": "doubtful", "mark": None, "reason": "faint"}
    mark = LEVEL[key]
    status = mark if mark in ("blank", "several", "crossed") else "mark"
    return {"index": index, "status": status, "mark": mark}


def scanned(make, world, ballots: list[str], per_page: int | None = None, status="read",
            conference=None):
    """A read batch for world.voting (or `conference`): one ballot per string of keys (row by
    row); with `per_page`, a ballot spreads over pages of that many rows. Returns the pages'
    ids."""
    conference = conference or world.voting

    def create(session):
        batch = ScanBatch(id=uuid.uuid4(), conference_id=conference.id,
                          uploaded_by=world.counter_a1.id, name="may-quet.pdf", status=status,
                          pages=0, pages_read=0, doubts=0, province_id=conference.province_id,
                          unit_id=conference.unit_id)
        session.add(batch)
        session.flush()
        ids = []
        for keys in ballots:
            size = per_page or len(keys)
            chunks = [range(start, min(start + size, len(keys)))
                      for start in range(0, len(keys), size)]
            for number, chunk in enumerate(chunks, start=1):
                rows = [row(i, keys[i]) for i in chunk]
                page = ScanPage(
                    id=uuid.uuid4(), batch_id=batch.id, conference_id=conference.id,
                    position=batch.pages_read, page_number=number, page_count=len(chunks),
                    status="doubtful" if any(r["status"] in ("doubtful", "crossed")
                                             for r in rows) else "read",
                    rows=rows, image=b"\xff\xd8 page", province_id=conference.province_id,
                    unit_id=conference.unit_id)
                session.add(page)
                batch.pages_read += 1
                ids.append(page.id)
        batch.pages = batch.pages_read
        return ids

    return make._run(create)


def drawn(make, world, page_id, conference=None):
    """A blind check drawn on the ballot starting at `page_id`; returns its id."""
    from tinnhiem.scanning.models import ScanCheck

    conference = conference or world.voting

    def create(session):
        check = ScanCheck(id=uuid.uuid4(), conference_id=conference.id, page_id=page_id,
                          province_id=conference.province_id, unit_id=conference.unit_id)
        session.add(check)
        return check.id

    return make._run(create)


def scanner_pdf(images, dpi: int) -> bytes:
    """A scanner's multi-page PDF: each grey image a JPEG on a page of its size at `dpi`."""
    import io

    import cv2
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    for image in images:
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
        assert ok
        width, height = (image.shape[1] * 72 / dpi, image.shape[0] * 72 / dpi)
        picture = pdfium.PdfImage.new(document)
        picture.load_jpeg(io.BytesIO(encoded.tobytes()))
        picture.set_matrix(pdfium.PdfMatrix().scale(width, height))
        page = document.new_page(width, height)
        page.insert_obj(picture)
        page.gen_content()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
