"""The unit's results page: count, confirm (two counters), publish, and the documents."""
from flask import Blueprint, render_template, url_for
from flask_login import current_user

from tinnhiem.conferences.access import READERS, conference_or_404
from tinnhiem.counting import bands, services
from tinnhiem.counting.access import BOARD, allowed_action, readable_conference
from tinnhiem.counting.documents import minutes_pdf, results_xlsx
from tinnhiem.counting.downloads import serve_document
from tinnhiem.counting.links import person_token
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.forms import run_page_action
from tinnhiem.platform.web import PDF, XLSX
from tinnhiem.voting.forms import AcceptForm

bp = Blueprint("counting", __name__, url_prefix="/conferences")


def _page(conference):
    rows = services.results_of(db.session, conference)
    return render_template(
        "counting/results.html", conference=conference, rows=rows,
        board=services.certifiers(db.session, conference), band_label=bands.band_label,
        consequence=bands.consequence,
        form=AcceptForm(prefix="action"),
        links={r.nominee.id: url_for("public_results.person", token=person_token(
            conference, r.nominee), _external=True) for r in rows})


@bp.get("/<uuid:conference_id>/results")
@require_roles(*READERS)
def results(conference_id):
    return _page(readable_conference(conference_id))


@bp.post("/<uuid:conference_id>/results/<any(count, certify, publish):action>")
@require_roles(*BOARD)
def act(conference_id, action):
    step = allowed_action(action)
    conference = conference_or_404(conference_id)
    return run_page_action(AcceptForm(prefix="action"), lambda: step.service(
        db.session, current_user, conference), str(step.done),
        url_for(".results", conference_id=conference.id))


@bp.get("/<uuid:conference_id>/minutes.pdf")
@require_roles(*READERS)
def minutes(conference_id):
    return serve_document(conference_id, minutes_pdf, PDF, "pdf")


@bp.get("/<uuid:conference_id>/results.xlsx")
@require_roles(*READERS)
def spreadsheet(conference_id):
    return serve_document(conference_id, results_xlsx, XLSX, "xlsx")

