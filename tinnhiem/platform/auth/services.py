"""Sign-in, password change and TOTP: the rules, shared by the HTML pages and the API."""
import datetime as dt
import hmac

import pyotp
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from tinnhiem.platform.audit.services import record
from tinnhiem.platform.auth.models import Account
from tinnhiem.platform.auth.passwords import (
    DUMMY_HASH,
    check_password,
    hash_password,
    validate_new_password,
)
from tinnhiem.platform.auth.roles import ADMIN_ROLES
from tinnhiem.platform.auth.sessions import revoke_all
from tinnhiem.platform.errors import ServiceError

TOTP_ISSUER = "Tín nhiệm"


def find_account(session, username: str) -> Account | None:
    return session.scalar(
        select(Account).where(func.lower(Account.username) == (username or "").strip().lower())
    )


def authenticate(session, username: str, password: str) -> Account | None:
    """The account if the password is right and the account active; None otherwise
    (the caller says the same thing in every failing case)."""
    account = find_account(session, username)
    if account is None:
        check_password(DUMMY_HASH, password or "")
        return None
    if not check_password(account.password_hash, password or "") or not account.active:
        return None
    return account


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step (now, or one either side for clock drift) whose code is `code`, if it
    is later than `after`: a code, once accepted, cannot be replayed."""
    code = (code or "").replace(" ", "")
    totp = pyotp.TOTP(secret)
    now = totp.timecode(dt.datetime.now(dt.UTC))
    for step in (now - 1, now, now + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def accept_totp(account: Account, code: str) -> bool:
    """True for accounts without TOTP; otherwise spends the code's time step."""
    if not account.totp_enabled:
        return True
    step = _matching_step(account.totp_secret, code, account.totp_last_step)
    if step is None:
        return False
    account.totp_last_step = step
    return True


def change_password(session, account: Account, current: str, new: str, *, keep=None) -> None:
    """Every session of the account but `keep` (the one changing it) ends: whoever knew the
    old password and signed in with it is out."""
    if not check_password(account.password_hash, current or ""):
        raise ServiceError(
            "wrong_password", _l("Mật khẩu hiện tại không đúng."), field="current_password"
        )
    validate_new_password(new)
    if new == current:
        raise ServiceError(
            "password_unchanged", _l("Mật khẩu mới phải khác mật khẩu cũ."), field="password"
        )
    account.password_hash = hash_password(new)
    account.must_change_password = False
    revoke_all(session, account, keep=keep)
    record(session, "account.password_changed", actor=account, province_id=account.province_id,
           unit_id=account.unit_id, target=account.id)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(account: Account, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account.username, issuer_name=TOTP_ISSUER)


def enable_totp(session, account: Account, secret: str, code: str) -> None:
    if account.role not in ADMIN_ROLES:
        raise ServiceError("totp_not_for_role", _l("Vai trò này không dùng mã xác thực hai lớp."))
    step = _matching_step(secret, code, None)
    if step is None:
        raise ServiceError("wrong_totp", _l("Mã xác thực không đúng."), field="code")
    account.totp_secret = secret
    account.totp_last_step = step
    record(session, "account.totp_enabled", actor=account, province_id=account.province_id,
           unit_id=account.unit_id, target=account.id)


def disable_totp(session, account: Account, password: str) -> None:
    if not check_password(account.password_hash, password or ""):
        raise ServiceError("wrong_password", _l("Mật khẩu không đúng."), field="password")
    account.totp_secret = None
    record(session, "account.totp_disabled", actor=account, province_id=account.province_id,
           unit_id=account.unit_id, target=account.id)
