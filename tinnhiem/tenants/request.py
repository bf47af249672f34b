"""Binding each request's scope from the signed-in account, before any unit-owned query."""
from flask import request
from flask_login import current_user

from tinnhiem.platform.auth.roles import PROVINCE_ROLES, UNIT_ROLES, Role
from tinnhiem.platform.db import db
from tinnhiem.tenants.scope import Scope, bind_scope


def scope_for(account) -> Scope | None:
    if account.role == Role.OPERATOR:
        # Operator pages manage the unit tree of every province; never results or ballots,
        # which their views refuse to the operator role.
        return Scope.crossing_all(f"operator {account.username}: {request.method} {request.path}")
    if account.role in PROVINCE_ROLES:
        return Scope.for_province(account.province_id)
    if account.role in UNIT_ROLES:
        return Scope.for_unit(account.province_id, account.unit_id)
    return None


def bind_request_scope() -> None:
    if request.endpoint == "static":
        return
    if current_user.is_authenticated:
        bind_scope(db.session, scope_for(current_user))


def init_app(app) -> None:
    app.before_request(bind_request_scope)
