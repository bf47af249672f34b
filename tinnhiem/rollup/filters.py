"""The roll-up's filters as a query string gives them, for the dashboard, its downloads and
the API's documents alike."""
from flask_babel import lazy_gettext as _l
from marshmallow import fields

from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.inputs import as_uuid
from tinnhiem.rollup import services


def filters_from(session, round_, args) -> services.Filters:
    """Filters from a query string; an id that is not one is refused, not ignored."""
    def optional_id(name):
        value = args.get(name) or None
        return as_uuid(value, name) if value else None

    return services.make_filters(
        session, round_.id, unit_id=optional_id("unit_id"), type_id=optional_id("type_id"),
        category_id=optional_id("category_id"), band=args.get("band") or None,
        sort=args.get("sort") or "band", unit_name=args.get("unit_name"),
        rising=rising_from(args.get("rising")))


def rising_from(value) -> bool:
    """The "only rising" switch as a query string sends it: what the API's schema takes for
    a boolean (1/0, true/false, on/off…), or nothing."""
    if value in (None, "") or value in fields.Boolean.falsy:
        return False
    if value in fields.Boolean.truthy:
        return True
    raise ServiceError("invalid_rising", _l("Giá trị lọc “tỷ lệ thấp tăng” không hợp lệ."),
                       field="rising")
