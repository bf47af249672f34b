"""What the counting board decides about scanned ballots: each doubtful or flagged row (two
members), the blind check (ballots drawn at random, keyed without the reading), and accepting
the reading as a member's ballot-by-ballot sheet, which is then counted, sealed and certified
by the paper rules (voting.paper). The caller commits."""
import hashlib
import math
import secrets
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tinnhiem.conferences.lifecycle import audit_conference, lock_conference
from tinnhiem.conferences.services import ballot_nominees
from tinnhiem.platform.errors import ServiceError
from tinnhiem.scanning.ballots import ScannedBallot, find_row, scanned_ballots
from tinnhiem.scanning.models import ScanBatch, ScanCheck, ScanDecision, ScanPage
from tinnhiem.tally.models import MARKS, Ballot, BallotMark
from tinnhiem.voting.paper import (editable_sheet, own_sheet, require_entry_open,
                                   submit_sheet)

CHECK_SHARE, CHECK_MINIMUM = 0.05, 5  # the default draw: 5 % of the ballots, at least 5


def _unknown_row():
    return ServiceError("unknown_row", _l("Không tìm thấy dòng này trong các phiếu đã quét."),
                        status=404)


def decide_row(session, actor, conference, page_id, row_index: int, mark: str) -> ScanDecision:
    """Propose a row's mark, or confirm another member's proposal by choosing the same mark.
    A different mark replaces the proposal, which then waits for another member again."""
    require_entry_open(conference)
    if mark not in MARKS:
        raise ServiceError("invalid_mark", _l("Ký hiệu không hợp lệ."), field="mark")
    row = find_row(session, conference, page_id, row_index)
    if row is None:
        raise _unknown_row()
    decision = row.decision
    if decision is None:
        decision = ScanDecision(id=uuid.uuid4(), page_id=row.page_id, row_index=row.index,
                                mark=mark, decided_by=actor.id, province_id=conference.province_id,
                                unit_id=conference.unit_id)
        session.add(decision)
    elif decision.confirmed_by is None and decision.decided_by != actor.id and \
            decision.mark == mark:
        decision.confirmed_by = actor.id
    else:
        decision.mark, decision.decided_by, decision.confirmed_by = mark, actor.id, None
    session.flush()
    audit_conference(session, actor, "scan.row_decided", conference, page=str(row.page_id),
                     row=row.index + 1, confirmed=decision.confirmed_by is not None)
    return decision


# The blind check --------------------------------------------------------------------------

def checks(session, conference) -> list[ScanCheck]:
    return list(session.scalars(select(ScanCheck).where(
        ScanCheck.conference_id == conference.id).order_by(ScanCheck.id)))


def default_check_size(ballots: int) -> int:
    return min(ballots, max(CHECK_MINIMUM, math.ceil(ballots * CHECK_SHARE)))


def draw_check(session, actor, conference, count: int | None = None) -> list[ScanCheck]:
    """Draw `count` more ballots at random (the default share when None) for the blind
    check, among those not drawn yet."""
    require_entry_open(conference)
    ballots = scanned_ballots(session, conference)
    drawn = {c.page_id for c in checks(session, conference)}
    left = [b for b in ballots if b.first.id not in drawn]
    count = default_check_size(len(ballots)) if count is None else count
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count:
        raise ServiceError("invalid_count", _l("Số phiếu cần kiểm tra không hợp lệ."),
                           field="count")
    if not left:
        raise ServiceError("nothing_to_draw", _l("Không còn phiếu nào để rút kiểm tra."),
                           status=409)
    chosen = secrets.SystemRandom().sample(left, min(count, len(left)))
    added = [ScanCheck(id=uuid.uuid4(), conference_id=conference.id, page_id=b.first.id,
                       province_id=conference.province_id, unit_id=conference.unit_id)
             for b in chosen]
    session.add_all(added)
    session.flush()
    audit_conference(session, actor, "scan.check_drawn", conference, count=len(added))
    return added


def ballot_of(session, conference, check: ScanCheck) -> ScannedBallot | None:
    return next((b for b in scanned_ballots(session, conference)
                 if b.first.id == check.page_id), None)


def key_check(session, actor, conference, check_id, marks: dict) -> ScanCheck:
    """A member's keying of a drawn ballot, from the paper, every row. When it differs from
    the reading the check widens: as many ballots again are drawn."""
    require_entry_open(conference)
    check = session.scalar(select(ScanCheck).where(ScanCheck.conference_id == conference.id,
                                                   ScanCheck.id == check_id))
    if check is None:
        raise ServiceError("not_found", _l("Không tìm thấy phiếu rút kiểm tra."), status=404)
    if check.keyed is not None:
        raise ServiceError("check_keyed", _l("Phiếu này đã được nhập kiểm tra."), status=409)
    ballot = ballot_of(session, conference, check)
    if ballot is None:  # its first page was since found to be a sheet scanned twice
        raise ServiceError("check_not_counted", _l("Phiếu rút kiểm tra này không còn được đếm"
                                                   " (quét trùng)."), status=409)
    keyed = {}
    for row in ballot.rows:
        mark = marks.get(row.index)
        if mark not in MARKS:
            raise ServiceError("row_missing", _l("Chưa nhập dòng %(n)d.", n=row.index + 1),
                               field="marks")
        keyed[str(row.index)] = mark
    check.keyed, check.keyed_by = keyed, actor.id
    session.flush()
    differs = bool(differences(check, ballot))
    audit_conference(session, actor, "scan.check_keyed", conference, check=str(check.id),
                     agrees=not differs)
    if differs:
        drawn = len(checks(session, conference))
        left = len(scanned_ballots(session, conference)) - drawn
        if left:
            draw_check(session, actor, conference, min(drawn, left))
    return check


