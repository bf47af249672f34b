"""The counting board's scans of a paper conference: upload, progress, and each page as read.
The images are ballots: only the board of the conference's own unit sees them."""
from flask import Response, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.forms import ActionForm, run_page_action
from tinnhiem.platform.web import accepts_upload
from tinnhiem.scanning import board, jobs, read_pages, uploads
from tinnhiem.scanning.ballots import scanned_ballots
from tinnhiem.scanning.blueprint import bp
from tinnhiem.scanning.forms import AcceptScansForm, PhotoForm, ScanUploadForm
from tinnhiem.voting.access import BOARD, paper_conference_or_404

# While a batch is waiting or being read the page reloads itself this often (no script).
REFRESH_SECONDS = 3


def _scans_url(conference):
    return url_for(".scans", conference_id=conference.id)


@bp.get("/<uuid:conference_id>/scans")
@require_roles(*BOARD)
def scans(conference_id):
    conference = paper_conference_or_404(conference_id)
    batches = uploads.list_batches(db.session, conference)
    busy = any(b.status in ("queued", "reading") for b in batches)
    ballots = scanned_ballots(db.session, conference)
    again = {b.id for b in batches if uploads.may_read_again(db.session, b)}
    return render_template("scanning/scans.html", conference=conference, batches=batches,
                           refresh=REFRESH_SECONDS if busy else None, again=again,
                           summary=read_pages.conference_summary(db.session, conference),
                           ballots=ballots,
                           problems=board.readiness(db.session, conference, ballots),
                           accept_form=AcceptScansForm(prefix="accept"),
                           upload_form=ScanUploadForm(prefix="upload"),
                           photo_form=PhotoForm(prefix="photo"))


def _upload(conference_id, form):
    conference = paper_conference_or_404(conference_id)

    def store():
        files = [(f.filename, f.read()) for f in form.files.data or [] if f]
        batch = uploads.store_upload(db.session, current_user, conference, files)
        jobs.read_when_committed(batch)

    return run_page_action(form, store, _("Đã tải lên; đang đọc phiếu."), _scans_url(conference))


@bp.post("/<uuid:conference_id>/scans")
@accepts_upload("SCAN_MAX_UPLOAD_MB")
@require_roles(*BOARD)
def upload(conference_id):
    return _upload(conference_id, ScanUploadForm(prefix="upload"))


@bp.post("/<uuid:conference_id>/scans/photo")
@accepts_upload("SCAN_MAX_UPLOAD_MB")
@require_roles(*BOARD)
def photo(conference_id):
    return _upload(conference_id, PhotoForm(prefix="photo"))


@bp.get("/<uuid:conference_id>/scans/<uuid:batch_id>")
@require_roles(*BOARD)
def batch(conference_id, batch_id):
    conference = paper_conference_or_404(conference_id)
    found = uploads.get_batch(db.session, conference, batch_id)
    if found is None:
        abort(404)
    return render_template("scanning/batch.html", conference=conference, batch=found,
                           pages=read_pages.batch_pages(db.session, found),
                           nominees=read_pages.ballot_rows(db.session, conference),
                           refresh=REFRESH_SECONDS if found.status in ("queued", "reading")
                           else None)


@bp.get("/<uuid:conference_id>/scans/pages/<uuid:page_id>.jpg")
@require_roles(*BOARD)
def page_image(conference_id, page_id):
    conference = paper_conference_or_404(conference_id)
    image = read_pages.page_image(db.session, conference, page_id)
    if image is None:
        abort(404)
    # A ballot: never kept by a browser or a proxy (platform.web sends no-store as well).
    return Response(image, mimetype="image/jpeg",
                    headers={"Cache-Control": "no-store, private"})


@bp.post("/<uuid:conference_id>/scans/<uuid:batch_id>/again")
@require_roles(*BOARD)
def read_again(conference_id, batch_id):
    """A batch whose reading failed or stalled, read again from its kept files."""
    conference = paper_conference_or_404(conference_id)
    found = uploads.get_batch(db.session, conference, batch_id)
    if found is None:
        abort(404)

    def again():
        jobs.read_when_committed(uploads.read_again(db.session, current_user, conference,
                                                    found))

    return run_page_action(ActionForm(), again, _("Đang đọc lại."), _scans_url(conference))
