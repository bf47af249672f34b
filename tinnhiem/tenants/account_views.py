"""The operator's pages for accounts."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.db import db
from tinnhiem.platform.forms import handle_form
from tinnhiem.tenants import accounts, services
from tinnhiem.tenants.forms import AccountEditForm, AccountForm
from tinnhiem.platform.web import found_or_404

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def _account_or_404(account_id):
    return found_or_404(accounts.get_account(db.session, account_id))


def _unit_choices(form) -> None:
    form.unit_id.choices = [("", _("— Không gắn đơn vị (chỉ cho quản trị hệ thống) —"))] + [
        (str(unit.id), f"{'— ' * depth}{unit.name}")
        for unit, depth in services.tree_rows(services.list_units(db.session))
    ]


def _units_by_id():
    return {unit.id: unit for unit in services.list_units(db.session)}


@bp.get("/")
@require_roles(Role.OPERATOR)
def index():
    return render_template("tenants/accounts.html", accounts=accounts.list_accounts(db.session),
                           units=_units_by_id())


@bp.route("/new", methods=["GET", "POST"])
@require_roles(Role.OPERATOR)
def new():
    form = AccountForm()
    _unit_choices(form)

    def create():
        data = {**form.data, "unit_id": form.unit_id.data or None}
        account, generated = accounts.create_account(db.session, current_user, data)
        return render_template("tenants/account_password.html", account=account,
                               password=generated)

    return handle_form(form, "tenants/account_form.html", create, account=None)


@bp.route("/<uuid:account_id>/edit", methods=["GET", "POST"])
@require_roles(Role.OPERATOR)
def edit(account_id):
    account = _account_or_404(account_id)
    form = AccountEditForm(obj=account)
    _unit_choices(form)
    if not form.is_submitted() and not form.restored:
        form.unit_id.data = str(account.unit_id) if account.unit_id else ""

    def update():
        data = {**form.data, "unit_id": form.unit_id.data or None}
        accounts.update_account(db.session, current_user, account, data)
        flash(_("Đã lưu tài khoản %(name)s.", name=account.username), "success")
        return redirect(url_for(".index"))

    return handle_form(form, "tenants/account_form.html", update, account=account)


@bp.post("/<uuid:account_id>/reset-password")
@require_roles(Role.OPERATOR)
def reset_password(account_id):
    account = _account_or_404(account_id)
    password = accounts.reset_password(db.session, current_user, account)
    return render_template("tenants/account_password.html", account=account, password=password)


@bp.post("/<uuid:account_id>/revoke-sessions")
@require_roles(Role.OPERATOR)
def revoke_sessions(account_id):
    account = _account_or_404(account_id)
    count = accounts.revoke_sessions(db.session, current_user, account)
    flash(_("Đã đăng xuất %(n)d phiên của tài khoản %(name)s.", n=count, name=account.username),
          "success")
    return redirect(url_for(".index"))
