"""A cadre's history: every certified result of one cadre code the scope may read, round
after round, with the change of their share of low confidence since the round before.

The rows are the result rows recorded at counting (name, post and figures as printed then),
of the bound scope (a province: all its units; a unit: its own) and of what that scope
succeeded (tenants.history: each predecessor read through its own read-only session, its
rows marked with its historical name). Nothing here says whether a code exists anywhere the
scope may not read: a code it cannot read has no history.
"""
import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import select, true

from tinnhiem.conferences.models import Conference
from tinnhiem.counting.bands import Figures
from tinnhiem.counting.models import Result
from tinnhiem.platform.inputs import normalize_code
from tinnhiem.rounds.models import Round
from tinnhiem.tenants.history import history_session, history_sources
from tinnhiem.tenants.models import Unit

IN_LIST = 500  # a bounded IN list per query


@dataclass
class HistoryRow(Figures):
    """One certified result of the person: one place in one round."""
    cadre_code: str
    round_id: uuid.UUID
    round_name: str
    round_year: int
    round_created: dt.datetime | None
    unit_id: uuid.UUID
    unit_name: str
    unit_valid_to: dt.date | None
    conference_id: uuid.UUID
    conference_title: str
    held_on: dt.date
    full_name: str
    post: str
    issued: int
    collected: int
    high: int
    confidence: int
    low: int
    invalid: int
    source: str | None = None  # the predecessor's name when read from history, else None
    # Change of the share of low confidence since the previous round, in percentage points
    # (exact; shown rounded half up to two decimals), None in the first round.
    low_change: Fraction | None = None

    @property
    def low_fraction(self) -> Fraction:
        return low_fraction(self.low, self.collected)

    @property
    def round_key(self) -> tuple:
        return round_key(self.round_year, self.round_created, self.round_id)

    @property
    def low_change_points(self) -> Decimal | None:
        return points(self.low_change)


@dataclass
class CadreHistory:
    cadre_code: str
    rows: list[HistoryRow] = field(default_factory=list)

    @property
    def latest(self) -> HistoryRow:
        return self.rows[-1]

    @property
    def full_name(self) -> str:
        """The name as of the latest round."""
        return self.latest.full_name

    @property
    def post(self) -> str:
        return self.latest.post


def low_fraction(low: int, collected: int) -> Fraction:
    """The share of low confidence in percentage points, exact (no rounding)."""
    return Fraction(100 * low, collected) if collected > 0 else Fraction(0)


def round_key(year: int, created: dt.datetime | None, round_id) -> tuple:
    """Rounds in the order they were held: by year, then as the province created them."""
    return (year, created or dt.datetime.min, str(round_id))


def points(change: Fraction | None) -> Decimal | None:
    """An exact change in percentage points as shown: two decimals, rounded half up."""
    if change is None:
        return None
    return (Decimal(change.numerator) / Decimal(change.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)


def checked_code(text) -> str:
    """A cadre code as people type it (and as counting stored it): ServiceError otherwise."""
    return normalize_code(text, "cadre_code")


RESULT_COLUMNS = (Result.cadre_code, Result.round_id, Result.unit_id, Result.conference_id,
                  Result.full_name, Result.post, Result.issued, Result.collected, Result.high,
                  Result.confidence, Result.low, Result.invalid)


def _lookup(session, query, ids: set) -> dict:
    """id -> the other columns of `query(ids)`, for a few ids (rounds, units, conferences)."""
    found, wanted = {}, list(ids)
    for start in range(0, len(wanted), IN_LIST):
        for key, *rest in session.execute(query(wanted[start:start + IN_LIST])):
            found[key] = rest
    return found


def _read(session, codes: list[str], source: str | None) -> list[HistoryRow]:
    """Certified results of these codes, found by code alone (ix_results_cadre), then the
    rounds, units and conferences they name looked up by id: no join for the planner to
    get wrong (under row-level security it estimates a row where a province has thousands,
    and walked every unit of the province for fifty codes)."""
    results = []
    for start in range(0, len(codes), IN_LIST):
        results += session.execute(select(*RESULT_COLUMNS).where(
            Result.cadre_code.in_(codes[start:start + IN_LIST]),
            Result.certified == true())).all()
    rounds = _lookup(session, lambda ids: select(
        Round.id, Round.name, Round.year, Round.created_at).where(Round.id.in_(ids)),
        {r.round_id for r in results})
    units = _lookup(session, lambda ids: select(Unit.id, Unit.name, Unit.valid_to).where(
        Unit.id.in_(ids)), {r.unit_id for r in results})
    conferences = _lookup(session, lambda ids: select(
        Conference.id, Conference.title, Conference.held_on).where(Conference.id.in_(ids)),
        {r.conference_id for r in results})
    return [HistoryRow(r.cadre_code, r.round_id, *rounds[r.round_id], r.unit_id,
                       *units[r.unit_id], r.conference_id, *conferences[r.conference_id],
                       r.full_name, r.post, r.issued, r.collected, r.high, r.confidence, r.low,
                       r.invalid, source=source)
            for r in results]


def readable_rows(session, codes: list[str]) -> list[HistoryRow]:
    """Every certified result of these codes the scope bound to `session` may read, and
    those of what it succeeded (marked with the predecessor's name), unordered."""
    if not codes:
        return []
    rows = _read(session, codes, None)
    for source in history_sources(session):
        with history_session(source) as past:
            rows += _read(past, codes, source.name)
    return rows


def in_order(rows: list[HistoryRow]) -> list[HistoryRow]:
    """By round as held, then by the day and place of the conference."""
    return sorted(rows, key=lambda r: (r.round_key, r.held_on, r.unit_name, str(r.unit_id)))


def previous_place(row: HistoryRow, earlier: list[HistoryRow]) -> HistoryRow | None:
    """What `row` is compared with: among the person's results of the latest round before
    its own (`earlier`, any order), the one in the same unit; else (a person voted on in
    another place then) the one with the highest share of low confidence. Places are never
    merged into one figure."""
    before = [r for r in earlier if r.round_key < row.round_key]
    if not before:
        return None
    last = max(r.round_key for r in before)
    last_round = [r for r in before if r.round_key == last]
    same_unit = [r for r in last_round if r.unit_id == row.unit_id]
    return same_unit[0] if same_unit else max(last_round, key=lambda r: r.low_fraction)


def with_trend(rows: list[HistoryRow]) -> list[HistoryRow]:
    """The rows in order, each with the change of its low share since the round before."""
    ordered = in_order(rows)
    for row in ordered:
        previous = previous_place(row, ordered)
        row.low_change = None if previous is None else row.low_fraction - previous.low_fraction
    return ordered


def cadre_history(session, cadre_code: str) -> CadreHistory | None:
    """The person's history as the scope may read it, or None when it may read nothing."""
    code = checked_code(cadre_code)
    rows = readable_rows(session, [code])
    if not rows:
        return None
    return CadreHistory(code, with_trend(rows))
