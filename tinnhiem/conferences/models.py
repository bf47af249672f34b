"""A unit's conference (hội nghị lấy phiếu) and what it needs before the vote opens."""
import datetime as dt
import uuid

from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKeyConstraint, Index,
                        Integer, LargeBinary, String, UniqueConstraint, false, func)
from sqlalchemy.orm import Mapped, deferred, mapped_column
from sqlalchemy.types import Uuid

from tinnhiem.conferences.lifecycle import State
from tinnhiem.platform.db import db
from tinnhiem.tenants.owned import UnitOwned

STATES = tuple(state.value for state in State)
MODES = ("electronic", "paper")


class Conference(UnitOwned, db.Model):
    __tablename__ = "conferences"
    # Where and when a certified result was voted on, for a successor (tenants.history).
    __tenant_history__ = staticmethod(lambda cls: cls.status == State.CERTIFIED.value)
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        ForeignKeyConstraint(["province_id", "round_id"], ["rounds.province_id", "rounds.id"]),
        ForeignKeyConstraint(["province_id", "unit_id"], ["units.province_id", "units.id"]),
        ForeignKeyConstraint(["province_id", "template_id"],
                             ["ballot_templates.province_id", "ballot_templates.id"]),
        CheckConstraint(f"status IN {STATES}", name="status"),
        CheckConstraint(f"mode IN {MODES}", name="mode"),
        CheckConstraint("summoned_count IS NULL OR summoned_count >= 0", name="summoned"),
        CheckConstraint("present_count IS NULL OR present_count >= 0", name="present"),
        CheckConstraint("ballots_issued IS NULL OR ballots_issued >= 0", name="issued"),
        # The roll-up's progress: each unit's conferences of a round, with their state.
        Index("ix_conferences_round_unit", "province_id", "round_id", "unit_id", "status"),
        # The roll-up's certified conferences by the date they were held, from the index.
        Index("ix_conferences_round_status", "province_id", "round_id", "status", "held_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    title: Mapped[str] = mapped_column(String(255))
    held_on: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(255), default="")
    voting_body: Mapped[str] = mapped_column(String(255), default="")
    mode: Mapped[str] = mapped_column(String(12), default="electronic")
    status: Mapped[str] = mapped_column(String(12), default=State.DRAFT.value)
    # A count when no list of names is kept; with a list, the list's length is used.
    summoned_count: Mapped[int | None] = mapped_column(Integer)
    present_count: Mapped[int | None] = mapped_column(Integer)
    template_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # frozen when the ballot is
    annul_reason: Mapped[str | None] = mapped_column(String(1000))
    # Set when the vote closes: ballots handed out (codes issued, or the board's paper count).
    ballots_issued: Mapped[int | None] = mapped_column(Integer)
    # SHA-256 over every counted ballot, also chained in the audit log; set once, at the seal.
    seal_digest: Mapped[str | None] = mapped_column(String(64))
    # Set by the unit admin once certified: the voters and the people voted on may see it.
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When the second certification came (scanned ballots' images are kept for a while after).
    certified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())

    @property
    def conference_id(self) -> uuid.UUID:
        """A conference names its own place as a voter's place does (province_id, unit_id,
        conference_id: tenants.voter_scope.VoterPlace), so casting takes either."""
        return self.id


class Nominee(UnitOwned, db.Model):
    """Người được lấy phiếu in one conference."""

    __tablename__ = "nominees"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        UniqueConstraint("unit_id", "conference_id", "cadre_code"),
        ForeignKeyConstraint(["unit_id", "conference_id"], ["conferences.unit_id", "conferences.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["province_id", "category_id"],
                             ["round_categories.province_id", "round_categories.id"]),
        CheckConstraint("ballot_order > 0", name="ballot_order"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    conference_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    cadre_code: Mapped[str] = mapped_column(String(40))
    post: Mapped[str] = mapped_column(String(255))
    category_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    ballot_order: Mapped[int] = mapped_column(Integer)
    appointed_on: Mapped[dt.date | None] = mapped_column(Date)
    retirement_notice: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why the person is not on the ballot (None: on the ballot).
    exemption: Mapped[str | None] = mapped_column(String(40))
    report_name: Mapped[str | None] = mapped_column(String(255))
    report_pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    @property
    def on_ballot(self) -> bool:
        return self.exemption is None


class SummonedVoter(UnitOwned, db.Model):
    """A person summoned to the conference (names are optional: a count may do)."""

    __tablename__ = "summoned_voters"
    __table_args__ = (
        ForeignKeyConstraint(["unit_id", "conference_id"], ["conferences.unit_id", "conferences.id"],
                             ondelete="CASCADE"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    conference_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    position: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(255), default="")
    present: Mapped[bool] = mapped_column(Boolean, default=False)
