"""The follow-up of the low bands: who is in them (the round's certified results), what was
decided about each, the deadlines and what is overdue. Every write is the province admin's,
audited, and never touches a result. The caller commits.

A follow-up row is made when the first step about the person is recorded (a step, or a
deadline of their own or the round's); until then the person reads as pending with no
deadline, so listing, counting and the dashboard write nothing."""
import dataclasses
import datetime as dt
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError

from tinnhiem.counting.bands import TWO_THIRDS, OVER_HALF, share
from tinnhiem.counting.models import Result, RollupCount
from tinnhiem.followup import checks
from tinnhiem.followup.models import (OPEN_STATES, PENDING, STATES, FollowUp, FollowUpStep)
from tinnhiem.platform.audit.services import record
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.inputs import as_uuid
from tinnhiem.rounds.models import Round, utc_now
from tinnhiem.tenants.models import Unit
from tinnhiem.tenants.services import today as vietnam_today

LOW_SEVERITY = 2  # Result.severity below this: two thirds low (0) or over half low (1)
BAND_OF = {0: TWO_THIRDS, 1: OVER_HALF}


@dataclasses.dataclass(frozen=True)
class Filters:
    state: str | None = None
    overdue: bool = False


@dataclasses.dataclass(frozen=True)
class Entry:
    """One person of the low bands as the list and the API show them."""

    result_id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str
    conference_id: uuid.UUID
    cadre_code: str
    full_name: str
    post: str
    band: str
    low: int
    collected: int
    followup_id: uuid.UUID | None
    state: str
    deadline: dt.date | None
    overdue: bool

    @property
    def low_percent(self):
        return share(self.low, self.collected)


def require_writer(actor) -> None:
    """Only the province admin (Ban Tổ chức Tỉnh ủy) records; the Standing Committee and the
    units read."""
    if getattr(actor, "role", None) != Role.PROVINCE_ADMIN:
        raise ServiceError("forbidden", _l("Chỉ Ban Tổ chức Tỉnh ủy được ghi nhận việc xử lý."),
                           status=403)


def filters_from(args) -> Filters:
    """The list's filters from a query string (or the API's arguments)."""
    state = args.get("state") or None
    if state is not None and state not in STATES:
        raise ServiceError("invalid_state", _l("Trạng thái không hợp lệ."), field="state")
    overdue = args.get("overdue")
    if overdue not in (None, "", "0", "1", True, False):
        raise ServiceError("invalid_filter", _l("Bộ lọc quá hạn không hợp lệ."), field="overdue")
    return Filters(state=state, overdue=overdue in ("1", True))


# Reading -----------------------------------------------------------------------------------

def _joined():
    """Certified results of the low bands, each with its follow-up row if it has one."""
    return Result, FollowUp, and_(FollowUp.unit_id == Result.unit_id,
                                  FollowUp.result_id == Result.id)


def _in_round(round_id):
    return (Result.round_id == round_id, Result.certified.is_(True),
            Result.severity < LOW_SEVERITY)


def _is_overdue(today: dt.date):
    return and_(FollowUp.state.in_(OPEN_STATES), FollowUp.deadline < today)


def _filtered(query, filters: Filters, today: dt.date):
    if filters.state == PENDING:
        query = query.where(or_(FollowUp.id.is_(None), FollowUp.state == PENDING))
    elif filters.state:
        query = query.where(FollowUp.state == filters.state)
    if filters.overdue:
        query = query.where(_is_overdue(today))
    return query


def _entries(session, rows, today: dt.date) -> list[Entry]:
    names = dict(session.execute(select(Unit.id, Unit.name).where(
        Unit.id.in_({result.unit_id for result, _f in rows}))).all()) if rows else {}
    return [_entry(result, followup, names.get(result.unit_id, ""), today)
            for result, followup in rows]


