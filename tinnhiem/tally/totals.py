"""The figures of a set of ballots: the electronic vote's, one paper sheet's ballot by
ballot entry, or a sheet of the board's hand-counted totals."""
from sqlalchemy import select

from tinnhiem.conferences.services import ballot_nominees
from tinnhiem.rounds.models import BallotTemplate
from tinnhiem.tally.models import Ballot, BallotMark, SheetTotal, TallySheet
from tinnhiem.tally.validity import PersonTally, Tally, tally

FIELDS = ("high", "confidence", "low", "invalid")


def counted_ballots(session, conference, sheet_id=None) -> list[tuple[Ballot, dict]]:
    """The ballots of the electronic vote (sheet_id None) or of one paper sheet, each with
    its marks by nominee id."""
    ballots = list(session.scalars(select(Ballot).where(
        Ballot.conference_id == conference.id,
        Ballot.sheet_id.is_(None) if sheet_id is None else Ballot.sheet_id == sheet_id)))
    marks = {b.id: {} for b in ballots}
    if ballots:
        # Columns, not objects: a large vote has tens of thousands of marks.
        for ballot_id, nominee_id, mark in session.execute(select(
                BallotMark.ballot_id, BallotMark.nominee_id, BallotMark.mark).where(
                BallotMark.ballot_id.in_(list(marks)))):
            marks[ballot_id][nominee_id] = mark
    return [(b, marks[b.id]) for b in ballots]


def counted_trackers(session, conference) -> list[str]:
    """The trackers of the electronic vote's ballots, sorted (never in order of arrival)."""
    return sorted(t for t in session.scalars(select(Ballot.tracker).where(
        Ballot.conference_id == conference.id, Ballot.sheet_id.is_(None))) if t)


def crossed_spoils_ballot(session, conference) -> bool:
    """Whether the ballot template says a crossed-out name spoils the whole ballot."""
    template = session.get(BallotTemplate, conference.template_id)
    return template is not None and template.crossed_out_rule == "ballot"


def accepted_sheet(session, conference) -> TallySheet | None:
    return session.scalar(select(TallySheet).where(TallySheet.conference_id == conference.id,
                                                   TallySheet.accepted.is_(True)))


def ballots_tally(session, conference, sheet_id=None) -> Tally:
    """The tally of the electronic ballots (sheet_id None) or of one paper sheet's ballots."""
    ballots = [(marks, b.not_issued, b.blank)
               for b, marks in counted_ballots(session, conference, sheet_id)]
    return tally(ballots, [n.id for n in ballot_nominees(session, conference)],
                 crossed_spoils_ballot(session, conference))


def sheet_tally(session, conference, sheet) -> Tally:
    nominees = ballot_nominees(session, conference)
    if sheet.method == "totals":
        rows = {t.nominee_id: t for t in session.scalars(
            select(SheetTotal).where(SheetTotal.sheet_id == sheet.id))}
        people = {n.id: PersonTally(**{f: getattr(rows[n.id], f) for f in FIELDS})
                  if n.id in rows else PersonTally() for n in nominees}
        return Tally(collected=sheet.collected or 0, people=people)
    return ballots_tally(session, conference, sheet.id)
