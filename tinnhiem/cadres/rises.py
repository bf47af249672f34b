"""The roll-up's flag: a person whose share of low confidence rose by more than the round's
threshold (`Round.low_rise_points`) since their previous certified round.

Worked out for the rows a page shows, with one read of their codes' histories (history.py:
the scope's results and its predecessors'), never one a person."""
from fractions import Fraction

from tinnhiem.cadres.history import HistoryRow, points, previous_place, readable_rows


def _as_place(round_, row) -> HistoryRow:
    """A roll-up row as a place of the round `round_`, to be compared as history rows are."""
    return HistoryRow(
        cadre_code=row.cadre_code, round_id=round_.id, round_name=round_.name,
        round_year=round_.year, round_created=round_.created_at, unit_id=row.unit_id,
        unit_name=row.unit_name, unit_valid_to=None, conference_id=row.conference_id,
        conference_title="", held_on=row.held_on, full_name=row.full_name, post=row.post,
        issued=row.issued, collected=row.collected, high=row.high,
        confidence=row.confidence, low=row.low, invalid=row.invalid)


def rose(change: Fraction | None, threshold: int) -> bool:
    """More than `threshold` percentage points, exactly (never on a rounded share)."""
    return change is not None and change > threshold


def mark_rises(session, round_, rows: list) -> list:
    """Set on each roll-up row of `round_` its change of low share since the person's
    previous certified round (`low_change`, percentage points, or None) and whether it rose
    by more than the round's threshold (`low_rose`)."""
    histories: dict = {}
    for past in readable_rows(session, sorted({row.cadre_code for row in rows})):
        histories.setdefault(past.cadre_code, []).append(past)
    for row in rows:
        place = _as_place(round_, row)
        previous = previous_place(place, histories.get(row.cadre_code, []))
        change = None if previous is None else place.low_fraction - previous.low_fraction
        row.low_change = points(change)
        row.low_rose = rose(change, round_.low_rise_points)
    return rows