def _entry(result: Result, followup: FollowUp | None, unit_name: str, today) -> Entry:
    state = followup.state if followup else PENDING
    deadline = followup.deadline if followup else None
    return Entry(
        result_id=result.id, unit_id=result.unit_id, unit_name=unit_name,
        conference_id=result.conference_id, cadre_code=result.cadre_code,
        full_name=result.full_name, post=result.post, band=BAND_OF[result.severity],
        low=result.low, collected=result.collected,
        followup_id=followup.id if followup else None, state=state, deadline=deadline,
        overdue=state in OPEN_STATES and deadline is not None and deadline < today)


def people(session, round_id, filters: Filters = Filters(), *, today=None, limit=None,
           offset=0) -> list[Entry]:
    """The round's people in the low bands, most serious first, then in the order of
    official lists (given name first)."""
    today = today or vietnam_today()
    result, followup, on = _joined()
    query = (select(result, followup).outerjoin(followup, on).where(*_in_round(round_id))
             .order_by(Result.severity, Result.name_key, Result.id).offset(offset))
    query = _filtered(query, filters, today)
    if limit is not None:
        query = query.limit(limit)
    return _entries(session, session.execute(query).all(), today)


def count(session, round_id, filters: Filters = Filters(), *, today=None) -> int:
    today = today or vietnam_today()
    _result, followup, on = _joined()
    query = select(func.count()).select_from(Result).outerjoin(followup, on) \
        .where(*_in_round(round_id))
    return session.scalar(_filtered(query, filters, today))


def overdue(session, round_id, today=None) -> list[Entry]:
    """Open follow-ups whose deadline passed before `today` (Vietnam's date by default)."""
    return people(session, round_id, Filters(overdue=True), today=today)


def status_counts(session, round_id, today=None) -> dict[str, int]:
    """People of the round's low bands per state (those with no row yet are pending), and
    'overdue' among them. How many people are low comes from the counts kept at
    certification (counting.RollupCount), what was recorded from the follow-up rows: the
    round's results are not read (the dashboard asks on every view)."""
    today = today or vietnam_today()
    low = session.scalar(select(func.coalesce(func.sum(RollupCount.people), 0)).where(
        RollupCount.round_id == round_id, RollupCount.severity < LOW_SEVERITY))
    late = func.sum(case((_is_overdue(today), 1), else_=0))
    # The round's follow-up rows, each looked up among the results by its key (EXISTS):
    # as a join, SQLite, which keeps no statistics, read the round's results instead (72 ms
    # at 300,000 people, where the rows are a few hundred).
    still_low = select(Result.id).where(Result.unit_id == FollowUp.unit_id,
                                        Result.id == FollowUp.result_id,
                                        *_in_round(round_id)).exists()
    rows = session.execute(
        select(FollowUp.state, func.count(), late)
        .where(FollowUp.round_id == round_id, still_low)
        .group_by(FollowUp.state)).all()
    counts = dict.fromkeys(STATES, 0) | {"overdue": 0}
    for name, people_in_state, late_in_state in rows:
        counts[name] = people_in_state
        counts["overdue"] += late_in_state or 0
    counts[PENDING] = low - sum(counts[state] for state in STATES if state != PENDING)
    return counts


def _low_result(session, round_id, result_id) -> Result | None:
    try:
        result_id = as_uuid(result_id, "result_id")
    except ServiceError:
        return None
    return session.scalar(select(Result).where(Result.id == result_id, *_in_round(round_id)))


def get_entry(session, round_id, result_id, today=None) -> Entry | None:
    """One person of the round's low bands, or None (not there, or outside the scope)."""
    result = _low_result(session, round_id, result_id)
    if result is None:
        return None
    return _entries(session, [(result, _find(session, result))], today or vietnam_today())[0]


def steps_of(session, entry: Entry) -> list[FollowUpStep]:
    if entry.followup_id is None:
        return []
    return list(session.scalars(select(FollowUpStep)
                                .where(FollowUpStep.followup_id == entry.followup_id)
                                .order_by(FollowUpStep.at, FollowUpStep.id)))


