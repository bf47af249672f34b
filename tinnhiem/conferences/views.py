"""A unit's conference pages: details, people voted on, voters, attendance, transitions,
and the printable ballot."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tinnhiem.cadre_registry import services as cadre_posts
from tinnhiem.conferences import lifecycle, nominees, services, voters
from tinnhiem.conferences.access import (ADMIN, READERS, TRANSITIONS, conference_or_404,
                                         nominee_or_404, picks_from_registry)
from tinnhiem.conferences.ballot import render_ballot
from tinnhiem.conferences.forms import (AnnulForm, AttendanceForm, ConferenceForm, NomineeForm,
                                        VoterCountForm, VoterImportForm)
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import UNIT_ROLES
from tinnhiem.platform.db import db
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.forms import ActionForm, handle_form, kept_rows, run_page_action
from tinnhiem.platform.web import XLSX, accepts_upload, document_response
from tinnhiem.platform.sheet_import import MAX_SHEET_BYTES
from tinnhiem.rounds import registry
from tinnhiem.rounds import services as rounds

bp = Blueprint("conferences", __name__, url_prefix="/conferences")


@bp.get("/")
@require_roles(*UNIT_ROLES)
def index():
    return render_template("conferences/index.html",
                           conferences=services.list_conferences(db.session))


@bp.route("/new", methods=["GET", "POST"])
@require_roles(ADMIN)
def new():
    form = ConferenceForm()
    form.round_id.choices = [(str(r.id), r.name)
                             for r in rounds.rounds_for_unit(db.session, current_user.unit_id)]
    if request.method == "GET" and request.args.get("round_id") and not form.restored:
        form.round_id.data = request.args["round_id"]

    def create():
        created = services.create_conference(db.session, current_user, current_user.unit_id,
                                             form.data)
        flash(_("Đã tạo hội nghị."), "success")
        return redirect(url_for(".show", conference_id=created.id))

    return handle_form(form, "conferences/form.html", create)


def _nominee_form(conference, picked=None):
    """The add-person form; `picked`, a registry entry, fills it in (the code stays free
    text: the service checks it against the registry either way), with the date the
    province's cadre list says the one post they hold in the unit began."""
    held = cadre_posts.held_by_code(db.session, conference.unit_id, [picked.cadre_code]).get(
        picked.cadre_code, []) if picked else []
    form = NomineeForm(prefix="nominee", data={
        "cadre_code": picked.cadre_code, "full_name": picked.full_name, "post": picked.post,
        "appointed_on": held[0].held_since if len(held) == 1 else None} if picked else None)
    round_ = rounds.get_round(db.session, conference.round_id)
    form.category_id.choices = [(str(c.id), c.name) for c in round_.categories]
    return form


def _page(conference, nominee_form=None):
    summoned, present, listed = services.voter_counts(db.session, conference)
    round_ = rounds.get_round(db.session, conference.round_id)
    voter_list = voters.list_voters(db.session, conference)
    import_errors, more_import_errors = kept_rows()
    registered = registry.list_entries(db.session, conference.round_id) \
        if picks_from_registry() else []
    context = {
        "conference": conference, "round": round_,
        "people": nominees.list_nominees(db.session, conference),
        "category_names": {c.id: c.name for c in round_.categories},
        "voter_list": voter_list, "ticked": sum(v.present for v in voter_list),
        "summoned": summoned, "present": present, "listed": listed,
        "quorum_needed": services.quorum_needed(summoned),
        "exemption_label": nominees.exemption_label,
        "nominee_form": nominee_form or _nominee_form(conference),
        "count_form": VoterCountForm(prefix="count"),
        "import_form": VoterImportForm(prefix="import"),
        "attendance_form": AttendanceForm(prefix="attendance"),
        "annul_form": AnnulForm(prefix="annul"),
        "action_form": ActionForm(), "import_errors": import_errors,
        "more_import_errors": more_import_errors,
        "registered": registered,
        "held_posts": cadre_posts.held_by_code(db.session, conference.unit_id,
                                               [e.cadre_code for e in registered]),
        "backup_taken_at": services.suspended_by_backup_at(db.session, conference),
        # Just added someone: the form stays unfolded for the next one (#15, finding 8).
        "adding": request.args.get("adding") == "1",
    }
    return render_template("conferences/show.html", **context)


@bp.get("/<uuid:conference_id>")
@require_roles(*READERS)
def show(conference_id):
    conference = conference_or_404(conference_id)
    code = request.args.get("cadre", "")[:40]
    picked = next((e for e in registry.list_entries(db.session, conference.round_id)
                   if e.cadre_code == code), None) if code and picks_from_registry() else None
    return _page(conference, nominee_form=_nominee_form(conference, picked) if picked else None)


def _act(conference, form, action, success: str, done_url=None):
    """Run one action of the conference page (see platform.forms.run_page_action)."""
    return run_page_action(form, action, success, url_for(".show", conference_id=conference.id),
                           done_url)


