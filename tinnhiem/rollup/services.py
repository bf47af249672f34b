"""The province's consolidated view of a round: what every unit below it has certified.

It reads the per-person result rows recorded at counting (with their band, decided on the
integer counts), of certified conferences only, never raw ballots; the province scope bound
to the session keeps it to one province.
"""
import datetime as dt
import uuid
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, func, select, type_coerce

from tinnhiem.conferences.models import Conference
from tinnhiem.counting.bands import NORMAL, OVER_HALF, TWO_THIRDS, band, shares
from tinnhiem.counting.models import Result
from tinnhiem.platform.errors import ServiceError
from tinnhiem.rounds.models import RoundCategory, RoundUnit
from tinnhiem.tenants.models import Unit, UnitSuccession, UnitType

BANDS = (TWO_THIRDS, OVER_HALF, NORMAL)  # most serious first
SORTS = ("band", "name", "unit", "low_share")
PAGE = 200


@dataclass
class Filters:
    unit_id: object = None
    type_id: object = None
    category_id: object = None
    band: str | None = None
    sort: str = "band"

    def check(self) -> "Filters":
        if self.band not in (None, "", *BANDS):
            raise ServiceError("invalid_band", _l("Mức không hợp lệ."), field="band")
        if self.sort not in SORTS:
            raise ServiceError("invalid_sort", _l("Cách sắp xếp không hợp lệ."), field="sort")
        return self


@dataclass
class Row:
    result_id: object
    full_name: str
    post: str
    cadre_code: str
    unit_id: object
    unit_name: str
    unit_valid_to: dt.date | None
    unit_type: str
    category: str
    conference_id: object
    conference_title: str
    held_on: dt.date
    issued: int
    collected: int
    high: int
    confidence: int
    low: int
    invalid: int
    successors: list = field(default_factory=list)

    @property
    def valid(self) -> int:
        return self.high + self.confidence + self.low

    @property
    def band(self) -> str:
        return band(self.low, self.collected)

    @property
    def shares(self) -> dict:
        return shares(self)


def _certified_conferences(round_id):
    return select(Conference.id).where(Conference.round_id == round_id,
                                       Conference.status == "certified")


def _certified_results(round_id, *columns):
    """Result rows of the round's certified conferences: one table, indexed on the round."""
    return select(*columns).where(Result.round_id == round_id,
                                  Result.conference_id.in_(_certified_conferences(round_id)))


def _filtered(query, filters: Filters):
    filters.check()
    if filters.unit_id:
        query = query.where(Result.unit_id == filters.unit_id)
    if filters.type_id:
        query = query.where(Result.unit_id.in_(select(Unit.id).where(
            Unit.type_id == filters.type_id)))
    if filters.category_id:
        query = query.where(Result.category_id == filters.category_id)
    if filters.band:
        query = query.where(Result.band == filters.band)
    return query


ORDERS = {
    "band": lambda: (Result.severity, Result.low_share.desc(), Result.full_name),
    "name": lambda: (Result.full_name, Result.unit_id),
    "unit": lambda: (Unit.name, Result.full_name),
    "low_share": lambda: (Result.low_share.desc(), Result.full_name),
}
ROW_COLUMNS = (Result.id, Result.full_name, Result.post, Result.cadre_code, Unit.id, Unit.name,
               Unit.valid_to, UnitType.name, RoundCategory.name, Conference.id, Conference.title,
               Conference.held_on, Result.issued, Result.collected, Result.high,
               Result.confidence, Result.low, Result.invalid)


def _rows_query(round_id, filters: Filters):
    """The page's rows: chosen and ordered on the result table alone, then joined to the few
    units, types, categories and conferences they name."""
    query = _filtered(select(*ROW_COLUMNS).where(Result.round_id == round_id), filters) \
        .join(Conference, Conference.id == Result.conference_id) \
        .where(Conference.status == "certified") \
        .join(Unit, Unit.id == Result.unit_id) \
        .join(UnitType, UnitType.id == Unit.type_id) \
        .join(RoundCategory, RoundCategory.id == Result.category_id)
    return query.order_by(*ORDERS[filters.sort](), Result.id)


