"""The province's ballot template (versioned, frozen once used) and its rounds."""
import datetime as dt
import uuid

from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKeyConstraint, Integer,
                        String, Text, UniqueConstraint, func)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import Uuid

from tinnhiem.platform.db import db
from tinnhiem.tenants.owned import ProvinceOwned, UnitOwned

CROSSED_OUT_ROW = "row"        # a crossed-out name spoils that row only (default)
CROSSED_OUT_BALLOT = "ballot"  # ... or the whole ballot (configurable per DOMAIN.md)


class BallotTemplate(ProvinceOwned, db.Model):
    """Phụ lục 4, as the province words it. A version used by a conference is frozen: a
    change then makes the next version."""

    __tablename__ = "ballot_templates"
    __table_args__ = (
        UniqueConstraint("province_id", "version"),
        UniqueConstraint("province_id", "id"),
        ForeignKeyConstraint(["province_id"], ["units.id"]),
        CheckConstraint("crossed_out_rule IN ('row', 'ballot')", name="crossed_out_rule"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    header: Mapped[str] = mapped_column(Text, default="")
    high_label: Mapped[str] = mapped_column(String(60))
    confidence_label: Mapped[str] = mapped_column(String(60))
    low_label: Mapped[str] = mapped_column(String(60))
    instructions: Mapped[str] = mapped_column(Text, default="")
    crossed_out_rule: Mapped[str] = mapped_column(String(10), default=CROSSED_OUT_ROW)
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    @property
    def header_lines(self) -> list[str]:
        return [line for line in self.header.splitlines() if line.strip()]


class Round(ProvinceOwned, db.Model):
    """Đợt lấy phiếu: set by the province, shared by its participating units."""

    __tablename__ = "rounds"
    __tenant_history__ = True  # a successor reads the rounds of what it succeeded
    __table_args__ = (
        UniqueConstraint("province_id", "id"),
        ForeignKeyConstraint(["province_id", "template_id"],
                             ["ballot_templates.province_id", "ballot_templates.id"]),
        CheckConstraint("year BETWEEN 2000 AND 2200", name="year_range"),
        CheckConstraint("dossier_days BETWEEN 0 AND 90", name="dossier_days_range"),
        CheckConstraint("scan_retention_days BETWEEN 0 AND 3650", name="scan_retention_range"),
        CheckConstraint("low_rise_points BETWEEN 0 AND 100", name="low_rise_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(255))
    plan_reference: Mapped[str] = mapped_column(String(120), default="")
    year: Mapped[int] = mapped_column(Integer)
    template_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # Exemptions in force (DOMAIN.md; provinces may add more).
    exempt_retirement_notice: Mapped[bool] = mapped_column(Boolean, default=True)
    exempt_appointed_this_year: Mapped[bool] = mapped_column(Boolean, default=True)
    # Days before the conference the self-assessment reaches voters (configurable).
    dossier_days: Mapped[int] = mapped_column(Integer, default=15)
    # Days a paper conference's scanned images are kept after its certification (their
    # digests stay, sealed): the board may look again while a complaint can come.
    scan_retention_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # Percentage points a person's share of low confidence may rise since their previous
    # certified round before the roll-up flags them (configurable per round).
    low_rise_points: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    template: Mapped[BallotTemplate] = relationship(
        primaryjoin="and_(Round.template_id == foreign(BallotTemplate.id))", viewonly=True,
        lazy="joined")
    categories: Mapped[list["RoundCategory"]] = relationship(
        primaryjoin="Round.id == foreign(RoundCategory.round_id)", viewonly=True,
        order_by="RoundCategory.deadline")


class RoundCategory(ProvinceOwned, db.Model):
    """A post category with its deadline, e.g. party-committee leadership posts by 30/06."""

    __tablename__ = "round_categories"
    __tenant_history__ = True
    __table_args__ = (
        UniqueConstraint("province_id", "id"),
        UniqueConstraint("province_id", "round_id", "name"),
        ForeignKeyConstraint(["province_id", "round_id"], ["rounds.province_id", "rounds.id"]),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    name: Mapped[str] = mapped_column(String(255))
    deadline: Mapped[dt.date] = mapped_column(Date)


class RoundUnit(UnitOwned, db.Model):
    """A unit takes part in a round. Owned by that unit: a unit sees its own participation,
    the province sees them all."""

    __tablename__ = "round_units"
    __tenant_history__ = True  # which units took part: the roll-up's progress
    __table_args__ = (
        UniqueConstraint("unit_id", "round_id"),
        ForeignKeyConstraint(["province_id", "round_id"], ["rounds.province_id", "rounds.id"]),
        ForeignKeyConstraint(["province_id", "unit_id"], ["units.province_id", "units.id"]),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)


REQUEST_STATES = ("pending", "approved", "declined")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class CadreEntry(UnitOwned, db.Model):
    """The province's cadre registry: in this round, this unit may put this cadre on a
    ballot. A unit sees only its own entries. Only the province writes them, so the
    (round, cadre, slot) unique that holds the two places across units is never met by a
    unit's own action and tells a unit nothing about the others."""

    __tablename__ = "cadre_entries"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        UniqueConstraint("round_id", "cadre_code", "slot"),
        UniqueConstraint("round_id", "cadre_code", "unit_id"),
        ForeignKeyConstraint(["province_id", "round_id"], ["rounds.province_id", "rounds.id"]),
        ForeignKeyConstraint(["province_id", "unit_id"], ["units.province_id", "units.id"]),
        CheckConstraint("slot IN (1, 2)", name="slot"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    cadre_code: Mapped[str] = mapped_column(String(40))
    full_name: Mapped[str] = mapped_column(String(200))
    post: Mapped[str] = mapped_column(String(255))
    slot: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class CadreRequest(UnitOwned, db.Model):
    """A unit asks the province to let it list a cadre; the province approves (an entry) or
    declines with a reason. The unit sees its own requests and their outcome only."""

    __tablename__ = "cadre_requests"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        ForeignKeyConstraint(["province_id", "round_id"], ["rounds.province_id", "rounds.id"]),
        ForeignKeyConstraint(["province_id", "unit_id"], ["units.province_id", "units.id"]),
        CheckConstraint(f"status IN {REQUEST_STATES}", name="status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    cadre_code: Mapped[str] = mapped_column(String(40))
    full_name: Mapped[str] = mapped_column(String(200))
    post: Mapped[str] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decision_note: Mapped[str | None] = mapped_column(String(1000))
    # In UTC, as the API says (the database's now() follows the server's time zone).
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now,
                                                    server_default=func.now())
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
