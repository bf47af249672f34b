"""Accounts bound to units: created and managed by the operator only."""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tinnhiem.platform.audit.services import record
from tinnhiem.platform.auth.models import Account
from tinnhiem.platform.auth.passwords import generate_password, hash_password, validate_new_password
from tinnhiem.platform.auth.roles import PROVINCE_ROLES, Role
from tinnhiem.platform.auth.services import find_account
from tinnhiem.platform.auth.sessions import revoke_all
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.inputs import as_uuid, required_text
from tinnhiem.tenants.models import Unit
from tinnhiem.tenants.services import get_unit, require_active_on, today

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")


def list_accounts(session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.username)))


def get_account(session, account_id) -> Account | None:
    return session.get(Account, account_id)


def _role(value) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ServiceError("unknown_role", _l("Vai trò không hợp lệ."), field="role") from None


def _binding(session, role: Role, unit_id, current_unit_id=None) -> Unit | None:
    """The unit an account of `role` is bound to: none for the operator, a province root
    for province roles, any unit for unit roles."""
    if role == Role.OPERATOR:
        return None
    unit = get_unit(session, as_uuid(unit_id, "unit_id")) if unit_id else None
    if unit is None:
        raise ServiceError("unknown_unit", _l("Hãy chọn đơn vị của tài khoản."), field="unit_id")
    if role in PROVINCE_ROLES and not unit.is_root:
        raise ServiceError("not_a_province",
                           _l("Vai trò cấp tỉnh phải gắn với đơn vị cấp tỉnh (gốc của cây)."),
                           field="unit_id")
    if unit.id != current_unit_id:  # an account kept on a since-dissolved unit keeps it
        require_active_on(unit, today(), "unit_id")
    return unit


def _audit(session, actor, action: str, account: Account, **details) -> None:
    record(session, action, actor=actor, province_id=account.province_id,
           unit_id=account.unit_id, target=account.id,
           details={"username": account.username, "role": account.role, **details})


def create_account(session, actor, data: dict) -> tuple[Account, str | None]:
    """Returns the account and, when no password was given, the generated one (shown once)."""
    username = required_text(data.get("username"), "username", 80).lower()
    if not USERNAME.match(username):
        raise ServiceError("invalid_username",
                           _l("Tên đăng nhập gồm 3–80 chữ thường không dấu, chữ số, . _ -"),
                           field="username")
    if find_account(session, username) is not None:
        raise ServiceError("username_taken", _l("Tên đăng nhập này đã có."),
                           field="username", status=409)
    full_name = required_text(data.get("full_name"), "full_name", 200)
    role = _role(data.get("role"))
    unit = _binding(session, role, data.get("unit_id"))
    password = data.get("password") or None
    generated = None
    if password is None:
        password = generated = generate_password()
    else:
        validate_new_password(password)
    account = Account(
        username=username, full_name=full_name, role=role.value,
        unit_id=unit.id if unit else None, province_id=unit.province_id if unit else None,
        password_hash=hash_password(password), active=True,
        # Only its holder should know a password: one set by the operator is temporary.
        must_change_password=True,
    )
    session.add(account)
    session.flush()
    _audit(session, actor, "account.created", account)
    return account, generated


def update_account(session, actor, account: Account, data: dict) -> Account:
    if "full_name" in data:
        account.full_name = required_text(data.get("full_name"), "full_name", 200)
    if "role" in data or "unit_id" in data:
        role = _role(data.get("role", account.role))
        unit = _binding(session, role, data.get("unit_id", account.unit_id), account.unit_id)
        account.role = role.value
        account.unit_id = unit.id if unit else None
        account.province_id = unit.province_id if unit else None
    if "active" in data:
        if account.id == getattr(actor, "id", None) and not data["active"]:
            raise ServiceError("cannot_disable_self",
                               _l("Không thể tự khóa tài khoản của chính mình."), field="active")
        account.active = bool(data["active"])
        if not account.active:
            revoke_all(session, account)  # so that unlocking it later revives none
    session.flush()
    _audit(session, actor, "account.updated", account, active=account.active)
    return account


def reset_password(session, actor, account: Account) -> str:
    """A new temporary password, shown once; the holder must change it at next sign-in.
    Every session and API token of the account ends."""
    password = generate_password()
    account.password_hash = hash_password(password)
    account.must_change_password = True
    account.totp_secret = None
    revoke_all(session, account)
    session.flush()
    _audit(session, actor, "account.password_reset", account)
    return password


def revoke_sessions(session, actor, account: Account) -> int:
    """End every session and API token of the account (a lost phone, a leaked token);
    returns how many ended."""
    count = revoke_all(session, account)
    _audit(session, actor, "account.sessions_revoked", account, sessions=count)
    return count
