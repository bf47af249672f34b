"""People voted on: exemptions, and only cadres the province's registry gives the unit
(rounds.registry: the at-most-two-places rule). The caller commits."""
import datetime as dt

from blinker import ANY
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from tinnhiem.conferences.lifecycle import PREPARING, State, audit_conference
from tinnhiem.conferences.models import Conference, Nominee
from tinnhiem.conferences.services import require_editable
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.inputs import as_uuid, normalize_code, required_text
from tinnhiem.rounds import registry
from tinnhiem.rounds.models import Round, RoundCategory

MAX_REPORT_BYTES = 5 * 1024 * 1024
EXEMPTION_LABELS = {
    "retirement_notice": _l("Đã có thông báo nghỉ hưu"),
    "appointed_this_year": _l("Được bầu, bổ nhiệm trong năm lấy phiếu"),
}


def exemption_label(code: str | None) -> str:
    return str(EXEMPTION_LABELS.get(code, code or ""))


def exemption_for(round_: Round, appointed_on: dt.date | None, retirement_notice: bool):
    """Why the person is not voted on in this round, or None (DOMAIN.md: exempt)."""
    if round_.exempt_retirement_notice and retirement_notice:
        return "retirement_notice"
    if round_.exempt_appointed_this_year and appointed_on and appointed_on.year == round_.year:
        return "appointed_this_year"
    return None


def list_nominees(session, conference: Conference) -> list[Nominee]:
    return list(session.scalars(select(Nominee).where(Nominee.conference_id == conference.id)
                                .order_by(Nominee.ballot_order, Nominee.full_name)))


def get_nominee(session, conference: Conference, nominee_id) -> Nominee | None:
    return session.scalar(select(Nominee).where(Nominee.id == nominee_id,
                                                Nominee.conference_id == conference.id))


def _category(session, round_id, category_id) -> RoundCategory:
    category = session.scalar(select(RoundCategory).where(
        RoundCategory.id == as_uuid(category_id, "category_id"), RoundCategory.round_id == round_id)
    ) if category_id else None
    if category is None:
        raise ServiceError("unknown_category", _l("Hãy chọn nhóm chức danh của đợt."),
                           field="category_id")
    return category


def _next_order(session, conference: Conference) -> int:
    return (session.scalar(select(func.max(Nominee.ballot_order))
                           .where(Nominee.conference_id == conference.id)) or 0) + 1


def _report(data: dict) -> tuple[str | None, bytes | None]:
    content = data.get("report_pdf")
    if not content:
        return None, None
    return _checked_report(data.get("report_name"), content)


def _checked_report(filename, content: bytes) -> tuple[str, bytes]:
    if len(content) > MAX_REPORT_BYTES:
        raise ServiceError("report_too_large", _l("Tệp báo cáo quá lớn (tối đa 5 MB)."),
                           field="report", status=413)
    if not content.startswith(b"%PDF-"):
        raise ServiceError("report_not_pdf", _l("Báo cáo tự đánh giá phải là tệp PDF."),
                           field="report")
    # A file name is only shown back; keep printable characters only.
    name = "".join(ch for ch in str(filename or "") if ch.isprintable())
    return (name.strip()[:255] or "bao-cao.pdf"), content


def add_nominee(session, actor, conference: Conference, data: dict) -> Nominee:
    require_editable(conference)
    round_ = session.scalar(select(Round).where(Round.id == conference.round_id))
    category = _category(session, round_.id, data.get("category_id"))
    cadre_code = normalize_code(data.get("cadre_code"), "cadre_code")
    if session.scalar(select(Nominee.id).where(Nominee.conference_id == conference.id,
                                               Nominee.cadre_code == cadre_code)):
        raise ServiceError("duplicate_nominee", _l("Người này đã có trong danh sách."),
                           field="cadre_code", status=409)
    appointed_on = data.get("appointed_on")
    if appointed_on is not None and not isinstance(appointed_on, dt.date):
        raise ServiceError("invalid_date", _l("Ngày không hợp lệ."), field="appointed_on")
    order = data.get("ballot_order") or _next_order(session, conference)
    if not isinstance(order, int) or not 0 < order < 10_000:
        raise ServiceError("invalid_order", _l("Số thứ tự không hợp lệ."), field="ballot_order")
    report_name, report_pdf = _report(data)
    nominee = Nominee(
        province_id=conference.province_id, unit_id=conference.unit_id,
        conference_id=conference.id, cadre_code=cadre_code,
        full_name=required_text(data.get("full_name"), "full_name", 200),
        post=required_text(data.get("post"), "post", 255), category_id=category.id,
        ballot_order=order, appointed_on=appointed_on,
        retirement_notice=bool(data.get("retirement_notice")),
        report_name=report_name, report_pdf=report_pdf,
    )
    nominee.exemption = exemption_for(round_, appointed_on, nominee.retirement_notice)
    if nominee.on_ballot:
        require_listable(session, conference, cadre_code)
    session.add(nominee)
    session.flush()
    audit_conference(session, actor, "nominee.added", conference, nominee=str(nominee.id),
           exemption=nominee.exemption)
    return nominee


