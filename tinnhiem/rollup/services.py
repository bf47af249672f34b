"""The province's consolidated view of a round: what every unit below it has certified.

It reads the per-person result rows recorded at counting (with their band, decided on the
integer counts), of certified conferences only, never raw ballots; the province scope bound
to the session keeps it to one province. What the dashboard counts (people per unit, category
and band; each level's share per tenth) it sums from the counts kept per certified conference
(counting.models.RollupCount), a few rows a unit, not one a person: every filter is a column
there too.
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, text, true

from tinnhiem.cadres.rises import mark_rises, rises_of
from tinnhiem.conferences.models import Conference
from tinnhiem.counting.bands import NORMAL, OVER_HALF, SEVERITY, TWO_THIRDS, Figures
from tinnhiem.counting.models import (BAND_COLUMNS, TENTH_COLUMNS, Result, RollupCount,
                                      UnitProgress)
from tinnhiem.platform.collation import SEARCH_SEPARATOR, fold, sort_key
from tinnhiem.platform.errors import ServiceError
from tinnhiem.rollup.kept import kept
from tinnhiem.rounds.models import RoundCategory, RoundUnit
from tinnhiem.tenants.models import Unit, UnitSuccession, UnitType

BANDS = (TWO_THIRDS, OVER_HALF, NORMAL)  # most serious first: BANDS[severity] is the band
SORTS = ("band", "name", "unit", "low_share")
PAGE = 200  # rows per request of the API by default


@dataclass
class Filters:
    unit_id: object = None
    type_id: object = None
    category_id: object = None
    band: str | None = None
    sort: str = "band"
    unit_name: str | None = None  # a search on the units' names and codes
    unit_ids: list | None = None  # what that search found (make_filters)
    # Only people whose low share rose past the round's threshold (cadres.rises): a filter
    # of the listed rows alone, the counts and charts stay those of the other filters.
    rising: bool = False

    def check(self) -> "Filters":
        if self.band not in (None, "", *BANDS):
            raise ServiceError("invalid_band", _l("Mức không hợp lệ."), field="band")
        if self.sort not in SORTS:
            raise ServiceError("invalid_sort", _l("Cách sắp xếp không hợp lệ."), field="sort")
        if self.unit_name is not None and len(self.unit_name) > 200:
            raise ServiceError("invalid_unit_name", _l("Tên đơn vị tìm kiếm quá dài."),
                               field="unit_name")
        return self


@dataclass
class Row(Figures):
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
    # Since the person's previous certified round (cadres.rises), for the rows a page shows:
    # the change of their low share in percentage points, and whether it passed the round's
    # threshold.
    low_change: Decimal | None = None
    low_rose: bool = False


def _certified_results(round_id, *columns):
    """Result rows of the round's certified conferences: one table, its indexes led by the
    round and the flag certification sets."""
    return select(*columns).where(Result.round_id == round_id, Result.certified == true())


def units_matching(session, round_id, text: str) -> list:
    """The round's participating units whose name or code contains `text` (folded), read
    from the units' folded search keys."""
    wanted = fold(text)
    if SEARCH_SEPARATOR in wanted:
        return []  # a key's name and code are apart: no match spans both
    return list(session.scalars(
        select(Unit.id).join(RoundUnit, RoundUnit.unit_id == Unit.id)
        .where(RoundUnit.round_id == round_id,
               Unit.search_key.contains(wanted, autoescape=True))))


def make_filters(session, round_id, **values) -> Filters:
    """Filters checked, with a unit search (blank: none) turned into the units it finds."""
    values["unit_name"] = (values.get("unit_name") or "").strip() or None
    filters = Filters(**values).check()
    if filters.unit_name:
        filters.unit_ids = units_matching(session, round_id, filters.unit_name)
    return filters


def certified_counts(round_id, *columns):
    """The counts kept for the round's certified conferences (one row per conference,
    category and band)."""
    return select(*columns).where(RollupCount.round_id == round_id)


