"""Certified figures: one row per person voted on, recorded when the board counts, and the
counting board's confirmations. The roll-up reads these rows, never raw ballots."""
import datetime as dt
import uuid

from sqlalchemy import (Boolean, CheckConstraint, Date, ForeignKeyConstraint, Index, Integer,
                        String, UniqueConstraint, false, literal_column)
from sqlalchemy.orm import Mapped, mapped_column, validates
from sqlalchemy.types import Uuid

from tinnhiem.platform.collation import SortKeyType, person_sort_key
from tinnhiem.platform.db import db
from tinnhiem.tenants.owned import UnitOwned


ROLLUP_SCOPE = ("province_id", "round_id", "certified")
LOW_SHARE_DESC = literal_column("low_share").desc()


class Result(UnitOwned, db.Model):
    """Per person: ballots issued and collected, and the rows read for them.

    Recorded once, when the board counts, together with what the province's roll-up filters
    and sorts on (round, category, the person's name and post as printed, band, share of low
    confidence, tenth of each share): the roll-up then reads this one table, never ballots,
    and never joins a hundred thousand people to find them."""

    __tablename__ = "results"
    # A successor reads a predecessor's certified results only (tenants.history).
    __tenant_history__ = staticmethod(lambda cls: cls.certified.is_(True))
    __table_args__ = (
        UniqueConstraint("unit_id", "conference_id", "nominee_id"),
        ForeignKeyConstraint(["unit_id", "conference_id"], ["conferences.unit_id", "conferences.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["unit_id", "nominee_id"], ["nominees.unit_id", "nominees.id"]),
        CheckConstraint("high >= 0 AND confidence >= 0 AND low >= 0 AND invalid >= 0",
                        name="counts"),
        CheckConstraint("high + confidence + low + invalid = collected", name="balanced"),
        ForeignKeyConstraint(["province_id", "round_id"], ["rounds.province_id", "rounds.id"]),
        # The roll-up's orders (most serious first, by share of low confidence, by name) and
        # its passes (per unit, per tenth of each share, per cadre code), each on the
        # certified rows of one round: a page is read in index order, a pass reads an index.
        Index("ix_results_rollup_order", *ROLLUP_SCOPE, "severity", LOW_SHARE_DESC,
              "name_key", "id"),
        Index("ix_results_rollup_low", *ROLLUP_SCOPE, LOW_SHARE_DESC, "name_key", "id"),
        Index("ix_results_rollup_name", *ROLLUP_SCOPE, "name_key", "unit_id", "id"),
        # Each pass's index holds every column it filters on (unit_id also for the row-level
        # security check), so PostgreSQL reads the index alone, in the order it groups by.
        Index("ix_results_rollup_unit", *ROLLUP_SCOPE, "unit_id", "category_id", "severity"),
        Index("ix_results_rollup_tenths", *ROLLUP_SCOPE, "high_tenth", "confidence_tenth",
              "low_tenth", "unit_id", "category_id", "severity"),
        Index("ix_results_rollup_cadre", *ROLLUP_SCOPE, "cadre_code", "severity", "unit_id"),
        # A cadre's history: their code across every round of the province (those above all
        # lead with the round), unit_id for the row-level security check of a unit's scope.
        Index("ix_results_cadre", "province_id", "cadre_code", "certified", "unit_id"),
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
    # The person's name in the order of Vietnamese official lists: given name, middle, family.
    name_key: Mapped[str] = mapped_column(SortKeyType)
    post: Mapped[str] = mapped_column(String(255))
    cadre_code: Mapped[str] = mapped_column(String(40))
    band: Mapped[str] = mapped_column(String(16))
    severity: Mapped[int] = mapped_column(Integer)  # 0 two thirds low, 1 over half, 2 normal
    low_share: Mapped[int] = mapped_column(Integer)  # low / collected in 1/10000, for sorting
    high_tenth: Mapped[int] = mapped_column(Integer)  # 0..9: which tenth of 100% the share is in
    confidence_tenth: Mapped[int] = mapped_column(Integer)
    low_tenth: Mapped[int] = mapped_column(Integer)
    # True while the conference stands certified (set when it is, cleared if it is annulled):
    # what the province's roll-up reads. The figures themselves are never edited.
    certified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @validates("full_name")
    def _keep_name_key(self, _key, name):
        self.name_key = person_sort_key(name)
        return name

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


# The three levels whose shares the roll-up draws per tenth: column `<level>_<tenth>`.
TENTH_COLUMNS = tuple(f"{level}_{tenth}" for level in ("high", "confidence", "low")
                      for tenth in range(10))


class RollupCount(UnitOwned, db.Model):
    """What the province's dashboard counts, kept per certified conference: for each post
    category and band, the people and how many of them fall in each tenth of each level's
    share (`high_0` … `low_9`). Written in the transaction that certifies the conference,
    from its result rows, and deleted when it is annulled (counting.rollup_counts), so the
    dashboard sums a few rows a unit instead of reading every person."""

    __tablename__ = "rollup_counts"
    __tenant_history__ = True  # kept from certified results only
    __table_args__ = (
        ForeignKeyConstraint(["unit_id", "conference_id"],
                             ["conferences.unit_id", "conferences.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["province_id", "round_id"], ["rounds.province_id", "rounds.id"]),
        UniqueConstraint("unit_id", "conference_id", "category_id", "severity"),
        CheckConstraint("people > 0", name="people"),
        # Every filter of the dashboard is a column here (unit, category, band; a unit type
        # or a search is a list of units).
        Index("ix_rollup_counts_round", "province_id", "round_id", "unit_id", "category_id",
              "severity"),
    )

    # A random id orders the rows (a backup's order follows no vote), as for every table.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    conference_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    category_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    severity: Mapped[int] = mapped_column(Integer)  # as Result.severity
    round_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    people: Mapped[int] = mapped_column(Integer)


for _name in TENTH_COLUMNS:  # thirty counters, declared alike
    setattr(RollupCount, _name, mapped_column(_name, Integer, nullable=False, default=0,
                                              server_default="0"))


# A unit's stage in a round, in the order the dashboard lists units: unfinished first.
IN_PROGRESS, NOT_STARTED, DONE = "in_progress", "not_started", "done"
STAGES = (IN_PROGRESS, NOT_STARTED, DONE)
BAND_COLUMNS = ("two_thirds_low", "over_half_low", "normal")  # by severity, as bands.SEVERITY


class UnitProgress(UnitOwned, db.Model):
    """One participating unit's place in a round, kept for the province's dashboard: its
    stage (from its conferences, annulled ones aside), the earliest deadline among the post
    categories it has not certified yet (`due`; overdue once it passed), and its certified
    people per band and per tenth of each share (its rollup_counts rows summed).

    Written for every participating unit when the round is created, and rewritten from the
    unit's conferences and counts in the transaction that creates, certifies or annuls one
    of them (counting.rollup_progress), so the dashboard pages these rows, one a unit, with
    LIMIT, and never disagrees with the conferences. `changes` (counted up) and `stamp`
    (drawn at random) are new at each rewrite: their sums over the round key what the
    dashboard keeps between views (figures summed over every unit, the pass over every
    certified result for the people voted on in two places)."""

    __tablename__ = "rollup_progress"
    __tenant_history__ = True
    __table_args__ = (
        ForeignKeyConstraint(["unit_id", "round_id"], ["round_units.unit_id",
                                                       "round_units.round_id"]),
        ForeignKeyConstraint(["province_id", "round_id"], ["rounds.province_id", "rounds.id"]),
        UniqueConstraint("unit_id", "round_id"),
        # The dashboard's units a page at a time, unfinished first, by name (read in the
        # index's order and stopped after the page); and what keys what it keeps.
        Index("ix_rollup_progress_stage", "province_id", "round_id", "stage", "name_key",
              "unit_id"),
        Index("ix_rollup_progress_key", "province_id", "round_id", "changes", "stamp"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    stage: Mapped[int] = mapped_column(Integer)  # index in STAGES
    # The unit's name in Vietnamese order when the row was written: the order of the list.
    name_key: Mapped[str] = mapped_column(SortKeyType)
    conferences: Mapped[int] = mapped_column(Integer)  # not annulled
    certified: Mapped[int] = mapped_column(Integer)
    due: Mapped[dt.date | None] = mapped_column(Date)
    changes: Mapped[int] = mapped_column(Integer, default=0)
    stamp: Mapped[int] = mapped_column(Integer, default=0)
    people: Mapped[int] = mapped_column(Integer, default=0)  # certified, in all
    two_thirds_low: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    over_half_low: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    normal: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


for _name in TENTH_COLUMNS:  # certified people per tenth of each share, as RollupCount's
    setattr(UnitProgress, _name, mapped_column(_name, Integer, nullable=False, default=0,
                                               server_default="0"))
