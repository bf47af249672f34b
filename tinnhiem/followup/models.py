"""One follow-up per certified result in a low band, and its append-only history of steps.

A follow-up copies what names the person (round, conference, cadre code, name, post, band)
from the result, so it reads on its own; the result itself is never written here."""
import datetime as dt
import uuid

from sqlalchemy import (CheckConstraint, Date, DateTime, ForeignKeyConstraint, Index, Integer,
                        String, UniqueConstraint, func)
from sqlalchemy.orm import Mapped, mapped_column, validates
from sqlalchemy.types import Uuid

from tinnhiem.platform.collation import SortKeyType, person_sort_key
from tinnhiem.platform.db import db
from tinnhiem.rounds.models import utc_now
from tinnhiem.tenants.owned import UnitOwned

PENDING, IN_PROGRESS, DECIDED, NO_ACTION = "pending", "in_progress", "decided", "no_action"
STATES = (PENDING, IN_PROGRESS, DECIDED, NO_ACTION)
OPEN_STATES = (PENDING, IN_PROGRESS)  # what a deadline still applies to
# What a decision did (DOMAIN.md: relief from post, dismissal, transfer, a confidence vote).
ACTIONS = ("relieved", "dismissed", "transferred", "confidence_vote", "other")
# Lengths the forms, the schemas and the services share.
DECISION_NUMBER_MAX = 60
NOTE_MAX = 2000


class FollowUp(UnitOwned, db.Model):
    """The current state of one person's follow-up (one per result), with its deadline."""

    __tablename__ = "followups"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        UniqueConstraint("unit_id", "result_id"),
        ForeignKeyConstraint(["result_id"], ["results.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["province_id", "round_id"], ["rounds.province_id", "rounds.id"]),
        CheckConstraint(f"state IN {STATES}", name="state"),
        CheckConstraint("severity IN (0, 1)", name="low_band"),
        # The dashboard's count and the overdue list: one round's rows by state and deadline.
        Index("ix_followups_round", "province_id", "round_id", "state", "deadline"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    result_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    round_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    conference_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    cadre_code: Mapped[str] = mapped_column(String(40))
    full_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(SortKeyType)
    post: Mapped[str] = mapped_column(String(255))
    severity: Mapped[int] = mapped_column(Integer)  # as Result.severity: 0 or 1
    state: Mapped[str] = mapped_column(String(12), default=PENDING)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now,
                                                    server_default=func.now())

    @validates("full_name")
    def _keep_name_key(self, _key, name):
        self.name_key = person_sort_key(name)
        return name


class FollowUpStep(UnitOwned, db.Model):
    """One recorded step, never changed afterwards: the state it left the follow-up in, what
    was decided (action, decision number and date) or why nothing was, the deadline it set,
    who recorded it and when."""

    __tablename__ = "followup_steps"
    __table_args__ = (
        UniqueConstraint("unit_id", "id"),
        ForeignKeyConstraint(["unit_id", "followup_id"], ["followups.unit_id", "followups.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["actor_id"], ["accounts.id"]),
        CheckConstraint(f"state IN {STATES}", name="state"),
        CheckConstraint(f"action IS NULL OR action IN {ACTIONS}", name="action"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    followup_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    state: Mapped[str] = mapped_column(String(12))
    action: Mapped[str | None] = mapped_column(String(20))
    decision_number: Mapped[str | None] = mapped_column(String(DECISION_NUMBER_MAX))
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    deadline: Mapped[dt.date | None] = mapped_column(Date)  # set by this step, if any
    actor_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    actor_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utc_now,
                                            server_default=func.now())
