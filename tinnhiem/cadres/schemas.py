from marshmallow import Schema, fields

from tinnhiem.counting.schemas import FiguresSchema


def Points(metadata: dict | None = None) -> fields.Decimal:
    """A change of share in percentage points, signed, two decimals, as a decimal string."""
    return fields.Decimal(as_string=True, places=2, allow_none=True, metadata={
        "type": "string", "format": "decimal", "pattern": r"^-?\d{1,3}\.\d{2}$",
        "example": "12.50", **(metadata or {})})


class HistoryRowSchema(FiguresSchema):
    """One certified result: one place in one round, the name and post as printed then."""

    round_id = fields.UUID()
    round_name = fields.String()
    round_year = fields.Integer()
    unit_id = fields.UUID()
    unit_name = fields.String(metadata={"description": "The unit's name (a dissolved unit keeps"
                                                      " its historical name)"})
    unit_valid_to = fields.Date(allow_none=True)
    conference_id = fields.UUID()
    conference_title = fields.String()
    held_on = fields.Date()
    full_name = fields.String()
    post = fields.String()
    historical_source = fields.String(allow_none=True, metadata={
        "description": "The predecessor (province or unit) this result was read from, when"
                       " it is history the caller's scope succeeded; null for its own"})
    low_change = Points(metadata={"description": "Change of the share of low confidence since"
                                                 " the previous round, in percentage points;"
                                                 " null in the first round"})


class CadreHistorySchema(Schema):
    cadre_code = fields.String()
    full_name = fields.String(metadata={"description": "As of the latest round"})
    post = fields.String(metadata={"description": "As of the latest round"})
    rows = fields.List(fields.Nested(HistoryRowSchema),
                       metadata={"description": "By round as held, each place separately"})