def result_rows(session, round_id, filters: Filters, limit: int | None = PAGE,
                offset: int = 0) -> list[Row]:
    query = _rows_query(round_id, filters).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = [Row(*values) for values in session.execute(query)]
    _name_successors(session, rows)
    return rows


def iter_result_rows(session, round_id, filters: Filters, batch: int = 2000):
    """Every row, streamed from one query a batch at a time (a server-side cursor on
    PostgreSQL): an export of any size holds one batch in memory."""
    result = session.execute(_rows_query(round_id, filters).execution_options(yield_per=batch))
    for partition in result.partitions():
        rows = [Row(*values) for values in partition]
        _name_successors(session, rows)
        yield from rows


def _name_successors(session, rows: list[Row]) -> None:
    """A unit dissolved since the round keeps its historical name, with who succeeded it."""
    gone = {r.unit_id for r in rows if r.unit_valid_to is not None}
    if not gone:
        return
    names: dict = {}
    for predecessor, name in session.execute(
            select(UnitSuccession.predecessor_id, Unit.name)
            .join(Unit, Unit.id == UnitSuccession.unit_id)
            .where(UnitSuccession.predecessor_id.in_(gone))):
        names.setdefault(predecessor, []).append(name)
    for row in rows:
        row.successors = sorted(names.get(row.unit_id, []))


def counts_by_unit(session, round_id, filters: Filters) -> dict:
    """(unit id, category id, band) -> people: one pass over the round's results, from
    which the summary, the per-unit chart and the progress are all read."""
    query = _filtered(_certified_results(round_id, Result.unit_id, Result.category_id,
                                         Result.band, func.count()), filters) \
        .group_by(Result.unit_id, Result.category_id, Result.band)
    return {(unit, category, level): number
            for unit, category, level, number in session.execute(query)}


def summary(session, round_id, filters: Filters, counts: dict | None = None) -> dict:
    """People per band, and in all, under the filters."""
    counts = counts_by_unit(session, round_id, filters) if counts is None else counts
    out = {b: 0 for b in BANDS}
    for (_unit, _category, level), number in counts.items():
        out[level] += number
    return {"total": sum(out.values()), **out}


def bands_per_unit(session, round_id, filters: Filters, counts: dict | None = None,
                   limit: int | None = None) -> list[dict]:
    """People per band for each unit, the most affected units first (the first `limit`)."""
    counts = counts_by_unit(session, round_id, filters) if counts is None else counts
    units: dict = {}
    for (unit_id, _category, level), number in counts.items():
        entry = units.setdefault(unit_id, {"unit_id": unit_id, **{b: 0 for b in BANDS}})
        entry[level] += number
    ordered = sorted(units.values(), key=lambda u: (-u[TWO_THIRDS], -u[OVER_HALF]))[:limit]
    ids = [u["unit_id"] for u in ordered]
    names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all()) \
        if ids else {}
    for entry in ordered:
        entry["unit"] = names.get(entry["unit_id"], "")
    return sorted(ordered, key=lambda u: (-u[TWO_THIRDS], -u[OVER_HALF], u["unit"]))


def share_distribution(session, round_id, filters: Filters, buckets: int = 10) -> dict:
    """For each level, how many people fall in each tenth of the share (0–10%, …, 90–100%)."""
    query = _filtered(_certified_results(round_id, Result.high_tenth, Result.confidence_tenth,
                                         Result.low_tenth, func.count()), filters) \
        .group_by(Result.high_tenth, Result.confidence_tenth, Result.low_tenth)
    out = {level: [0] * buckets for level in ("high", "confidence", "low")}
    for high, confidence, low, number in session.execute(query):
        out["high"][high] += number
        out["confidence"][confidence] += number
        out["low"][low] += number
    return out


def _two_place_codes(round_id):
    """Cadre codes with a certified result in more than one place of the round."""
    return _certified_results(round_id, Result.cadre_code).group_by(Result.cadre_code) \
        .having(func.count() > 1)


def two_place_count(session, round_id) -> int:
    return session.scalar(select(func.count()).select_from(_two_place_codes(round_id).subquery()))


