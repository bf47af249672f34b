"""/api/v1/conferences/<id>/scans…: the counting board's scans of a paper conference, as the
pages (scanning.views, scanning.board_views) have them and through the same services. The
board of the conference's own unit only: anyone else gets 404, before any body is read."""
from flask import Response
from flask_login import current_user
from flask_smorest import Blueprint

from tinnhiem.conferences import services as conferences
from tinnhiem.platform.api import document_errors, document_responses, in_scope
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.web import accepts_upload, found_or_404
from tinnhiem.scanning import board, jobs, read_pages, uploads
from tinnhiem.scanning.ballots import scanned_ballots
from tinnhiem.scanning.schemas import (AcceptedSchema, AcceptScansSchema, BatchPagesSchema,
                                       BatchSchema, CheckSchema, ChecksSchema, DecideSchema,
                                       DecisionSchema, DrawSchema, DuplicateSchema, KeySchema,
                                       PageSchema, ScansSchema, UploadSchema)
from tinnhiem.voting.access import BOARD, paper_conference_or_404

WRITE_ERRORS = (401, 404, 409, 422)
SCANS = "/<uuid:conference_id>/scans"
blp = Blueprint("scanning_api", __name__, url_prefix="/conferences",
                description="The counting board's scans of paper ballots")


def _paper_conference(session, conference_id):
    conference = conferences.get_conference(session, conference_id)
    return conference if conference is not None and conference.mode == "paper" else None


paper_in_scope = in_scope(_paper_conference, "conference_id")


def board_write(arguments, status: int, response):
    """A write of the board: the role, then the conference (404 before any body is read, so a
    stranger learns nothing from validation errors), then the body."""
    def decorator(view):
        view = document_errors(blp, *WRITE_ERRORS)(blp.response(status, response)(view))
        return require_roles(*BOARD)(paper_in_scope(blp.arguments(arguments)(view)))

    return decorator


def _batch_out(batch) -> dict:
    return {"id": batch.id, "name": batch.name, "status": batch.status, "pages": batch.pages,
            "pages_read": batch.pages_read, "doubts": batch.doubts,
            "error_code": batch.error_code,
            "may_read_again": uploads.may_read_again(db.session, batch)}


def _batch_or_404(conference, batch_id):
    return found_or_404(uploads.get_batch(db.session, conference, batch_id))


@blp.get(SCANS)
@require_roles(*BOARD)
@blp.response(200, ScansSchema)
@document_errors(blp, 401, 404)
def scans(conference_id):
    """The board's overview: every upload and its reading, the pages' summary, the ballots
    put together so far and what still stands before the reading can be accepted."""
    conference = paper_conference_or_404(conference_id)
    ballots = scanned_ballots(db.session, conference)
    return {"batches": [_batch_out(b) for b in uploads.list_batches(db.session, conference)],
            "summary": read_pages.conference_summary(db.session, conference)._asdict(),
            "ballots": len(ballots),
            "problems": [str(p) for p in board.readiness(db.session, conference, ballots)]}


@blp.post(SCANS)
@accepts_upload("SCAN_MAX_UPLOAD_MB")
@require_roles(*BOARD)
@paper_in_scope
@blp.arguments(UploadSchema, location="files")
@blp.response(202, BatchSchema)
@document_errors(blp, *WRITE_ERRORS, 413, 415)
def upload(files, conference_id):
    """Upload a scanner's PDF or images (multipart field `files`, one or more): checked and
    stored, then read in the background (follow it with GET …/scans/{batch_id})."""
    conference = paper_conference_or_404(conference_id)
    batch = uploads.store_upload(db.session, current_user, conference,
                                 [(f.filename, f.read()) for f in files["files"] if f])
    jobs.read_when_committed(batch)
    return _batch_out(batch)


@blp.get(f"{SCANS}/<uuid:batch_id>")
@require_roles(*BOARD)
@blp.response(200, BatchPagesSchema)
@document_errors(blp, 401, 404)
def batch(conference_id, batch_id):
    """An upload and its pages as read (each page's image: GET …/scans/pages/{page_id}.jpg)."""
    conference = paper_conference_or_404(conference_id)
    found = _batch_or_404(conference, batch_id)
    return {"batch": _batch_out(found), "pages": read_pages.batch_pages(db.session, found)}


@blp.get(f"{SCANS}/pages/<uuid:page_id>.jpg")
@require_roles(*BOARD)
@blp.doc(responses=document_responses("image/jpeg", description="The page as read"))
@document_errors(blp, 401, 404)
def page_image(conference_id, page_id):
    """A page's image: a ballot, never kept by a browser or a proxy; 404 once deleted after
    the round's retention."""
    conference = paper_conference_or_404(conference_id)
    image = found_or_404(read_pages.page_image(db.session, conference, page_id))
    return Response(image, mimetype="image/jpeg", headers={"Cache-Control": "no-store, private"})


