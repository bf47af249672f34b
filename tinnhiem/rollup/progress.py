"""A round's progress on the province's dashboard: which participating units are done, in
progress or not started, which are late with a post category, and certified conferences over
time. Read from each unit's kept progress (counting.models.UnitProgress, one row a unit,
rewritten whenever one of its conferences is created, certified or annulled): counted once
per such change (rollup.kept), listed a page at a time in the order of an index."""
import datetime as dt
from collections import namedtuple

from sqlalchemy import case, exists, func, select

from tinnhiem.conferences.lifecycle import State
from tinnhiem.conferences.models import Conference
from tinnhiem.counting.models import (DONE, IN_PROGRESS, NOT_STARTED, STAGES, RollupCount,
                                      UnitProgress)
from tinnhiem.rollup.kept import kept
from tinnhiem.rollup.services import certified_counts, in_index_order
from tinnhiem.rounds.models import RoundUnit
from tinnhiem.tenants.models import Unit, UnitType

__all__ = ["DONE", "IN_PROGRESS", "NOT_STARTED", "progress", "unit_types_of",
           "certified_over_time"]
Listed = namedtuple("Listed", "id name valid_to state")


def _stage_counts(session, round_id, today: dt.date) -> tuple[dict, int]:
    """Units per stage, and how many not done are overdue (a deadline passed before they
    certified its category: their earliest uncertified deadline is behind `today`)."""
    totals = {s: 0 for s in STAGES}
    overdue = 0
    for stage, units, late in session.execute(
            select(UnitProgress.stage, func.count(),
                   func.count(case((UnitProgress.due < today, 1))))
            .where(UnitProgress.round_id == round_id).group_by(UnitProgress.stage)):
        totals[STAGES[stage]] = units
        overdue += late if STAGES[stage] != DONE else 0
    return totals, overdue


def progress(session, round_, today: dt.date | None = None, limit: int | None = None,
             offset: int = 0) -> dict:
    """How many participating units are done, in progress or not started, and how many are
    overdue (a post category's deadline passed before they certified it); and the units
    themselves, unfinished first (the first `limit`, read in the order of an index), with
    their conferences and overdue categories."""
    today = today or dt.date.today()
    passed = [c for c in round_.categories if c.deadline < today]
    totals, overdue_units = kept(session, round_.id, f"stages {today}",
                                 lambda: _stage_counts(session, round_.id, today))
    listed = [Listed(unit_id, name, valid_to, STAGES[stage])
              for unit_id, name, valid_to, stage in in_index_order(session, (
                  select(Unit.id, Unit.name, Unit.valid_to, UnitProgress.stage)
                  .join(Unit, Unit.id == UnitProgress.unit_id)
                  .where(UnitProgress.round_id == round_.id)
                  .order_by(UnitProgress.stage, UnitProgress.name_key, UnitProgress.unit_id)
                  .limit(limit).offset(offset)))]
    return {"totals": dict(totals), "participating": sum(totals.values()),
            "overdue_units": overdue_units,
            "units": _progress_rows(session, round_, listed, passed)}


def _progress_rows(session, round_, listed, passed) -> list[dict]:
    """The listed units with their conferences and the categories they are late with."""
    ids = [unit.id for unit in listed]
    conferences: dict = {}
    certified: set = set()
    for start in range(0, len(ids), 500):  # a bounded IN list per query
        chunk = ids[start:start + 500]
        for conference in session.execute(
                select(Conference.id, Conference.unit_id, Conference.title, Conference.status)
                .where(Conference.round_id == round_.id, Conference.unit_id.in_(chunk))
                .order_by(Conference.held_on, Conference.title)):
            conferences.setdefault(conference.unit_id, []).append(conference)
        certified.update(tuple(row) for row in session.execute(certified_counts(
            round_.id, RollupCount.unit_id, RollupCount.category_id).where(
                RollupCount.unit_id.in_(chunk)).distinct()))
    return [{"unit": unit, "state": unit.state, "conferences": conferences.get(unit.id, []),
             "overdue": [] if unit.state == DONE else
             [c for c in passed if (unit.id, c.id) not in certified]} for unit in listed]


def unit_types_of(session, round_id) -> list:
    """The unit types of the round's participating units, for the filter."""
    return list(session.scalars(select(UnitType).where(exists().where(
        Unit.type_id == UnitType.id, RoundUnit.unit_id == Unit.id,
        RoundUnit.round_id == round_id)).order_by(UnitType.name)))


def certified_over_time(session, round_id) -> list[tuple[dt.date, int]]:
    """Cumulative certified conferences by the date they were held: kept between views, as
    only a certification or an annulment changes it (a certified conference's date is
    never edited), and each rewrites its unit's kept progress."""
    return list(kept(session, round_id, "over time",
                     lambda: tuple(_certified_over_time(session, round_id))))


def _certified_over_time(session, round_id) -> list[tuple[dt.date, int]]:
    days = session.execute(select(Conference.held_on, func.count()).where(
        Conference.round_id == round_id, Conference.status == State.CERTIFIED)
        .group_by(Conference.held_on).order_by(Conference.held_on)).all()
    total, out = 0, []
    for day, number in days:
        total += number
        out.append((day, total))
    return out
