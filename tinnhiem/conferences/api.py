"""/api/v1/conferences: the same services as the unit's conference pages."""
from functools import wraps

from flask import abort
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tinnhiem.conferences import nominees, services, voters
from tinnhiem.conferences.schemas import (AnnulSchema, AttendanceSchema, AttendanceStateSchema,
                                          ConferenceSchema, ConferenceUpdateSchema,
                                          NomineeSchema, SummonedCountSchema, TransitionSchema,
                                          VoterListSchema, VoterSchema)
from tinnhiem.platform.api import document_errors
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.auth.roles import PROVINCE_ROLES, UNIT_ROLES, Role
from tinnhiem.platform.db import db
from tinnhiem.platform.web import found_or_404

READERS = (*PROVINCE_ROLES, *UNIT_ROLES)
ADMIN = Role.UNIT_ADMIN
WRITE_ERRORS = (401, 404, 409, 422)
blp = Blueprint("conferences_api", __name__, url_prefix="/conferences",
                description="A unit's conferences up to the opening of the vote")


def _conference(conference_id):
    return found_or_404(services.get_conference(db.session, conference_id))


def conference_in_scope(view):
    """404 for a conference outside the caller's scope before the body is even read, so a
    stranger learns nothing from validation errors."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        _conference(kwargs["conference_id"])
        return view(*args, **kwargs)

    return wrapper


def _done(result):
    db.session.commit()
    return result


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
        return _done(services.create_conference(db.session, current_user,
                                                current_user.unit_id, data))


@blp.route("/<uuid:conference_id>")
class ConferenceItem(MethodView):
    @require_roles(*READERS)
    @blp.response(200, ConferenceSchema)
    @document_errors(blp, 401, 404)
    def get(self, conference_id):
        """One conference."""
        return _conference(conference_id)

    @require_roles(ADMIN)
    @conference_in_scope
    @blp.arguments(ConferenceUpdateSchema)
    @blp.response(200, ConferenceSchema)
    @document_errors(blp, *WRITE_ERRORS)
    def patch(self, data, conference_id):
        """Change a draft conference's details."""
        return _done(services.update_conference(db.session, current_user,
                                                _conference(conference_id), data))


@blp.route("/<uuid:conference_id>/nominees")
class Nominees(MethodView):
    @require_roles(*READERS)
    @blp.response(200, NomineeSchema(many=True))
    @document_errors(blp, 401, 404)
    def get(self, conference_id):
        """People voted on, exempt ones included (with the reason)."""
        return nominees.list_nominees(db.session, _conference(conference_id))

    @require_roles(ADMIN)
    @conference_in_scope
    @blp.arguments(NomineeSchema)
    @blp.response(201, NomineeSchema)
    @document_errors(blp, *WRITE_ERRORS)
    def post(self, data, conference_id):
        """Add a person; exemptions apply, and a third place in the round is refused."""
        return _done(nominees.add_nominee(db.session, current_user,
                                          _conference(conference_id), data))


@blp.delete("/<uuid:conference_id>/nominees/<uuid:nominee_id>")
@require_roles(ADMIN)
@blp.response(204)
@document_errors(blp, *WRITE_ERRORS)
def remove_nominee(conference_id, nominee_id):
    """Remove a person from a draft conference."""
    conference = _conference(conference_id)
    nominee = nominees.get_nominee(db.session, conference, nominee_id) or abort(404)
    _done(nominees.remove_nominee(db.session, current_user, conference, nominee))


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
        return voters.list_voters(db.session, _conference(conference_id))

    @require_roles(ADMIN)
    @conference_in_scope
    @blp.arguments(VoterListSchema)
    @blp.response(200, AttendanceStateSchema)
    @document_errors(blp, *WRITE_ERRORS)
    def put(self, data, conference_id):
        """Replace the list of summoned voters."""
        conference = _conference(conference_id)
        voters.replace_voters(db.session, current_user, conference,
                              [(v["full_name"], v["title"]) for v in data["voters"]])
        return _done(_attendance_state(conference))


@blp.put("/<uuid:conference_id>/summoned-count")
@require_roles(ADMIN)
@conference_in_scope
@blp.arguments(SummonedCountSchema)
@blp.response(200, AttendanceStateSchema)
@document_errors(blp, *WRITE_ERRORS)
def summoned_count(data, conference_id):
    """Keep only the number of people summoned (no names)."""
    conference = _conference(conference_id)
    voters.set_summoned_count(db.session, current_user, conference, data["summoned_count"])
    return _done(_attendance_state(conference))


@blp.route("/<uuid:conference_id>/attendance")
class Attendance(MethodView):
    @require_roles(*READERS)
    @blp.response(200, AttendanceStateSchema)
    @document_errors(blp, 401, 404)
    def get(self, conference_id):
        """Summoned, present, and whether the quorum (2/3) is met."""
        return _attendance_state(_conference(conference_id))

    @require_roles(ADMIN)
    @conference_in_scope
    @blp.arguments(AttendanceSchema)
    @blp.response(200, AttendanceStateSchema)
    @document_errors(blp, *WRITE_ERRORS)
    def put(self, data, conference_id):
        """Record attendance: a count, or the ids of the voters present."""
        conference = _conference(conference_id)
        voters.record_attendance(db.session, current_user, conference,
                                 present_count=data.get("present_count"),
                                 present_ids=data.get("present_ids"))
        return _done(_attendance_state(conference))


TRANSITIONS = {"ready": services.mark_ready, "open": services.open_vote}


@blp.post("/<uuid:conference_id>/transitions")
@require_roles(ADMIN)
@conference_in_scope
@blp.arguments(TransitionSchema)
@blp.response(200, ConferenceSchema)
@document_errors(blp, *WRITE_ERRORS)
def transition(data, conference_id):
    """Move the conference: ready (freeze the ballot) or open (needs the quorum)."""
    conference = _conference(conference_id)
    TRANSITIONS[data["to"]](db.session, current_user, conference)
    return _done(conference)


@blp.post("/<uuid:conference_id>/annul")
@require_roles(ADMIN)
@conference_in_scope
@blp.arguments(AnnulSchema)
@blp.response(200, ConferenceSchema)
@document_errors(blp, *WRITE_ERRORS)
def annul(data, conference_id):
    """Annul the conference, with a reason (audited)."""
    conference = _conference(conference_id)
    services.annul(db.session, current_user, conference, data["reason"])
    return _done(conference)
