"""Binding each request's scope from the signed-in account, before any unit-owned query."""
from flask import request
from flask_login import current_user

from tinnhiem.platform.auth import sessions
from tinnhiem.platform.auth.roles import PROVINCE_ROLES, UNIT_ROLES, Role
from tinnhiem.platform.db import db
from tinnhiem.tenants.scope import Scope, bind_scope


def scope_for(account) -> Scope | None:
    if account.role == Role.OPERATOR:
        # The operator manages the unit tree of every province and has no data scope:
        # any other tenant row (conferences, ballots, results) stays out of its reach.
        return Scope.for_directory(account.id)
    if account.role in PROVINCE_ROLES:
        return Scope.for_province(account.province_id, account.id)
    if account.role in UNIT_ROLES:
        return Scope.for_unit(account.province_id, account.unit_id, account.id)
    return None


def bind_request_scope() -> None:
    if request.endpoint == "static":
        return
    if current_user.is_authenticated:
        bind_scope(db.session, scope_for(current_user))


def _bind_sign_in_scope(db_session, account_id) -> None:
    bind_scope(db_session, Scope.for_sign_in(account_id))


def init_app(app) -> None:
    app.before_request(bind_request_scope)
    sessions.opening.connect(_bind_sign_in_scope)
