from marshmallow import Schema, fields, validate

ACTIONS = ("count", "certify", "publish")


def Percent(metadata: dict | None = None) -> fields.Decimal:
    """A share as the minutes print it: exact, two decimals, sent as a decimal string
    ("62.50") so no client rounds it through a float; the OpenAPI document says so."""
    return fields.Decimal(as_string=True, places=2, metadata={
        "type": "string", "format": "decimal", "pattern": r"^\d{1,3}\.\d{2}$",
        "example": "62.50", **(metadata or {})})


class FiguresSchema(Schema):
    """One person's figures as reported (see counting.bands.reported)."""

    issued = fields.Integer()
    collected = fields.Integer()
    valid = fields.Integer()
    invalid = fields.Integer()
    high = fields.Integer()
    confidence = fields.Integer()
    low = fields.Integer()
    high_percent = Percent(metadata={"description": "Of the ballots collected"})
    confidence_percent = Percent()
    low_percent = Percent()
    band = fields.String(metadata={"description": "normal, over_half_low or two_thirds_low"})


class PersonResultSchema(FiguresSchema):
    nominee_id = fields.UUID()
    full_name = fields.String()
    post = fields.String()


class ConferenceResultsSchema(Schema):
    status = fields.String()
    published = fields.Boolean()
    seal_digest = fields.String(allow_none=True)
    certified_by = fields.List(fields.String())
    results = fields.List(fields.Nested(PersonResultSchema))


class ResultActionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))


class VoterResultsQuerySchema(Schema):
    code = fields.String(required=True, validate=validate.Length(max=40))
    tracker = fields.String(load_default="", validate=validate.Length(max=20))


class VoterResultsSchema(Schema):
    results = fields.List(fields.Nested(PersonResultSchema))
    trackers = fields.List(fields.String(), metadata={"description": "Every counted tracker"})
    tracker_found = fields.Boolean(allow_none=True)