def two_places(session, round_id, limit: int | None = None) -> list[list[Row]]:
    """People voted on in two places: both results, side by side, never merged; those with
    a place in the lowest band first (the first `limit`)."""
    codes = list(session.scalars(_two_place_codes(round_id).order_by(
        func.min(Result.severity), Result.cadre_code).limit(limit)))
    pairs: dict = {code: [] for code in codes}
    for start in range(0, len(codes), 500):  # a bounded IN list per query
        query = _rows_query(round_id, Filters()) \
            .where(Result.cadre_code.in_(codes[start:start + 500])) \
            .order_by(None).order_by(Result.cadre_code, Conference.held_on, Unit.name)
        rows = [Row(*values) for values in session.execute(query)]
        _name_successors(session, rows)
        for row in rows:
            pairs.setdefault(row.cadre_code, []).append(row)
    return list(pairs.values())


# Progress ---------------------------------------------------------------------------------

DONE, IN_PROGRESS, NOT_STARTED = "done", "in_progress", "not_started"


def _hex(value) -> str:
    """A UUID column read as text: SQLite gives its 32 hex digits, PostgreSQL a UUID."""
    return value.hex if isinstance(value, uuid.UUID) else str(value).replace("-", "")


def progress(session, round_, today: dt.date | None = None) -> dict:
    """Every participating unit with its conferences, whether it is done, in progress or not
    started, and the post categories whose deadline passed before it certified them."""
    today = today or dt.date.today()
    # Plain rows, not ORM objects: a province has thousands of units.
    units = {row.id: row for row in session.execute(
        select(Unit.id, Unit.name, Unit.valid_to).join(RoundUnit, RoundUnit.unit_id == Unit.id)
        .where(RoundUnit.round_id == round_.id))}
    unit_ids = list(units)
    conferences: dict = {uid: [] for uid in unit_ids}
    for conference in session.execute(
            select(Conference.id, Conference.unit_id, Conference.title, Conference.status)
            .where(Conference.round_id == round_.id).order_by(Conference.held_on)):
        conferences.setdefault(conference.unit_id, []).append(conference)
    # Thousands of (unit, category) pairs: compared as text, not parsed into UUIDs.
    certified_categories: dict = {}
    for unit_id, category_id in session.execute(_certified_results(
            round_.id, type_coerce(Result.unit_id, String),
            type_coerce(Result.category_id, String)).distinct()):
        certified_categories.setdefault(_hex(unit_id), set()).add(_hex(category_id))
    passed = [c for c in round_.categories if c.deadline < today]
    rows = []
    for unit_id in unit_ids:
        items = [c for c in conferences.get(unit_id, []) if c.status != "annulled"]
        if not items:
            state = NOT_STARTED
        elif all(c.status == "certified" for c in items):
            state = DONE
        else:
            state = IN_PROGRESS
        done = certified_categories.get(unit_id.hex, set())
        overdue = [c for c in passed if c.id.hex not in done and state != DONE]
        rows.append({"unit": units[unit_id], "state": state,
                     "conferences": conferences.get(unit_id, []), "overdue": overdue})
    rows.sort(key=lambda r: ({NOT_STARTED: 1, IN_PROGRESS: 0, DONE: 2}[r["state"]],
                             r["unit"].name))
    totals = {s: sum(1 for r in rows if r["state"] == s) for s in (DONE, IN_PROGRESS, NOT_STARTED)}
    return {"units": rows, "totals": totals,
            "overdue_units": sum(1 for r in rows if r["overdue"])}


def unit_types_of(session, round_id) -> list:
    """The unit types of the round's participating units, for the filter."""
    return list(session.scalars(
        select(UnitType).where(UnitType.id.in_(
            select(Unit.type_id).join(RoundUnit, RoundUnit.unit_id == Unit.id)
            .where(RoundUnit.round_id == round_id))).order_by(UnitType.name)))


def certified_over_time(session, round_id) -> list[tuple[dt.date, int]]:
    """Cumulative certified conferences by the date they were held."""
    days = session.execute(select(Conference.held_on, func.count()).where(
        Conference.round_id == round_id, Conference.status == "certified")
        .group_by(Conference.held_on).order_by(Conference.held_on)).all()
    total, out = 0, []
    for day, number in days:
        total += number
        out.append((day, total))
    return out
