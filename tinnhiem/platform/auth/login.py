"""How a request is tied to an account: a signed session cookie for pages, a bearer token
for the API (never the cookie, so the API needs no CSRF token)."""
import uuid

from flask import current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import Unauthorized

from tinnhiem.platform.auth.models import Account
from tinnhiem.platform.db import db
from tinnhiem.platform.extensions import login_manager

TOKEN_SALT = "tinnhiem.api-token"


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def account_by_session_id(raw_id: str, fingerprint: str) -> Account | None:
    try:
        account_id = uuid.UUID(raw_id)
    except (ValueError, TypeError):
        return None
    account = db.session.get(Account, account_id)
    if account is None or not account.active or account.session_fingerprint != fingerprint:
        return None
    return account


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def issue_token(account: Account) -> str:
    return _serializer().dumps({"a": str(account.id), "f": account.session_fingerprint})


@login_manager.user_loader
def load_from_session(session_id: str) -> Account | None:
    if _is_api_request():
        return None
    raw_id, _, fingerprint = (session_id or "").partition(":")
    return account_by_session_id(raw_id, fingerprint)


@login_manager.request_loader
def load_from_bearer_token(req) -> Account | None:
    if not _is_api_request():
        return None
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        data = _serializer().loads(token, max_age=current_app.config["API_TOKEN_MAX_AGE"])
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return account_by_session_id(str(data.get("a", "")), str(data.get("f", "")))


@login_manager.unauthorized_handler
def unauthorized():
    if _is_api_request():
        raise Unauthorized()
    return redirect(url_for("auth.login", next=request.full_path if request.query_string
                            else request.path))


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "warning"
