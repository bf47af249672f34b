"""Closing the vote and sealing what was collected (the seal itself: tinnhiem.tally.seal).

Closing an electronic vote also rewrites every ballot under a fresh random id, in random
order, in the closing transaction: whatever the storage kept of the order of arrival (heap
position, the transaction that wrote each row) now says only "written at the close".
"""
import random
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, select, update

from tinnhiem.conferences.lifecycle import CLOSE, VOID_AND_CLOSE, performs, transition
from tinnhiem.conferences.services import ballot_nominees, voter_counts
from tinnhiem.platform.errors import ServiceError
from tinnhiem.tally.models import Ballot, BallotMark
from tinnhiem.tally.seal import ballots_digest
from tinnhiem.tally.totals import accepted_sheet, sheet_tally
from tinnhiem.tenants.scope import insert_rows
from tinnhiem.voting.codes import code_counts
from tinnhiem.voting.models import CodeState, VoteCode

_shuffle = random.SystemRandom().shuffle


def _rewrite_ballots_in_random_order(session, conference) -> list[tuple]:
    """Every ballot again under a fresh id, in a random order, in two multi-row inserts
    (ballots, then their marks in the same order): the rows' order in storage then says only
    that they were written at the close. Returns the ballots as written, in the form
    tally.seal.ballots_digest takes (the seal is made from them, not read back)."""
    rows = session.execute(select(Ballot.id, Ballot.tracker).where(
        Ballot.conference_id == conference.id, Ballot.sheet_id.is_(None))).all()
    marks = {ballot_id: {} for ballot_id, _tracker in rows}
    for ballot_id, nominee_id, mark in session.execute(select(
            BallotMark.ballot_id, BallotMark.nominee_id, BallotMark.mark).where(
            BallotMark.ballot_id.in_(list(marks)))):
        marks[ballot_id][nominee_id] = mark
    session.execute(delete(Ballot).where(Ballot.conference_id == conference.id,
                                         Ballot.sheet_id.is_(None))
                    .execution_options(synchronize_session=False))  # marks go by cascade
    _shuffle(rows)
    owner = {"province_id": conference.province_id, "unit_id": conference.unit_id}
    copies = [(uuid.uuid4(), tracker, marks[old_id]) for old_id, tracker in rows]
    ballots = [{"id": new_id, "conference_id": conference.id, "origin": "electronic",
                "tracker": tracker, "sheet_id": None, "not_issued": False, "blank": False,
                "extra_names": False, **owner} for new_id, tracker, _marks in copies]
    insert_rows(session, Ballot, ballots)
    insert_rows(session, BallotMark, [
        {"ballot_id": new_id, "nominee_id": nominee_id, "mark": mark, **owner}
        for new_id, _tracker, by_nominee in copies for nominee_id, mark in by_nominee.items()])
    return [(b["tracker"], b["not_issued"], b["blank"], b["extra_names"], by_nominee)
            for b, (_id, _tracker, by_nominee) in zip(ballots, copies)]


def _touch_every_code(session, conference) -> None:
    """Unused codes become void; spent ones are rewritten too, so no code row keeps the
    transaction of the vote that spent it."""
    session.execute(update(VoteCode).where(VoteCode.conference_id == conference.id)
                    .values(state=case((VoteCode.state == CodeState.UNUSED, CodeState.VOID),
                                       else_=VoteCode.state))
                    .execution_options(synchronize_session=False))


def close_vote(session, actor, conference, ballots_issued=None) -> dict:
    """End the vote. Electronic: no more ballots, unused codes voided, ballots sealed.
    Paper: the board records how many ballots it handed out; the seal comes when the count
    is accepted. Returns issued / collected / unused."""
    def close():
        if conference.mode == "electronic":
            return _close_electronic(session, conference)
        return _close_paper(session, conference, ballots_issued)

    return transition(session, actor, conference, CLOSE, close)


@performs(VOID_AND_CLOSE)
def void_and_close(session, actor, conference) -> dict:
    """End a vote suspended by a restore: every code still unused is voided (a code spent
    after the backup reads unused in the restored data, and must never vote again) and the
    vote closes and is sealed as any electronic vote does, with the ballots the backup kept."""
    return transition(session, actor, conference, VOID_AND_CLOSE,
                      lambda: _close_electronic(session, conference))


def _close_electronic(session, conference) -> dict:
    # Codes first: a vote still in flight either committed before this (its ballot is read
    # below) or now finds its code void and is refused.
    _touch_every_code(session, conference)
    counts = code_counts(session, conference)
    ballots = _rewrite_ballots_in_random_order(session, conference)
    collected = len(ballots)
    conference.ballots_issued = counts["issued"]
    conference.seal_digest = ballots_digest(conference, ballot_nominees(session, conference),
                                            ballots)
    return {"issued": counts["issued"], "collected": collected, "unused": counts["void"],
            "digest": conference.seal_digest}


def _close_paper(session, conference, ballots_issued) -> dict:
    _summoned, present, _listed = voter_counts(session, conference)
    if not isinstance(ballots_issued, int) or isinstance(ballots_issued, bool) \
            or ballots_issued < 1:
        raise ServiceError("required", _l("Hãy nhập số phiếu đã phát ra."), field="ballots_issued")
    if ballots_issued > present:
        raise ServiceError("issued_over_present",
                           _l("Số phiếu phát ra (%(i)d) lớn hơn số người có mặt (%(p)d).",
                              i=ballots_issued, p=present), field="ballots_issued")
    conference.ballots_issued = ballots_issued
    return {"issued": ballots_issued}


def vote_summary(session, conference) -> dict:
    """Issued / collected / unused as the unit sees them, during and after the vote."""
    if conference.mode == "electronic":
        counts = code_counts(session, conference)
        return {"issued": counts["issued"], "collected": counts["spent"],
                "unused": counts["unused"] + counts["void"]}
    accepted = accepted_sheet(session, conference)
    collected = None
    if accepted is not None:
        collected = sheet_tally(session, conference, accepted).collected
    return {"issued": conference.ballots_issued, "collected": collected,
            "unused": None}
