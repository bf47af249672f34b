"""What the counting board's scans hold: each upload (a batch), its files until they are read,
and every page as the reader saw it.

A page's image is a ballot: these are unit rows under the same scope and row-level security as
the ballots, no voter's scope reads them, and no route of the province or the operator does.
Nothing here can tell one ballot from another beyond what the paper itself shows: a page has
a random id and its place in the pile the board scanned (the box was shuffled when it was
opened), no time of its own.
"""
import datetime as dt
import uuid

from sqlalchemy import (JSON, CheckConstraint, DateTime, ForeignKeyConstraint, Integer,
                        LargeBinary, String, UniqueConstraint, func)
from sqlalchemy.orm import Mapped, deferred, mapped_column
from sqlalchemy.types import Uuid

from tinnhiem.platform.db import db
from tinnhiem.rounds.models import utc_now
from tinnhiem.tally.models import MARKS
from tinnhiem.tenants.owned import UnitOwned

# queued: stored, waiting for the reader; reading: pages are being read (progress counts);
# read: every page was read or refused one by one; failed: the upload itself could not be
# opened (a corrupt or encrypted PDF, no image at all), nothing of it was kept.
BATCH_STATES = ("queued", "reading", "read", "failed")
# read: a ballot page whose every row was read; doubtful: one row or more needs the board;
# duplicate: the same sheet as an earlier page (shown, never counted); refused: not a page of
# this conference's ballot (another conference, another template, no ballot, unreadable).
PAGE_STATES = ("read", "doubtful", "duplicate", "refused")


class ScanBatch(UnitOwned, db.Model):
    """One upload by a board member: a scanner's PDF, or a set of photos or images."""

    __tablename__ = "scan_batches"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        ForeignKeyConstraint(["unit_id", "conference_id"], ["conferences.unit_id", "conferences.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["uploaded_by"], ["accounts.id"]),
        CheckConstraint(f"status IN {BATCH_STATES}", name="status"),
        CheckConstraint("pages >= 0 AND pages_read >= 0 AND pages_read <= pages", name="pages"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    conference_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    uploaded_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(200))  # what the board uploaded, as it was named
    status: Mapped[str] = mapped_column(String(10), default="queued")
    pages: Mapped[int] = mapped_column(Integer, default=0)  # found so far
    pages_read: Mapped[int] = mapped_column(Integer, default=0)
    doubts: Mapped[int] = mapped_column(Integer, default=0)  # rows the board must decide
    error_code: Mapped[str | None] = mapped_column(String(40))
    # UTC from the app's clock (the database's may keep another zone).
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now,
                                                    server_default=func.now())


class ScanFile(UnitOwned, db.Model):
    """A file of a batch as it arrived, kept only until the reader has split it into pages."""

    __tablename__ = "scan_files"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        ForeignKeyConstraint(["unit_id", "batch_id"], ["scan_batches.unit_id", "scan_batches.id"],
                             ondelete="CASCADE"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))


class ScanPage(UnitOwned, db.Model):
    """One page as read: where the reader found it on the ballot (page n of m), what it read
    in each row, the image it read (for the board's decisions) and its SHA-256 (part of the
    seal once counted; it stays when the image is deleted)."""

    __tablename__ = "scan_pages"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        UniqueConstraint("unit_id", "batch_id", "position"),
        ForeignKeyConstraint(["unit_id", "batch_id"], ["scan_batches.unit_id", "scan_batches.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["unit_id", "conference_id"], ["conferences.unit_id", "conferences.id"],
                             ondelete="CASCADE"),
        CheckConstraint(f"status IN {PAGE_STATES}", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    batch_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    conference_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    position: Mapped[int] = mapped_column(Integer)  # in the batch: file, then page of the file
    status: Mapped[str] = mapped_column(String(10))
    error_code: Mapped[str | None] = mapped_column(String(40))
    page_number: Mapped[int | None] = mapped_column(Integer)  # as printed in the page's QR code
    page_count: Mapped[int | None] = mapped_column(Integer)
    rows: Mapped[list | None] = mapped_column(JSON)  # the reader's reading of each row
    digest: Mapped[str | None] = mapped_column(String(64))
    fingerprint: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # scanning.fingerprint
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    image: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))


class ScanDecision(UnitOwned, db.Model):
    """The board's reading of one row of a scanned page: proposed by one member, final once
    another member confirms it (as certification needs two)."""

    __tablename__ = "scan_decisions"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        UniqueConstraint("unit_id", "page_id", "row_index"),
        ForeignKeyConstraint(["unit_id", "page_id"], ["scan_pages.unit_id", "scan_pages.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["decided_by"], ["accounts.id"]),
        ForeignKeyConstraint(["confirmed_by"], ["accounts.id"]),
        CheckConstraint(f"mark IN {MARKS}", name="mark"),
        CheckConstraint("confirmed_by IS NULL OR confirmed_by <> decided_by", name="two_members"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    page_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    row_index: Mapped[int] = mapped_column(Integer)  # the person's place on the whole ballot
    mark: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    confirmed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class ScanCheck(UnitOwned, db.Model):
    """A ballot drawn for the blind check (by its first page): keyed by a member who does not
    see the reading, then compared with it."""

    __tablename__ = "scan_checks"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        UniqueConstraint("unit_id", "page_id"),
        ForeignKeyConstraint(["unit_id", "page_id"], ["scan_pages.unit_id", "scan_pages.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["unit_id", "conference_id"], ["conferences.unit_id", "conferences.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["keyed_by"], ["accounts.id"]),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    conference_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    page_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    keyed: Mapped[dict | None] = mapped_column(JSON)  # row index (text) -> mark
    keyed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
