"""Paper ballots entered by the counting board (Ban kiểm phiếu).

Each counter keeps an independent sheet: ballot by ballot, or the totals per person when the
board counted by hand. Sheets are compared before a count is accepted, and the accepted one
must reconcile: collected ≤ issued (else an integrity alert) and, for every person,
high + confidence + low + invalid = collected. Accepting seals the count. The caller commits.
"""
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from tinnhiem.conferences.lifecycle import State, audit_conference, lock_conference
from tinnhiem.conferences.services import ballot_nominees
from tinnhiem.platform.errors import ServiceError
from tinnhiem.tally.models import MARKS, Ballot, BallotMark, SheetTotal, TallySheet
from tinnhiem.tally.seal import seal_digest
from tinnhiem.tally.totals import FIELDS, sheet_tally
# Typed on the keyboard, one per row: fast for a board reading ballots aloud.
ENTRY_KEYS = {"1": "high", "2": "confidence", "3": "low", "0": "blank", "4": "several",
              "5": "crossed"}


def require_entry_open(conference) -> None:
    """Paper ballots are entered after the vote closed and until a count is accepted."""
    if conference.mode != "paper":
        raise ServiceError("electronic_conference",
                           _l("Hội nghị bỏ phiếu điện tử: không nhập phiếu giấy."), status=409)
    if conference.status != State.CLOSED or conference.seal_digest:
        raise ServiceError("entry_closed",
                           _l("Chỉ nhập phiếu khi đã kết thúc bỏ phiếu và chưa chốt kết quả kiểm"
                              " phiếu."), status=409)


def list_sheets(session, conference) -> list[TallySheet]:
    return list(session.scalars(select(TallySheet).where(
        TallySheet.conference_id == conference.id).order_by(TallySheet.id)))


def own_sheet(session, conference, counter) -> TallySheet | None:
    return session.scalar(select(TallySheet).where(TallySheet.conference_id == conference.id,
                                                   TallySheet.counter_id == counter.id))


def editable_sheet(session, conference, counter, method: str) -> TallySheet:
    require_entry_open(conference)
    sheet = own_sheet(session, conference, counter)
    if sheet is None:
        sheet = TallySheet(id=uuid.uuid4(), conference_id=conference.id, counter_id=counter.id,
                           method=method, province_id=conference.province_id,
                           unit_id=conference.unit_id)
        session.add(sheet)
        session.flush()
    if sheet.submitted:
        raise ServiceError("sheet_submitted",
                           _l("Bảng nhập đã nộp; hãy mở lại để sửa."), status=409)
    if sheet.method != method:
        raise ServiceError("sheet_method",
                           _l("Bảng nhập của bạn đang nhập theo cách khác; hãy xóa bảng để đổi"
                              " cách nhập."), status=409)
    return sheet


def add_paper_ballot(session, counter, conference, entry: dict) -> Ballot:
    """One paper ballot as read: a mark for every printed row, and the ballot-wide flags.
    A blank ballot has nothing marked: its rows may be left out."""
    sheet = editable_sheet(session, conference, counter, "ballots")
    nominees = ballot_nominees(session, conference)
    marks = {str(k): v for k, v in (entry.get("marks") or {}).items()}
    blank = bool(entry.get("blank"))
    known = {str(n.id) for n in nominees}
    if set(marks) - known:
        raise ServiceError("unknown_nominee", _l("Phiếu có dòng không thuộc hội nghị này."),
                           field="marks")
    read = {}
    for n in nominees:
        mark = marks.get(str(n.id)) or ("blank" if blank else None)
        if mark is None:
            raise ServiceError("row_missing", _l("Chưa nhập dòng của %(name)s.", name=n.full_name),
                               field="marks")
        if mark not in MARKS:
            raise ServiceError("invalid_mark", _l("Ký hiệu cho %(name)s không hợp lệ.",
                                                  name=n.full_name), field="marks")
        if blank and mark != "blank":
            raise ServiceError("blank_with_marks",
                               _l("Phiếu trắng không thể có dòng được đánh dấu."), field="blank")
        read[n.id] = mark
    owner = {"province_id": conference.province_id, "unit_id": conference.unit_id}
    ballot = Ballot(id=uuid.uuid4(), conference_id=conference.id, origin="paper",
                    sheet_id=sheet.id, not_issued=bool(entry.get("not_issued")), blank=blank,
                    extra_names=bool(entry.get("extra_names")), **owner)
    session.add(ballot)
    session.add_all(BallotMark(ballot_id=ballot.id, nominee_id=n, mark=m, **owner)
                    for n, m in read.items())
    session.flush()
    return ballot


def remove_paper_ballot(session, counter, conference, ballot_id) -> None:
    sheet = editable_sheet(session, conference, counter, "ballots")
    ballot = session.scalar(select(Ballot).where(Ballot.id == ballot_id,
                                                 Ballot.sheet_id == sheet.id))
    if ballot is None:
        raise ServiceError("not_found", _l("Không tìm thấy phiếu trong bảng nhập của bạn."),
                           status=404)
    session.delete(ballot)
    session.flush()


def _count(value, name, field):
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100000:
        raise ServiceError("invalid_count", _l("Số phiếu của %(name)s không hợp lệ.", name=name),
                           field=field)
    return value


