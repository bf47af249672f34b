"""Validity of a ballot's rows (DOMAIN.md, "The ballot"), and the tally of a set of ballots.

Validity is judged per row: a row with no box or several boxes is invalid for that person
only; a ballot the board did not issue, or a blank ballot, is invalid on every row; a crossed
out name spoils its row, or the whole ballot when the template says so; names written in are
ignored. Every ballot collected counts, whatever its rows say.
"""
from dataclasses import dataclass, field

from tinnhiem.tally.models import VALID_MARKS


@dataclass
class PersonTally:
    high: int = 0
    confidence: int = 0
    low: int = 0
    invalid: int = 0

    @property
    def valid(self) -> int:
        return self.high + self.confidence + self.low

    def as_dict(self) -> dict:
        return {"high": self.high, "confidence": self.confidence, "low": self.low,
                "invalid": self.invalid}


@dataclass
class Tally:
    collected: int = 0
    people: dict = field(default_factory=dict)  # nominee id -> PersonTally


def effective_marks(marks: dict, *, not_issued=False, blank=False,
                    crossed_spoils_ballot=False) -> dict:
    """nominee id -> the level that counts, or None where the row is invalid."""
    whole_ballot_invalid = not_issued or blank or (
        crossed_spoils_ballot and "crossed" in marks.values())
    return {nominee: (mark if mark in VALID_MARKS and not whole_ballot_invalid else None)
            for nominee, mark in marks.items()}


def tally(ballots, nominee_ids, crossed_spoils_ballot=False) -> Tally:
    """`ballots`: iterable of (marks by nominee id, not_issued, blank). A person missing from
    a ballot's marks has an invalid row on it (nothing was read for them)."""
    result = Tally(people={n: PersonTally() for n in nominee_ids})
    for marks, not_issued, blank in ballots:
        result.collected += 1
        counted = effective_marks(marks, not_issued=not_issued, blank=blank,
                                  crossed_spoils_ballot=crossed_spoils_ballot)
        for nominee, person in result.people.items():
            level = counted.get(nominee)
            if level is None:
                person.invalid += 1
            else:
                setattr(person, level, getattr(person, level) + 1)
    return result
