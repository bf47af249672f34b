"""The scans' one background job: read a stored batch in its unit's scope (platform.jobs runs
it in a worker, off any web request)."""
import uuid

from tinnhiem.platform.db import db
from tinnhiem.platform.jobs import job
from tinnhiem.scanning.models import ScanBatch
from tinnhiem.tenants.job_scope import bind_job_scope


def _ids(batch: ScanBatch) -> dict:
    return {"province_id": str(batch.province_id), "unit_id": str(batch.unit_id),
            "batch_id": str(batch.id)}


def read_when_committed(batch: ScanBatch) -> None:
    """Queue the batch for reading; platform.jobs sends it when the upload commits."""
    read_batch.enqueue(**_ids(batch))


def _bound(province_id: str, unit_id: str):
    bind_job_scope(db.session, province_id, unit_id)
    return db.session


@job("scan.read_batch")
def read_batch(province_id: str, unit_id: str, batch_id: str) -> None:
    """Only ids travel through the queue; the images stay in the unit's database."""
    # OpenCV and pdfium load here, in the worker: a web process never needs them.
    from tinnhiem.scanning.reading import read_stored_batch

    read_stored_batch(_bound(province_id, unit_id), uuid.UUID(batch_id))


@read_batch.on_failure
def _read_failed(province_id: str, unit_id: str, batch_id: str) -> None:
    """A batch whose reading broke says so on the board's page instead of waiting forever."""
    session = _bound(province_id, unit_id)
    batch = session.get(ScanBatch, uuid.UUID(batch_id))
    if batch is not None and batch.status in ("queued", "reading"):
        batch.status, batch.error_code = "failed", "reader_failed"
        batch.pages = max(batch.pages, batch.pages_read)
