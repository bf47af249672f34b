"""/api/v1/conferences: the same services as the unit's conference pages."""
from flask import Response
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tinnhiem.conferences import nominees, services, voters
from tinnhiem.conferences.access import (ADMIN, READERS, TRANSITIONS, conference_in_scope,
                                         conference_or_404, nominee_or_404)
from tinnhiem.conferences.ballot import render_ballot
from tinnhiem.conferences.schemas import (AnnulSchema, AttendanceSchema, AttendanceStateSchema,
                                          ConferenceSchema, ConferenceUpdateSchema,
                                          FileUploadSchema,
                                          NomineeSchema, SummonedCountSchema, TransitionSchema,
                                          VoterListSchema, VoterSchema)
from tinnhiem.platform.api import document_errors, document_responses
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.web import PDF, accepts_upload, found_or_404
from tinnhiem.platform.sheet_import import MAX_SHEET_BYTES

WRITE_ERRORS = (401, 404, 409, 422)
blp = Blueprint("conferences_api", __name__, url_prefix="/conferences",
                description="A unit's conferences up to the opening of the vote")



@blp.route("")
class Conferences(MethodView):
    @require_roles(*READERS)
    @blp.response(200, ConferenceSchema(many=True))
    @document_errors(blp, 401)
    def get(self):
        """Conferences in the caller's scope (a unit's own, or all of the province)."""
        return services.list_conferences(db.session)

    @require_roles(ADMIN)
    @blp.arguments(ConferenceSchema)
    @blp.response(201, ConferenceSchema)
    @document_errors(blp, *WRITE_ERRORS)
    def post(self, data):
        """Create a conference of the caller's unit in a round it takes part in."""
        return services.create_conference(db.session, current_user, current_user.unit_id,
                                          data)


@blp.route("/<uuid:conference_id>")
class ConferenceItem(MethodView):
    @require_roles(*READERS)
    @blp.response(200, ConferenceSchema)
    @document_errors(blp, 401, 404)
    def get(self, conference_id):
        """One conference."""
        return conference_or_404(conference_id)

    @require_roles(ADMIN)
    @conference_in_scope
    @blp.arguments(ConferenceUpdateSchema)
    @blp.response(200, ConferenceSchema)
    @document_errors(blp, *WRITE_ERRORS)
    def patch(self, data, conference_id):
        """Change a draft conference's details."""
        return services.update_conference(db.session, current_user,
                                          conference_or_404(conference_id), data)


@blp.route("/<uuid:conference_id>/nominees")
class Nominees(MethodView):
    @require_roles(*READERS)
    @blp.response(200, NomineeSchema(many=True))
    @document_errors(blp, 401, 404)
    def get(self, conference_id):
        """People voted on, exempt ones included (with the reason)."""
        return nominees.list_nominees(db.session, conference_or_404(conference_id))

    @require_roles(ADMIN)
    @conference_in_scope
    @blp.arguments(NomineeSchema)
    @blp.response(201, NomineeSchema)
    @document_errors(blp, *WRITE_ERRORS)
    def post(self, data, conference_id):
        """Add a person; exemptions apply; on the ballot only a cadre the province's registry
        gives the unit (refused alike whatever other units have)."""
        return nominees.add_nominee(db.session, current_user, conference_or_404(conference_id),
                                    data)


@blp.delete("/<uuid:conference_id>/nominees/<uuid:nominee_id>")
@require_roles(ADMIN)
@blp.response(204)
@document_errors(blp, *WRITE_ERRORS)
def remove_nominee(conference_id, nominee_id):
    """Remove a person from a draft conference."""
    conference = conference_or_404(conference_id)
    nominee = nominee_or_404(conference, nominee_id)
    nominees.remove_nominee(db.session, current_user, conference, nominee)


def _attendance_state(conference):
    summoned, present, listed = services.voter_counts(db.session, conference)
    return {"summoned": summoned, "present": present, "has_list": listed,
            "quorum_needed": services.quorum_needed(summoned),
            "quorum_met": services.quorum_met(present, summoned)}


@blp.route("/<uuid:conference_id>/voters")
class Voters(MethodView):
    @require_roles(*READERS)
    @blp.response(200, VoterSchema(many=True))
    @document_errors(blp, 401, 404)
    def get(self, conference_id):
        """The list of summoned voters (empty when only a count is kept)."""
        return voters.list_voters(db.session, conference_or_404(conference_id))

    @require_roles(ADMIN)
    @conference_in_scope
    @blp.arguments(VoterListSchema)
    @blp.response(200, AttendanceStateSchema)
    @document_errors(blp, *WRITE_ERRORS)
    def put(self, data, conference_id):
        """Replace the list of summoned voters."""
        conference = conference_or_404(conference_id)
        voters.replace_voters(db.session, current_user, conference,
                              [(v["full_name"], v["title"]) for v in data["voters"]])
        return _attendance_state(conference)


