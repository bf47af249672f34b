"""Certified figures: one row per person voted on, recorded when the board counts, and the
counting board's confirmations. The roll-up reads these rows, never raw ballots."""
import uuid

from sqlalchemy import (CheckConstraint, ForeignKeyConstraint, Index, Integer, String,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import Uuid

from tinnhiem.platform.db import db
from tinnhiem.tenants.scope import UnitOwned


class Result(UnitOwned, db.Model):
    """Per person: ballots issued and collected, and the rows read for them.

    Recorded once, when the board counts, together with what the province's roll-up filters
    and sorts on (round, category, the person's name and post as printed, band, share of low
    confidence, tenth of each share): the roll-up then reads this one table, never ballots,
    and never joins a hundred thousand people to find them."""

    __tablename__ = "results"
    __table_args__ = (
        UniqueConstraint("unit_id", "conference_id", "nominee_id"),
        ForeignKeyConstraint(["unit_id", "conference_id"], ["conferences.unit_id", "conferences.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["unit_id", "nominee_id"], ["nominees.unit_id", "nominees.id"]),
        CheckConstraint("high >= 0 AND confidence >= 0 AND low >= 0 AND invalid >= 0",
                        name="counts"),
        CheckConstraint("high + confidence + low + invalid = collected", name="balanced"),
        ForeignKeyConstraint(["province_id", "round_id"], ["rounds.province_id", "rounds.id"]),
        Index("ix_results_rollup_order", "province_id", "round_id", "severity", "low_share",
              "full_name"),
        # Covering (conference_id last: the roll-up keeps certified conferences only), so the
        # summary, the charts and the two-place search read an index, not the table.
        Index("ix_results_rollup_unit", "province_id", "round_id", "unit_id", "category_id",
              "band", "conference_id"),
        Index("ix_results_rollup_tenths", "province_id", "round_id", "high_tenth",
              "confidence_tenth", "low_tenth", "conference_id"),
        Index("ix_results_rollup_cadre", "province_id", "round_id", "cadre_code",
              "conference_id"),
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
    round_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    category_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    full_name: Mapped[str] = mapped_column(String(200))
    post: Mapped[str] = mapped_column(String(255))
    cadre_code: Mapped[str] = mapped_column(String(40))
    band: Mapped[str] = mapped_column(String(16))
    severity: Mapped[int] = mapped_column(Integer)  # 0 two thirds low, 1 over half, 2 normal
    low_share: Mapped[int] = mapped_column(Integer)  # low / collected in 1/10000, for sorting
    high_tenth: Mapped[int] = mapped_column(Integer)  # 0..9: which tenth of 100% the share is in
    confidence_tenth: Mapped[int] = mapped_column(Integer)
    low_tenth: Mapped[int] = mapped_column(Integer)

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