# Writing -----------------------------------------------------------------------------------

def _find(session, result: Result, lock=False) -> FollowUp | None:
    query = select(FollowUp).where(FollowUp.unit_id == result.unit_id,
                                   FollowUp.result_id == result.id)
    return session.scalar(query.with_for_update() if lock else query)


def _followup_for(session, result: Result) -> FollowUp:
    """The person's follow-up, locked; made the first time. Two admins recording the first
    step at once: the unique key refuses one insert, which then takes the other's row."""
    found = _find(session, result, lock=True)
    if found is not None:
        return found
    followup = FollowUp(
        province_id=result.province_id, unit_id=result.unit_id, result_id=result.id,
        round_id=result.round_id, conference_id=result.conference_id,
        cadre_code=result.cadre_code, full_name=result.full_name, post=result.post,
        severity=result.severity, state=PENDING)
    try:
        with session.begin_nested():
            session.add(followup)
            session.flush()
    except IntegrityError:
        found = _find(session, result, lock=True)
        if found is None:
            raise ServiceError("followup_busy", _l("Hồ sơ vừa được người khác thay đổi; hãy"
                                                   " thử lại."), status=409) from None
        return found
    return followup


def _append_step(session, actor, followup: FollowUp, clean: dict) -> FollowUpStep:
    followup.state = clean["state"]
    if clean["deadline"] is not None:
        followup.deadline = clean["deadline"]
    followup.updated_at = utc_now()
    step = FollowUpStep(province_id=followup.province_id, unit_id=followup.unit_id,
                        followup_id=followup.id, actor_id=actor.id,
                        actor_name=actor.full_name or actor.username, **clean)
    session.add(step)
    session.flush()
    record(session, "followup.step_recorded", actor=actor, province_id=followup.province_id,
           unit_id=followup.unit_id, target=followup.id, details={
               "round_id": str(followup.round_id), "cadre_code": followup.cadre_code,
               "state": clean["state"], "action": clean["action"],
               "decision_number": clean["decision_number"],
               **{key: clean[key].isoformat() for key in ("decision_date", "deadline")
                  if clean[key] is not None}})
    return step


def record_step(session, actor, round_: Round, result_id, data: dict, today=None) -> FollowUp:
    """Record what happened about one person (see checks.step for what each state needs)."""
    require_writer(actor)
    today = today or vietnam_today()
    result = _low_result(session, round_.id, result_id)
    if result is None:
        raise ServiceError("unknown_person", _l("Người này không thuộc diện phải xử lý trong"
                                                " đợt."), status=404)
    followup = _followup_for(session, result)
    clean = checks.step(data, followup.state, today)
    _append_step(session, actor, followup, clean)
    return followup


def set_round_deadline(session, actor, round_: Round, data: dict, today=None) -> int:
    """One deadline for every open follow-up of the round (people with no row yet included):
    a step each, in each person's history. Returns how many were set."""
    require_writer(actor)
    today = today or vietnam_today()
    day = checks.deadline(data.get("deadline"), today, required=True)
    note = checks.note_text(data.get("note"))
    result, followup, on = _joined()
    open_results = session.scalars(
        select(result).outerjoin(followup, on).where(*_in_round(round_.id))
        .where(or_(FollowUp.id.is_(None), FollowUp.state.in_(OPEN_STATES)))
        .order_by(Result.id)).all()
    changed = 0
    for person in open_results:
        row = _followup_for(session, person)
        if row.state not in OPEN_STATES:  # decided meanwhile, by another admin
            continue
        _append_step(session, actor, row, {"state": row.state, "action": None,
                                           "decision_number": None, "decision_date": None,
                                           "note": note, "deadline": day})
        changed += 1
    record(session, "followup.round_deadline_set", actor=actor, province_id=round_.province_id,
           unit_id=round_.province_id, target=round_.id,
           details={"deadline": day.isoformat(), "followups": changed})
    return changed
