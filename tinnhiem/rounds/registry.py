"""The province's cadre registry: which unit may put which cadre on a ballot in a round.

A person is voted on in at most 2 places a round (DOMAIN.md). Only the province, whose scope
sees every unit, decides the places; a unit reads and asks within its own scope, so nothing
it does reveals or changes what another unit may list. The caller commits."""
from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tinnhiem.platform.audit.services import record
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.inputs import as_uuid, normalize_code, optional_text, required_text
from tinnhiem.rounds.models import CadreEntry, CadreRequest, Round, RoundUnit, utc_now
from tinnhiem.rounds.services import require_province_admin
from tinnhiem.tenants.models import Unit

MAX_PLACES = 2

_signals = Namespace()
# Sent (sender: the entry; keyword: session) once the entry to remove is locked. A feature
# that lists cadres on ballots (conferences) refuses by raising a ServiceError while the
# entry is in use; rounds knows nothing of conferences.
entry_removing = _signals.signal("registry-entry-removing")


def _audit(session, actor, action: str, round_: Round, unit_id, target, **details) -> None:
    record(session, action, actor=actor, province_id=round_.province_id, unit_id=unit_id,
           target=target, details={"round": str(round_.id), **details})


def _cadre(data: dict) -> dict:
    return {"cadre_code": normalize_code(data.get("cadre_code"), "cadre_code"),
            "full_name": required_text(data.get("full_name"), "full_name", 200),
            "post": required_text(data.get("post"), "post", 255)}


# Reading (each in the caller's scope: a unit sees its own rows, the province all) -------

def list_entries(session, round_id) -> list[CadreEntry]:
    return list(session.scalars(select(CadreEntry).where(CadreEntry.round_id == round_id)
                                .order_by(CadreEntry.cadre_code, CadreEntry.slot)))


def get_entry(session, round_id, entry_id) -> CadreEntry | None:
    return session.scalar(select(CadreEntry).where(CadreEntry.id == entry_id,
                                                   CadreEntry.round_id == round_id))


def list_requests(session, round_id, status: str | None = None) -> list[CadreRequest]:
    query = select(CadreRequest).where(CadreRequest.round_id == round_id)
    if status:
        query = query.where(CadreRequest.status == status)
    return list(session.scalars(query.order_by(CadreRequest.created_at.desc(),
                                               CadreRequest.cadre_code)))


def find_request(session, request_id) -> CadreRequest | None:
    return session.scalar(select(CadreRequest).where(CadreRequest.id == request_id))


def get_request(session, round_id, request_id) -> CadreRequest | None:
    return session.scalar(select(CadreRequest).where(CadreRequest.id == request_id,
                                                     CadreRequest.round_id == round_id))


def _unit_names(session, unit_ids) -> dict:
    return dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(set(unit_ids)))).all())


def entries_by_cadre(session, round_id) -> list[dict]:
    """The province's view: one row per cadre with the units (places) that may list them."""
    entries = list_entries(session, round_id)
    names = _unit_names(session, [e.unit_id for e in entries])
    rows: dict[str, dict] = {}
    for entry in entries:
        row = rows.setdefault(entry.cadre_code, {"code": entry.cadre_code, "full_name":
                                                 entry.full_name, "post": entry.post, "places": []})
        row["places"].append({"entry": entry, "unit_name": names.get(entry.unit_id, "")})
    return list(rows.values())


def conflicts(session, round_id) -> list[dict]:
    """Cadres that more units ask for than places are left: the province must choose."""
    taken: dict[str, set] = {}
    for entry in list_entries(session, round_id):
        taken.setdefault(entry.cadre_code, set()).add(entry.unit_id)
    asking: dict[str, list] = {}
    for request in list_requests(session, round_id, "pending"):
        if request.unit_id not in taken.get(request.cadre_code, set()):
            asking.setdefault(request.cadre_code, []).append(request)
    names = _unit_names(session, [r.unit_id for rs in asking.values() for r in rs]
                        + [u for us in taken.values() for u in us])
    result = []
    for code, requests in sorted(asking.items()):
        units = {r.unit_id for r in requests}
        left = MAX_PLACES - len(taken.get(code, ()))
        if len(units) > left:
            result.append({"cadre_code": code, "places_left": left,
                           "places": sorted(names.get(u, "") for u in taken.get(code, ())),
                           "requested_by": sorted(names.get(u, "") for u in units)})
    return result


# The province's writes ---------------------------------------------------------------------

def _participating_unit(session, round_: Round, unit_id) -> Unit:
    unit_id = as_uuid(unit_id, "unit_id")
    takes_part = session.scalar(select(RoundUnit.id).where(RoundUnit.round_id == round_.id,
                                                           RoundUnit.unit_id == unit_id))
    unit = session.get(Unit, unit_id) if takes_part else None
    if unit is None:
        raise ServiceError("unknown_unit", _l("Đơn vị không tham gia đợt lấy phiếu này."),
                           field="unit_id")
    return unit


def _places_full(session, round_id, code: str) -> ServiceError:
    """Said to the province only, whose scope sees both places."""
    places = session.scalars(select(Unit.name).join(CadreEntry, CadreEntry.unit_id == Unit.id)
                             .where(CadreEntry.round_id == round_id,
                                    CadreEntry.cadre_code == code).order_by(Unit.name)).all()
    return ServiceError(
        "third_place",
        _l("Cán bộ %(code)s đã được lấy phiếu ở 2 nơi trong đợt này (%(places)s); mỗi người"
           " chỉ được lấy phiếu tối đa ở 2 nơi.", code=code, places=", ".join(places)),
        field="cadre_code", status=409)


