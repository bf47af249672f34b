"""Certified figures: one row per person voted on, recorded when the board counts, and the
counting board's confirmations. The roll-up reads these rows, never raw ballots."""
import uuid

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from tinnhiem.platform.db import db
from tinnhiem.tenants.scope import UnitOwned


class Result(UnitOwned, db.Model):
    """Per person: ballots issued and collected, and the rows read for them."""

    __tablename__ = "results"
    __table_args__ = (
        UniqueConstraint("unit_id", "conference_id", "nominee_id"),
        ForeignKeyConstraint(["unit_id", "conference_id"], ["conferences.unit_id", "conferences.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["unit_id", "nominee_id"], ["nominees.unit_id", "nominees.id"]),
        CheckConstraint("high >= 0 AND confidence >= 0 AND low >= 0 AND invalid >= 0",
                        name="counts"),
        CheckConstraint("high + confidence + low + invalid = collected", name="balanced"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    conference_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    nominee_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    issued: Mapped[int] = mapped_column(Integer)
    collected: Mapped[int] = mapped_column(Integer)
    high: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[int] = mapped_column(Integer)
    low: Mapped[int] = mapped_column(Integer)
    invalid: Mapped[int] = mapped_column(Integer)

    @property
    def valid(self) -> int:
        return self.high + self.confidence + self.low


class Certification(UnitOwned, db.Model):
    """One counter's confirmation of the count; two distinct counters certify it."""

    __tablename__ = "certifications"
    __table_args__ = (
        UniqueConstraint("unit_id", "conference_id", "counter_id"),
        ForeignKeyConstraint(["unit_id", "conference_id"], ["conferences.unit_id", "conferences.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["counter_id"], ["accounts.id"]),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    conference_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    counter_id: Mapped[uuid.UUID] = mapped_column(Uuid)
