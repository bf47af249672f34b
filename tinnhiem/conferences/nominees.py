"""People voted on: exemptions and the at-most-two-places rule. The caller commits."""
import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tinnhiem.conferences.models import CadrePlace, Conference, Nominee
from tinnhiem.conferences.services import audit_conference, require_editable
from tinnhiem.platform.errors import ServiceError
from tinnhiem.rounds.models import Round, RoundCategory
from tinnhiem.tenants.models import Unit
from tinnhiem.tenants.services import as_uuid, normalize_code, required_text

MAX_PLACES = 2
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


def _claim_place(session, round_id, nominee: Nominee) -> None:
    """Take slot 1 or 2 for this cadre in the round; the unique key across units refuses a
    third. Each try runs in a savepoint so a refused one leaves the transaction usable."""
    for slot in range(1, MAX_PLACES + 1):
        try:
            with session.begin_nested():
                session.add(CadrePlace(province_id=nominee.province_id, unit_id=nominee.unit_id,
                                       round_id=round_id, cadre_code=nominee.cadre_code,
                                       slot=slot, nominee_id=nominee.id))
                session.flush()
            return
        except IntegrityError:
            continue
    raise ServiceError("third_place", _third_place_message(session, round_id, nominee),
                       field="cadre_code", status=409)


def _third_place_message(session, round_id, nominee: Nominee):
    """Name the two existing places only if this user may see both; otherwise the rule."""
    places = session.execute(
        select(Unit.name).join(CadrePlace, CadrePlace.unit_id == Unit.id)
        .where(CadrePlace.round_id == round_id, CadrePlace.cadre_code == nominee.cadre_code)
    ).scalars().all()
    if len(places) >= MAX_PLACES:
        return _l("Cán bộ %(code)s đã được lấy phiếu ở 2 nơi trong đợt này (%(places)s);"
                  " mỗi người chỉ được lấy phiếu tối đa ở 2 nơi.",
                  code=nominee.cadre_code, places=", ".join(sorted(places)))
    return _l("Mỗi người chỉ được lấy phiếu tối đa ở 2 nơi trong một đợt; cán bộ %(code)s"
              " đã đủ 2 nơi.", code=nominee.cadre_code)


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
    session.add(nominee)
    session.flush()
    if nominee.on_ballot:
        _claim_place(session, round_.id, nominee)
    audit_conference(session, actor, "nominee.added", conference, nominee=str(nominee.id),
           exemption=nominee.exemption)
    return nominee


def attach_report(session, actor, conference: Conference, nominee: Nominee, filename,
                  content: bytes) -> None:
    """The self-assessment report voters read before the conference (until it opens)."""
    if conference.status not in ("draft", "ready"):
        raise ServiceError("not_editable", _l("Không thể thay báo cáo sau khi đã bỏ phiếu."),
                           status=409)
    if not content:
        raise ServiceError("report_not_pdf", _l("Báo cáo tự đánh giá phải là tệp PDF."),
                           field="report")
    nominee.report_name, nominee.report_pdf = _checked_report(filename, content)
    session.flush()
    audit_conference(session, actor, "nominee.report", conference, nominee=str(nominee.id))


def release_places(session, conference: Conference) -> None:
    """An annulled conference no longer counts towards anyone's two places."""
    for place in session.scalars(select(CadrePlace).join(
            Nominee, Nominee.id == CadrePlace.nominee_id).where(
            Nominee.conference_id == conference.id)):
        session.delete(place)
    session.flush()


def remove_nominee(session, actor, conference: Conference, nominee: Nominee) -> None:
    require_editable(conference)
    for place in session.scalars(select(CadrePlace).where(CadrePlace.nominee_id == nominee.id)):
        session.delete(place)
    session.delete(nominee)
    session.flush()
    audit_conference(session, actor, "nominee.removed", conference, nominee=str(nominee.id))