def _enter(session, actor, round_: Round, unit: Unit, cadre: dict) -> CadreEntry:
    code = cadre["cadre_code"]
    units = set(session.scalars(select(CadreEntry.unit_id).where(
        CadreEntry.round_id == round_.id, CadreEntry.cadre_code == code)))
    if unit.id in units:
        raise ServiceError("already_registered",
                           _l("Cán bộ %(code)s đã có trong danh sách của %(unit)s.", code=code,
                              unit=unit.name), field="cadre_code", status=409)
    free = [slot for slot in range(1, MAX_PLACES + 1) if slot not in set(session.scalars(
        select(CadreEntry.slot).where(CadreEntry.round_id == round_.id,
                                      CadreEntry.cadre_code == code)))]
    if not free:
        raise _places_full(session, round_.id, code)
    entry = CadreEntry(province_id=round_.province_id, unit_id=unit.id, round_id=round_.id,
                       slot=free[0], **cadre)
    try:
        # A savepoint: another province admin taking the same place at the same moment makes
        # the unique keys refuse one of us, and this transaction stays usable.
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError:
        raise ServiceError("registry_busy", _l("Danh sách vừa được người khác thay đổi; hãy"
                                               " thử lại."), status=409) from None
    _audit(session, actor, "registry.entered", round_, unit.id, entry.id, cadre=code,
           slot=entry.slot)
    return entry


def add_entry(session, actor, round_: Round, data: dict) -> CadreEntry:
    require_province_admin(actor)
    unit = _participating_unit(session, round_, data.get("unit_id"))
    return _enter(session, actor, round_, unit, _cadre(data))


def register(session, actor, round_: Round, unit: Unit, cadre: dict) -> CadreEntry:
    """For set-up code acting for the province (demo data, migrations of old rounds)."""
    return _enter(session, actor, round_, _participating_unit(session, round_, unit.id),
                  _cadre(cadre))


def remove_entry(session, actor, round_: Round, entry: CadreEntry) -> None:
    require_province_admin(actor)
    # Locked first, as a unit adding the cadre locks it: the listing read next is then
    # one that committed, or one that will find the entry gone.
    own_entry(session, round_.id, entry.unit_id, entry.cadre_code, lock=True)
    entry_removing.send(entry, session=session)
    session.delete(entry)
    session.flush()
    _audit(session, actor, "registry.removed", round_, entry.unit_id, entry.id,
           cadre=entry.cadre_code)


def _decide(session, actor, round_: Round, request: CadreRequest, status: str, action: str,
            note) -> None:
    # The audit key comes spelled out from each caller: the audit page labels every key it
    # finds written in the source (tests/test_audit_page.py), and a composed one hides.
    if request.status != "pending":
        raise ServiceError("already_decided", _l("Đề nghị này đã được xử lý."), status=409)
    request.status, request.decision_note = status, note
    request.decided_at = utc_now()
    session.flush()
    _audit(session, actor, action, round_, request.unit_id, request.id,
           cadre=request.cadre_code)


def approve(session, actor, round_: Round, request: CadreRequest) -> CadreRequest:
    """Approving enters the cadre for the requesting unit (refused at a third place)."""
    require_province_admin(actor)
    if request.status == "pending" and own_entry(session, round_.id, request.unit_id,
                                                 request.cadre_code) is None:
        unit = _participating_unit(session, round_, request.unit_id)
        _enter(session, actor, round_, unit, {"cadre_code": request.cadre_code,
                                              "full_name": request.full_name,
                                              "post": request.post})
    _decide(session, actor, round_, request, "approved", "registry.request_approved", None)
    return request


def decline(session, actor, round_: Round, request: CadreRequest, reason) -> CadreRequest:
    require_province_admin(actor)
    _decide(session, actor, round_, request, "declined", "registry.request_declined",
            required_text(reason, "reason", 1000))
    return request


# The unit's side ---------------------------------------------------------------------------

def file_request(session, actor, round_: Round, data: dict) -> CadreRequest:
    """A unit admin asks to list a cadre. Every check reads the unit's own rows only, so the
    answer is the same whatever other units have."""
    if getattr(actor, "role", None) != Role.UNIT_ADMIN:
        raise ServiceError("forbidden", _l("Chỉ Ban Tổ chức của đơn vị được gửi đề nghị."),
                           status=404)
    cadre = _cadre(data)
    code = cadre["cadre_code"]
    if own_entry(session, round_.id, actor.unit_id, code) is not None:
        raise ServiceError("already_registered",
                           _l("Cán bộ %(code)s đã có trong danh sách của đơn vị.", code=code),
                           field="cadre_code", status=409)
    if session.scalar(select(func.count()).select_from(CadreRequest).where(
            CadreRequest.round_id == round_.id, CadreRequest.unit_id == actor.unit_id,
            CadreRequest.cadre_code == code, CadreRequest.status == "pending")):
        raise ServiceError("duplicate_request",
                           _l("Đơn vị đã có đề nghị đang chờ xử lý cho cán bộ %(code)s.",
                              code=code), field="cadre_code", status=409)
    request = CadreRequest(province_id=round_.province_id, unit_id=actor.unit_id,
                           round_id=round_.id, status="pending",
                           note=optional_text(data.get("note"), "note", 1000), **cadre)
    session.add(request)
    session.flush()
    _audit(session, actor, "registry.requested", round_, actor.unit_id, request.id, cadre=code)
    return request


def own_entry(session, round_id, unit_id, code: str, lock=False) -> CadreEntry | None:
    query = select(CadreEntry).where(CadreEntry.round_id == round_id,
                                     CadreEntry.unit_id == unit_id, CadreEntry.cadre_code == code)
    return session.scalar(query.with_for_update() if lock else query)
