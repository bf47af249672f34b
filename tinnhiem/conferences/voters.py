"""Summoned voters (a list of names, an imported sheet, or just a count) and attendance.
The caller commits."""
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tinnhiem.conferences.lifecycle import PREPARING, audit_conference
from tinnhiem.conferences.models import Conference, SummonedVoter
from tinnhiem.conferences.services import require_editable
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.sheet_import import ImportErrors, read_rows, sheet_kind
from tinnhiem.platform.xlsx_export import Column, write_table

# The largest body summoned to one conference (a provincial party committee's cadres, the
# delegates of a congress) is a few thousand people at most.
MAX_VOTERS = 5000
MAX_COLUMNS = 6   # a name, a title, perhaps a row number and a few notes


def list_voters(session, conference: Conference) -> list[SummonedVoter]:
    return list(session.scalars(select(SummonedVoter)
                                .where(SummonedVoter.conference_id == conference.id)
                                .order_by(SummonedVoter.position)))


def set_summoned_count(session, actor, conference: Conference, count) -> None:
    require_editable(conference)
    if not isinstance(count, int) or not 0 < count <= MAX_VOTERS:
        raise ServiceError("invalid_count", _l("Số người được triệu tập phải từ 1 đến %(n)d.",
                                               n=MAX_VOTERS), field="summoned_count")
    if list_voters(session, conference):
        raise ServiceError("has_list", _l("Hội nghị đã có danh sách tên; số người lấy theo"
                                          " danh sách."), field="summoned_count", status=409)
    conference.summoned_count = count
    conference.present_count = None  # attendance is taken again against the new number
    session.flush()
    audit_conference(session, actor, "conference.summoned_count", conference, count=count)


NAME_HEADERS = {"họ và tên", "họ tên", "ho va ten", "ho ten", "full name", "name", "tên"}
TITLE_HEADERS = {"chức vụ", "chuc vu", "title", "position"}


def _columns(header: list[str]) -> tuple[int, int] | None:
    """(name column, title column) when `header` is a header row, else None."""
    cells = [unicodedata.normalize("NFKC", cell).strip().lower() for cell in header]
    if not any(cell in NAME_HEADERS for cell in cells):
        return None
    name = next(i for i, cell in enumerate(cells) if cell in NAME_HEADERS)
    title = next((i for i, cell in enumerate(cells) if cell in TITLE_HEADERS), -1)
    return name, title


# The list a unit downloads to fill in: the headers parse_voter_sheet recognises (their English
# translations, "Full name" and "Position", are recognised too), nothing above them.
TEMPLATE_COLUMNS = (Column(_l("Họ và tên"), 36), Column(_l("Chức vụ"), 44))


def voter_template():
    """An empty list to fill in, as an open temporary XLSX file (see write_table)."""
    return write_table(_l("Danh sách triệu tập"), TEMPLATE_COLUMNS, [])


def parse_voter_sheet(filename: str, content: bytes) -> list[tuple[str, str]]:
    """(full name, title) per row. The first row is a header when its first cell reads like
    one ("Họ và tên"...). Raises ImportErrors listing every bad row."""
    kind = sheet_kind(filename, content)
    # One row more than the voters a conference may have: the header.
    rows = read_rows(kind, content, max_rows=MAX_VOTERS + 1, max_columns=MAX_COLUMNS)
    columns = _columns(rows[0][1]) if rows and rows[0][0] == 1 else None
    if columns:
        rows = rows[1:]
    name_at, title_at = columns or (0, 1)
    voters, errors = [], []
    for number, cells in rows:
        full_name = cells[name_at] if len(cells) > name_at else ""
        title = cells[title_at] if 0 <= title_at < len(cells) else ""
        if not full_name:
            errors.append((number, str(_l("Thiếu họ và tên."))))
        elif len(full_name) > 200 or len(title) > 255:
            errors.append((number, str(_l("Dài quá %(n)d ký tự.", n=200))))
        elif any(ord(ch) < 32 for ch in full_name + title):
            errors.append((number, str(_l("Có ký tự không hợp lệ."))))
        else:
            voters.append((full_name, title))
    if errors:
        raise ImportErrors(errors)
    if not voters:
        raise ServiceError("empty_file", _l("Tệp không có tên nào."), field="file")
    if len(voters) > MAX_VOTERS:
        raise ServiceError("too_many", _l("Quá %(n)d người.", n=MAX_VOTERS), field="file")
    return voters


def replace_voters(session, actor, conference: Conference, voters: list[tuple[str, str]]) -> int:
    """The list becomes exactly `voters` (an import replaces the previous list)."""
    require_editable(conference)
    for voter in list_voters(session, conference):
        session.delete(voter)
    session.flush()
    for position, (full_name, title) in enumerate(voters, start=1):
        session.add(SummonedVoter(province_id=conference.province_id, unit_id=conference.unit_id,
                                  conference_id=conference.id, position=position,
                                  full_name=full_name, title=title))
    conference.summoned_count = None
    conference.present_count = None  # attendance is taken again against the new list
    session.flush()
    audit_conference(session, actor, "conference.voters_replaced", conference, count=len(voters))
    return len(voters)


def record_attendance(session, actor, conference: Conference, *, present_count=None,
                      present_ids=None) -> None:
    """Attendance at the opening, before the vote: a count, or ticks on the list."""
    if conference.status not in PREPARING:
        raise ServiceError("not_editable", _l("Không thể sửa điểm danh sau khi đã bỏ phiếu."),
                           status=409)
    voters = list_voters(session, conference)
    if present_ids is not None and voters:
        wanted = {str(value) for value in present_ids}
        for voter in voters:
            voter.present = str(voter.id) in wanted
        conference.present_count = None
        present = sum(voter.present for voter in voters)
    else:
        summoned = len(voters) or conference.summoned_count or 0
        if not isinstance(present_count, int) or not 0 <= present_count <= summoned:
            raise ServiceError("invalid_present",
                               _l("Số có mặt phải từ 0 đến %(n)d (số được triệu tập).",
                                  n=summoned), field="present_count")
        for voter in voters:
            voter.present = False
        conference.present_count = present = present_count
    session.flush()
    audit_conference(session, actor, "conference.attendance", conference, present=present)
