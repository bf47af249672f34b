"""Sign-in (password, then TOTP for accounts that enrolled), sign-out, own password, TOTP and
sign-in sessions."""
import io

import segno
from flask import (Blueprint, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from tinnhiem.platform.auth import services, sessions
from tinnhiem.platform.auth.access import safe_next
from tinnhiem.platform.auth.forms import ChangePasswordForm, DisableTotpForm, LoginForm, TotpForm
from tinnhiem.platform.auth.login import account_by_fingerprint
from tinnhiem.platform.auth.models import SessionKind
from tinnhiem.platform.auth.roles import ADMIN_ROLES
from tinnhiem.platform.db import db
from tinnhiem.platform.forms import handle_form
from tinnhiem.platform.request_transaction import commit_now
from tinnhiem.platform.auth.throttle import (PENDING_KEY, PENDING_USERNAME_KEY, mark_failed,
                                             remember_device, throttle_sign_in)
from tinnhiem.platform.web import found_or_404

bp = Blueprint("auth", __name__)
ENROL_KEY = "totp_enrolment_secret"


def _finish_login(account):
    session.pop(PENDING_KEY, None)
    session.pop(PENDING_USERNAME_KEY, None)
    sessions.open_session(db.session, account, SessionKind.PAGE, request.user_agent.string)
    login_user(account)
    session.permanent = False
    remember_device(account.username)
    return redirect(safe_next(request.args.get("next"), url_for("home")))


@bp.route("/login", methods=["GET", "POST"])
@throttle_sign_in
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home"))
    form = LoginForm()
    if form.validate_on_submit():
        account = services.authenticate(db.session, form.username.data, form.password.data)
        if account is None:
            mark_failed()
            form.password.errors.append(_("Tên đăng nhập hoặc mật khẩu không đúng."))
        elif account.totp_enabled:
            session[PENDING_KEY] = account.get_id()
            session[PENDING_USERNAME_KEY] = account.username
            return redirect(url_for(".login_totp", next=request.args.get("next")))
        else:
            return _finish_login(account)
    return render_template("auth/login.html", form=form)


@bp.route("/login/totp", methods=["GET", "POST"])
@throttle_sign_in
def login_totp():
    raw_id, _sep, fingerprint = (session.get(PENDING_KEY) or "").partition(":")
    account = account_by_fingerprint(raw_id, fingerprint)
    if account is None:
        return redirect(url_for(".login"))
    form = TotpForm()
    if form.validate_on_submit():
        if services.accept_totp(account, form.code.data):
            # The code's time step is spent for good, even if opening the session fails:
            # a code once accepted can never be replayed.
            commit_now()
            return _finish_login(account)
        mark_failed()
        form.code.errors.append(_("Mã xác thực không đúng."))
    return render_template("auth/totp.html", form=form)


@bp.post("/logout")
def logout():
    # Ended on the server too: a copy of this browser's cookie is then useless.
    if current_user.is_authenticated and current_user.sign_in is not None:
        sessions.revoke(db.session, current_user.sign_in)
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for(".login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()

    def change():
        account = current_user._get_current_object()
        services.change_password(db.session, account, form.current_password.data,
                                 form.password.data, keep=account.sign_in)
        flash(_("Đã đổi mật khẩu."), "success")
        return redirect(url_for("home"))

    return handle_form(form, "auth/password.html", change, redirect_refused=False)


def _qr_svg(uri: str) -> Markup:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, xmldecl=False, svgns=True)
    return Markup(out.getvalue().decode())


@bp.route("/account/totp", methods=["GET", "POST"])
@login_required
def totp():
    if current_user.role not in ADMIN_ROLES:
        return redirect(url_for("home"))
    account = current_user._get_current_object()
    if account.totp_enabled:
        return _disable_totp(account)
    secret = session.get(ENROL_KEY) or services.new_totp_secret()
    session[ENROL_KEY] = secret
    form = TotpForm()

    def enable():
        services.enable_totp(db.session, account, secret, form.code.data)
        session.pop(ENROL_KEY, None)
        flash(_("Đã bật xác thực hai lớp."), "success")
        return redirect(url_for("home"))

    qr = _qr_svg(services.totp_uri(account, secret))
    return handle_form(form, "auth/totp_enrol.html", enable, redirect_refused=False,
                       secret=secret, qr=qr)


def _disable_totp(account):
    form = DisableTotpForm()

    def disable():
        services.disable_totp(db.session, account, form.password.data)
        flash(_("Đã tắt xác thực hai lớp."), "info")
        return redirect(url_for("home"))

    return handle_form(form, "auth/totp_disable.html", disable, redirect_refused=False)


@bp.get("/account/sessions")
@login_required
def own_sessions():
    return render_template("auth/sessions.html",
                           sessions=sessions.active_sessions(db.session, current_user))


@bp.post("/account/sessions/<uuid:session_id>/revoke")
@login_required
def revoke_session(session_id):
    row = found_or_404(sessions.own_session(db.session, current_user, session_id))
    if row.id == current_user.sign_in.id:
        return logout()
    sessions.revoke(db.session, row)
    flash(_("Đã đăng xuất phiên trên %(device)s.", device=row.device), "success")
    return redirect(url_for(".own_sessions"))


@bp.post("/account/sessions/revoke-others")
@login_required
def revoke_other_sessions():
    count = sessions.revoke_all(db.session, current_user, keep=current_user.sign_in)
    flash(_("Đã đăng xuất %(n)d phiên khác.", n=count), "success")
    return redirect(url_for(".own_sessions"))
