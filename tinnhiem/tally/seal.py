"""The seal: a SHA-256 over every counted ballot in a canonical, order-free form (or over the
accepted sheet of hand-counted totals), kept on the conference and chained in the audit log,
so a later recount can be checked against it."""
import hashlib

from sqlalchemy import select

from tinnhiem.conferences.services import ballot_nominees
from tinnhiem.tally.models import SheetTotal
from tinnhiem.tally.totals import counted_ballots


def _ballot_lines(nominees, ballots) -> list[str]:
    """`ballots`: (tracker, not_issued, blank, extra_names, marks by nominee id) each."""
    lines = []
    for tracker, *flags, marks in ballots:
        row = ",".join(marks.get(n.id, "-") for n in nominees)
        lines.append(f"{tracker or '-'}|{''.join('1' if f else '0' for f in flags)}|{row}")
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
        return _digest(conference, nominees, _totals_lines(session, nominees, sheet))
    ballots = counted_ballots(session, conference, sheet.id if sheet else None)
    lines = _ballot_lines(nominees, [
        (b.tracker, b.not_issued, b.blank, b.extra_names, marks) for b, marks in ballots])
    if sheet is not None and sheet.evidence_digest:  # read from scans: the images' digest too
        lines.append(f"evidence|{sheet.evidence_digest}")
    return _digest(conference, nominees, lines)


def ballots_digest(conference, nominees, ballots) -> str:
    """The seal of these ballots as seal_digest would read them back: (tracker, not_issued,
    blank, extra_names, marks by nominee id) each, in any order. Closing seals the rows it
    has just written, without reading them again."""
    return _digest(conference, nominees, _ballot_lines(nominees, ballots))


def _digest(conference, nominees, lines: list[str]) -> str:
    header = f"tinnhiem-seal-v1|{conference.id}|" + ",".join(str(n.id) for n in nominees)
    return hashlib.sha256("\n".join([header, *lines]).encode()).hexdigest()
