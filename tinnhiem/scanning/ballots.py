"""The scanned ballots of a conference as the board works on them: pages put together into
ballots, each row's reading with the board's decisions over it.

A ballot is its pages in the order they were scanned: page 1, then 2, … up to the count its
QR codes give. Duplicates and refused pages are left out (shown on the batch's page). A row
is settled when the reader was sure of it or two members agreed on it (scan_decisions);
crossed-out names are always put to the board, as DOMAIN.md's rule depends on the ballot
template and the board must see the ink.
"""
import dataclasses
import uuid

from sqlalchemy import select

from tinnhiem.scanning.models import ScanBatch, ScanDecision, ScanPage

FLAGGED = ("doubtful", "crossed")  # rows the board decides, whatever the reader read


@dataclasses.dataclass
class Row:
    index: int
    page_id: uuid.UUID
    read: dict  # the reader's row: status, mark, fills, reason
    decision: ScanDecision | None

    @property
    def flagged(self) -> bool:
        return self.read.get("status") in FLAGGED

    @property
    def mark(self) -> str | None:
        """What counts: a confirmed decision, else a sure reading; None: not settled."""
        if self.decision is not None:
            return self.decision.mark if self.decision.confirmed_by else None
        return None if self.flagged else self.read.get("mark")


@dataclasses.dataclass
class ScannedBallot:
    pages: list[ScanPage]
    rows: list[Row]

    @property
    def first(self) -> ScanPage:
        return self.pages[0]

    @property
    def complete(self) -> bool:
        count = self.first.page_count or 1
        return [p.page_number for p in self.pages] == list(range(1, count + 1))

    @property
    def settled(self) -> bool:
        return self.complete and all(r.mark is not None for r in self.rows)

    @property
    def marks(self) -> dict[int, str]:
        return {r.index: r.mark for r in self.rows}


def _counted_pages(session, conference) -> list[ScanPage]:
    return list(session.scalars(
        select(ScanPage).join(ScanBatch, ScanBatch.id == ScanPage.batch_id)
        .where(ScanPage.conference_id == conference.id,
               ScanPage.status.in_(("read", "doubtful")))
        .order_by(ScanBatch.created_at, ScanBatch.id, ScanPage.position)))


def _decisions(session, conference) -> dict:
    found = session.scalars(select(ScanDecision).join(
        ScanPage, ScanPage.id == ScanDecision.page_id).where(
        ScanPage.conference_id == conference.id))
    return {(d.page_id, d.row_index): d for d in found}


def scanned_ballots(session, conference) -> list[ScannedBallot]:
    decisions = _decisions(session, conference)
    ballots: list[ScannedBallot] = []
    for page in _counted_pages(session, conference):
        current = ballots[-1] if ballots else None
        continues = (current is not None and page.page_number != 1
                     and page.page_count == current.first.page_count
                     and page.page_number == current.pages[-1].page_number + 1)
        if not continues:
            current = ScannedBallot([], [])
            ballots.append(current)
        current.pages.append(page)
        current.rows.extend(Row(r["index"], page.id, r, decisions.get((page.id, r["index"])))
                            for r in page.rows or [])
    return ballots


def find_row(session, conference, page_id, row_index) -> Row | None:
    for ballot in scanned_ballots(session, conference):
        for row in ballot.rows:
            if row.page_id == page_id and row.index == row_index:
                return row
    return None
