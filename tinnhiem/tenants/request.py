"""Binding each request's scope from the signed-in account, before any unit-owned query."""
import time

from flask import current_app, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from sqlalchemy import select

from tinnhiem.platform.auth import sessions
from tinnhiem.platform.auth.roles import PROVINCE_ROLES, UNIT_ROLES, Role
from tinnhiem.platform.db import db
from tinnhiem.platform.errors import ServiceError
from tinnhiem.tenants import services
from tinnhiem.tenants.models import Unit
from tinnhiem.tenants.scope import Scope, bind_scope

PROVINCE_TTL = 60  # seconds


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


def bind_request_scope():
    if request.endpoint == "static":
        return None
    if not current_user.is_authenticated:
        return None
    scope = scope_for(current_user)
    bind_scope(db.session, scope)
    if scope is not None and scope.province_id is not None:
        province = _province(scope.province_id)
        if province is None or not province.is_active_on(services.today()):
            return _ended(province)
    return None


def _province(province_id) -> Unit | None:
    """The account's province as the unit directory has it (a unit's staff do not see their
    province's row in their scope), kept per worker for a minute: an operator's dissolving
    it takes effect within that, without a second transaction on every request."""
    cache = current_app.extensions.setdefault("tinnhiem.cache.provinces", {})
    kept = cache.get(province_id)
    if kept is not None and time.monotonic() - kept[1] < PROVINCE_TTL:
        return kept[0]
    session = db.session.session_factory()
    try:
        bind_scope(session, Scope.for_directory())
        province = session.scalar(select(Unit).where(Unit.id == province_id))
        if province is not None:
            session.expunge(province)
    finally:
        session.close()
    if len(cache) > 10_000:
        cache.clear()
    cache[province_id] = (province, time.monotonic())
    return province


def _ended(province: Unit | None):
    """A province that has merged away takes its accounts with it: its staff are signed out
    and told where its work went (its successor reads its history, tenants.history)."""
    if province is None or province.valid_to is None:
        message = _l("Tài khoản này không còn hiệu lực.")
    else:
        message = _l("Tài khoản này đã hết hiệu lực: %(province)s đã kết thúc hoạt động sau ngày"
                     " %(end)s (đơn vị kế tục: %(next)s).", province=province.name,
                     end=f"{province.valid_to:%d/%m/%Y}", next=services.successors_said(province))
    logout_user()
    if request.path.startswith("/api/"):
        raise ServiceError("account_ended", message, status=401)
    flash(message, "warning")
    return redirect(url_for("auth.login"))


def _bind_sign_in_scope(db_session, account_id) -> None:
    bind_scope(db_session, Scope.for_sign_in(account_id))


def init_app(app) -> None:
    app.before_request(bind_request_scope)
    sessions.opening.connect(_bind_sign_in_scope)
