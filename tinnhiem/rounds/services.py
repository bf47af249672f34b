"""The province's rules for templates and rounds. Only province admins write them; every
unit of the province reads them. The caller commits."""
import datetime as dt
from types import SimpleNamespace

from blinker import Namespace

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from tinnhiem.platform.audit.services import record
from tinnhiem.platform.auth.roles import UNIT_ROLES, Role
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.inputs import as_uuid, optional_text, required_text
from tinnhiem.platform.worker_cache import worker_cache
from tinnhiem.rounds.models import (CROSSED_OUT_BALLOT, CROSSED_OUT_ROW, BallotTemplate, Round,
                                    RoundCategory, RoundUnit)
from tinnhiem.tenants.models import Unit
from tinnhiem.tenants.services import get_unit, require_active_on, successors_said, today

# Sent when a round is created with its participating units, inside the caller's
# transaction: sender is the Round; keyword argument session. A feature keeping something
# per participating unit (the roll-up's progress) subscribes instead of being imported.
round_created = Namespace().signal("round-created")

DEFAULT_TEMPLATE = {
    "title": "PHIẾU LẤY PHIẾU TÍN NHIỆM",
    "header": "",
    "high_label": "Tín nhiệm cao",
    "confidence_label": "Tín nhiệm",
    "low_label": "Tín nhiệm thấp",
    "instructions": ("Đánh dấu (X) vào một trong ba ô tương ứng với mức tín nhiệm đối với"
                     " từng người. Mỗi người chỉ đánh dấu một ô."),
    "crossed_out_rule": CROSSED_OUT_ROW,
}


def require_province_admin(actor) -> None:
    if getattr(actor, "role", None) != Role.PROVINCE_ADMIN:
        raise ServiceError("forbidden", _l("Chỉ Ban Tổ chức Tỉnh ủy được thay đổi mục này."),
                           status=404)


# Ballot template ----------------------------------------------------------------------------

def latest_template(session, province_id, for_update=False) -> BallotTemplate | None:
    query = (select(BallotTemplate).where(BallotTemplate.province_id == province_id)
             .order_by(BallotTemplate.version.desc()).limit(1))
    return session.scalar(query.with_for_update() if for_update else query)


def frozen_template(session, template_id):
    """The template version a conference froze, as read once per worker: a version in use
    never changes (save_template makes the next one instead). A plain copy of its columns,
    shared by every request of the worker, never an object of one session."""
    if template_id is None:
        return None
    cache = worker_cache("frozen_templates", 1_000)
    template = cache.get(template_id)
    if template is None:
        row = session.get(BallotTemplate, template_id)
        if row is None:
            return None
        template = cache[template_id] = SimpleNamespace(
            **{column.key: getattr(row, column.key)
               for column in inspect(BallotTemplate).column_attrs})
    return template


def list_templates(session) -> list[BallotTemplate]:
    return list(session.scalars(select(BallotTemplate).order_by(BallotTemplate.version.desc())))


def save_template(session, actor, province_id, data: dict) -> BallotTemplate:
    """Change the province's template. A version already used by a conference is frozen:
    the change becomes the next version, and conferences keep the one they used."""
    require_province_admin(actor)
    rule = data.get("crossed_out_rule") or CROSSED_OUT_ROW
    if rule not in (CROSSED_OUT_ROW, CROSSED_OUT_BALLOT):
        raise ServiceError("invalid_rule", _l("Quy tắc gạch tên không hợp lệ."),
                           field="crossed_out_rule")
    values = {
        "title": required_text(data.get("title"), "title", 255),
        "header": optional_text(data.get("header"), "header", 2000),
        "high_label": required_text(data.get("high_label"), "high_label", 60),
        "confidence_label": required_text(data.get("confidence_label"), "confidence_label", 60),
        "low_label": required_text(data.get("low_label"), "low_label", 60),
        "instructions": optional_text(data.get("instructions"), "instructions", 4000),
        "crossed_out_rule": rule,
    }
    # Locked, so a conference cannot freeze this version while it is being edited.
    current = latest_template(session, province_id, for_update=True)
    if current is None or current.frozen:
        template = BallotTemplate(province_id=province_id,
                                  version=(current.version + 1) if current else 1)
        session.add(template)
    else:
        template = current
    for name, value in values.items():
        setattr(template, name, value)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ServiceError("template_busy", _l("Mẫu phiếu vừa được người khác sửa; hãy thử lại."),
                           status=409) from None
    record(session, "template.saved", actor=actor, province_id=province_id,
           unit_id=province_id, target=template.id, details={"version": template.version})
    return template


