"""Scanned images are ballots: kept while the board may need to look again, then deleted.
A page's image goes once its conference has been certified for its round's
scan_retention_days (the page's SHA-256 stays, and the sheet's sealed digest over them); an
annulled conference's images go at once. Run daily (`flask --app wsgi scans purge`, deploy's
tinnhiem-scans-purge.timer)."""
import datetime as dt

from sqlalchemy import delete, select, update

from tinnhiem.conferences.lifecycle import State
from tinnhiem.conferences.models import Conference
from tinnhiem.platform.audit.services import record
from tinnhiem.rounds.models import Round, utc_now
from tinnhiem.scanning.models import ScanFile, ScanPage


def _expired(conference, retention_days: int, now: dt.datetime) -> bool:
    if conference.status == State.ANNULLED:
        return True
    if conference.status != State.CERTIFIED:
        return False
    # Certified before certification times were kept: counted from the day it was held.
    since = conference.certified_at or dt.datetime.combine(conference.held_on, dt.time())
    return since + dt.timedelta(days=retention_days) <= now


def purge_images(session, now: dt.datetime | None = None) -> int:
    """Delete the images of every conference past its retention (in a crossing scope: this
    is the deployment's housekeeping). Returns how many pages lost their image."""
    now = now or utc_now()
    candidates = session.execute(
        select(Conference, Round.scan_retention_days).join(Round, Round.id == Conference.round_id)
        .where(Conference.id.in_(select(ScanPage.conference_id).where(
            ScanPage.image.is_not(None))))).all()
    purged = 0
    for conference, days in candidates:
        if not _expired(conference, days, now):
            continue
        result = session.execute(
            update(ScanPage).where(ScanPage.conference_id == conference.id,
                                   ScanPage.image.is_not(None))
            .values(image=None, fingerprint=None).execution_options(synchronize_session=False))
        session.execute(delete(ScanFile).where(ScanFile.batch_id.in_(
            select(ScanPage.batch_id).where(ScanPage.conference_id == conference.id)))
            .execution_options(synchronize_session=False))
        purged += result.rowcount
        record(session, "scan.images_deleted", actor=None, province_id=conference.province_id,
               unit_id=conference.unit_id, target=conference.id,
               details={"pages": result.rowcount})
    return purged
