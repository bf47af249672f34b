"""/api/v1/cadre-registry: what goes in and out."""
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from tinnhiem.rounds.schemas import UtcDateTime

CODE = validate.Length(min=1, max=40)


class CadrePostSchema(Schema):
    id = fields.UUID(dump_only=True)
    cadre_code = fields.String(required=True, validate=CODE)
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    post = fields.String(required=True, validate=validate.Length(min=1, max=255))
    unit_id = fields.UUID(required=True)
    unit_name = fields.String(dump_only=True)
    held_since = fields.Date(required=True)
    held_until = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))
    current = fields.Boolean(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)


class CadrePostUpdateSchema(Schema):
    """A correction: every field given is replaced (code and unit stay)."""

    full_name = fields.String(validate=validate.Length(min=1, max=200))
    post = fields.String(validate=validate.Length(min=1, max=255))
    held_since = fields.Date()
    held_until = fields.Date(allow_none=True)
    note = fields.String(validate=validate.Length(max=1000))


class EndPostSchema(Schema):
    held_until = fields.Date(load_default=None, allow_none=True,
                             metadata={"description": "Default: today"})


class SearchArgsSchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    unit_id = fields.UUID(load_default=None)
    include_ended = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class CadrePostPageSchema(Schema):
    items = fields.List(fields.Nested(CadrePostSchema), attribute="rows")
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()
    per_page = fields.Integer()


class ImportResultSchema(Schema):
    added = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()


class RefusedPersonSchema(Schema):
    cadre_code = fields.String()
    full_name = fields.String()
    message = fields.String()


class FillResultSchema(Schema):
    added = fields.Integer()
    kept = fields.Integer(metadata={"description": "Already in the round's registry"})
    refused = fields.List(fields.Nested(RefusedPersonSchema))


class SheetUploadSchema(Schema):
    file = Upload(required=True)
