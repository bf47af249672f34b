"""/api/v1: codes, closing and paper entry for the unit (conferences/<id>/…), and casting for
voters (polls/<slug>, no account: the one-time code is the credential)."""
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from tinnhiem.conferences.access import READERS, conference_in_scope, conference_or_404
from tinnhiem.conferences.services import ballot_nominees
from tinnhiem.platform.api import document_errors
from tinnhiem.platform.auth.access import require_roles
from tinnhiem.platform.db import db
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.web import found_or_404
from tinnhiem.rounds.models import BallotTemplate
from tinnhiem.tally.totals import sheet_tally
from tinnhiem.voting import casting, codes, paper, receipts, sealing
from tinnhiem.voting.access import ADMIN, BOARD, SHEET_ACTIONS, poll_of
from tinnhiem.voting.schemas import (AcceptSchema, CastSchema, ClaimSchema, CloseVoteSchema,
                                     CodeSchema, CreatedSchema, IssueCodesSchema,
                                     IssuedCodesSchema, PaperBallotSchema, PollSchema,
                                     ReceiptSchema, SheetActionSchema, SheetComparisonSchema,
                                     SheetSchema, TotalsSchema, VoteSummarySchema)
from tinnhiem.voting.slips import vote_url
from tinnhiem.voting.code_throttle import note_ballot, note_failure, throttle_guesses
from tinnhiem.voting.voter_access import (cast_with_retry, conference_of_poll, voter_conference,
                                          voter_place)

WRITE_ERRORS = (401, 404, 409, 422)
blp = Blueprint("voting_api", __name__, url_prefix="/conferences",
                description="Codes, closing the vote, and the counting board's paper entry")
polls_blp = Blueprint("polls_api", __name__, url_prefix="/polls",
                      description="The voter's side: the ballot and casting it with a code")


def _summary(conference) -> dict:
    poll = poll_of(conference)
    return {"status": conference.status, "mode": conference.mode,
            "seal_digest": conference.seal_digest,
            "vote_url": vote_url(poll.slug) if poll else None,
            **sealing.vote_summary(db.session, conference)}


@blp.get("/<uuid:conference_id>/vote")
@require_roles(*READERS)
@blp.response(200, VoteSummarySchema)
@document_errors(blp, 401, 404)
def vote_summary(conference_id):
    """Ballots issued, collected and unused, the voting link and, once sealed, the digest."""
    return _summary(conference_or_404(conference_id))


@blp.post("/<uuid:conference_id>/codes")
@require_roles(ADMIN)
@conference_in_scope
@blp.arguments(IssueCodesSchema)
@blp.response(201, IssuedCodesSchema)
@document_errors(blp, *WRITE_ERRORS)
def issue_codes(data, conference_id):
    """Issue more one-time codes (never more in all than people summoned). The codes are in
    this response only: the service keeps nothing but their keyed hashes."""
    conference = conference_or_404(conference_id)
    issued = codes.issue_codes(db.session, current_user, conference, data["count"])
    total = codes.code_counts(db.session, conference)["issued"]
    return {"codes": [codes.display_code(c) for c in issued],
            "vote_url": vote_url(poll_of(conference).slug), "issued": total}


@blp.post("/<uuid:conference_id>/close")
@require_roles(ADMIN)
@conference_in_scope
@blp.arguments(CloseVoteSchema)
@blp.response(200, VoteSummarySchema)
@document_errors(blp, *WRITE_ERRORS)
def close_vote(data, conference_id):
    """End the vote and seal it (paper: with the number of ballots handed out)."""
    conference = conference_or_404(conference_id)
    sealing.close_vote(db.session, current_user, conference, data.get("ballots_issued"))
    return _summary(conference)


@blp.post("/<uuid:conference_id>/void-and-close")
@require_roles(ADMIN)
@conference_in_scope
@blp.response(200, VoteSummarySchema)
@document_errors(blp, *WRITE_ERRORS)
def void_and_close(conference_id):
    """End a vote a restore suspended: every unused code is voided, so
    none spent after the backup votes again, and the vote closes and is sealed with the
    ballots the backup kept. The other way out is annulling it (/annul)."""
    conference = conference_or_404(conference_id)
    sealing.void_and_close(db.session, current_user, conference)
    return _summary(conference)