def _filtered(query, filters: Filters, model=Result):
    """The filters, on the result rows or on the counts (`model`): the same columns."""
    filters.check()
    if filters.unit_id:
        query = query.where(model.unit_id == filters.unit_id)
    if filters.unit_ids is not None:
        query = query.where(model.unit_id.in_(filters.unit_ids))
    if filters.type_id:
        query = query.where(model.unit_id.in_(select(Unit.id).where(
            Unit.type_id == filters.type_id)))
    if filters.category_id:
        query = query.where(model.category_id == filters.category_id)
    if filters.band:
        # the same as the band, on the column the indexes order by
        query = query.where(model.severity == SEVERITY[filters.band])
    return query


ORDERS = {
    "band": lambda: (Result.severity, Result.low_share.desc(), Result.name_key, Result.id),
    "name": lambda: (Result.name_key, Result.unit_id, Result.id),
    "unit": lambda: (Unit.name_key, Result.name_key, Result.id),
    "low_share": lambda: (Result.low_share.desc(), Result.name_key, Result.id),
}
RESULT_COLUMNS = (Result.id, Result.full_name, Result.post, Result.cadre_code, Result.unit_id,
                  Result.category_id, Result.conference_id, Result.issued, Result.collected,
                  Result.high, Result.confidence, Result.low, Result.invalid)


def _rows_query(round_id, filters: Filters):
    """Result rows alone, filtered and ordered: no join for the planner to get wrong (row
    estimates under row-level security are poor), the units and conferences they name are
    looked up a batch at a time (_rows)."""
    query = _filtered(_certified_results(round_id, *RESULT_COLUMNS), filters)
    if filters.sort == "unit":
        query = query.join(Unit, Unit.id == Result.unit_id)
    return query.order_by(*ORDERS[filters.sort]())


class _Names:
    """The units, conferences and categories rows refer to, looked up once each: an export
    streams rows by the hundred thousand but names a few thousand units at most."""

    def __init__(self, session):
        self.session, self.units, self.conferences, self.categories = session, {}, {}, {}

    def load(self, batch) -> None:
        self._fetch(self.units, {v.unit_id for v in batch}, lambda ids: select(
            Unit.id, Unit.name, Unit.valid_to, UnitType.name)
            .join(UnitType, UnitType.id == Unit.type_id).where(Unit.id.in_(ids)))
        self._fetch(self.conferences, {v.conference_id for v in batch}, lambda ids: select(
            Conference.id, Conference.title, Conference.held_on).where(Conference.id.in_(ids)))
        self._fetch(self.categories, {v.category_id for v in batch}, lambda ids: select(
            RoundCategory.id, RoundCategory.name).where(RoundCategory.id.in_(ids)))

    def _fetch(self, known: dict, wanted: set, query) -> None:
        missing = list(wanted - known.keys())
        for start in range(0, len(missing), 500):  # a bounded IN list per query
            for key, *rest in self.session.execute(query(missing[start:start + 500])):
                known[key] = rest


def _rows(session, batch, names: _Names | None = None) -> list[Row]:
    """Rows for a batch of result values, with the names of what they refer to."""
    names = names or _Names(session)
    names.load(batch)
    rows = [Row(values.id, values.full_name, values.post, values.cadre_code, values.unit_id,
                *names.units[values.unit_id], *names.categories[values.category_id],
                values.conference_id, *names.conferences[values.conference_id],
                values.issued, values.collected, values.high, values.confidence, values.low,
                values.invalid)
            for values in batch]
    _name_successors(session, rows)
    return rows


def result_rows(session, round_id, filters: Filters, limit: int | None = PAGE,
                offset: int = 0) -> list[Row]:
    """A page of rows, read in the order of an index and stopped after the page."""
    if limit is None:
        return list(iter_result_rows(session, round_id, filters))
    query = _rows_query(round_id, filters).limit(limit).offset(offset)
    return _rows(session, in_index_order(session, query))


def flagged_page(session, round_, filters: Filters, limit: int, offset: int,
                 pair_codes: list[str]) -> tuple[list[Row], list[list[Row]], int | None]:
    """A page of rows and the people of `pair_codes` side by side (two_places), each place
    marked with the rise of the person's low share since their previous certified round:
    one read of the histories for everyone the page shows, not one a person or a list.
    Third: how many rows the "only rising" filter lists (None without it: the summary's
    total)."""
    listed = None
    if filters.rising:
        risen = rising_values(session, round_, filters)
        rows, listed = _rows(session, risen[offset:offset + limit]), len(risen)
    else:
        rows = result_rows(session, round_.id, filters, limit, offset)
    pairs = two_places(session, round_.id, pair_codes)
    mark_rises(session, round_, rows + [row for pair in pairs for row in pair])
    return rows, pairs, listed