def ensure_template(session, actor, province_id) -> BallotTemplate:
    """The province's template; the first time, the default wording under its own name."""
    existing = latest_template(session, province_id)
    if existing is not None:
        return existing
    province = get_unit(session, province_id)
    header = province.name.upper() if province is not None else ""
    return save_template(session, actor, province_id, {**DEFAULT_TEMPLATE, "header": header})


# Rounds ------------------------------------------------------------------------------------

def list_rounds(session) -> list[Round]:
    return list(session.scalars(select(Round).order_by(Round.year.desc(), Round.name)))


def get_round(session, round_id) -> Round | None:
    return session.scalar(select(Round).where(Round.id == round_id))


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2200:
        raise ServiceError("invalid_year", _l("Năm không hợp lệ."), field="year")
    return year


def _categories(raw) -> list[tuple[str, dt.date]]:
    result, seen = [], set()
    for item in raw or []:
        name = required_text(item.get("name"), "categories", 255)
        deadline = item.get("deadline")
        if not isinstance(deadline, dt.date):
            raise ServiceError("invalid_deadline", _l("Mỗi nhóm chức danh cần một hạn hoàn thành."),
                               field="categories")
        if name.lower() in seen:
            raise ServiceError("duplicate_category", _l("Nhóm chức danh bị trùng."),
                               field="categories")
        seen.add(name.lower())
        result.append((name, deadline))
    if not result:
        raise ServiceError("no_category", _l("Đợt lấy phiếu cần ít nhất một nhóm chức danh."),
                           field="categories")
    return result


def _participants(session, province_id, raw_ids, year: int) -> list[Unit]:
    units = []
    for unit_id in dict.fromkeys(as_uuid(raw, "unit_ids") for raw in raw_ids or []):
        unit = get_unit(session, unit_id)
        if unit is None or unit.province_id != province_id:
            raise ServiceError("unknown_unit", _l("Đơn vị tham gia không tồn tại."),
                               field="unit_ids")
        # Taking part needs the unit to exist on some day of the round's year: the day
        # checked is its founding day, brought within the year.
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        require_active_on(unit, min(last, max(first, unit.valid_from)), "unit_ids")
        units.append(unit)
    if not units:
        raise ServiceError("no_unit", _l("Hãy chọn các đơn vị tham gia."), field="unit_ids")
    return units


def _require_standing_province(session, province_id) -> None:
    """A province that has merged away starts nothing: its successor holds the rounds."""
    province = session.scalar(select(Unit).where(Unit.id == province_id))
    if province is not None and not province.is_active_on(today()):
        raise ServiceError("province_dissolved", _l(
            "%(province)s đã kết thúc hoạt động sau ngày %(end)s (đơn vị kế tục: %(next)s);"
            " không thể mở đợt lấy phiếu mới.", province=province.name,
            end=f"{province.valid_to:%d/%m/%Y}", next=successors_said(province)), status=409)


