"""How a request is tied to an account: the session cookie for pages, a bearer token for the
API (never the cookie, so the API needs no CSRF token). Both carry a sign-in session's token
(platform.auth.sessions), checked against its row on every request."""
import uuid

from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import Unauthorized

from tinnhiem.platform.auth.models import Account, SessionKind
from tinnhiem.platform.auth.sessions import account_for_token
from tinnhiem.platform.db import db
from tinnhiem.platform.extensions import login_manager


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def account_by_fingerprint(raw_id: str, fingerprint: str) -> Account | None:
    """The active account `raw_id` names, if its password is still the one `fingerprint`
    was taken from (a sign-in waiting for its TOTP code)."""
    try:
        account_id = uuid.UUID(raw_id)
    except (ValueError, TypeError):
        return None
    account = db.session.get(Account, account_id)
    if account is None or not account.active or account.password_fingerprint != fingerprint:
        return None
    return account


@login_manager.user_loader
def load_from_session(token: str) -> Account | None:
    if _is_api_request():
        return None
    return account_for_token(db.session, token, SessionKind.PAGE)


@login_manager.request_loader
def load_from_bearer_token(req) -> Account | None:
    if not _is_api_request():
        return None
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return account_for_token(db.session, token.strip(), SessionKind.API)


@login_manager.unauthorized_handler
def unauthorized():
    if _is_api_request():
        raise Unauthorized()
    return redirect(url_for("auth.login", next=request.full_path if request.query_string
                            else request.path))


def init_app(app) -> None:
    login_manager.init_app(app)
    # The cookie holds the sign-in session's token, not the account's id.
    login_manager.id_attribute = "sign_in_token"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "warning"