def rising_values(session, round_, filters: Filters, batch: int = 2000) -> list:
    """The result values (RESULT_COLUMNS) under the filters, in their order, of the people
    whose low share rose past the round's threshold. The rise is no column (it compares with
    rounds predecessors hold, read in their own sessions): the filtered rows are streamed a
    batch at a time (only those whose share now could have risen so far), and only the risen
    kept."""
    with rises_of(session, round_) as rises:
        return [values for pairs in rises.batches(session, _rows_query(round_.id, filters),
                                                  True, batch) for values, _change in pairs]


def in_index_order(session, query) -> list:
    """A page's rows (`query` with ORDER BY … LIMIT), read in the order of an index and
    stopped after the page. On PostgreSQL sorting is made the planner's last resort for the
    statement: under row-level security it estimates a handful of rows where a province has
    hundreds of thousands, and then reads and sorts every one of them for a page of fifty
    (measured at 300,000 people: 440 ms, against milliseconds in index order)."""
    postgresql = session.connection().dialect.name == "postgresql"
    if postgresql:
        session.execute(text("SET LOCAL enable_sort = off"))
    rows = session.execute(query).all()
    if postgresql:
        session.execute(text("SET LOCAL enable_sort TO DEFAULT"))
    return rows


def iter_result_rows(session, round_id, filters: Filters, batch: int = 2000):
    """Every row, streamed from one query a batch at a time (a server-side cursor on
    PostgreSQL): an export of any size holds one batch in memory."""
    result = session.execute(_rows_query(round_id, filters).execution_options(yield_per=batch))
    names = _Names(session)
    for partition in result.partitions():
        yield from _rows(session, partition, names)


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
        row.successors = sorted(names.get(row.unit_id, []), key=sort_key)


def counts_by_unit(session, round_id, filters: Filters) -> dict:
    """(unit id, category id, band) -> people under the filters."""
    query = _filtered(certified_counts(round_id, RollupCount.unit_id, RollupCount.category_id,
                                        RollupCount.severity, func.sum(RollupCount.people)),
                      filters, RollupCount) \
        .group_by(RollupCount.unit_id, RollupCount.category_id, RollupCount.severity)
    return {(unit, category, BANDS[severity]): number
            for unit, category, severity, number in session.execute(query)}


def _unfiltered(filters: Filters) -> bool:
    """No filter: each figure is a sum over the units' kept progress rows (one a unit), kept
    between views (`kept`), not a sum of the counts rows (a few a unit)."""
    return not (filters.unit_id or filters.unit_ids is not None or filters.type_id
                or filters.category_id or filters.band)


def _plain_figures(session, round_id) -> dict:
    """People per band and per tenth of each share, and the units with anyone certified."""
    names = BAND_COLUMNS + TENTH_COLUMNS
    sums = session.execute(select(func.count(case((UnitProgress.people > 0, 1))), *(
        func.sum(getattr(UnitProgress, name)) for name in names))
        .where(UnitProgress.round_id == round_id)).one()
    return {"units": sums[0] or 0, **{name: number or 0 for name, number in zip(names, sums[1:])}}


def _plain(session, round_id) -> dict:
    return kept(session, round_id, "figures", lambda: _plain_figures(session, round_id))


def summary(session, round_id, filters: Filters, counts: dict | None = None) -> dict:
    """People per band, and in all, under the filters (from `counts` when given)."""
    out = {b: 0 for b in BANDS}
    if counts is None and _unfiltered(filters):
        figures = _plain(session, round_id)
        out.update({band: figures[name] for band, name in zip(BANDS, BAND_COLUMNS)})
    elif counts is None:
        for severity, number in session.execute(_filtered(certified_counts(
                round_id, RollupCount.severity, func.sum(RollupCount.people)), filters,
                RollupCount).group_by(RollupCount.severity)):
            out[BANDS[severity]] += number
    else:
        for (_unit, _category, level), number in counts.items():
            out[level] += number
    return {"total": sum(out.values()), **out}