@bp.post("/<uuid:conference_id>/nominees")
@accepts_upload(nominees.MAX_REPORT_BYTES + 256 * 1024)
@require_roles(ADMIN)
def add_nominee(conference_id):
    conference = conference_or_404(conference_id)
    form = _nominee_form(conference)

    def add():
        upload = form.report.data
        nominee = nominees.add_nominee(db.session, current_user, conference, form.data)
        if upload:
            nominees.attach_report(db.session, current_user, conference, nominee,
                                   upload.filename, upload.read())

    return _act(conference, form, add, _("Đã thêm người được lấy phiếu."),
                # No #fragment: Chromium ignores autofocus on a page addressed with one,
                # and the focused field is scrolled into view anyway.
                url_for(".show", conference_id=conference.id, adding=1))


@bp.post("/<uuid:conference_id>/nominees/<uuid:nominee_id>/delete")
@require_roles(ADMIN)
def remove_nominee(conference_id, nominee_id):
    conference = conference_or_404(conference_id)
    nominee = nominee_or_404(conference, nominee_id)
    return _act(conference, ActionForm(), lambda: nominees.remove_nominee(
        db.session, current_user, conference, nominee), _("Đã xóa khỏi danh sách."))


@bp.get("/<uuid:conference_id>/nominees/<uuid:nominee_id>/report.pdf")
@require_roles(*READERS)
def nominee_report(conference_id, nominee_id):
    conference = conference_or_404(conference_id)
    nominee = nominee_or_404(conference, nominee_id)
    if not nominee.report_pdf:
        abort(404)
    return Response(nominee.report_pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": "inline; filename=bao-cao-tu-danh-gia.pdf"})


@bp.post("/<uuid:conference_id>/voters/count")
@require_roles(ADMIN)
def voter_count(conference_id):
    conference = conference_or_404(conference_id)
    form = VoterCountForm(prefix="count")
    return _act(conference, form, lambda: voters.set_summoned_count(
        db.session, current_user, conference, form.summoned_count.data),
        _("Đã lưu số người được triệu tập."))


@bp.post("/<uuid:conference_id>/voters/import")
@accepts_upload(MAX_SHEET_BYTES + 256 * 1024)
@require_roles(ADMIN)
def voter_import(conference_id):
    conference = conference_or_404(conference_id)
    form = VoterImportForm(prefix="import")

    def run():
        upload = form.file.data
        if not upload:
            raise ServiceError("no_file", _("Hãy chọn tệp."), field="file")
        parsed = voters.parse_voter_sheet(upload.filename, upload.read())
        voters.replace_voters(db.session, current_user, conference, parsed)

    return _act(conference, form, run, _("Đã nhập danh sách người được triệu tập."))


@bp.get("/<uuid:conference_id>/voters/template.xlsx")
@require_roles(*UNIT_ROLES)
def voter_template(conference_id):
    """An empty list in the columns the import reads, to fill in and send back."""
    conference_or_404(conference_id)
    return document_response(voters.voter_template(), XLSX, "mau-danh-sach-trieu-tap.xlsx")


@bp.post("/<uuid:conference_id>/attendance")
@require_roles(ADMIN)
def attendance(conference_id):
    conference = conference_or_404(conference_id)
    form = AttendanceForm(prefix="attendance")

    def run():
        listed = voters.list_voters(db.session, conference)
        if listed and form.present_count.data is None:
            # "Chọn tất cả" without a script submits the form with every name ticked.
            ticked = [v.id for v in listed] if request.form.get("all") else \
                request.form.getlist("present")
            voters.record_attendance(db.session, current_user, conference, present_ids=ticked)
        else:
            voters.record_attendance(db.session, current_user, conference,
                                     present_count=form.present_count.data)

    return _act(conference, form, run, _("Đã ghi nhận điểm danh."))


@bp.post("/<uuid:conference_id>/<any(ready, open):target>")
@require_roles(ADMIN)
def transition(conference_id, target):
    conference = conference_or_404(conference_id)
    action, message = TRANSITIONS[target]
    message = str(message)
    if target == lifecycle.OPEN.target and conference.mode == "electronic":
        # Opening alone lets nobody vote: point at the next step (#15, finding 8).
        message += " " + _("Bước tiếp theo: phát mã bỏ phiếu cho người có mặt (nút «Phát mã"
                           " bỏ phiếu» trên trang này).")
    return _act(conference, ActionForm(), lambda: action(db.session, current_user, conference),
                message)


@bp.post("/<uuid:conference_id>/annul")
@require_roles(ADMIN)
def annul(conference_id):
    conference = conference_or_404(conference_id)
    form = AnnulForm(prefix="annul")
    return _act(conference, form, lambda: services.annul(
        db.session, current_user, conference, form.reason.data), _("Đã hủy hội nghị."))


@bp.post("/<uuid:conference_id>/void-and-close")
@require_roles(ADMIN)
def void_and_close(conference_id):
    """End a vote a restore suspended: unused codes voided, closed with the ballots kept."""
    conference = conference_or_404(conference_id)
    return _act(conference, ActionForm(), lambda: lifecycle.perform(
        db.session, current_user, conference, lifecycle.VOID_AND_CLOSE),
        _("Đã hủy mọi mã chưa dùng và kết thúc bỏ phiếu; có thể kiểm phiếu với các phiếu còn"
          " lại."))


@bp.get("/<uuid:conference_id>/ballot.pdf")
@require_roles(*READERS)
def ballot(conference_id):
    conference = conference_or_404(conference_id)
    pdf = render_ballot(db.session, conference)
    name = f"phieu-{conference.held_on:%Y%m%d}.pdf"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename={name}"})


