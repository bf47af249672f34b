"""The pages of a conference's scans as the board reads them: per batch, per conference, and a
page's image."""
from typing import NamedTuple

from sqlalchemy import func, select

from tinnhiem.conferences.services import ballot_nominees
from tinnhiem.scanning.models import ScanPage


class ScanSummary(NamedTuple):
    pages: int       # every page read or refused
    counted: int     # pages of a ballot, read (clear or doubtful), not a duplicate
    doubtful: int
    duplicates: int
    refused: int


def batch_pages(session, batch) -> list[ScanPage]:
    return list(session.scalars(select(ScanPage).where(ScanPage.batch_id == batch.id)
                                .order_by(ScanPage.position)))


def conference_summary(session, conference) -> ScanSummary:
    counts = dict(session.execute(
        select(ScanPage.status, func.count()).where(ScanPage.conference_id == conference.id)
        .group_by(ScanPage.status)).all())
    return ScanSummary(pages=sum(counts.values()),
                       counted=counts.get("read", 0) + counts.get("doubtful", 0),
                       doubtful=counts.get("doubtful", 0), duplicates=counts.get("duplicate", 0),
                       refused=counts.get("refused", 0))


def ballot_rows(session, conference) -> list:
    """The people on the ballot, in its printed order (a reading's row i is the i-th)."""
    return ballot_nominees(session, conference)


def page_image(session, conference, page_id) -> bytes | None:
    return session.scalar(select(ScanPage.image).where(ScanPage.conference_id == conference.id,
                                                       ScanPage.id == page_id))


def fingerprints(session, conference) -> list[tuple]:
    """(id, page number, rows read, packed fingerprint) of every page of the conference's
    ballot read so far and not itself a duplicate: what a new page is compared with."""
    return list(session.execute(
        select(ScanPage.id, ScanPage.page_number, ScanPage.rows, ScanPage.fingerprint).where(
            ScanPage.conference_id == conference.id, ScanPage.fingerprint.is_not(None),
            ScanPage.status != "duplicate")).all())


def batch_of_page(session, conference, page_id):
    return session.scalar(select(ScanPage.batch_id).where(
        ScanPage.conference_id == conference.id, ScanPage.id == page_id))
