"""The follow-up pages: a round's people in the low bands (/rounds/<id>/followups) and one
person's follow-up with its history; the province admin records from them. Thin over
followup.services."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tinnhiem.counting.bands import BAND_LABELS, consequence
from tinnhiem.followup import services
from tinnhiem.followup.access import READERS, entry_or_404, may_write, round_or_404, writes
from tinnhiem.followup.forms import RoundDeadlineForm, StepForm
from tinnhiem.followup.labels import ACTION_LABELS, STATE_LABELS, STATE_STYLES
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.forms import run_page_action, whole_number

bp = Blueprint("followup", __name__, url_prefix="/rounds")
ROWS_PER_PAGE = 50
LABELS = dict(state_labels=STATE_LABELS, state_styles=STATE_STYLES,
              action_labels=ACTION_LABELS, band_labels=BAND_LABELS, consequence=consequence)


def page_number(args) -> int:
    number = whole_number(args.get("page") or "1", 7)
    if number is None or not 1 <= number <= 1_000_000:
        raise ServiceError("invalid_page", _l("Số trang không hợp lệ."), field="page")
    return number


@bp.get("/<uuid:round_id>/followups")
@require_roles(*READERS)
def index(round_id):
    round_ = round_or_404(round_id)
    try:
        filters, page = services.filters_from(request.args), page_number(request.args)
    except ServiceError as error:
        return _index(round_, services.Filters(), 1, error=error.message), 422
    return _index(round_, filters, page)


def _index(round_, filters, page: int, error=None):
    session = db.session
    return render_template(
        "followup/index.html", round=round_, filters=filters, page=page, error=error,
        page_size=ROWS_PER_PAGE, counts=services.status_counts(session, round_.id),
        total=services.count(session, round_.id, filters),
        entries=services.people(session, round_.id, filters, limit=ROWS_PER_PAGE,
                                offset=(page - 1) * ROWS_PER_PAGE),
        may_write=may_write(), deadline_form=RoundDeadlineForm(prefix="round") if may_write()
        else None, **LABELS)


@bp.get("/<uuid:round_id>/followups/<uuid:result_id>")
@require_roles(*READERS)
def show(round_id, result_id):
    round_ = round_or_404(round_id)
    entry = entry_or_404(round_, result_id)
    return render_template(
        "followup/show.html", round=round_, entry=entry,
        steps=services.steps_of(db.session, entry), may_write=may_write(),
        form=StepForm(prefix="step", state=entry.state) if may_write() else None, **LABELS)


@bp.post("/<uuid:round_id>/followups/<uuid:result_id>/steps")
@require_roles(*READERS)
@writes
def record_step(round_id, result_id):
    round_ = round_or_404(round_id)
    form = StepForm(prefix="step")
    page = url_for(".show", round_id=round_id, result_id=result_id)
    return run_page_action(form, lambda: services.record_step(
        db.session, current_user, round_, result_id, form.data), _("Đã ghi nhận bước xử lý."),
        page)


@bp.post("/<uuid:round_id>/followups/deadline")
@require_roles(*READERS)
@writes
def round_deadline(round_id):
    round_ = round_or_404(round_id)
    form = RoundDeadlineForm(prefix="round")
    page = url_for(".index", round_id=round_id)

    def set_deadline():
        # The message names how many were set, so the action answers itself.
        updated = services.set_round_deadline(db.session, current_user, round_, form.data)
        flash(_("Đã đặt hạn xử lý cho %(n)d người.", n=updated), "success")
        return redirect(page)

    return run_page_action(form, set_deadline, "", page)
