"""Filling a round's registry from the standing registry: one entry per person and unit
where they hold a current post, through rounds.registry (which keeps the at-most-two-places
rule). The caller commits."""
from flask_babel import lazy_gettext as _l

from tinnhiem.cadre_registry import services
from tinnhiem.platform.audit.services import record
from tinnhiem.platform.errors import ServiceError
from tinnhiem.rounds import registry
from tinnhiem.rounds.models import Round
from tinnhiem.rounds.services import participating_unit_ids, require_province_admin

POST_SEPARATOR = ", "


def _people(session, round_: Round) -> dict:
    """code -> {unit id: [current posts there]} for the units taking part in the round."""
    people: dict = {}
    units = participating_unit_ids(session, round_.id)
    for post in services.current_posts(session, unit_ids=units):
        people.setdefault(post.cadre_code, {}).setdefault(post.unit_id, []).append(post)
    return people


def _entry(unit_id, posts) -> dict:
    return {"unit_id": unit_id, "cadre_code": posts[0].cadre_code,
            "full_name": posts[0].full_name,
            "post": POST_SEPARATOR.join(p.post for p in posts)[:255]}


def fill_round(session, actor, round_: Round) -> dict:
    """{"added", "kept", "refused": [{"cadre_code", "full_name", "message"}]}. A person whose
    places would not all fit is left out whole (the province chooses their places), with the
    registry's own refusal naming the places they already have."""
    require_province_admin(actor)
    entered = {(e.cadre_code, e.unit_id) for e in registry.list_entries(session, round_.id)}
    added = kept = 0
    refused = []
    for code, by_unit in sorted(_people(session, round_).items()):
        missing = [unit_id for unit_id in by_unit if (code, unit_id) not in entered]
        kept += len(by_unit) - len(missing)
        if not missing:
            continue
        try:
            with session.begin_nested():
                for unit_id in missing:
                    registry.add_entry(session, actor, round_, _entry(unit_id, by_unit[unit_id]))
        except ServiceError as error:
            name = by_unit[missing[0]][0].full_name
            refused.append({"cadre_code": code, "full_name": name, "message": str(_l(
                "%(name)s (%(code)s) giữ chức vụ ở %(n)d đơn vị tham gia đợt; chưa đưa vào danh"
                " sách, hãy chọn nơi lấy phiếu. %(reason)s", name=name, code=code,
                n=len(by_unit), reason=error.message))})
            continue
        added += len(missing)
    if not added and not kept and not refused:
        raise ServiceError("nothing_to_fill", _l(
            "Danh sách cán bộ của tỉnh không có ai đang giữ chức vụ ở các đơn vị tham gia đợt"
            " này."), status=409)
    record(session, "registry.filled", actor=actor, province_id=round_.province_id,
           target=round_.id, details={"added": added, "kept": kept,
                                      "refused": [r["cadre_code"] for r in refused][:200]})
    return {"added": added, "kept": kept, "refused": refused}
