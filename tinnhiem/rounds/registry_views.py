"""The cadre registry's pages: the province keeps it (/rounds/<id>/registry), a unit sees the
cadres it may list and asks for more (/rounds/<id>/cadres). Thin over rounds.registry."""
from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.db import db
from tinnhiem.platform.forms import ActionForm, run_page_action
from tinnhiem.rounds import registry, services
from tinnhiem.rounds.access import PROVINCE, entry_or_404, request_or_404, round_or_404
from tinnhiem.rounds.forms import CadreEntryForm, CadreRequestForm, DeclineForm
from tinnhiem.tenants import services as tenants

bp = Blueprint("registry", __name__)
UNIT = Role.UNIT_ADMIN


def _entry_form(round_) -> CadreEntryForm:
    form = CadreEntryForm(prefix="entry")
    unit_ids = set(services.participating_unit_ids(db.session, round_.id))
    form.unit_id.choices = [(str(u.id), u.name) for u in tenants.list_units(db.session)
                            if u.id in unit_ids]
    return form


def _decline_form(request_id) -> DeclineForm:
    return DeclineForm(prefix=f"decline-{request_id}")


def _province_page(round_):
    requests = registry.list_requests(db.session, round_.id)
    context = {
        "round": round_, "cadres": registry.entries_by_cadre(db.session, round_.id),
        "pending": [r for r in requests if r.status == "pending"],
        "decided": [r for r in requests if r.status != "pending"],
        "conflicts": registry.conflicts(db.session, round_.id),
        "unit_names": {u.id: u.name for u in tenants.list_units(db.session)},
        "entry_form": _entry_form(round_),
        # One form per request, each with its own field ids.
        "decline_forms": {r.id: _decline_form(r.id) for r in requests},
        "action_form": ActionForm(),
    }
    return render_template("rounds/registry.html", **context)


def _province_act(round_, form, action, success: str):
    return run_page_action(form, action, success, url_for(".province", round_id=round_.id))


@bp.get("/rounds/<uuid:round_id>/registry")
@require_roles(PROVINCE)
def province(round_id):
    return _province_page(round_or_404(round_id))


@bp.post("/rounds/<uuid:round_id>/registry/entries")
@require_roles(PROVINCE)
def add_entry(round_id):
    round_ = round_or_404(round_id)
    form = _entry_form(round_)
    return _province_act(round_, form, lambda: registry.add_entry(
        db.session, current_user, round_, form.data), _("Đã thêm vào danh sách cán bộ."))


@bp.post("/rounds/<uuid:round_id>/registry/entries/<uuid:entry_id>/delete")
@require_roles(PROVINCE)
def remove_entry(round_id, entry_id):
    round_ = round_or_404(round_id)
    entry = entry_or_404(round_, entry_id)
    return _province_act(round_, ActionForm(), lambda: registry.remove_entry(
        db.session, current_user, round_, entry), _("Đã xóa khỏi danh sách cán bộ."))


@bp.post("/rounds/<uuid:round_id>/registry/requests/<uuid:request_id>/approve")
@require_roles(PROVINCE)
def approve(round_id, request_id):
    round_ = round_or_404(round_id)
    request = request_or_404(round_, request_id)
    return _province_act(round_, ActionForm(), lambda: registry.approve(
        db.session, current_user, round_, request), _("Đã chấp thuận đề nghị."))


@bp.post("/rounds/<uuid:round_id>/registry/requests/<uuid:request_id>/decline")
@require_roles(PROVINCE)
def decline(round_id, request_id):
    round_ = round_or_404(round_id)
    request = request_or_404(round_, request_id)
    form = _decline_form(request.id)
    return _province_act(round_, form, lambda: registry.decline(
        db.session, current_user, round_, request, form.reason.data),
        _("Đã trả lời đề nghị."))


# The unit's page ---------------------------------------------------------------------------

def _unit_page(round_):
    context = {"round": round_, "entries": registry.list_entries(db.session, round_.id),
               "requests": registry.list_requests(db.session, round_.id),
               "request_form": CadreRequestForm(prefix="request")}
    return render_template("rounds/cadres.html", **context)


@bp.get("/rounds/<uuid:round_id>/cadres")
@require_roles(UNIT)
def unit(round_id):
    return _unit_page(round_or_404(round_id))


@bp.post("/rounds/<uuid:round_id>/cadres/requests")
@require_roles(UNIT)
def file_request(round_id):
    round_ = round_or_404(round_id)
    form = CadreRequestForm(prefix="request")
    return run_page_action(
        form, lambda: registry.file_request(db.session, current_user, round_, form.data),
        _("Đã gửi đề nghị đến Ban Tổ chức Tỉnh ủy."), url_for(".unit", round_id=round_.id))