def set_totals(session, counter, conference, collected, totals: dict) -> TallySheet:
    """The board's hand count: ballots collected, and per person the four figures, which must
    add up to the ballots collected."""
    sheet = editable_sheet(session, conference, counter, "totals")
    sheet.collected = _count(collected, _l("phiếu thu về"), "collected")
    nominees = ballot_nominees(session, conference)
    totals = {str(k): v for k, v in (totals or {}).items()}
    if set(totals) - {str(n.id) for n in nominees}:
        raise ServiceError("unknown_nominee", _l("Có dòng không thuộc hội nghị này."),
                           field="totals")
    session.execute(delete(SheetTotal).where(SheetTotal.sheet_id == sheet.id)
                    .execution_options(synchronize_session=False))
    for n in nominees:
        figures = totals.get(str(n.id))
        if not isinstance(figures, dict):
            raise ServiceError("row_missing", _l("Chưa nhập số phiếu của %(name)s.",
                                                 name=n.full_name), field="totals")
        counts = {f: _count(figures.get(f), n.full_name, "totals") for f in FIELDS}
        if sum(counts.values()) != sheet.collected:
            raise ServiceError(
                "totals_mismatch",
                _l("%(name)s: cao %(h)d + tín nhiệm %(c)d + thấp %(l)d + không hợp lệ %(i)d ="
                   " %(t)d, khác số phiếu thu về (%(n)d).", name=n.full_name, h=counts["high"],
                   c=counts["confidence"], l=counts["low"], i=counts["invalid"],
                   t=sum(counts.values()), n=sheet.collected), field="totals")
        session.add(SheetTotal(sheet_id=sheet.id, nominee_id=n.id, province_id=sheet.province_id,
                               unit_id=sheet.unit_id, **counts))
    session.flush()
    return sheet


def clear_sheet(session, counter, conference) -> None:
    require_entry_open(conference)
    sheet = own_sheet(session, conference, counter)
    if sheet is not None:
        session.delete(sheet)
        session.flush()


def submit_sheet(session, counter, conference) -> TallySheet:
    require_entry_open(conference)
    sheet = own_sheet(session, conference, counter)
    if sheet is None or not sheet_tally(session, conference, sheet).collected:
        raise ServiceError("empty_sheet", _l("Bảng nhập chưa có phiếu nào."), status=409)
    sheet.submitted = True
    session.flush()
    return sheet


def reopen_sheet(session, counter, conference) -> TallySheet:
    require_entry_open(conference)
    sheet = own_sheet(session, conference, counter)
    if sheet is None:
        raise ServiceError("no_sheet", _l("Bạn chưa có bảng nhập."), status=404)
    sheet.submitted = False
    session.flush()
    return sheet


def differences(session, conference, sheets) -> list[dict]:
    """Where submitted sheets disagree: one entry per figure, with every sheet's value."""
    tallies = [sheet_tally(session, conference, s) for s in sheets]
    if len(tallies) < 2:
        return []
    found = []
    collected = [t.collected for t in tallies]
    if len(set(collected)) > 1:
        found.append({"nominee": None, "field": "collected", "values": collected})
    for n in ballot_nominees(session, conference):
        for field in FIELDS:
            values = [getattr(t.people[n.id], field) for t in tallies]
            if len(set(values)) > 1:
                found.append({"nominee": n, "field": field, "values": values})
    return found


def accept_count(session, actor, conference, sheet_id) -> TallySheet:
    """Accept one submitted sheet as the conference's count, and seal it. Refused while
    submitted sheets disagree or when more ballots came back than were issued."""
    lock_conference(session, conference)
    require_entry_open(conference)
    submitted = [s for s in list_sheets(session, conference) if s.submitted]
    sheet = next((s for s in submitted if str(s.id) == str(sheet_id)), None)
    if sheet is None:
        raise ServiceError("no_sheet", _l("Hãy chọn một bảng nhập đã nộp."), field="sheet_id")
    if differences(session, conference, submitted):
        raise ServiceError("sheets_differ",
                           _l("Các bảng nhập còn khác nhau; hãy đối chiếu và sửa trước khi chốt."),
                           status=409)
    result = sheet_tally(session, conference, sheet)
    if result.collected > (conference.ballots_issued or 0):
        raise ServiceError(
            "integrity_alert",
            _l("Cảnh báo: số phiếu thu về (%(c)d) lớn hơn số phiếu phát ra (%(i)d). Ban kiểm phiếu"
               " cần kiểm tra lại.", c=result.collected, i=conference.ballots_issued or 0),
            status=409)
    for person in result.people.values():
        if person.valid + person.invalid != result.collected:  # by construction; checked anyway
            raise ServiceError("totals_mismatch", _l("Số phiếu theo người không khớp."), status=409)
    sheet.accepted = True
    conference.seal_digest = seal_digest(session, conference, sheet)
    session.flush()
    audit_conference(session, actor, "conference.count_accepted", conference,
                     sheet=str(sheet.id), method=sheet.method, collected=result.collected,
                     issued=conference.ballots_issued, digest=conference.seal_digest,
                     sheets=len(submitted))
    return sheet