# The counting board's sheets ---------------------------------------------------------------

def _sheet_out(conference, sheet) -> dict:
    tally = sheet_tally(db.session, conference, sheet)
    return {"id": sheet.id, "method": sheet.method, "submitted": sheet.submitted,
            "accepted": sheet.accepted, "collected": tally.collected,
            "people": [{"nominee_id": n, **p.as_dict()} for n, p in tally.people.items()]}


@blp.get("/<uuid:conference_id>/sheets")
@require_roles(*BOARD)  # figures per person stay in the unit until they are certified
@blp.response(200, SheetComparisonSchema)
@document_errors(blp, 401, 404)
def sheets(conference_id):
    """Every counter's sheet, and where the submitted ones disagree."""
    conference = conference_or_404(conference_id)
    all_sheets = paper.list_sheets(db.session, conference)
    found = paper.differences(db.session, conference, [s for s in all_sheets if s.submitted])
    return {"sheets": [_sheet_out(conference, s) for s in all_sheets],
            "differences": [{"nominee_id": d["nominee"].id if d["nominee"] else None,
                             "field": d["field"], "values": d["values"]} for d in found]}


@blp.route("/<uuid:conference_id>/sheet")
class OwnSheet(MethodView):
    @require_roles(*BOARD)
    @blp.response(200, SheetSchema)
    @document_errors(blp, 401, 404)
    def get(self, conference_id):
        """The caller's own sheet."""
        conference = conference_or_404(conference_id)
        return _sheet_out(conference, found_or_404(
            paper.own_sheet(db.session, conference, current_user)))

    @require_roles(*BOARD)
    @blp.response(204)
    @document_errors(blp, 401, 404, 409)
    def delete(self, conference_id):
        """Throw the caller's sheet away, to start again."""
        paper.clear_sheet(db.session, current_user, conference_or_404(conference_id))


@blp.post("/<uuid:conference_id>/sheet/ballots")
@require_roles(*BOARD)
@conference_in_scope
@blp.arguments(PaperBallotSchema)
@blp.response(201, CreatedSchema)
@document_errors(blp, *WRITE_ERRORS)
def add_paper_ballot(data, conference_id):
    """One paper ballot as read: a mark for every printed row, and the ballot-wide flags."""
    marks = {str(m["nominee_id"]): m["mark"] for m in data["marks"]}
    if len(marks) != len(data["marks"]):
        raise ServiceError("duplicate_nominee", _l("Một người xuất hiện hai lần trên phiếu."),
                           field="marks")
    ballot = paper.add_paper_ballot(db.session, current_user, conference_or_404(conference_id),
                                    {**data, "marks": marks})
    return {"id": ballot.id}


@blp.delete("/<uuid:conference_id>/sheet/ballots/<uuid:ballot_id>")
@require_roles(*BOARD)
@blp.response(204)
@document_errors(blp, 401, 404, 409)
def remove_paper_ballot(conference_id, ballot_id):
    """Remove a ballot entered by mistake from the caller's sheet."""
    paper.remove_paper_ballot(db.session, current_user, conference_or_404(conference_id), ballot_id)


@blp.put("/<uuid:conference_id>/sheet/totals")
@require_roles(*BOARD)
@conference_in_scope
@blp.arguments(TotalsSchema)
@blp.response(200, SheetSchema)
@document_errors(blp, *WRITE_ERRORS)
def set_totals(data, conference_id):
    """The board's hand count: collected, and per person four figures adding up to it."""
    conference = conference_or_404(conference_id)
    totals = {str(t["nominee_id"]): t for t in data["totals"]}
    sheet = paper.set_totals(db.session, current_user, conference, data["collected"], totals)
    return _sheet_out(conference, sheet)


