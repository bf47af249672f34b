"""DOMAIN.md's ballot validity examples: judged per row; every ballot collected counts."""
from tinnhiem.tally.validity import tally

A, B, C = "a", "b", "c"  # three people on the ballot


def figures(ballots, crossed_spoils_ballot=False):
    result = tally(ballots, [A, B, C], crossed_spoils_ballot)
    return result.collected, {n: result.people[n].as_dict() for n in (A, B, C)}


def row(high=0, confidence=0, low=0, invalid=0):
    return {"high": high, "confidence": confidence, "low": low, "invalid": invalid}


def test_blank_row_is_invalid_for_that_person_only():
    collected, people = figures([({A: "high", B: "blank", C: "low"}, False, False)])
    assert collected == 1
    assert people == {A: row(high=1), B: row(invalid=1), C: row(low=1)}


def test_two_marks_are_invalid_for_that_person_only():
    _c, people = figures([({A: "several", B: "confidence", C: "high"}, False, False)])
    assert people == {A: row(invalid=1), B: row(confidence=1), C: row(high=1)}


def test_unissued_ballot_is_invalid_on_every_row_and_counted_as_collected():
    collected, people = figures([({A: "high", B: "high", C: "high"}, True, False),
                                 ({A: "low", B: "low", C: "low"}, False, False)])
    assert collected == 2
    assert all(people[n] == row(low=1, invalid=1) for n in (A, B, C))


def test_blank_ballot_is_invalid_on_every_row():
    collected, people = figures([({A: "blank", B: "blank", C: "blank"}, False, True)])
    assert collected == 1 and all(people[n] == row(invalid=1) for n in (A, B, C))


def test_crossed_out_name_spoils_its_row_or_the_ballot_as_configured():
    ballot = [({A: "crossed", B: "high", C: "low"}, False, False)]
    _c, by_row = figures(ballot)
    assert by_row == {A: row(invalid=1), B: row(high=1), C: row(low=1)}
    _c, by_ballot = figures(ballot, crossed_spoils_ballot=True)
    assert all(by_ballot[n] == row(invalid=1) for n in (A, B, C))


def test_invalid_rows_still_count_in_the_base():
    """C=47 with one invalid row: the person's figures add up to the ballots collected."""
    ballots = ([({A: "high"}, False, False)] * 19 + [({A: "confidence"}, False, False)] * 2
               + [({A: "low"}, False, False)] * 25 + [({A: "blank"}, False, False)])
    collected, people = figures(ballots)
    assert collected == 47
    assert people[A] == row(high=19, confidence=2, low=25, invalid=1)
    assert people[B] == row(invalid=47)  # nothing read for B on any ballot: invalid, counted
