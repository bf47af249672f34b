"""/api/v1/rounds/<id>/followups: the same services as the follow-up pages."""
import dataclasses

from flask_login import current_user
from flask_smorest import Blueprint

from tinnhiem.followup import services
from tinnhiem.followup.access import READERS, entry_or_404, round_or_404, writes
from tinnhiem.followup.schemas import (FollowUpSchema, ListArgsSchema, ListSchema,
                                       RoundDeadlineResultSchema, RoundDeadlineSchema,
                                       StepSchema)
from tinnhiem.platform.api import document_errors
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db

PAGE_SIZE = 100
WRITE_ERRORS = (401, 403, 404, 409, 422)
blp = Blueprint("followup_api", __name__, url_prefix="/rounds",
                description="Follow-up of the low bands: what was decided about each person")


def _followup(round_, result_id) -> dict:
    entry = entry_or_404(round_, result_id)
    return {**dataclasses.asdict(entry), "steps": services.steps_of(db.session, entry)}


@blp.get("/<uuid:round_id>/followups")
@require_roles(*READERS)
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, ListSchema)
@document_errors(blp, 401, 404, 422)
def list_followups(args, round_id):
    """The round's people in the low bands (for a unit: its own), with counts per state."""
    round_ = round_or_404(round_id)
    filters = services.Filters(state=args.get("state"), overdue=args["overdue"])
    session = db.session
    return {"counts": services.status_counts(session, round_.id),
            "total": services.count(session, round_.id, filters),
            "page": args["page"], "page_size": PAGE_SIZE,
            "items": services.people(session, round_.id, filters, limit=PAGE_SIZE,
                                     offset=(args["page"] - 1) * PAGE_SIZE)}


@blp.get("/<uuid:round_id>/followups/<uuid:result_id>")
@require_roles(*READERS)
@blp.response(200, FollowUpSchema)
@document_errors(blp, 401, 404)
def get_followup(round_id, result_id):
    """One person's follow-up and its steps, oldest first."""
    return _followup(round_or_404(round_id), result_id)


@blp.post("/<uuid:round_id>/followups/<uuid:result_id>/steps")
@require_roles(*READERS)
@writes
@blp.arguments(StepSchema)
@blp.response(201, FollowUpSchema)
@document_errors(blp, *WRITE_ERRORS)
def record_step(data, round_id, result_id):
    """Record a step (province admin only): decided needs action, decision_number and
    decision_date; no_action needs the reason in note; an open state may set a deadline."""
    round_ = round_or_404(round_id)
    services.record_step(db.session, current_user, round_, result_id, data)
    return _followup(round_, result_id)


@blp.put("/<uuid:round_id>/followups/deadline")
@require_roles(*READERS)
@writes
@blp.arguments(RoundDeadlineSchema)
@blp.response(200, RoundDeadlineResultSchema)
@document_errors(blp, *WRITE_ERRORS)
def round_deadline(data, round_id):
    """One deadline for every open follow-up of the round (province admin only)."""
    round_ = round_or_404(round_id)
    return {"updated": services.set_round_deadline(db.session, current_user, round_, data)}
