from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from tinnhiem.conferences.lifecycle import MARK_READY, OPEN
from tinnhiem.conferences.models import MODES

NAME = validate.Length(min=1, max=200)


class ConferenceSchema(Schema):
    id = fields.UUID(dump_only=True)
    unit_id = fields.UUID(dump_only=True)
    round_id = fields.UUID(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=255))
    held_on = fields.Date(required=True)
    place = fields.String(load_default="", validate=validate.Length(max=255))
    voting_body = fields.String(load_default="", validate=validate.Length(max=255))
    mode = fields.String(load_default="electronic", validate=validate.OneOf(MODES))
    status = fields.String(dump_only=True)
    template_id = fields.UUID(dump_only=True, allow_none=True)
    annul_reason = fields.String(dump_only=True, allow_none=True)


class ConferenceUpdateSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=255))
    held_on = fields.Date()
    place = fields.String(validate=validate.Length(max=255))
    voting_body = fields.String(validate=validate.Length(max=255))
    mode = fields.String(validate=validate.OneOf(MODES))


class AttendanceStateSchema(Schema):
    summoned = fields.Integer()
    present = fields.Integer()
    quorum_needed = fields.Integer()
    quorum_met = fields.Boolean()
    has_list = fields.Boolean()


class NomineeSchema(Schema):
    id = fields.UUID(dump_only=True)
    full_name = fields.String(required=True, validate=NAME)
    cadre_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    post = fields.String(required=True, validate=validate.Length(min=1, max=255))
    category_id = fields.UUID(required=True)
    ballot_order = fields.Integer(load_default=None, allow_none=True,
                                  validate=validate.Range(1, 9999))
    appointed_on = fields.Date(load_default=None, allow_none=True)
    retirement_notice = fields.Boolean(load_default=False)
    exemption = fields.String(dump_only=True, allow_none=True)
    on_ballot = fields.Boolean(dump_only=True)


class VoterSchema(Schema):
    full_name = fields.String(required=True, validate=NAME)
    title = fields.String(load_default="", validate=validate.Length(max=255))
    present = fields.Boolean(dump_only=True)
    id = fields.UUID(dump_only=True)


class VoterListSchema(Schema):
    voters = fields.List(fields.Nested(VoterSchema), required=True,
                         validate=validate.Length(min=1, max=5000))


class SummonedCountSchema(Schema):
    summoned_count = fields.Integer(required=True, validate=validate.Range(1, 5000))


class AttendanceSchema(Schema):
    present_count = fields.Integer(validate=validate.Range(0, 5000))
    present_ids = fields.List(fields.UUID(), validate=validate.Length(max=5000))


class TransitionSchema(Schema):
    to = fields.String(required=True, validate=validate.OneOf([MARK_READY.target, OPEN.target]))


class AnnulSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class FileUploadSchema(Schema):
    file = Upload(required=True)
