"""Pages of the unit tree. Everyone sees the units of their scope; only the operator edits."""
import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import PROVINCE_ROLES, Role
from tinnhiem.platform.db import db
from tinnhiem.platform.forms import handle_form
from tinnhiem.tenants import services
from tinnhiem.tenants.forms import UnitForm, UnitTypeForm
from tinnhiem.platform.web import found_or_404

bp = Blueprint("tenants", __name__)
OPERATOR = Role.OPERATOR


@require_roles()
def home():
    """Each role lands on its work: the unit tree (operator), the rounds (province), the
    conferences (unit staff)."""
    if current_user.role == Role.OPERATOR:
        return redirect(url_for("tenants.units"))
    if current_user.role in PROVINCE_ROLES:
        return redirect(url_for("rounds.index"))
    return redirect(url_for("conferences.index"))


def _unit_or_404(unit_id):
    return found_or_404(services.get_unit(db.session, unit_id))


@bp.get("/units/")
@require_roles()
def units():
    rows = services.tree_rows(services.list_units(db.session))
    return render_template("tenants/units.html", rows=rows, today=dt.date.today())


@bp.get("/units/<uuid:unit_id>")
@require_roles()
def unit(unit_id):
    item = _unit_or_404(unit_id)
    return render_template(
        "tenants/unit.html", unit=item, today=dt.date.today(),
        parent=services.get_unit(db.session, item.parent_id) if item.parent_id else None,
        children=services.children(db.session, item),
        predecessors=services.predecessors(db.session, item),
        successors=services.successors(db.session, item),
    )


def _unit_form_choices(form: UnitForm, editing=None) -> None:
    candidates = [u for u in services.list_units(db.session) if u is not editing]
    form.type_id.choices = [("", _("— Chọn loại đơn vị —"))] + [
        (str(t.id), t.name) for t in services.list_unit_types(db.session)]
    form.parent_id.choices = [("", _("— Không có (đơn vị cấp tỉnh) —"))] + [
        (str(u.id), f"{u.name} ({u.code})") for u in candidates
    ]
    form.predecessor_ids.choices = [(str(u.id), f"{u.name} ({u.code})") for u in candidates]


@bp.route("/units/new", methods=["GET", "POST"])
@require_roles(OPERATOR)
def new_unit():
    form = UnitForm()
    _unit_form_choices(form)
    if request.method == "GET" and request.args.get("parent") and not form.restored:
        form.parent_id.data = request.args["parent"]

    def create():
        created = services.save_unit(db.session, current_user, form.data_for_service())
        flash(_("Đã tạo đơn vị %(name)s.", name=created.name), "success")
        return redirect(url_for(".unit", unit_id=created.id))

    return handle_form(form, "tenants/unit_form.html", create, editing=None)


@bp.route("/units/<uuid:unit_id>/edit", methods=["GET", "POST"])
@require_roles(OPERATOR)
def edit_unit(unit_id):
    item = _unit_or_404(unit_id)
    form = UnitForm(obj=item)
    _unit_form_choices(form, editing=item)
    if request.method == "GET" and not form.restored:
        form.type_id.data = str(item.type_id)
        form.parent_id.data = str(item.parent_id) if item.parent_id else ""
        form.predecessor_ids.data = [str(p) for p in services.predecessor_ids(db.session, item)]

    def update():
        services.save_unit(db.session, current_user, form.data_for_service(), unit=item)
        flash(_("Đã lưu đơn vị."), "success")
        return redirect(url_for(".unit", unit_id=item.id))

    return handle_form(form, "tenants/unit_form.html", update, editing=item)


@bp.get("/unit-types/")
@require_roles(OPERATOR)
def unit_types():
    return render_template("tenants/unit_types.html",
                           unit_types=services.list_unit_types(db.session))


def _unit_type_or_404(type_id):
    from tinnhiem.tenants.models import UnitType

    return found_or_404(db.session.get(UnitType, type_id))


@bp.route("/unit-types/new", methods=["GET", "POST"])
@bp.route("/unit-types/<uuid:type_id>/edit", methods=["GET", "POST"])
@require_roles(OPERATOR)
def edit_unit_type(type_id=None):
    unit_type = _unit_type_or_404(type_id) if type_id else None
    form = UnitTypeForm(obj=unit_type)

    def save():
        services.save_unit_type(db.session, current_user, form.data, unit_type)
        flash(_("Đã lưu loại đơn vị."), "success")
        return redirect(url_for(".unit_types"))

    return handle_form(form, "tenants/unit_type_form.html", save, unit_type=unit_type)
