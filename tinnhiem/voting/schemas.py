from marshmallow import Schema, fields, validate

from tinnhiem.voting.codes import MAX_BATCH
from tinnhiem.tally.models import MARKS, VALID_MARKS
from tinnhiem.voting.paper import FIELDS

COUNT = validate.Range(min=0, max=100000)


class VoteSummarySchema(Schema):
    status = fields.String()
    mode = fields.String()
    issued = fields.Integer(allow_none=True)
    collected = fields.Integer(allow_none=True)
    unused = fields.Integer(allow_none=True)
    seal_digest = fields.String(allow_none=True)
    vote_url = fields.String(allow_none=True)


class IssueCodesSchema(Schema):
    count = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_BATCH))


class IssuedCodesSchema(Schema):
    codes = fields.List(fields.String(), metadata={"description": "Shown this once only"})
    vote_url = fields.String()
    issued = fields.Integer(metadata={"description": "Codes issued so far in all"})


class CloseVoteSchema(Schema):
    ballots_issued = fields.Integer(strict=True, validate=COUNT,
                                    metadata={"description": "Paper: ballots handed out"})


class MarkSchema(Schema):
    nominee_id = fields.UUID(required=True)
    mark = fields.String(required=True, validate=validate.OneOf(MARKS))


class PaperBallotSchema(Schema):
    marks = fields.List(fields.Nested(MarkSchema), load_default=list,
                        validate=validate.Length(max=500))
    not_issued = fields.Boolean(load_default=False)
    blank = fields.Boolean(load_default=False)
    extra_names = fields.Boolean(load_default=False)


class CreatedSchema(Schema):
    id = fields.UUID()


class PersonFiguresSchema(Schema):
    nominee_id = fields.UUID(required=True)
    high = fields.Integer(required=True, strict=True, validate=COUNT)
    confidence = fields.Integer(required=True, strict=True, validate=COUNT)
    low = fields.Integer(required=True, strict=True, validate=COUNT)
    invalid = fields.Integer(required=True, strict=True, validate=COUNT)


class TotalsSchema(Schema):
    collected = fields.Integer(required=True, strict=True, validate=COUNT)
    totals = fields.List(fields.Nested(PersonFiguresSchema), required=True,
                         validate=validate.Length(max=500))


class SheetSchema(Schema):
    id = fields.UUID()
    method = fields.String()
    submitted = fields.Boolean()
    accepted = fields.Boolean()
    collected = fields.Integer()
    people = fields.List(fields.Nested(PersonFiguresSchema))


class DifferenceSchema(Schema):
    nominee_id = fields.UUID(allow_none=True)
    field = fields.String(metadata={"description": "collected, or one of " + ", ".join(FIELDS)})
    values = fields.List(fields.Integer(), metadata={"description": "One per submitted sheet"})


class SheetComparisonSchema(Schema):
    sheets = fields.List(fields.Nested(SheetSchema))
    differences = fields.List(fields.Nested(DifferenceSchema))


class AcceptSchema(Schema):
    sheet_id = fields.UUID(required=True)


class SheetActionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(("submit", "reopen")))


# What a voter sees --------------------------------------------------------------------------

class PollNomineeSchema(Schema):
    id = fields.UUID()
    full_name = fields.String()
    post = fields.String()
    report_url = fields.String(allow_none=True)


class PollSchema(Schema):
    title = fields.String()
    held_on = fields.Date()
    status = fields.String()
    ballot_title = fields.String()
    levels = fields.Dict(keys=fields.String(), values=fields.String())
    nominees = fields.List(fields.Nested(PollNomineeSchema))


class ChoiceSchema(Schema):
    nominee_id = fields.UUID(required=True)
    level = fields.String(allow_none=True, load_default=None,
                          validate=validate.OneOf(VALID_MARKS),
                          metadata={"description": "null or absent: the row is left blank"})


class CodeSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(max=40))


CLAIM_HELP = ("From POST /polls/{slug}/trackers, for this code: with both, a repeated cast"
              " whose ballot is already stored answers 200 with the same receipt")


class CastSchema(CodeSchema):
    choices = fields.List(fields.Nested(ChoiceSchema), load_default=list,
                          validate=validate.Length(max=500))
    tracker = fields.String(load_default=None, validate=validate.Length(max=20),
                            metadata={"description": CLAIM_HELP})
    tag = fields.String(load_default=None, validate=validate.Length(max=64),
                        metadata={"description": CLAIM_HELP})


class ClaimSchema(Schema):
    tracker = fields.String(metadata={"description": "The tracker the ballot will carry"})
    tag = fields.String(metadata={"description": "Proves the tracker was drawn for this code"})


class ReceiptSchema(Schema):
    tracker = fields.String()
