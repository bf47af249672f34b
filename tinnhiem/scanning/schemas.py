"""The scans' API boundary: what the counting board sends and sees. A page's image never
travels inline (it has its own route), and a drawn check that is not keyed yet carries only
what keying needs: never the reading (the check is blind)."""
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from tinnhiem.tally.models import MARKS

MARK = validate.OneOf(MARKS)
ROW_KEY = validate.Regexp(r"^[0-9]{1,4}$")  # a row's index (0-based), as text


class BatchSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    status = fields.String(metadata={"description": "queued, reading, read or failed"})
    pages = fields.Integer(metadata={"description": "Pages found so far"})
    pages_read = fields.Integer()
    doubts = fields.Integer(metadata={"description": "Rows the board must decide"})
    error_code = fields.String(allow_none=True)
    may_read_again = fields.Boolean(metadata={"description": "Failed or stalled, files kept"})


class ScanSummarySchema(Schema):
    pages = fields.Integer()
    counted = fields.Integer(metadata={"description": "Ballot pages read, not duplicates"})
    doubtful = fields.Integer()
    duplicates = fields.Integer()
    refused = fields.Integer()


class ScansSchema(Schema):
    batches = fields.List(fields.Nested(BatchSchema))
    summary = fields.Nested(ScanSummarySchema)
    ballots = fields.Integer(metadata={"description": "Ballots put together from the pages"})
    problems = fields.List(fields.String(), metadata={
        "description": "What still stands before the reading can be accepted (empty: ready)"})


class UploadSchema(Schema):
    files = fields.List(Upload(), load_default=list,
                        metadata={"description": "A scanner's PDF, or images (JPEG, PNG,"
                                                 " TIFF, HEIC, WebP)"})


class ReadRowSchema(Schema):
    index = fields.Integer(metadata={"description": "The person's place on the ballot"})
    status = fields.String()
    mark = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class PageSchema(Schema):
    id = fields.UUID()
    position = fields.Integer()
    status = fields.String(metadata={"description": "read, doubtful, duplicate or refused"})
    error_code = fields.String(allow_none=True)
    page_number = fields.Integer(allow_none=True)
    page_count = fields.Integer(allow_none=True)
    rows = fields.List(fields.Nested(ReadRowSchema), metadata={"description": "As read"})
    duplicate_of = fields.UUID(allow_none=True)


class BatchPagesSchema(Schema):
    batch = fields.Nested(BatchSchema)
    pages = fields.List(fields.Nested(PageSchema))


class DecideSchema(Schema):
    mark = fields.String(required=True, validate=MARK)


class DecisionSchema(Schema):
    page_id = fields.UUID()
    row = fields.Integer()
    mark = fields.String()
    decided_by = fields.UUID()
    confirmed = fields.Boolean(metadata={"description": "A second member chose the same mark"})


class DuplicateSchema(Schema):
    duplicate = fields.Boolean(required=True, metadata={
        "description": "true: the same sheet scanned twice (not counted); false: a ballot"})


class CheckSchema(Schema):
    id = fields.UUID()
    keyed = fields.Boolean()
    agrees = fields.Boolean(allow_none=True, metadata={"description": "null until keyed"})
    differences = fields.List(fields.Integer(), metadata={
        "description": "Rows where the keying and the reading differ, unsettled"})
    pages = fields.List(fields.UUID(), metadata={"description": "The ballot's pages' ids"})
    rows = fields.List(fields.Integer(), metadata={"description": "The rows to key"})


class ChecksSchema(Schema):
    checks = fields.List(fields.Nested(CheckSchema))
    default_count = fields.Integer(metadata={"description": "What a draw takes by default"})


class DrawSchema(Schema):
    count = fields.Integer(strict=True, load_default=None, validate=validate.Range(1, 5000),
                           metadata={"description": "Default: 5 % of the ballots, at least 5"})


class KeySchema(Schema):
    marks = fields.Dict(keys=fields.String(validate=ROW_KEY),
                        values=fields.String(validate=MARK), required=True,
                        validate=validate.Length(max=500),
                        metadata={"description": "Row index (text) -> mark, every row"})


class AcceptScansSchema(Schema):
    collected = fields.Integer(required=True, strict=True,
                               validate=validate.Range(0, 100000),
                               metadata={"description": "Ballots counted in the box"})


class AcceptedSchema(Schema):
    sheet_id = fields.UUID(metadata={
        "description": "The caller's submitted sheet: accept it at /conferences/{id}/count"})