def attach_report(session, actor, conference: Conference, nominee: Nominee, filename,
                  content: bytes) -> None:
    """The self-assessment report voters read before the conference (until it opens)."""
    if conference.status not in PREPARING:
        raise ServiceError("not_editable", _l("Không thể thay báo cáo sau khi đã bỏ phiếu."),
                           status=409)
    if not content:
        raise ServiceError("report_not_pdf", _l("Báo cáo tự đánh giá phải là tệp PDF."),
                           field="report")
    nominee.report_name, nominee.report_pdf = _checked_report(filename, content)
    session.flush()
    audit_conference(session, actor, "nominee.report", conference, nominee=str(nominee.id))


def remove_nominee(session, actor, conference: Conference, nominee: Nominee) -> None:
    require_editable(conference)
    session.delete(nominee)
    session.flush()
    audit_conference(session, actor, "nominee.removed", conference, nominee=str(nominee.id))


# The registry's rules about ballots -------------------------------------------------------

def _live_listing(session, round_id, unit_id, code: str, on_ballot_only=False):
    """A conference of `unit_id` in the round, not annulled, that lists the cadre."""
    query = (select(Conference).join(Nominee, Nominee.conference_id == Conference.id)
             .where(Conference.round_id == round_id, Conference.unit_id == unit_id,
                    Conference.status != State.ANNULLED, Nominee.cadre_code == code))
    if on_ballot_only:
        query = query.where(Nominee.exemption.is_(None))
    return session.scalars(query.order_by(Conference.held_on)).first()


def require_listable(session, conference: Conference, code: str) -> None:
    """Before a cadre goes on this conference's ballot: the registry gives the unit this
    cadre, and no other live conference of the unit has them on its ballot. Reads only the
    unit's own rows; the refusal is the same whatever other units have."""
    # Locked: two people of the unit adding the cadre at once go one after the other.
    entry = registry.own_entry(session, conference.round_id, conference.unit_id, code, lock=True)
    if entry is None:
        raise ServiceError(
            "not_in_registry",
            _l("Cán bộ %(code)s chưa được Ban Tổ chức Tỉnh ủy đưa vào danh sách lấy phiếu của"
               " đơn vị trong đợt này. Hãy gửi đề nghị bổ sung ở trang «Danh sách cán bộ của"
               " đợt» để Ban Tổ chức Tỉnh ủy xem xét.", code=code),
            field="cadre_code", status=409)
    other = _live_listing(session, conference.round_id, conference.unit_id, code,
                          on_ballot_only=True)
    if other is not None and other.id != conference.id:
        raise ServiceError(
            "listed_elsewhere",
            _l("Cán bộ %(code)s đã có trong hội nghị «%(title)s» của đơn vị trong đợt này;"
               " mỗi đơn vị lấy phiếu một người một lần.", code=code, title=other.title),
            field="cadre_code", status=409)


@registry.entry_removing.connect_via(ANY, weak=False)
def _refuse_removing_listed(entry, *, session) -> None:
    """The province may not take back a cadre a live conference of the unit lists."""
    listing = _live_listing(session, entry.round_id, entry.unit_id, entry.cadre_code)
    if listing is not None:
        raise ServiceError(
            "entry_in_use",
            _l("Cán bộ %(code)s đang có trong hội nghị «%(title)s» của đơn vị; đơn vị cần xóa"
               " người này khỏi hội nghị (hoặc hủy hội nghị) trước.", code=entry.cadre_code,
               title=listing.title), status=409)
