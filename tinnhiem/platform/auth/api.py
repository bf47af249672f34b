from flask import abort, request
from flask_login import current_user
from flask_smorest import Blueprint

from tinnhiem.platform.api import document_errors
from tinnhiem.platform.auth import services, sessions
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.models import SessionKind
from tinnhiem.platform.auth.schemas import (MeSchema, SessionSchema, SessionsRevokedSchema,
                                            TokenRequestSchema, TokenSchema)
from tinnhiem.platform.auth.throttle import mark_failed, remember_device, throttle_sign_in
from tinnhiem.platform.db import db
from tinnhiem.platform.web import found_or_404

blp = Blueprint("auth_api", __name__, url_prefix="/auth", description="Sign-in for API clients")


@blp.post("/token")
@throttle_sign_in
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
@document_errors(blp, 401, 429)
@blp.doc(security=[])
def create_token(data):
    """Exchange a username, password (and TOTP code, if enrolled) for a bearer token.

    The response also sets a device cookie (`tinnhiem_device`). Failed attempts for a
    username are limited per username, so that many failures from anywhere make it wait
    (429); a request that sends back the device cookie of an earlier success for the same
    username is exempt from that limit (it has its own, per device). A client that keeps no
    cookies simply waits like any other."""
    account = services.authenticate(db.session, data["username"], data["password"])
    if account is None or not services.accept_totp(account, data.get("totp") or ""):
        mark_failed()
        abort(401)
    row = sessions.open_session(db.session, account, SessionKind.API, request.user_agent.string)
    remember_device(account.username)
    return {"token": row.token, "expires_in": sessions.max_age(SessionKind.API)}


@blp.delete("/token")
@require_roles()
@blp.response(204)
@document_errors(blp, 401)
def revoke_token():
    """End the bearer token this request carries: it is refused from now on."""
    sessions.revoke(db.session, current_user.sign_in)


@blp.get("/me")
@require_roles()
@blp.response(200, MeSchema)
@document_errors(blp, 401)
def me():
    """The account the token belongs to."""
    return current_user


@blp.get("/sessions")
@require_roles()
@blp.response(200, SessionSchema(many=True))
@document_errors(blp, 401)
def list_sessions():
    """The caller's live sessions (pages and tokens), most recently used first."""
    return sessions.active_sessions(db.session, current_user)


@blp.delete("/sessions")
@require_roles()
@blp.response(200, SessionsRevokedSchema)
@document_errors(blp, 401)
def revoke_other_sessions():
    """End every session and token of the caller but the token of this request."""
    return {"revoked": sessions.revoke_all(db.session, current_user,
                                           keep=current_user.sign_in)}


@blp.delete("/sessions/<uuid:session_id>")
@require_roles()
@blp.response(204)
@document_errors(blp, 401, 404)
def revoke_session(session_id):
    """End one of the caller's sessions; another account's answers 404."""
    sessions.revoke(db.session, found_or_404(
        sessions.own_session(db.session, current_user, session_id)))
