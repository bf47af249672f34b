"""What was collected: ballots and their marks, and the counting board's paper entry sheets.

What is *not* here is the point of this module: no ballot column refers to a code, an
account, a session, an address or a time; ballot ids are random (uuid4) and on SQLite the
ballot tables are WITHOUT ROWID, so no hidden row number keeps the order of arrival either.
"""
import uuid

from sqlalchemy import (JSON, Boolean, CheckConstraint, ForeignKeyConstraint, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from tinnhiem.platform.db import db
from tinnhiem.tenants.owned import UnitOwned

# What a row of a ballot says about one person. The three levels are valid; the rest are the
# ways DOMAIN.md makes a row invalid: no box, two or three boxes, the printed name crossed out.
VALID_MARKS = ("high", "confidence", "low")
INVALID_MARKS = ("blank", "several", "crossed")
MARKS = VALID_MARKS + INVALID_MARKS
ORIGINS = ("electronic", "paper")
SHEET_METHODS = ("ballots", "totals")
WITHOUT_ROWID = {"sqlite_with_rowid": False}


class TallySheet(UnitOwned, db.Model):
    """One counter's independent entry of a paper vote: ballot by ballot, or totals per person
    when the board counted by hand. The accepted sheet is the conference's count."""

    __tablename__ = "tally_sheets"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        UniqueConstraint("unit_id", "conference_id", "counter_id"),
        ForeignKeyConstraint(["unit_id", "conference_id"], ["conferences.unit_id", "conferences.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["counter_id"], ["accounts.id"]),
        CheckConstraint(f"method IN {SHEET_METHODS}", name="method"),
        CheckConstraint("collected IS NULL OR collected >= 0", name="collected"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    conference_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    counter_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    method: Mapped[str] = mapped_column(String(8), default="ballots")
    collected: Mapped[int | None] = mapped_column(Integer)  # "totals" sheets only
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    # A sheet read from scans: the SHA-256 over its pages' images (scanning.board), sealed
    # with the ballots; it outlives the images.
    evidence_digest: Mapped[str | None] = mapped_column(String(64))
    # ... and what the minutes say of that reading: ballots, rows the board decided, ballots
    # checked blind.
    scan_figures: Mapped[dict | None] = mapped_column(JSON)


class SheetTotal(UnitOwned, db.Model):
    """A hand count for one person on a "totals" sheet."""

    __tablename__ = "sheet_totals"
    __table_args__ = (
        ForeignKeyConstraint(["unit_id", "sheet_id"], ["tally_sheets.unit_id", "tally_sheets.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["unit_id", "nominee_id"], ["nominees.unit_id", "nominees.id"]),
        CheckConstraint("high >= 0 AND confidence >= 0 AND low >= 0 AND invalid >= 0",
                        name="counts"),
    )

    sheet_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    nominee_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    high: Mapped[int] = mapped_column(Integer, default=0)
    confidence: Mapped[int] = mapped_column(Integer, default=0)
    low: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)


class Ballot(UnitOwned, db.Model):
    """One ballot collected: cast electronically, or entered from paper on a counter's sheet.
    Paper flags apply to every row (not issued by the board, blank ballot); names written in
    are recorded and ignored, as the rules say."""

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        UniqueConstraint("unit_id", "conference_id", "tracker"),
        ForeignKeyConstraint(["unit_id", "conference_id"], ["conferences.unit_id", "conferences.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["unit_id", "sheet_id"], ["tally_sheets.unit_id", "tally_sheets.id"],
                             ondelete="CASCADE"),
        CheckConstraint(f"origin IN {ORIGINS}", name="origin"),
        WITHOUT_ROWID,
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    conference_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    origin: Mapped[str] = mapped_column(String(10))
    sheet_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)  # paper only
    tracker: Mapped[str | None] = mapped_column(String(12))  # electronic only: the receipt
    not_issued: Mapped[bool] = mapped_column(Boolean, default=False)
    blank: Mapped[bool] = mapped_column(Boolean, default=False)
    extra_names: Mapped[bool] = mapped_column(Boolean, default=False)


class BallotMark(UnitOwned, db.Model):
    """What one ballot says about one person."""

    __tablename__ = "ballot_marks"
    __table_args__ = (
        ForeignKeyConstraint(["unit_id", "ballot_id"], ["ballots.unit_id", "ballots.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["unit_id", "nominee_id"], ["nominees.unit_id", "nominees.id"]),
        CheckConstraint(f"mark IN {MARKS}", name="mark"),
        WITHOUT_ROWID,
    )

    ballot_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    nominee_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    mark: Mapped[str] = mapped_column(String(10))
