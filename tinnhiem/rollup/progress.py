"""A round's progress on the province's dashboard: which participating units are done, in
progress or not started, which are late with a post category, and certified conferences over
time. Counted in SQL (a province has thousands of units), a page of units at a time."""
import datetime as dt

from sqlalchemy import and_, case, exists, false, func, or_, select

from tinnhiem.conferences.lifecycle import State
from tinnhiem.conferences.models import Conference
from tinnhiem.counting.models import RollupCount
from tinnhiem.rollup.services import certified_counts
from tinnhiem.rounds.models import RoundUnit
from tinnhiem.tenants.models import Unit, UnitType

DONE, IN_PROGRESS, NOT_STARTED = "done", "in_progress", "not_started"


def _unit_states(round_id):
    """Each participating unit's state, from its conferences (annulled ones not counted):
    none → not started, all certified → done, otherwise in progress. One aggregate in SQL:
    a province has thousands of units."""
    active = func.count(case((Conference.status != State.ANNULLED, Conference.id)))
    certified = func.count(case((Conference.status == State.CERTIFIED, Conference.id)))
    state = case((active == 0, NOT_STARTED), (certified == active, DONE), else_=IN_PROGRESS)
    return (select(RoundUnit.unit_id, state.label("state"))
            .outerjoin(Conference, and_(Conference.unit_id == RoundUnit.unit_id,
                                        Conference.round_id == RoundUnit.round_id))
            .where(RoundUnit.round_id == round_id).group_by(RoundUnit.unit_id).subquery())


def _certified_in(round_id, unit_id, category_id):
    return exists(certified_counts(round_id, RollupCount.people).where(
        RollupCount.unit_id == unit_id, RollupCount.category_id == category_id))


def progress(session, round_, today: dt.date | None = None, limit: int | None = None,
             offset: int = 0) -> dict:
    """How many participating units are done, in progress or not started, and how many are
    overdue (a post category's deadline passed before they certified it); and the units
    themselves, unfinished first (the first `limit`), with their conferences and overdue
    categories."""
    today = today or dt.date.today()
    passed = [c for c in round_.categories if c.deadline < today]
    states = _unit_states(round_.id)
    overdue = and_(states.c.state != DONE,
                   or_(*(~_certified_in(round_.id, states.c.unit_id, c.id) for c in passed))) \
        if passed else false()
    totals = {s: 0 for s in (DONE, IN_PROGRESS, NOT_STARTED)}
    overdue_units = 0
    for state, units, late in session.execute(select(
            states.c.state, func.count(), func.count(case((overdue, 1))))
            .group_by(states.c.state)):
        totals[state], overdue_units = units, overdue_units + late
    rank = case({IN_PROGRESS: 0, NOT_STARTED: 1, DONE: 2}, value=states.c.state)
    listed = session.execute(
        select(Unit.id, Unit.name, Unit.valid_to, states.c.state)
        .join(states, states.c.unit_id == Unit.id).order_by(rank, Unit.name_key, Unit.id)
        .limit(limit).offset(offset)).all()
    return {"totals": totals, "participating": sum(totals.values()),
            "overdue_units": overdue_units, "units": _progress_rows(session, round_, listed, passed)}


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
    return list(session.scalars(
        select(UnitType).where(UnitType.id.in_(
            select(Unit.type_id).join(RoundUnit, RoundUnit.unit_id == Unit.id)
            .where(RoundUnit.round_id == round_id))).order_by(UnitType.name)))


def certified_over_time(session, round_id) -> list[tuple[dt.date, int]]:
    """Cumulative certified conferences by the date they were held."""
    days = session.execute(select(Conference.held_on, func.count()).where(
        Conference.round_id == round_id, Conference.status == State.CERTIFIED)
        .group_by(Conference.held_on).order_by(Conference.held_on)).all()
    total, out = 0, []
    for day, number in days:
        total += number
        out.append((day, total))
    return out
