"""Rate limits on sign-in: only failed attempts count, per (address, username), per address,
and per username — except from a device the user has signed in on before.

That device holds a device cookie (OWASP's "device cookie" scheme): signed with SECRET_KEY,
bound to the username it signed in as. Guesses from anywhere else share the per-username
budget, so an attacker can exhaust it; an attempt that presents a valid device cookie for the
username it names is exempt from that budget and meets its own per-device one instead, so the
owner still signs in while the account is under attack. API clients are trusted the same way
only when they send back the cookie the token endpoint set."""
import secrets

from flask import after_this_request, current_app, g, request, session
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer

from tinnhiem.platform.extensions import limiter

PENDING_KEY = "pending_totp_account"
PENDING_USERNAME_KEY = "pending_totp_username"
DEVICE_COOKIE = "tinnhiem_device"
DEVICE_SALT = "tinnhiem.device-cookie"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600


def mark_failed() -> None:
    g.sign_in_failed = True


def _failed(_response) -> bool:
    return g.get("sign_in_failed", False)


def _username() -> str:
    body = request.get_json(silent=True) if request.is_json else None
    name = body.get("username") if isinstance(body, dict) else request.form.get("username")
    return str(name or session.get(PENDING_USERNAME_KEY) or "").strip().lower()


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def remember_device(username: str) -> None:
    """After a successful sign-in: give this client a device cookie for `username` (a new
    one each time, replacing the one of whoever signed in here before)."""
    value = _device_serializer().dumps({"u": username.strip().lower(),
                                        "d": secrets.token_urlsafe(16)})

    @after_this_request
    def set_cookie(response):
        response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_COOKIE_MAX_AGE, httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"], samesite="Lax")
        return response


def _trusted_device() -> str | None:
    """The id of the device cookie sent with this attempt, if it is genuine, unexpired and
    was issued for the username the attempt names; None otherwise."""
    if "sign_in_device" not in g:
        g.sign_in_device = None
        try:
            data = _device_serializer().loads(request.cookies.get(DEVICE_COOKIE, ""),
                                              max_age=DEVICE_COOKIE_MAX_AGE)
        except BadSignature:
            data = None
        username = _username()
        if isinstance(data, dict) and username and data.get("u") == username:
            g.sign_in_device = f"device:{data.get('d')}"
    return g.sign_in_device


def _address_and_account_key() -> str:
    return f"{get_remote_address()}|{_username()}"


def _account_key() -> str:
    return f"account:{_username()}"  # never empty: the limiter skips an empty key


# Shared scopes: failures on the sign-in page, the TOTP step and the API token endpoint
# all count against the same budget.
_per_address_and_account = limiter.shared_limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], scope="sign-in-address-account",
    key_func=_address_and_account_key, methods=["POST"], deduct_when=_failed)
# Guesses spread over many addresses still meet this one; a known device does not, so an
# attacker who exhausts it does not lock the owner out.
_per_account = limiter.shared_limit(
    lambda: current_app.config["ACCOUNT_RATE_LIMIT"], scope="sign-in-account",
    key_func=_account_key, methods=["POST"], deduct_when=_failed,
    exempt_when=lambda: _trusted_device() is not None)
_per_device = limiter.shared_limit(
    lambda: current_app.config["DEVICE_RATE_LIMIT"], scope="sign-in-device",
    key_func=lambda: _trusted_device() or "untrusted", methods=["POST"], deduct_when=_failed,
    exempt_when=lambda: _trusted_device() is None)
_per_address = limiter.shared_limit("30 per 15 minutes", scope="sign-in-address",
                                    methods=["POST"], deduct_when=_failed)


def throttle_sign_in(view):
    return _per_address_and_account(_per_account(_per_device(_per_address(view))))