@blp.post("/<uuid:conference_id>/sheet/state")
@require_roles(*BOARD)
@conference_in_scope
@blp.arguments(SheetActionSchema)
@blp.response(200, SheetSchema)
@document_errors(blp, *WRITE_ERRORS)
def sheet_state(data, conference_id):
    """Submit the caller's sheet for comparison, or reopen it to correct it."""
    conference = conference_or_404(conference_id)
    service, _done = SHEET_ACTIONS[data["action"]]  # submit or reopen (the schema's)
    sheet = service(db.session, current_user, conference)
    return _sheet_out(conference, sheet)


@blp.post("/<uuid:conference_id>/count")
@require_roles(*BOARD)
@conference_in_scope
@blp.arguments(AcceptSchema)
@blp.response(200, VoteSummarySchema)
@document_errors(blp, *WRITE_ERRORS)
def accept_count(data, conference_id):
    """Accept a submitted sheet as the count and seal it: refused while sheets differ or
    when more ballots came back than were issued."""
    conference = conference_or_404(conference_id)
    paper.accept_count(db.session, current_user, conference, data["sheet_id"])
    return _summary(conference)


# The voter's side --------------------------------------------------------------------------

NO_ACCOUNT = {"security": []}


@polls_blp.get("/<slug>")
@polls_blp.doc(**NO_ACCOUNT)
@polls_blp.response(200, PollSchema)
@document_errors(polls_blp, 404)
def poll(slug):
    """The ballot of an electronic vote, as a voter sees it."""
    conference = conference_of_poll(slug)
    labels = db.session.get(BallotTemplate, conference.template_id)
    return {"title": conference.title, "held_on": conference.held_on,
            "status": conference.status, "ballot_title": labels.title,
            "levels": {"high": labels.high_label, "confidence": labels.confidence_label,
                       "low": labels.low_label},
            "nominees": [{"id": n.id, "full_name": n.full_name, "post": n.post,
                          "report_url": url_for("vote.report", slug=slug, nominee_id=n.id,
                                                _external=True) if n.report_name else None}
                         for n in ballot_nominees(db.session, conference)]}


@polls_blp.post("/<slug>/trackers")
@polls_blp.doc(**NO_ACCOUNT)
@throttle_guesses
@polls_blp.arguments(CodeSchema)
@polls_blp.response(200, ClaimSchema)
@document_errors(polls_blp, 404, 409, 422, 429, 503)
def draw_tracker(data, slug):
    """Check a code (nothing is spent) and draw the tracker its ballot will carry. Send both
    fields with the cast: if its answer is lost, the same request sent again is answered with
    the same receipt instead of "code spent". The service keeps neither until the cast."""
    conference = voter_conference(slug, data["code"])
    try:
        code = casting.check_code(conference, data["code"])
    except ServiceError as error:
        note_failure(error, conference, data["code"])
        raise
    return receipts.claim_for(conference, code)._asdict()


@polls_blp.post("/<slug>/ballots")
@polls_blp.doc(**NO_ACCOUNT)
@throttle_guesses
@polls_blp.arguments(CastSchema)
@polls_blp.response(201, ReceiptSchema)
@polls_blp.alt_response(200, schema=ReceiptSchema,
                        description="Cast before (with this tracker): the same receipt")
@document_errors(polls_blp, 404, 409, 422, 429, 503)
def cast(data, slug):
    """Cast one ballot with a one-time code. A spent, unknown or other conference's code, or a
    closed vote: refused, nothing recorded. Rows left out or null are blank (invalid). With
    the tracker and tag drawn for this code, sending the same cast again after its ballot was
    stored answers 200 with the same receipt. 503 `database_busy`: nothing was recorded."""
    values = {str(c["nominee_id"]): c["level"] for c in data["choices"]}
    if len(values) != len(data["choices"]):
        raise ServiceError("duplicate_nominee", _l("Một người xuất hiện hai lần trên phiếu."),
                           field="choices")
    place = voter_place(slug)  # 404 for an unknown poll before anything else
    try:
        receipt = cast_with_retry(slug, data["code"], values, data["tracker"], data["tag"])
    except ServiceError as error:
        note_failure(error, place, data["code"])
        raise
    if not receipt.repeated:
        note_ballot()
    return ({"tracker": casting.display_tracker(receipt.tracker)},
            200 if receipt.repeated else 201)
