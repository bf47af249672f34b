from flask import abort, current_app
from flask_login import current_user
from flask_smorest import Blueprint

from tinnhiem.platform.auth import services
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.login import issue_token
from tinnhiem.platform.auth.schemas import MeSchema, TokenRequestSchema, TokenSchema
from tinnhiem.platform.auth.throttle import mark_failed, throttle_sign_in
from tinnhiem.platform.db import db

blp = Blueprint("auth_api", __name__, url_prefix="/auth", description="Sign-in for API clients")


@blp.post("/token")
@throttle_sign_in
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, schema="Error")
@blp.doc(security=[])
def create_token(data):
    """Exchange a username, password (and TOTP code, if enrolled) for a bearer token."""
    account = services.authenticate(db.session, data["username"], data["password"])
    if account is None or not services.accept_totp(account, data.get("totp") or ""):
        mark_failed()
        abort(401)
    db.session.commit()
    return {"token": issue_token(account), "expires_in": current_app.config["API_TOKEN_MAX_AGE"]}


@blp.get("/me")
@require_roles()
@blp.response(200, MeSchema)
@blp.alt_response(401, schema="Error")
def me():
    """The account the token belongs to."""
    return current_user