@blp.put("/<uuid:conference_id>/summoned-count")
@require_roles(ADMIN)
@conference_in_scope
@blp.arguments(SummonedCountSchema)
@blp.response(200, AttendanceStateSchema)
@document_errors(blp, *WRITE_ERRORS)
def summoned_count(data, conference_id):
    """Keep only the number of people summoned (no names)."""
    conference = conference_or_404(conference_id)
    voters.set_summoned_count(db.session, current_user, conference, data["summoned_count"])
    return _attendance_state(conference)


@blp.route("/<uuid:conference_id>/attendance")
class Attendance(MethodView):
    @require_roles(*READERS)
    @blp.response(200, AttendanceStateSchema)
    @document_errors(blp, 401, 404)
    def get(self, conference_id):
        """Summoned, present, and whether the quorum (2/3) is met."""
        return _attendance_state(conference_or_404(conference_id))

    @require_roles(ADMIN)
    @conference_in_scope
    @blp.arguments(AttendanceSchema)
    @blp.response(200, AttendanceStateSchema)
    @document_errors(blp, *WRITE_ERRORS)
    def put(self, data, conference_id):
        """Record attendance: a count, or the ids of the voters present."""
        conference = conference_or_404(conference_id)
        voters.record_attendance(db.session, current_user, conference,
                                 present_count=data.get("present_count"),
                                 present_ids=data.get("present_ids"))
        return _attendance_state(conference)


@blp.post("/<uuid:conference_id>/transitions")
@require_roles(ADMIN)
@conference_in_scope
@blp.arguments(TransitionSchema)
@blp.response(200, ConferenceSchema)
@document_errors(blp, *WRITE_ERRORS)
def transition(data, conference_id):
    """Move the conference: ready (freeze the ballot) or open (needs the quorum)."""
    conference = conference_or_404(conference_id)
    service, _done = TRANSITIONS[data["to"]]
    service(db.session, current_user, conference)
    return conference


@blp.post("/<uuid:conference_id>/annul")
@require_roles(ADMIN)
@conference_in_scope
@blp.arguments(AnnulSchema)
@blp.response(200, ConferenceSchema)
@document_errors(blp, *WRITE_ERRORS)
def annul(data, conference_id):
    """Annul the conference, with a reason (audited)."""
    conference = conference_or_404(conference_id)
    services.annul(db.session, current_user, conference, data["reason"])
    return conference


PDF_RESPONSE = document_responses(PDF, description="A PDF document")


def _pdf(content: bytes, name: str) -> Response:
    return Response(content, mimetype=PDF,
                    headers={"Content-Disposition": f"inline; filename={name}"})


@blp.get("/<uuid:conference_id>/ballot.pdf")
@require_roles(*READERS)
@blp.doc(responses=PDF_RESPONSE)
@document_errors(blp, 401, 404)
def ballot(conference_id):
    """The printable ballot (Phụ lục 4) of the conference."""
    conference = conference_or_404(conference_id)
    return _pdf(render_ballot(db.session, conference), f"phieu-{conference.held_on:%Y%m%d}.pdf")


REPORT = "/<uuid:conference_id>/nominees/<uuid:nominee_id>/report"


@blp.get(REPORT)
@require_roles(*READERS)
@blp.doc(responses=PDF_RESPONSE)
@document_errors(blp, 401, 404)
def nominee_report(conference_id, nominee_id):
    """The person's self-assessment report."""
    conference = conference_or_404(conference_id)
    nominee = nominee_or_404(conference, nominee_id)
    return _pdf(found_or_404(nominee.report_pdf), "bao-cao-tu-danh-gia.pdf")


@blp.put(REPORT)
@accepts_upload(nominees.MAX_REPORT_BYTES + 256 * 1024)
@require_roles(ADMIN)
@conference_in_scope
@blp.arguments(FileUploadSchema, location="files")
@blp.response(200, NomineeSchema)
@document_errors(blp, *WRITE_ERRORS, 413)
def upload_report(files, conference_id, nominee_id):
    """Upload (or replace) the self-assessment report: a PDF of 5 MB at most."""
    conference = conference_or_404(conference_id)
    nominee = nominee_or_404(conference, nominee_id)
    upload = files["file"]
    nominees.attach_report(db.session, current_user, conference, nominee,
                           upload.filename, upload.read())
    return nominee


@blp.post("/<uuid:conference_id>/voters/import")
@accepts_upload(MAX_SHEET_BYTES + 256 * 1024)
@require_roles(ADMIN)
@conference_in_scope
@blp.arguments(FileUploadSchema, location="files")
@blp.response(200, AttendanceStateSchema)
@document_errors(blp, *WRITE_ERRORS, 413)
def import_voters(files, conference_id):
    """Replace the summoned voters with an XLSX or CSV list (row errors: nothing saved)."""
    conference = conference_or_404(conference_id)
    upload = files["file"]
    parsed = voters.parse_voter_sheet(upload.filename, upload.read())
    voters.replace_voters(db.session, current_user, conference, parsed)
    return _attendance_state(conference)
