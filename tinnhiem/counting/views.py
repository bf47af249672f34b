"""The unit's results page: count, confirm (two counters), publish, and the documents."""
from flask import Blueprint, Response, abort, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tinnhiem.conferences import services as conferences
from tinnhiem.counting import bands, services
from tinnhiem.counting.documents import minutes_pdf, results_xlsx
from tinnhiem.counting.links import person_token
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import PROVINCE_ROLES, STAFF_ROLES, Role
from tinnhiem.platform.db import db
from tinnhiem.platform.forms import run_page_action
from tinnhiem.platform.web import PDF, XLSX, found_or_404
from tinnhiem.voting.forms import AcceptForm

bp = Blueprint("counting", __name__, url_prefix="/conferences")
BOARD = (Role.UNIT_ADMIN, Role.COUNTER)


def readable_conference(conference_id):
    """Results stay in the unit until certified: before that the province gets a 404."""
    conference = found_or_404(conferences.get_conference(db.session, conference_id))
    if current_user.role in PROVINCE_ROLES and conference.status != "certified":
        abort(404)
    return conference


def _page(conference, status=200, form=None, _error=None):
    rows = services.results_of(db.session, conference)
    return render_template(
        "counting/results.html", conference=conference, rows=rows,
        board=services.certifiers(db.session, conference), band_label=bands.band_label,
        consequence=bands.consequence, status_label=conferences.status_label,
        form=form or AcceptForm(prefix="action"),
        links={r.nominee.id: url_for("public_results.person", token=person_token(
            conference, r.nominee), _external=True) for r in rows}), status


@bp.get("/<uuid:conference_id>/results")
@require_roles(*STAFF_ROLES)
def results(conference_id):
    return _page(readable_conference(conference_id))


ACTIONS = {
    "count": (BOARD, services.count, _l("Đã kiểm phiếu và ghi nhận kết quả.")),
    "certify": ((Role.COUNTER,), services.certify, _l("Đã ghi nhận xác nhận của bạn.")),
    "publish": ((Role.UNIT_ADMIN,), services.publish, _l("Đã công bố kết quả.")),
}


@bp.post("/<uuid:conference_id>/results/<any(count, certify, publish):action>")
@require_roles(*BOARD)
def act(conference_id, action):
    roles, service, message = ACTIONS[action]
    if current_user.role not in roles:
        abort(404)
    conference = found_or_404(conferences.get_conference(db.session, conference_id))
    return run_page_action(AcceptForm(prefix="action"), lambda: service(
        db.session, current_user, conference), lambda status, form, error=None: _page(
        conference, status, form), str(message),
        url_for(".results", conference_id=conference.id))


def serve_document(conference_id, render, mimetype, extension):
    """A conference's minutes or result table, once it has results: for the page and the
    API alike."""
    conference = readable_conference(conference_id)
    if not services.results_of(db.session, conference):
        abort(404)
    name = f"ket-qua-{conference.held_on:%Y%m%d}.{extension}"
    return Response(render(db.session, conference), mimetype=mimetype,
                    headers={"Content-Disposition": f"inline; filename={name}"})


@bp.get("/<uuid:conference_id>/minutes.pdf")
@require_roles(*STAFF_ROLES)
def minutes(conference_id):
    return serve_document(conference_id, minutes_pdf, PDF, "pdf")


@bp.get("/<uuid:conference_id>/results.xlsx")
@require_roles(*STAFF_ROLES)
def spreadsheet(conference_id):
    return serve_document(conference_id, results_xlsx, XLSX, "xlsx")

