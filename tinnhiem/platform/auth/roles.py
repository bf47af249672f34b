"""The roles of DESIGN.md and what each is bound to."""
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    OPERATOR = "operator"
    PROVINCE_ADMIN = "province_admin"
    PROVINCE_VIEWER = "province_viewer"
    UNIT_ADMIN = "unit_admin"
    COUNTER = "counter"


ROLE_LABELS = {
    Role.OPERATOR: _l("Quản trị hệ thống (CNTT)"),
    Role.PROVINCE_ADMIN: _l("Quản trị cấp tỉnh (Ban Tổ chức Tỉnh ủy)"),
    Role.PROVINCE_VIEWER: _l("Xem cấp tỉnh (Ban Thường vụ)"),
    Role.UNIT_ADMIN: _l("Quản trị đơn vị (Ban Tổ chức đơn vị)"),
    Role.COUNTER: _l("Ban kiểm phiếu"),
}

# Bound to a province root; see the whole province below it.
PROVINCE_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.PROVINCE_VIEWER})
# Bound to one unit; see only that unit.
UNIT_ROLES = frozenset({Role.UNIT_ADMIN, Role.COUNTER})
# Everyone who works with a province's data (never the operator).
STAFF_ROLES = PROVINCE_ROLES | UNIT_ROLES
# May (and are encouraged to) protect their account with TOTP.
ADMIN_ROLES = frozenset({Role.OPERATOR, Role.PROVINCE_ADMIN, Role.UNIT_ADMIN})


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(Role(role), role))
