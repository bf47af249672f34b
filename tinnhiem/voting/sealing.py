"""Closing the vote and sealing what was collected.

The seal is a SHA-256 over every counted ballot in a canonical, order-free form, kept on the
conference and chained in the audit log, so a later recount can be checked against it.
Closing an electronic vote also rewrites every ballot under a fresh random id, in random
order, in the closing transaction: whatever the storage kept of the order of arrival (heap
position, the transaction that wrote each row) now says only "written at the close".
"""
import hashlib
import random
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, select, update

from tinnhiem.conferences.services import (audit_conference, ballot_nominees, lock_conference,
                                           status_label, voter_counts)
from tinnhiem.platform.errors import ServiceError
from tinnhiem.voting.codes import code_counts
from tinnhiem.voting.models import Ballot, BallotMark, SheetTotal, VoteCode

_shuffle = random.SystemRandom().shuffle


def counted_ballots(session, conference, sheet_id=None) -> list[tuple[Ballot, dict]]:
    """The ballots of the electronic vote (sheet_id None) or of one paper sheet, each with
    its marks by nominee id."""
    ballots = list(session.scalars(select(Ballot).where(
        Ballot.conference_id == conference.id,
        Ballot.sheet_id.is_(None) if sheet_id is None else Ballot.sheet_id == sheet_id)))
    marks = {b.id: {} for b in ballots}
    if ballots:
        for mark in session.scalars(select(BallotMark).where(
                BallotMark.ballot_id.in_(list(marks)))):
            marks[mark.ballot_id][mark.nominee_id] = mark.mark
    return [(b, marks[b.id]) for b in ballots]


def _ballot_lines(nominees, ballots) -> list[str]:
    lines = []
    for ballot, marks in ballots:
        flags = "".join("1" if f else "0" for f in (ballot.not_issued, ballot.blank,
                                                     ballot.extra_names))
        row = ",".join(marks.get(n.id, "-") for n in nominees)
        lines.append(f"{ballot.tracker or '-'}|{flags}|{row}")
    return sorted(lines)


def _totals_lines(session, nominees, sheet) -> list[str]:
    totals = {t.nominee_id: t for t in session.scalars(
        select(SheetTotal).where(SheetTotal.sheet_id == sheet.id))}
    lines = [f"collected|{sheet.collected}"]
    for n in nominees:
        t = totals.get(n.id)
        lines.append(f"{n.id}|{t.high}|{t.confidence}|{t.low}|{t.invalid}" if t else f"{n.id}|-")
    return lines


def seal_digest(session, conference, sheet=None) -> str:
    """The digest of what is counted: the electronic ballots, or the accepted paper sheet."""
    nominees = ballot_nominees(session, conference)
    if sheet is not None and sheet.method == "totals":
        lines = _totals_lines(session, nominees, sheet)
    else:
        lines = _ballot_lines(nominees, counted_ballots(session, conference,
                                                        sheet.id if sheet else None))
    header = f"tinnhiem-seal-v1|{conference.id}|" + ",".join(str(n.id) for n in nominees)
    return hashlib.sha256("\n".join([header, *lines]).encode()).hexdigest()


def _rewrite_ballots_in_random_order(session, conference) -> None:
    rows = session.execute(select(Ballot.id, Ballot.tracker).where(
        Ballot.conference_id == conference.id, Ballot.sheet_id.is_(None))).all()
    marks = {ballot_id: [] for ballot_id, _tracker in rows}
    for ballot_id, nominee_id, mark in session.execute(select(
            BallotMark.ballot_id, BallotMark.nominee_id, BallotMark.mark).where(
            BallotMark.ballot_id.in_(list(marks)))):
        marks[ballot_id].append((nominee_id, mark))
    session.execute(delete(Ballot).where(Ballot.conference_id == conference.id,
                                         Ballot.sheet_id.is_(None))
                    .execution_options(synchronize_session=False))  # marks go by cascade
    _shuffle(rows)
    owner = {"province_id": conference.province_id, "unit_id": conference.unit_id}
    for old_id, tracker in rows:
        copy = Ballot(id=uuid.uuid4(), conference_id=conference.id, origin="electronic",
                      tracker=tracker, **owner)
        session.add(copy)
        session.add_all(BallotMark(ballot_id=copy.id, nominee_id=n, mark=m, **owner)
                        for n, m in marks[old_id])
        session.flush()  # one by one: the insert order is the shuffled order


def _touch_every_code(session, conference) -> None:
    """Unused codes become void; spent ones are rewritten too, so no code row keeps the
    transaction of the vote that spent it."""
    session.execute(update(VoteCode).where(VoteCode.conference_id == conference.id)
                    .values(state=case((VoteCode.state == "unused", "void"),
                                       else_=VoteCode.state))
                    .execution_options(synchronize_session=False))


def close_vote(session, actor, conference, ballots_issued=None) -> dict:
    """End the vote. Electronic: no more ballots, unused codes voided, ballots sealed.
    Paper: the board records how many ballots it handed out; the seal comes when the count
    is accepted. Returns issued / collected / unused."""
    lock_conference(session, conference)
    _require_status(conference, "open")
    if conference.mode == "electronic":
        summary = _close_electronic(session, conference)
    else:
        summary = _close_paper(session, conference, ballots_issued)
    _mark_closed(session, actor, conference, "conference.closed", summary)
    return summary


def void_and_close(session, actor, conference) -> dict:
    """End a vote suspended by a restore: every code still unused is voided (a code spent
    after the backup reads unused in the restored data, and must never vote again) and the
    vote closes and is sealed as any electronic vote does, with the ballots the backup kept."""
    lock_conference(session, conference)
    _require_status(conference, "suspended")
    summary = _close_electronic(session, conference)
    _mark_closed(session, actor, conference, "conference.suspension_closed", summary)
    return summary


def _require_status(conference, status: str) -> None:
    if conference.status != status:
        raise ServiceError("invalid_transition",
                           _l("Không thể kết thúc bỏ phiếu khi hội nghị ở trạng thái “%(s)s”.",
                              s=status_label(conference.status)), status=409)


def _mark_closed(session, actor, conference, action: str, summary: dict) -> None:
    conference.status = "closed"
    session.flush()
    audit_conference(session, actor, action, conference, **summary)


def _close_electronic(session, conference) -> dict:
    # Codes first: a vote still in flight either committed before this (its ballot is read
    # below) or now finds its code void and is refused.
    _touch_every_code(session, conference)
    counts = code_counts(session, conference)
    _rewrite_ballots_in_random_order(session, conference)
    collected = len(counted_ballots(session, conference))
    conference.ballots_issued = counts["issued"]
    conference.seal_digest = seal_digest(session, conference)
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
    from tinnhiem.voting.paper import accepted_sheet, sheet_tally  # paper builds on this module

    accepted = accepted_sheet(session, conference)
    collected = None
    if accepted is not None:
        collected = sheet_tally(session, conference, accepted).collected
    return {"issued": conference.ballots_issued, "collected": collected,
            "unused": None}
