import datetime as dt

from marshmallow import Schema, fields, validate


class TemplateSchema(Schema):
    id = fields.UUID(dump_only=True)
    version = fields.Integer(dump_only=True)
    frozen = fields.Boolean(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=255))
    header = fields.String(load_default="", validate=validate.Length(max=2000))
    high_label = fields.String(required=True, validate=validate.Length(min=1, max=60))
    confidence_label = fields.String(required=True, validate=validate.Length(min=1, max=60))
    low_label = fields.String(required=True, validate=validate.Length(min=1, max=60))
    instructions = fields.String(load_default="", validate=validate.Length(max=4000))
    crossed_out_rule = fields.String(load_default="row",
                                     validate=validate.OneOf(["row", "ballot"]))


class CategorySchema(Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    deadline = fields.Date(required=True)


class RoundSchema(Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    plan_reference = fields.String(load_default="", validate=validate.Length(max=120))
    year = fields.Integer(required=True, validate=validate.Range(2000, 2200))
    template_id = fields.UUID(dump_only=True)
    exempt_retirement_notice = fields.Boolean(load_default=True)
    exempt_appointed_this_year = fields.Boolean(load_default=True)
    dossier_days = fields.Integer(load_default=15, validate=validate.Range(0, 90))
    scan_retention_days = fields.Integer(load_default=30, validate=validate.Range(0, 3650))
    low_rise_points = fields.Integer(load_default=10, validate=validate.Range(0, 100), metadata={
        "description": "The roll-up flags a person whose share of low confidence rose by more"
                       " than these percentage points since their previous certified round"})
    categories = fields.List(fields.Nested(CategorySchema), required=True,
                             validate=validate.Length(min=1, max=20))
    unit_ids = fields.List(fields.UUID(), required=True, load_only=True,
                           validate=validate.Length(min=1, max=5000))


class RoundTemplateSchema(Schema):
    template_id = fields.UUID(required=True)


CODE = validate.Length(min=1, max=40)


class UtcDateTime(fields.DateTime):
    """A time kept naive in UTC, written with its offset as RFC 3339 (and OpenAPI) want."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class CadreSchema(Schema):
    """A cadre as the registry names them."""

    id = fields.UUID(dump_only=True)
    round_id = fields.UUID(dump_only=True)
    cadre_code = fields.String(required=True, validate=CODE)
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    post = fields.String(required=True, validate=validate.Length(min=1, max=255))


class CadreEntrySchema(CadreSchema):
    """A registry entry: in this round, this unit may put this cadre on a ballot."""

    unit_id = fields.UUID(required=True)
    slot = fields.Integer(dump_only=True, metadata={"description": "Place 1 or 2 of the cadre"})


class CadreRequestSchema(CadreSchema):
    """A unit's request to list a cadre, and the province's answer."""

    unit_id = fields.UUID(dump_only=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))
    status = fields.String(dump_only=True, metadata={"description": "pending, approved, declined"})
    decision_note = fields.String(dump_only=True, allow_none=True)
    created_at = UtcDateTime(dump_only=True)
    decided_at = UtcDateTime(dump_only=True, allow_none=True)


class DeclineSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class RegistryConflictSchema(Schema):
    cadre_code = fields.String()
    places_left = fields.Integer()
    places = fields.List(fields.String(), metadata={"description": "Units holding a place"})
    requested_by = fields.List(fields.String(), metadata={"description": "Units asking"})
