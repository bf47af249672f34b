"""The rules of the unit tree: unit types, units, validity periods and successions.
Every function takes the session it works in; the caller commits."""
import datetime as dt
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tinnhiem.platform.audit.services import record
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.inputs import as_uuid, normalize_code, required_text
from tinnhiem.tenants.models import Unit, UnitSuccession, UnitType

# Unit types ---------------------------------------------------------------------------------

def list_unit_types(session) -> list[UnitType]:
    return list(session.scalars(select(UnitType).order_by(UnitType.name)))


def save_unit_type(session, actor, data: dict, unit_type: UnitType | None = None) -> UnitType:
    code = normalize_code(data.get("code"))
    name = required_text(data.get("name"), "name", 200)
    clash = session.scalar(select(UnitType).where(UnitType.code == code))
    if clash is not None and clash is not unit_type:
        raise ServiceError("unit_type_code_taken", _l("Mã loại đơn vị này đã có."),
                           field="code", status=409)
    created = unit_type is None
    unit_type = unit_type or UnitType()
    unit_type.code, unit_type.name = code, name
    session.add(unit_type)
    session.flush()
    record(session, "unit_type.created" if created else "unit_type.updated", actor=actor,
           target=unit_type.id, details={"code": code, "name": name})
    return unit_type


# Units --------------------------------------------------------------------------------------

def list_units(session) -> list[Unit]:
    """Every unit the session's scope may see, ordered for display as a tree."""
    return list(session.scalars(select(Unit).order_by(Unit.name_key)))


def get_unit(session, unit_id) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.id == unit_id))


def tree_rows(units: list[Unit]) -> list[tuple[Unit, int]]:
    """Depth-first (unit, depth) pairs; a unit whose parent is out of sight is a top row."""
    by_parent: dict = {}
    ids = {unit.id for unit in units}
    for unit in units:
        key = unit.parent_id if unit.parent_id in ids else None
        by_parent.setdefault(key, []).append(unit)
    rows: list[tuple[Unit, int]] = []

    def walk(parent_id, depth):
        for child in by_parent.get(parent_id, []):
            rows.append((child, depth))
            walk(child.id, depth + 1)

    walk(None, 0)
    return rows


def _unit_type(session, type_id) -> UnitType:
    if not type_id:
        raise ServiceError("unknown_unit_type", _l("Hãy chọn loại đơn vị."), field="type_id")
    unit_type = session.get(UnitType, as_uuid(type_id, "type_id"))
    if unit_type is None:
        raise ServiceError("unknown_unit_type", _l("Loại đơn vị không tồn tại."), field="type_id")
    return unit_type


def _parent(session, parent_id) -> Unit | None:
    if not parent_id:
        return None
    parent = get_unit(session, as_uuid(parent_id, "parent_id"))
    if parent is None:
        raise ServiceError("unknown_parent", _l("Đơn vị cấp trên không tồn tại."),
                           field="parent_id")
    return parent


def _check_no_cycle(session, unit: Unit, parent: Unit | None) -> None:
    seen = set()
    node = parent
    while node is not None and node.id not in seen:
        if node.id == unit.id:
            raise ServiceError(
                "tree_cycle",
                _l("Không thể đặt một đơn vị làm cấp dưới của chính nó hoặc của đơn vị"
                   " cấp dưới của nó."),
                field="parent_id",
            )
        seen.add(node.id)
        node = get_unit(session, node.parent_id) if node.parent_id else None


def _dates(data: dict) -> tuple[dt.date, dt.date | None]:
    valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
    if not isinstance(valid_from, dt.date):
        raise ServiceError("required", _l("Ngày bắt đầu hiệu lực là bắt buộc."),
                           field="valid_from")
    if valid_to is not None and valid_to < valid_from:
        raise ServiceError("invalid_period",
                           _l("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."),
                           field="valid_to")
    return valid_from, valid_to


def _check_code_free(session, province_id, code: str, unit: Unit) -> None:
    clash = session.scalar(
        select(Unit).where(Unit.province_id == province_id, Unit.code == code, Unit.id != unit.id)
    )
    if clash is not None:
        raise ServiceError("unit_code_taken", _l("Mã đơn vị này đã có trong tỉnh."),
                           field="code", status=409)


def save_unit(session, actor, data: dict, unit: Unit | None = None) -> Unit:
    """Create (unit=None) or update a unit. A unit without parent is a province root."""
    created = unit is None
    unit = unit or Unit(id=uuid.uuid4())
    name = required_text(data.get("name"), "name", 255)
    code = normalize_code(data.get("code"))
    unit_type = _unit_type(session, data.get("type_id"))
    parent = _parent(session, data.get("parent_id"))
    valid_from, valid_to = _dates(data)
    province_id = parent.province_id if parent else unit.id
    if not created and province_id != unit.province_id:
        raise ServiceError(
            "province_change",
            _l("Không thể chuyển đơn vị sang tỉnh khác hoặc biến thành cấp tỉnh; hãy tạo"
               " đơn vị mới và ghi nhận kế thừa."),
            field="parent_id",
        )
    _check_no_cycle(session, unit, parent)
    _check_code_free(session, province_id, code, unit)
    unit.unit_id, unit.province_id = unit.id, province_id
    unit.name, unit.code, unit.type_id = name, code, unit_type.id
    unit.parent_id = parent.id if parent else None
    unit.valid_from, unit.valid_to = valid_from, valid_to
    session.add(unit)
    session.flush()
    _set_predecessors(session, unit, data.get("predecessor_ids"))
    record(session, "unit.created" if created else "unit.updated", actor=actor,
           province_id=unit.province_id, unit_id=unit.id, target=unit.id,
           details={"code": code, "name": name, "type": unit_type.code,
                    "parent_id": str(unit.parent_id) if unit.parent_id else None,
                    "valid_from": valid_from.isoformat(),
                    "valid_to": valid_to.isoformat() if valid_to else None,
                    "predecessor_ids": [str(p) for p in predecessor_ids(session, unit)]})
    return unit


