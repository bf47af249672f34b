"""The roll-up's flag: a person whose share of low confidence rose by more than the round's
threshold (`Round.low_rise_points`) since their previous certified round.

Worked out for rows a batch at a time, never one a person: for each batch, one read of the
earlier certified results of its cadre codes, in the bound scope and in each predecessor it
succeeded (tenants.history), of only the columns the comparison needs. The comparison itself
is the cadre history's (history.previous_place), so the flag and the history page agree.
The dashboard marks its page with it; the spreadsheet and the "only rising" filter stream a
whole round through it."""
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from fractions import Fraction
from typing import NamedTuple

from sqlalchemy import select, true

from tinnhiem.cadres.history import IN_LIST, low_fraction, points, previous_place, round_key
from tinnhiem.counting.models import Result
from tinnhiem.rounds.models import Round
from tinnhiem.tenants.history import history_session, history_sources


class Place(NamedTuple):
    """What the comparison needs of one certified result: its round, unit and low share."""
    round_key: tuple
    unit_id: uuid.UUID
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
        self.round_keys: dict = {}

    def changes(self, rows) -> list[Fraction | None]:
        """Each row's change in percentage points (exact), None in the person's first
        round."""
        earlier = self._earlier({row.cadre_code for row in rows})
        return [self._change(row, earlier.get(row.cadre_code, ())) for row in rows]

    def rose(self, change: Fraction | None) -> bool:
        """More than the round's threshold, exactly (never on a rounded share)."""
        return change is not None and change > self.round_.low_rise_points

    def _change(self, row, earlier) -> Fraction | None:
        place = Place(self.key, row.unit_id, row.low, row.collected)
        previous = previous_place(place, earlier)
        return None if previous is None else place.low_fraction - previous.low_fraction

    def _earlier(self, codes: set) -> dict[str, list[Place]]:
        """code -> the person's certified places in the other rounds every session reads."""
        wanted, found = sorted(codes), {}
        for session in self.sessions if wanted else ():
            results = []
            for start in range(0, len(wanted), IN_LIST):
                results += session.execute(select(
                    Result.cadre_code, Result.round_id, Result.unit_id, Result.low,
                    Result.collected).where(
                    Result.cadre_code.in_(wanted[start:start + IN_LIST]),
                    Result.certified == true(), Result.round_id != self.round_.id)).all()
            self._learn_rounds(session, {r.round_id for r in results})
            for r in results:
                found.setdefault(r.cadre_code, []).append(
                    Place(self.round_keys[r.round_id], r.unit_id, r.low, r.collected))
        return found

    def _learn_rounds(self, session, round_ids: set) -> None:
        missing = list(round_ids - self.round_keys.keys())
        for start in range(0, len(missing), IN_LIST):
            for round_id, year, created in session.execute(
                    select(Round.id, Round.year, Round.created_at).where(
                        Round.id.in_(missing[start:start + IN_LIST]))):
                self.round_keys[round_id] = round_key(year, created, round_id)


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
