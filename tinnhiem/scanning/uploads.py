"""What the counting board uploads to be read: a scanner's PDF, photos or images of paper
ballots. Checked and stored in one transaction (nothing half-written); read later, off the
request, by scanning.jobs. The caller commits, then enqueues the batch."""
import datetime as dt
import unicodedata
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tinnhiem.conferences.lifecycle import audit_conference
from tinnhiem.platform.errors import ServiceError
from tinnhiem.rounds.models import utc_now
from tinnhiem.scanning.models import ScanBatch, ScanFile
from tinnhiem.voting.paper import require_entry_open

# By their first bytes, never by the name or the type the browser claims.
SIGNATURES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png",
              b"II*\x00": "tiff", b"MM\x00*": "tiff"}
# An iPhone's photo (HEIC), as copied to a computer: an ISO box file whose first box names
# one of these brands. AVIF is the same container with AV1, which the reader cannot decode.
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
MAX_FILES = 1000  # a pile of phone photos; a scanner sends one PDF
NAME_LENGTH = 200


def file_kind(data: bytes) -> str | None:
    """"pdf", "jpeg", "png", "tiff", "heif", "webp", or None for anything the reader cannot
    open."""
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "heif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((kind for magic, kind in SIGNATURES.items() if data.startswith(magic)), None)


def shown_name(name) -> str:
    """A file's name as the board sees it: what the browser sent, without control
    characters or lone surrogates (a name is a label here, never a path), bounded."""
    kept = "".join(c for c in str(name or "") if unicodedata.category(c) not in ("Cc", "Cs"))
    return kept.strip()[:NAME_LENGTH]


def _checked_files(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    files = [(shown_name(name), data) for name, data in files if data]
    if not files:
        raise ServiceError("no_file", _l("Hãy chọn tệp PDF hoặc ảnh phiếu."), field="files")
    if len(files) > MAX_FILES:
        raise ServiceError("too_many_files", _l("Mỗi lần tải lên tối đa %(n)d tệp.", n=MAX_FILES),
                           field="files", status=413)
    for name, data in files:
        if file_kind(data) is None:
            raise ServiceError(
                "not_a_scan", _l("Tệp %(name)s không phải PDF hay ảnh (JPEG, PNG, TIFF, HEIC,"
                                 " WebP).", name=name[:NAME_LENGTH] or "?"),
                field="files", status=415)
    return files


def _batch_name(files) -> str:
    first = files[0][0] or "?"
    name = first if len(files) == 1 else f"{first} (+{len(files) - 1})"
    return name[:NAME_LENGTH]


def store_upload(session, actor, conference, files: list[tuple[str, bytes]]) -> ScanBatch:
    """A batch of `files` (name, bytes) waiting to be read, for a paper conference whose
    entry is open (scanning is a way of entering its ballots)."""
    require_entry_open(conference)
    files = _checked_files(files)
    owner = {"province_id": conference.province_id, "unit_id": conference.unit_id}
    batch = ScanBatch(id=uuid.uuid4(), conference_id=conference.id, uploaded_by=actor.id,
                      name=_batch_name(files), status="queued", pages=0, pages_read=0,
                      doubts=0, **owner)
    session.add(batch)
    session.flush()
    session.add_all(ScanFile(id=uuid.uuid4(), batch_id=batch.id, position=position,
                             name=name[:NAME_LENGTH], data=data, **owner)
                    for position, (name, data) in enumerate(files))
    session.flush()
    audit_conference(session, actor, "scan.uploaded", conference, batch=str(batch.id),
                     files=len(files), bytes=sum(len(data) for _name, data in files))
    return batch


def list_batches(session, conference) -> list[ScanBatch]:
    return list(session.scalars(select(ScanBatch).where(
        ScanBatch.conference_id == conference.id).order_by(ScanBatch.created_at, ScanBatch.id)))


def get_batch(session, conference, batch_id) -> ScanBatch | None:
    return session.scalar(select(ScanBatch).where(ScanBatch.conference_id == conference.id,
                                                  ScanBatch.id == batch_id))


# A batch queued or being read this long ago has lost its job (a worker stopped mid-way: jobs
# are not run twice by themselves); the board may start it again.
STALLED = dt.timedelta(minutes=15)


def may_read_again(session, batch, now: dt.datetime | None = None) -> bool:
    """Whether the batch can be read again: its files are still kept (they go once it is
    read through), and its reading failed or stalled."""
    if batch.status == "read":
        return False
    if batch.status in ("queued", "reading") and \
            (now or utc_now()) - batch.created_at < STALLED:
        return False
    return session.scalar(select(ScanFile.id).where(ScanFile.batch_id == batch.id)
                          .limit(1)) is not None


def read_again(session, actor, conference, batch) -> ScanBatch:
    """Queue a failed or stalled batch again (the caller sends its job); its pages read so
    far are read again from the start."""
    require_entry_open(conference)
    if not may_read_again(session, batch):
        raise ServiceError("not_stalled", _l("Tệp này đang được đọc hoặc đã đọc xong."),
                           status=409)
    batch.status, batch.error_code = "queued", None
    session.flush()
    audit_conference(session, actor, "scan.read_again", conference, batch=str(batch.id))
    return batch