def _per_band(severity: int):
    return func.sum(case((RollupCount.severity == severity, RollupCount.people), else_=0))


def unit_count(session, round_id, filters: Filters) -> int:
    """How many units have people under the filters."""
    if _unfiltered(filters):
        return _plain(session, round_id)["units"]
    return session.scalar(_filtered(certified_counts(
        round_id, func.count(RollupCount.unit_id.distinct())), filters, RollupCount)) or 0


def _ranked(session, round_id, filters: Filters, limit: int | None) -> list[dict]:
    """The most affected units first (most people two thirds low, then over half; the
    first `limit`): from the kept progress, or summed from the counts under a filter."""
    if _unfiltered(filters):
        bands = [getattr(UnitProgress, name) for name in BAND_COLUMNS]
        query = select(UnitProgress.unit_id, *bands).where(
            UnitProgress.round_id == round_id, UnitProgress.people > 0) \
            .order_by(bands[0].desc(), bands[1].desc(), UnitProgress.unit_id)
    else:
        most, more, rest = (_per_band(SEVERITY[b]) for b in BANDS)
        query = _filtered(certified_counts(round_id, RollupCount.unit_id, most, more, rest),
                          filters, RollupCount).group_by(RollupCount.unit_id) \
            .order_by(most.desc(), more.desc(), RollupCount.unit_id)
    return [{"unit_id": unit_id, **dict(zip(BANDS, numbers))}
            for unit_id, *numbers in session.execute(query.limit(limit))]


def bands_per_unit(session, round_id, filters: Filters, counts: dict | None = None,
                   limit: int | None = None) -> list[dict]:
    """People per band for each unit, the most affected units first (the first `limit`; the
    ranking is read in SQL unless `counts` is given)."""
    if counts is None and _unfiltered(filters):
        ordered = [dict(entry) for entry in kept(session, round_id, f"ranked {limit}",
                                                 lambda: _ranked(session, round_id, filters,
                                                                 limit))]
    elif counts is None:
        ordered = _ranked(session, round_id, filters, limit)
    else:
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
    return sorted(ordered, key=lambda u: (-u[TWO_THIRDS], -u[OVER_HALF], sort_key(u["unit"])))


def share_distribution(session, round_id, filters: Filters, buckets: int = 10) -> dict:
    """For each level, how many people fall in each tenth of the share (0–10%, …, 90–100%)."""
    if _unfiltered(filters):
        figures = _plain(session, round_id)
        sums = [figures[name] for name in TENTH_COLUMNS]
    else:
        sums = session.execute(_filtered(certified_counts(round_id, *(
            func.sum(getattr(RollupCount, name)) for name in TENTH_COLUMNS)), filters,
            RollupCount)).one()
    out = {level: [0] * buckets for level in ("high", "confidence", "low")}
    for name, number in zip(TENTH_COLUMNS, sums):
        level, tenth = name.rsplit("_", 1)
        out[level][int(tenth)] += number or 0
    return out


def two_place_codes(session, round_id) -> list[str]:
    """Cadre codes with a certified result in more than one place of the round, those with a
    place in the lowest band first.

    The only pass that reads every person (a code's places are in different units, whose
    rows no unit may read): kept (`kept`) for as long as no unit's progress is rewritten,
    which every certification and annulment does (certified results are never edited)."""
    return list(kept(session, round_id, "two places", lambda: tuple(session.scalars(
        _certified_results(round_id, Result.cadre_code).group_by(Result.cadre_code)
        .having(func.count() > 1).order_by(func.min(Result.severity), Result.cadre_code)))))


def two_places(session, round_id, codes: list[str]) -> list[list[Row]]:
    """The results of the people with these cadre codes: side by side, never merged, each
    person's places in the order they were voted on."""
    pairs: dict = {code: [] for code in codes}
    for start in range(0, len(codes), 500):  # a bounded IN list per query
        query = _rows_query(round_id, Filters()).where(
            Result.cadre_code.in_(codes[start:start + 500])).order_by(None)  # sorted below
        for row in _rows(session, session.execute(query).all()):
            pairs[row.cadre_code].append(row)
    for rows in pairs.values():
        rows.sort(key=lambda row: (row.held_on, sort_key(row.unit_name)))
    return list(pairs.values())
