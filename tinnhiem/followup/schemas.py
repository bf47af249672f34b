"""The follow-up's API documents."""
from marshmallow import Schema, fields, validate

from tinnhiem.followup.models import ACTIONS, DECISION_NUMBER_MAX, NOTE_MAX, STATES
from tinnhiem.rounds.schemas import UtcDateTime

MAX_PAGE = 1_000_000


class ListArgsSchema(Schema):
    state = fields.String(validate=validate.OneOf(STATES))
    overdue = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE))


class EntrySchema(Schema):
    """One person of the low bands and where their follow-up stands."""

    result_id = fields.UUID()
    followup_id = fields.UUID(allow_none=True, metadata={
        "description": "None until the first step is recorded"})
    unit_id = fields.UUID()
    unit_name = fields.String()
    conference_id = fields.UUID()
    cadre_code = fields.String()
    full_name = fields.String()
    post = fields.String()
    band = fields.String(metadata={"description": "over_half_low or two_thirds_low"})
    low = fields.Integer()
    collected = fields.Integer()
    state = fields.String(metadata={"description": "pending, in_progress, decided, no_action"})
    deadline = fields.Date(allow_none=True)
    overdue = fields.Boolean()


class CountsSchema(Schema):
    pending = fields.Integer()
    in_progress = fields.Integer()
    decided = fields.Integer()
    no_action = fields.Integer()
    overdue = fields.Integer()


class ListSchema(Schema):
    counts = fields.Nested(CountsSchema)
    total = fields.Integer(metadata={"description": "People matching the filters"})
    page = fields.Integer()
    page_size = fields.Integer()
    items = fields.List(fields.Nested(EntrySchema))


class StepSchema(Schema):
    """A step: the state it leaves the follow-up in and what each state needs (decided:
    action, decision number and date; no_action: the reason in note)."""

    id = fields.UUID(dump_only=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    action = fields.String(allow_none=True, validate=validate.OneOf(ACTIONS))
    decision_number = fields.String(allow_none=True,
                                    validate=validate.Length(max=DECISION_NUMBER_MAX))
    decision_date = fields.Date(allow_none=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=NOTE_MAX))
    deadline = fields.Date(allow_none=True)
    actor_name = fields.String(dump_only=True)
    at = UtcDateTime(dump_only=True)


class FollowUpSchema(EntrySchema):
    steps = fields.List(fields.Nested(StepSchema))


class RoundDeadlineSchema(Schema):
    deadline = fields.Date(required=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=NOTE_MAX))


class RoundDeadlineResultSchema(Schema):
    updated = fields.Integer(metadata={"description": "Open follow-ups given the deadline"})
