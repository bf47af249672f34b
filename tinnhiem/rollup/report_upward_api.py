"""/api/v1/rounds/<id>/report-upward: the report upward as PDF or DOCX, its letterhead in
the query (GET) or in a JSON body (POST). Its routes are on the roll-up API's blueprint."""
from functools import wraps

from flask_login import current_user

from tinnhiem.platform.api import document_errors, document_responses
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.web import PDF, document_response
from tinnhiem.rollup.api import blp
from tinnhiem.rollup.report_upward_files import CALLERS, DOCX, ensure_producer, produce
from tinnhiem.rollup.schemas import ReportUpwardSchema
from tinnhiem.rounds.access import round_in_scope, round_or_404

DOCUMENT = document_responses(PDF, DOCX)


def producers_only(view):
    """403 for a caller who sees the round but may not produce the report, before its input
    is read (a round outside the caller's scope is a 404 first: round_in_scope)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        ensure_producer(current_user)
        return view(*args, **kwargs)

    return wrapper


def _serve(values: dict, round_id):
    round_ = round_or_404(round_id)
    document, mimetype, name = produce(db.session, current_user, round_, values,
                                       values.get("format", "pdf"))
    return document_response(document, mimetype, name)


@blp.get("/<uuid:round_id>/report-upward")
@require_roles(*CALLERS)
@round_in_scope
@producers_only
@blp.arguments(ReportUpwardSchema, location="query")
@blp.doc(responses=DOCUMENT)
@document_errors(blp, 401, 403, 404, 422)
def report_upward(values, round_id):
    """The province's report to the centre (party document format), its letterhead in the
    query (`recipients` repeated, one per recipient). Province admin only."""
    return _serve(values, round_id)


@blp.post("/<uuid:round_id>/report-upward")
@require_roles(*CALLERS)
@round_in_scope
@producers_only
@blp.arguments(ReportUpwardSchema)
@blp.doc(responses=DOCUMENT)
@document_errors(blp, 401, 403, 404, 422)
def report_upward_from_body(values, round_id):
    """The same, its letterhead in a JSON body."""
    return _serve(values, round_id)
