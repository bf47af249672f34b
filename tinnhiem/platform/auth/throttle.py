"""Rate limits on sign-in: only failed attempts count, per (address, username) and per address."""
from flask import current_app, g, request, session
from flask_limiter.util import get_remote_address

from tinnhiem.platform.extensions import limiter

PENDING_KEY = "pending_totp_account"
PENDING_USERNAME_KEY = "pending_totp_username"


def mark_failed() -> None:
    g.sign_in_failed = True


def _failed(_response) -> bool:
    return g.get("sign_in_failed", False)


def _username() -> str:
    body = request.get_json(silent=True) if request.is_json else None
    name = body.get("username") if isinstance(body, dict) else request.form.get("username")
    return str(name or session.get(PENDING_USERNAME_KEY) or "").strip().lower()


def _address_and_account_key() -> str:
    return f"{get_remote_address()}|{_username()}"


def _account_key() -> str:
    return f"account:{_username()}"  # never empty: the limiter skips an empty key


# Shared scopes: failures on the sign-in page, the TOTP step and the API token endpoint
# all count against the same budget.
_per_address_and_account = limiter.shared_limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], scope="sign-in-address-account",
    key_func=_address_and_account_key, methods=["POST"], deduct_when=_failed)
# Guesses spread over many addresses still meet this one (at the price that an attacker
# can make an account wait: the limit is generous to keep that wait short).
_per_account = limiter.shared_limit(
    lambda: current_app.config["ACCOUNT_RATE_LIMIT"], scope="sign-in-account",
    key_func=_account_key, methods=["POST"], deduct_when=_failed)
_per_address = limiter.shared_limit("30 per 15 minutes", scope="sign-in-address",
                                    methods=["POST"], deduct_when=_failed)


def throttle_sign_in(view):
    return _per_address_and_account(_per_account(_per_address(view)))