@blp.post(f"{SCANS}/<uuid:batch_id>/again")
@require_roles(*BOARD)
@blp.response(202, BatchSchema)
@document_errors(blp, 401, 404, 409)
def read_again(conference_id, batch_id):
    """Read again, from its kept files, an upload whose reading failed or stalled."""
    conference = paper_conference_or_404(conference_id)
    found = _batch_or_404(conference, batch_id)
    jobs.read_when_committed(uploads.read_again(db.session, current_user, conference, found))
    return _batch_out(found)


@blp.put(f"{SCANS}/pages/<uuid:page_id>/rows/<int:row>")
@board_write(DecideSchema, 200, DecisionSchema)
def decide(data, conference_id, page_id, row):
    """A member's mark for a row (0-based) the board decides: a proposal, confirmed when
    another member chooses the same mark; a different mark replaces it."""
    conference = paper_conference_or_404(conference_id)
    decision = board.decide_row(db.session, current_user, conference, page_id, row,
                                data["mark"])
    return {"page_id": decision.page_id, "row": decision.row_index, "mark": decision.mark,
            "decided_by": decision.decided_by, "confirmed": decision.confirmed_by is not None}


@blp.post(f"{SCANS}/pages/<uuid:page_id>/duplicate")
@board_write(DuplicateSchema, 200, PageSchema)
def duplicate(data, conference_id, page_id):
    """The board's word on a sheet scanned twice (not counted), or a ballot of its own."""
    conference = paper_conference_or_404(conference_id)
    return board.mark_duplicate(db.session, current_user, conference, page_id,
                                data["duplicate"])


# The blind check ----------------------------------------------------------------------------

def _checks_out(conference, only=None) -> list[dict]:
    """Checks with what keying needs (pages, rows) and, once keyed, how they compare: the
    reading itself is never part of it."""
    ballots = {b.first.id: b for b in scanned_ballots(db.session, conference)}
    out = []
    for check in only if only is not None else board.checks(db.session, conference):
        ballot = ballots.get(check.page_id)
        differs = board.differences(check, ballot) if ballot else []
        out.append({"id": check.id, "keyed": check.keyed is not None,
                    "agrees": None if check.keyed is None else not differs,
                    "differences": differs,
                    "pages": [p.id for p in ballot.pages] if ballot else [check.page_id],
                    "rows": [r.index for r in ballot.rows] if ballot else []})
    return out


@blp.get(f"{SCANS}/checks")
@require_roles(*BOARD)
@blp.response(200, ChecksSchema)
@document_errors(blp, 401, 404)
def checks(conference_id):
    """The ballots drawn for the blind check: key each from the paper, never seeing what
    the reader read."""
    conference = paper_conference_or_404(conference_id)
    return {"checks": _checks_out(conference), "default_count": board.default_check_size(
        len(scanned_ballots(db.session, conference)))}


@blp.post(f"{SCANS}/checks")
@board_write(DrawSchema, 201, CheckSchema(many=True))
def draw(data, conference_id):
    """Draw more ballots at random among those not drawn yet (`count`, or the default)."""
    conference = paper_conference_or_404(conference_id)
    return _checks_out(conference, board.draw_check(db.session, current_user, conference,
                                                    data["count"]))


@blp.put(f"{SCANS}/checks/<uuid:check_id>")
@board_write(KeySchema, 200, CheckSchema)
def key(data, conference_id, check_id):
    """A member's keying of a drawn ballot from the paper, every row, once: a difference
    widens the check (as many ballots again are drawn)."""
    conference = paper_conference_or_404(conference_id)
    marks = {int(index): mark for index, mark in data["marks"].items()}
    check = board.key_check(db.session, current_user, conference, check_id, marks)
    return _checks_out(conference, [check])[0]


@blp.post(f"{SCANS}/accept")
@board_write(AcceptScansSchema, 201, AcceptedSchema)
def accept(data, conference_id):
    """The reading becomes the caller's ballot-by-ballot sheet, submitted: refused
    (409 `scans_not_ready`) while anything is unsettled, and (409 `scans_count_differs`)
    when the ballots read are not the ballots collected."""
    conference = paper_conference_or_404(conference_id)
    sheet = board.accept_reading(db.session, current_user, conference, data["collected"])
    return {"sheet_id": sheet.id}
