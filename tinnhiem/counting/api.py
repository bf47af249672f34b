"""/api/v1: results of a conference (count, confirm, publish, documents) for the unit, and
for the province once certified; a voter's view of published results by code."""
from flask_login import current_user
from flask_smorest import Blueprint

from tinnhiem.conferences.access import READERS, conference_in_scope, conference_or_404
from tinnhiem.counting import services
from tinnhiem.counting.access import BOARD, allowed_action, readable_conference
from tinnhiem.counting.bands import reported
from tinnhiem.counting.documents import minutes_pdf, results_xlsx
from tinnhiem.counting.schemas import (ConferenceResultsSchema, ResultActionSchema,
                                       VoterResultsQuerySchema, VoterResultsSchema)
from tinnhiem.counting.downloads import serve_document
from tinnhiem.platform.api import document_errors, document_responses
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.web import PDF, XLSX
from tinnhiem.tally.totals import counted_trackers
from tinnhiem.voting.code_throttle import note_failure, throttle_guesses
from tinnhiem.voting.voter_access import conference_of_poll

blp = Blueprint("counting_api", __name__, url_prefix="/conferences",
                description="Results: count, certification by two counters, publication")
public_blp = Blueprint("results_api", __name__, url_prefix="/polls",
                       description="A voter's view of the published results")


def person_rows(rows) -> list[dict]:
    return [{"nominee_id": row.nominee.id, "full_name": row.nominee.full_name,
             "post": row.nominee.post, **reported(row.result)} for row in rows]


def _results(conference) -> dict:
    return {"status": conference.status, "published": conference.published,
            "seal_digest": conference.seal_digest,
            "certified_by": [a.full_name for a in services.certifiers(db.session, conference)],
            "results": person_rows(services.results_of(db.session, conference))}


@blp.get("/<uuid:conference_id>/results")
@require_roles(*READERS)
@blp.response(200, ConferenceResultsSchema)
@document_errors(blp, 401, 404)
def results(conference_id):
    """Figures per person; the province sees them only once certified."""
    return _results(readable_conference(conference_id))


@blp.post("/<uuid:conference_id>/results/state")
@require_roles(*BOARD)
@conference_in_scope
@blp.arguments(ResultActionSchema)
@blp.response(200, ConferenceResultsSchema)
@document_errors(blp, 401, 404, 409, 422)
def change_state(data, conference_id):
    """count (the board), certify (each of two distinct counters), publish (the unit admin)."""
    step = allowed_action(data["action"])
    conference = conference_or_404(conference_id)
    step.service(db.session, current_user, conference)
    return _results(conference)


DOCUMENT = document_responses(PDF, XLSX)


@blp.get("/<uuid:conference_id>/minutes.pdf")
@require_roles(*READERS)
@blp.doc(responses=DOCUMENT)
@document_errors(blp, 401, 404)
def minutes(conference_id):
    """The counting minutes (biên bản kiểm phiếu), once counted."""
    return serve_document(conference_id, minutes_pdf, PDF, "pdf")


@blp.get("/<uuid:conference_id>/results.xlsx")
@require_roles(*READERS)
@blp.doc(responses=DOCUMENT)
@document_errors(blp, 401, 404)
def spreadsheet(conference_id):
    """The result table as a spreadsheet, once counted."""
    return serve_document(conference_id, results_xlsx, XLSX, "xlsx")


@public_blp.post("/<slug>/results")
@public_blp.doc(security=[])
@throttle_guesses
@public_blp.arguments(VoterResultsQuerySchema)
@public_blp.response(200, VoterResultsSchema)
@document_errors(public_blp, 404, 409, 422, 429)
def voter_results(data, slug):
    """Published results for a voter of this conference (with the code they voted with), and
    every counted tracker; with `tracker`, whether it is among them."""
    conference = conference_of_poll(slug)
    try:
        services.require_voter_access(db.session, conference, data["code"])
    except ServiceError as error:
        note_failure(error, conference, data["code"])
        raise
    trackers = counted_trackers(db.session, conference)
    asked = services.normalize_tracker(data["tracker"])
    return {"results": person_rows(services.results_of(db.session, conference)),
            "trackers": [f"{t[:4]}-{t[4:]}" for t in trackers],
            "tracker_found": (asked in trackers) if asked else None}
