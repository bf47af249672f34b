from marshmallow import Schema, fields, validate

from tinnhiem.cadres.schemas import Points
from tinnhiem.counting.schemas import FiguresSchema
from tinnhiem.rollup.report_upward import FIELD_LIMITS, MAX_RECIPIENTS, RECIPIENT_LENGTH
from tinnhiem.rollup.report_upward_files import FORMATS
from tinnhiem.rollup.services import BANDS, PAGE, SORTS


class RollupQuerySchema(Schema):
    unit_id = fields.UUID()
    unit_name = fields.String(validate=validate.Length(max=200), metadata={
        "description": "Units whose name or code contains this (case and accents ignored)"})
    type_id = fields.UUID()
    category_id = fields.UUID()
    band = fields.String(validate=validate.OneOf(BANDS))
    sort = fields.String(load_default="band", validate=validate.OneOf(SORTS))
    rising = fields.Boolean(load_default=False, metadata={
        "description": "Only people whose share of low confidence rose by more than the"
                       " round's low_rise_points since their previous certified round (the"
                       " rows and the XLSX; the PDF report, the round's official one, lists"
                       " every low result)"})
    limit = fields.Integer(load_default=PAGE, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))
    units_limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=10_000),
                                 metadata={"description": "Progress: how many units to list"
                                                          " (unfinished first)"})
    units_offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))
    pairs_limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=10_000),
                                 metadata={"description": "People voted on in two places: how"
                                                          " many to list (lowest band first)"})
    pairs_offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class RollupRowSchema(FiguresSchema):
    full_name = fields.String()
    post = fields.String()
    cadre_code = fields.String()
    unit_id = fields.UUID()
    unit_name = fields.String()
    unit_valid_to = fields.Date(allow_none=True)
    successors = fields.List(fields.String(), metadata={"description": "Units that succeeded a"
                                                                      " dissolved one"})
    unit_type = fields.String()
    category = fields.String()
    conference_id = fields.UUID()
    conference_title = fields.String()
    held_on = fields.Date()
    low_change = Points(metadata={"description": "Change of the share of low confidence since"
                                                 " the person's previous certified round, in"
                                                 " percentage points; null if none"})
    low_rose = fields.Boolean(metadata={"description": "It rose by more than the round's"
                                                       " low_rise_points"})


class SummarySchema(Schema):
    total = fields.Integer()
    two_thirds_low = fields.Integer()
    over_half_low = fields.Integer()
    normal = fields.Integer()


class UnitProgressSchema(Schema):
    unit_id = fields.UUID()
    unit_name = fields.String()
    state = fields.String(metadata={"description": "done, in_progress or not_started"})
    conferences = fields.List(fields.Dict())
    overdue_categories = fields.List(fields.String())


class ProgressSchema(Schema):
    done = fields.Integer()
    in_progress = fields.Integer()
    not_started = fields.Integer()
    participating = fields.Integer()
    overdue_units = fields.Integer()
    units = fields.List(fields.Nested(UnitProgressSchema))


class DataSourceSchema(Schema):
    replica = fields.Boolean(metadata={"description": "Read from the streaming replica"})
    lag_seconds = fields.Float(allow_none=True, metadata={
        "description": "How far the replica is behind the primary (null off the replica)"})
    note = fields.String(allow_none=True, metadata={
        "description": "What the page says about it; also when the replica did not answer"})


class RollupSchema(Schema):
    summary = fields.Nested(SummarySchema)
    progress = fields.Nested(ProgressSchema)
    rows = fields.List(fields.Nested(RollupRowSchema))
    row_count = fields.Integer(metadata={"description": "Rows the filters list, in all (the"
                                                        " summary's total, or with rising, how"
                                                        " many rose)"})
    two_place_count = fields.Integer(metadata={"description": "People voted on in two places,"
                                                             " in all"})
    two_places = fields.List(fields.List(fields.Nested(RollupRowSchema)),
                             metadata={"description": "Each person's results, never merged"})
    data_source = fields.Nested(DataSourceSchema)


class ReportUpwardSchema(Schema):
    """The report upward's letterhead; what is required and how long each may be is checked
    by the service (rollup.report_upward.letterhead), with stable codes."""
    format = fields.String(load_default="pdf", validate=validate.OneOf(FORMATS))
    number = fields.String(validate=validate.Length(max=FIELD_LIMITS["number"] + 10),
                           metadata={"description": "Document number, e.g. 12-BC/TU"})
    recipients = fields.List(fields.String(validate=validate.Length(max=RECIPIENT_LENGTH)),
                             validate=validate.Length(max=MAX_RECIPIENTS),
                             metadata={"description": "One line per recipient"})
    authority = fields.String(validate=validate.Length(max=FIELD_LIMITS["authority"]),
                              metadata={"description": "e.g. T/M BAN THƯỜNG VỤ"})
    signer_title = fields.String(validate=validate.Length(max=FIELD_LIMITS["signer_title"]))
    signer_name = fields.String(validate=validate.Length(max=FIELD_LIMITS["signer_name"]))
    place = fields.String(validate=validate.Length(max=FIELD_LIMITS["place"]), metadata={
        "description": "Default: the province's place name"})
    issued_on = fields.Date(metadata={"description": "Default: today (in Vietnam)"})
