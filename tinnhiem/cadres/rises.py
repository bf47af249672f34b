"""The roll-up's flag: a person whose share of low confidence rose by more than the round's
threshold (`Round.low_rise_points`) since their previous certified round.

Worked out for rows a batch at a time, never one a person: for each batch, one read of the
earlier certified results of its cadre codes, in the bound scope and in each predecessor it
succeeded (tenants.history), of only the columns the comparison needs. The comparison itself
is the cadre history's (history.previous_place), so the flag and the history page agree.
The dashboard marks its page with it; the spreadsheet and the "only rising" filter stream a
whole round through it."""
import functools
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from fractions import Fraction
from typing import NamedTuple

from sqlalchemy import String, select, true, type_coerce

from tinnhiem.cadres.history import IN_LIST, low_fraction, points, previous_place, round_key
from tinnhiem.counting.models import Result
from tinnhiem.rounds.models import Round
from tinnhiem.tenants.history import history_session, history_sources


class Place(NamedTuple):
    """What the comparison needs of one certified result: its round, unit (as hex) and low
    share."""
    round_key: tuple
    unit_id: str
    low: int
    collected: int

    @property
    def low_fraction(self) -> Fraction:
        return low_fraction(self.low, self.collected)


class Rises:
    """The change of low share of rows of `round_` (anything with cadre_code, unit_id, low
    and collected) since each person's previous certified round, read through `sessions`
    (the bound scope's, then one per predecessor)."""

    def __init__(self, sessions: list, round_):
        self.sessions, self.round_ = sessions, round_
        self.key = round_key(round_.year, round_.created_at, round_.id)
        self.round_keys: dict = {}  # per session: a round's id as hex -> its round_key

    @functools.cached_property
    def first_round(self) -> bool:
        """Whether no round the sessions read was held before this one: no one can have
        risen, and nothing need be read (a province's first round in the system)."""
        return not any(key < self.key for session in self.sessions
                       for key in self._round_keys(session).values())

    def changes(self, rows) -> list[Fraction | None]:
        """Each row's change in percentage points (exact), None in the person's first
        round."""
        if self.first_round:
            return [None] * len(rows)
        earlier = self._earlier({row.cadre_code for row in rows})
        return [self._change(row, earlier.get(row.cadre_code, ())) for row in rows]

    def rose(self, change: Fraction | None) -> bool:
        """More than the round's threshold, exactly (never on a rounded share)."""
        return change is not None and change > self.round_.low_rise_points

    def batches(self, session, query, only_risen: bool, batch: int) -> Iterator[list]:
        """The rows of `query` (result rows of the round, with cadre_code, unit_id, low and
        collected), streamed a batch at a time (a server-side cursor on PostgreSQL), each
        batch as (row, change) pairs; `only_risen`: only the rows that rose, reading only
        those whose share now could have, and nothing at all in a first round."""
        if only_risen:
            if self.first_round:
                return
            query = query.where(*could_rise(self.round_))
        for partition in session.execute(query.execution_options(yield_per=batch)).partitions():
            pairs = list(zip(partition, self.changes(partition)))
            if only_risen:
                pairs = [(row, change) for row, change in pairs if self.rose(change)]
            yield pairs

    def _change(self, row, earlier) -> Fraction | None:
        place = Place(self.key, row.unit_id.hex, row.low, row.collected)
        previous = previous_place(place, earlier)
        return None if previous is None else place.low_fraction - previous.low_fraction

    def _earlier(self, codes: set) -> dict[str, list[Place]]:
        """code -> the person's certified places in the other rounds every session reads.
        Ids come as the driver gives them (_raw): an export reads earlier places by the
        hundred thousand, and making a UUID of each was most of the time."""
        wanted, found = sorted(codes), {}
        for session in self.sessions if wanted else ():
            keys = self._round_keys(session)
            for start in range(0, len(wanted), IN_LIST):
                for code, round_id, unit_id, low, collected in session.execute(select(
                        Result.cadre_code, _raw(Result.round_id), _raw(Result.unit_id),
                        Result.low, Result.collected).where(
                        Result.cadre_code.in_(wanted[start:start + IN_LIST]),
                        Result.certified == true(), Result.round_id != self.round_.id)):
                    found.setdefault(code, []).append(
                        Place(keys[_hex(round_id)], _hex(unit_id), low, collected))
        return found

    def _round_keys(self, session) -> dict:
        """Every round the session reads (a province holds a few), once per session."""
        keys = self.round_keys.setdefault(session, {})
        if not keys:
            for raw, year, created in session.execute(
                    select(_raw(Round.id), Round.year, Round.created_at)):
                round_id = raw if isinstance(raw, uuid.UUID) else uuid.UUID(raw)
                keys[round_id.hex] = round_key(year, created, round_id)
        return keys


def _raw(column):
    """An id column as the driver returns it (SQLite: its hex text; PostgreSQL: a UUID)."""
    return type_coerce(column, String)


def _hex(value) -> str:
    return value if type(value) is str else value.hex


def could_rise(round_) -> tuple:
    """SQL conditions every result of `round_` that rose past its threshold meets, to read
    only those: the low share now must be above the threshold, the earlier one being at least
    0. `low_share` is ⌊10000·low/collected⌋, so above T points means at least 100·T."""
    return Result.low > 0, Result.low_share >= 100 * round_.low_rise_points


@contextmanager
def rises_of(session, round_) -> Iterator[Rises]:
    """Rises of `round_` for the life of the block: each predecessor's read-only session is
    opened once, however many batches go through."""
    with ExitStack() as stack:
        yield Rises([session, *(stack.enter_context(history_session(source))
                                for source in history_sources(session))], round_)


def mark_rises(session, round_, rows: list) -> list:
    """Set on each roll-up row of `round_` its change of low share since the person's
    previous certified round (`low_change`, percentage points as shown, or None) and whether
    it rose by more than the round's threshold (`low_rose`)."""
    if not rows:
        return rows
    with rises_of(session, round_) as rises:
        for row, change in zip(rows, rises.changes(rows)):
            row.low_change, row.low_rose = points(change), rises.rose(change)
    return rows