def _whole(value, most: int, field: str, message, code: str) -> int:
    """A whole number from 0 to `most` (not a bool, which Python counts as one)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
        raise ServiceError(code, message, field=field)
    return value


def create_round(session, actor, province_id, data: dict) -> Round:
    require_province_admin(actor)
    _require_standing_province(session, province_id)
    template = ensure_template(session, actor, province_id)
    categories = _categories(data.get("categories"))
    year = _year(data.get("year"))
    units = _participants(session, province_id, data.get("unit_ids"), year)
    dossier_days = data.get("dossier_days", 15)
    if not isinstance(dossier_days, int) or not 0 <= dossier_days <= 90:
        raise ServiceError("invalid_days", _l("Số ngày phải từ 0 đến 90."), field="dossier_days")
    retention = _whole(data.get("scan_retention_days", 30), 3650, "scan_retention_days",
                       _l("Số ngày phải từ 0 đến 3650."), "invalid_days")
    low_rise = _whole(data.get("low_rise_points", 10), 100, "low_rise_points",
                      _l("Số điểm phần trăm phải từ 0 đến 100."), "invalid_points")
    round_ = Round(
        province_id=province_id,
        name=required_text(data.get("name"), "name", 255),
        plan_reference=optional_text(data.get("plan_reference"), "plan_reference", 120),
        year=year, template_id=template.id,
        exempt_retirement_notice=bool(data.get("exempt_retirement_notice", True)),
        exempt_appointed_this_year=bool(data.get("exempt_appointed_this_year", True)),
        dossier_days=dossier_days, scan_retention_days=retention, low_rise_points=low_rise,
    )
    session.add(round_)
    session.flush()
    for name, deadline in categories:
        session.add(RoundCategory(province_id=province_id, round_id=round_.id, name=name,
                                  deadline=deadline))
    for unit in units:
        session.add(RoundUnit(province_id=province_id, unit_id=unit.id, round_id=round_.id))
    session.flush()
    record(session, "round.created", actor=actor, province_id=province_id, unit_id=province_id,
           target=round_.id, details={"name": round_.name, "year": round_.year,
                                      "units": len(units), "categories": len(categories)})
    round_created.send(round_, session=session)
    return round_


def rounds_for(session, account) -> list[Round]:
    """The rounds an account works with: the province's, or those its unit takes part in."""
    if account.role in UNIT_ROLES:
        return rounds_for_unit(session, account.unit_id)
    return list_rounds(session)


def round_for(session, account, round_id) -> Round | None:
    """A round as `account` may see it: unit staff see only rounds their unit is in."""
    round_ = get_round(session, round_id)
    if round_ is not None and account.role in UNIT_ROLES and \
            account.unit_id not in participating_unit_ids(session, round_.id):
        return None
    return round_


def participating_unit_ids(session, round_id) -> list:
    return list(session.scalars(select(RoundUnit.unit_id).where(RoundUnit.round_id == round_id)))


def rounds_for_unit(session, unit_id) -> list[Round]:
    ids = select(RoundUnit.round_id).where(RoundUnit.unit_id == unit_id)
    return list(session.scalars(select(Round).where(Round.id.in_(ids))
                                .order_by(Round.year.desc())))


def select_categories(round_id):
    """The ids of a round's post categories, earliest deadline first."""
    return select(RoundCategory.id).where(RoundCategory.round_id == round_id).order_by(
        RoundCategory.deadline, RoundCategory.name)


def use_template(session, actor, round_: Round, template_id) -> Round:
    """Print the round's ballots from another version of the province's template. Conferences
    that already froze their ballot keep the version they froze."""
    require_province_admin(actor)
    template = session.scalar(select(BallotTemplate).where(
        BallotTemplate.id == as_uuid(template_id, "template_id")))
    if template is None or template.province_id != round_.province_id:
        raise ServiceError("unknown_template", _l("Phiên bản mẫu phiếu không tồn tại."),
                           field="template_id")
    round_.template_id = template.id
    session.flush()
    record(session, "round.template", actor=actor, province_id=round_.province_id,
           unit_id=round_.province_id, target=round_.id, details={"version": template.version})
    return round_