def differences(check: ScanCheck, ballot: ScannedBallot) -> list[int]:
    """Rows (0-based) where the keying and what counts disagree and the board has not
    settled it: a confirmed decision on the row settles it either way."""
    if check.keyed is None:
        return []
    return [r.index for r in ballot.rows
            if check.keyed.get(str(r.index)) != r.mark
            and not (r.decision is not None and r.decision.confirmed_by)]


# Accepting the reading ----------------------------------------------------------------------

def _refuse(code, message):
    raise ServiceError(code, message, status=409)


def readiness(session, conference, ballots: list[ScannedBallot] | None = None) -> list:
    """What still stands between the scans and a sheet, as messages (empty: ready).
    `ballots`: the conference's scanned ballots when the caller has read them already."""
    problems = []
    busy = session.scalar(select(ScanBatch.id).where(
        ScanBatch.conference_id == conference.id, ScanBatch.status.in_(("queued", "reading"))))
    if busy:
        problems.append(_l("Còn tệp đang đọc."))
    if ballots is None:
        ballots = scanned_ballots(session, conference)
    if not ballots:
        problems.append(_l("Chưa có phiếu nào được đọc."))
    rows = list(range(len(ballot_nominees(session, conference))))
    incomplete = sum(1 for b in ballots if not b.complete or sorted(b.marks) != rows)
    if incomplete:
        problems.append(_l("%(n)d phiếu thiếu trang: hãy quét lại đủ các trang.", n=incomplete))
    open_rows = sum(1 for b in ballots for r in b.rows if r.mark is None)
    if open_rows:
        problems.append(_l("%(n)d dòng chưa được hai thành viên quyết định.", n=open_rows))
    drawn = checks(session, conference)
    if ballots and len(drawn) < default_check_size(len(ballots)):
        problems.append(_l("Chưa rút đủ phiếu kiểm tra ngẫu nhiên."))
    if any(c.keyed is None for c in drawn):
        problems.append(_l("Còn phiếu rút kiểm tra chưa nhập."))
    by_page = {b.first.id: b for b in ballots}
    if any(differences(c, by_page[c.page_id]) for c in drawn if c.page_id in by_page):
        problems.append(_l("Có phiếu kiểm tra khác với kết quả đọc: Ban kiểm phiếu cần quyết"
                           " định các dòng đó."))
    return problems


def accept_reading(session, actor, conference, collected: int):
    """The scans become `actor`'s ballot-by-ballot sheet, submitted: refused while anything
    is unsettled, or when the ballots read are not the ballots collected."""
    lock_conference(session, conference)
    require_entry_open(conference)
    ballots = scanned_ballots(session, conference)
    problems = readiness(session, conference, ballots)
    if problems:
        _refuse("scans_not_ready", problems[0])
    if collected != len(ballots):
        _refuse("scans_count_differs", _l(
            "Số phiếu đọc được (%(read)d) khác số phiếu thu về (%(collected)d).",
            read=len(ballots), collected=collected))
    if own_sheet(session, conference, actor) is not None:
        _refuse("sheet_exists", _l("Bạn đã có bảng nhập phiếu: hãy xóa bảng đó trước khi nhận"
                                   " kết quả quét."))
    sheet = editable_sheet(session, conference, actor, "ballots")
    people = _people_by_index(session, conference)
    owner = {"province_id": conference.province_id, "unit_id": conference.unit_id}
    for scanned in ballots:
        marks = scanned.marks
        ballot = Ballot(id=uuid.uuid4(), conference_id=conference.id, origin="paper",
                        sheet_id=sheet.id, not_issued=False, extra_names=False,
                        blank=all(m == "blank" for m in marks.values()), **owner)
        session.add(ballot)
        session.add_all(BallotMark(ballot_id=ballot.id, nominee_id=people[i], mark=m, **owner)
                        for i, m in marks.items())
    sheet.evidence_digest = evidence_digest(ballots)
    sheet.scan_figures = {
        "ballots": len(ballots), "checked": len(checks(session, conference)),
        "decided_rows": sum(1 for b in ballots for r in b.rows if r.decision is not None)}
    session.flush()
    submit_sheet(session, actor, conference)
    audit_conference(session, actor, "scan.accepted", conference, sheet=str(sheet.id),
                     **sheet.scan_figures)
    return sheet


def evidence_digest(ballots: list[ScannedBallot]) -> str:
    """SHA-256 over the digests of every page counted, in an order-free form."""
    digests = sorted(p.digest or "-" for b in ballots for p in b.pages)
    return hashlib.sha256("\n".join(["tinnhiem-scans-v1", *digests]).encode()).hexdigest()


def _people_by_index(session, conference) -> dict:
    return {i: n.id for i, n in enumerate(ballot_nominees(session, conference))}


# The board over the reader's duplicates --------------------------------------------------

def mark_duplicate(session, actor, conference, page_id, duplicate: bool):
    """The board's word on a page the reader took (or did not take) for a sheet scanned
    twice: the paper in their hands settles it, and the count of ballots read follows."""
    require_entry_open(conference)
    page = session.scalar(select(ScanPage).where(ScanPage.conference_id == conference.id,
                                                 ScanPage.id == page_id,
                                                 ScanPage.status != "refused"))
    if page is None:
        raise ServiceError("not_found", _l("Không tìm thấy trang này."), status=404)
    if duplicate:
        page.status = "duplicate"
    else:
        flagged = any(r.get("status") in ("doubtful", "crossed") for r in page.rows or [])
        page.status, page.duplicate_of = ("doubtful" if flagged else "read"), None
    session.flush()
    audit_conference(session, actor, "scan.duplicate_set", conference, page=str(page.id),
                     duplicate=duplicate)
    return page
