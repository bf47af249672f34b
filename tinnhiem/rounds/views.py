"""Province pages: the ballot template and the rounds (a round's own page, with its
conferences, is conferences.round_views)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import STAFF_ROLES
from tinnhiem.platform.db import db
from tinnhiem.platform.forms import ActionForm, handle_form
from tinnhiem.rounds import services
from tinnhiem.rounds.access import PROVINCE, round_or_404
from tinnhiem.rounds.forms import RoundForm, TemplateForm
from tinnhiem.tenants import services as tenants

bp = Blueprint("rounds", __name__)


@bp.route("/template", methods=["GET", "POST"])
@require_roles(PROVINCE)
def template():
    province_id = current_user.province_id
    current = services.latest_template(db.session, province_id)
    form = TemplateForm(obj=current, data=None if current else services.DEFAULT_TEMPLATE)

    def save():
        saved = services.save_template(db.session, current_user, province_id, form.data)
        flash(_("Đã lưu mẫu phiếu (phiên bản %(v)d).", v=saved.version), "success")
        return redirect(url_for(".template"))

    return handle_form(form, "rounds/template.html", save, current=current,
                       versions=services.list_templates(db.session))


@bp.get("/rounds/")
@require_roles(*STAFF_ROLES)
def index():
    return render_template("rounds/index.html",
                           rounds=services.rounds_for(db.session, current_user))


@bp.route("/rounds/new", methods=["GET", "POST"])
@require_roles(PROVINCE)
def new():
    form = RoundForm()
    form.unit_ids.choices = [(str(u.id), f"{'— ' * depth}{u.name}")
                             for u, depth in tenants.tree_rows(tenants.list_units(db.session))]

    def create():
        created = services.create_round(db.session, current_user, current_user.province_id,
                                        form.data_for_service())
        flash(_("Đã tạo đợt lấy phiếu."), "success")
        return redirect(url_for("round_page.show", round_id=created.id))

    return handle_form(form, "rounds/form.html", create)


@bp.post("/rounds/<uuid:round_id>/template")
@require_roles(PROVINCE)
def use_latest_template(round_id):
    round_ = round_or_404(round_id)
    form = ActionForm()
    latest = services.latest_template(db.session, round_.province_id)
    if form.validate_on_submit() and latest is not None:
        services.use_template(db.session, current_user, round_, latest.id)
        flash(_("Đợt lấy phiếu dùng mẫu phiếu phiên bản %(v)d.", v=latest.version), "success")
    return redirect(url_for("round_page.show", round_id=round_.id))