def predecessor_ids(session, unit: Unit) -> list[uuid.UUID]:
    return list(session.scalars(
        select(UnitSuccession.predecessor_id).where(UnitSuccession.unit_id == unit.id)
    ))


def _set_predecessors(session, unit: Unit, raw_ids) -> None:
    if raw_ids is None:
        return
    wanted = {as_uuid(raw, "predecessor_ids") for raw in raw_ids}
    if unit.id in wanted:
        raise ServiceError("self_succession", _l("Một đơn vị không thể kế thừa chính nó."),
                           field="predecessor_ids")
    provinces = {}
    for predecessor_id in wanted:
        predecessor = get_unit(session, predecessor_id)
        if predecessor is None:
            raise ServiceError("unknown_predecessor", _l("Đơn vị được kế thừa không tồn tại."),
                               field="predecessor_ids")
        provinces[predecessor_id] = predecessor.province_id
    existing = {link.predecessor_id: link for link in session.scalars(
        select(UnitSuccession).where(UnitSuccession.unit_id == unit.id))}
    for predecessor_id, link in existing.items():
        if predecessor_id not in wanted:
            session.delete(link)
    for predecessor_id in wanted - existing.keys():
        session.add(UnitSuccession(province_id=unit.province_id, unit_id=unit.id,
                                   predecessor_id=predecessor_id,
                                   predecessor_province_id=provinces[predecessor_id]))
    session.flush()


def predecessors(session, unit: Unit) -> list[Unit]:
    ids = predecessor_ids(session, unit)
    return list(session.scalars(select(Unit).where(Unit.id.in_(ids)))) if ids else []


def successors(session, unit: Unit) -> list[Unit]:
    ids = session.scalars(
        select(UnitSuccession.unit_id).where(UnitSuccession.predecessor_id == unit.id)
    ).all()
    return list(session.scalars(select(Unit).where(Unit.id.in_(ids)))) if ids else []


def children(session, unit: Unit) -> list[Unit]:
    return list(session.scalars(
        select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.name_key)))


def today() -> dt.date:
    """The date in Vietnam (UTC+7, no daylight saving), whatever the server's zone."""
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=7)).date()


def successor_names(unit: Unit) -> list[str]:
    """Who took over from `unit`, read in the unit directory: a dissolved unit's own staff
    see only their unit in their scope, yet must be told where its work went."""
    from tinnhiem.platform.db import db
    from tinnhiem.tenants.scope import Scope, bind_scope

    session = db.session.session_factory()
    try:
        bind_scope(session, Scope.for_directory())
        return sorted(u.name for u in successors(session, unit))
    finally:
        session.close()


def successors_said(unit: Unit):
    """Who took over from `unit`, as a message names them: "chưa ghi nhận" (lazy, in the
    reader's language) when no one has been recorded yet."""
    names = successor_names(unit)
    return ", ".join(names) if names else _l("chưa ghi nhận")


def province_name(unit: Unit) -> str:
    """The name of the province `unit` belongs to, read in the unit directory: a unit's staff
    do not see their province in their scope, yet their documents are dated from its seat."""
    from tinnhiem.platform.db import db
    from tinnhiem.tenants.scope import Scope, bind_scope

    session = db.session.session_factory()
    try:
        bind_scope(session, Scope.for_directory())
        return session.scalar(select(Unit.name).where(Unit.id == unit.province_id))
    finally:
        session.close()


def require_active_on(unit: Unit, day: dt.date, field: str) -> None:
    """A unit acts only within its validity period: before it was founded or after it was
    dissolved (since 1/7/2025 many districts were), it holds no conference and no account."""
    if unit.is_active_on(day):
        return
    if unit.valid_to is not None and day > unit.valid_to:
        message = _l("Đơn vị “%(unit)s” đã giải thể từ sau ngày %(end)s (đơn vị kế tục: %(next)s);"
                     " không thể dùng cho ngày %(day)s.", unit=unit.name,
                     end=f"{unit.valid_to:%d/%m/%Y}", day=f"{day:%d/%m/%Y}",
                     next=successors_said(unit))
        raise ServiceError("unit_dissolved", message, field=field)
    raise ServiceError("unit_not_yet_valid",
                       _l("Đơn vị “%(unit)s” chỉ có hiệu lực từ ngày %(start)s; không thể dùng cho"
                          " ngày %(day)s.", unit=unit.name, start=f"{unit.valid_from:%d/%m/%Y}",
                          day=f"{day:%d/%m/%Y}"), field=field)
