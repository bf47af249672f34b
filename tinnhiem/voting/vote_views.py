"""The voter's pages (/v/<slug>): no account, no cookie, no JavaScript needed.

Enter or scan the code → the ballot → review (blank rows are warned about, and may still be
sent) → the receipt with a tracker. Every step is a POST that carries the code in the form
body, never in a URL after the first scan; nothing on this path logs, audits or stores an
address, a session or a time. The ballot's tracker is drawn with the ballot page and rides
along with the code (voting.receipts), so a resent form whose answer was lost gets its
receipt again.
"""
from flask import Blueprint, Response, abort, render_template, request

from tinnhiem.conferences.lifecycle import State
from tinnhiem.conferences.services import ballot_nominees
from tinnhiem.platform.db import db
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.extensions import csrf, limiter
from tinnhiem.rounds.services import frozen_template
from tinnhiem.voting import casting, receipts
from tinnhiem.voting.codes import display_code
from tinnhiem.voting.code_throttle import note_ballot, note_failure, throttle_guesses
from tinnhiem.voting.voter_access import (cast_with_retry, conference_of_poll,
                                          open_vote_copy, reviewed_conference,
                                          voter_conference)

bp = Blueprint("vote", __name__, url_prefix="/v")
csrf.exempt(bp)  # the one-time code in the form is the credential; voters have no session
# No limit of the rate limiter applies here: the one budget of these pages is the failed
# codes' (code_throttle), kept in its storage by hand.
limiter.exempt(bp)


# Refusals that hold for every code: the page stops offering the code form.
VOTE_NOT_TAKEN = frozenset({"vote_closed", "vote_not_open", "vote_suspended"})


def _labels(conference):
    return frozen_template(db.session, conference.template_id)


def _page(template, conference, status=200, labels=None, **context):
    # Never cached: platform.web sends Cache-Control: no-store with every page.
    return render_template(template, conference=conference,
                           labels=labels or _labels(conference),
                           slug=request.view_args["slug"], **context), status


def _refused(conference, error: ServiceError, code_text):
    note_failure(error, conference, code_text)
    return _page("voting/vote_code.html", conference, error.status, error=error.message,
                 code=code_text[:40], closed=error.code in VOTE_NOT_TAKEN)


def _choices_from_form(nominees) -> dict:
    return {n.key: request.form.get(f"p-{n.key}", "") for n in nominees}


def _claim(conference, code: str) -> receipts.Claim:
    return receipts.claim_for(conference, code, request.form.get("tracker"),
                              request.form.get("tag"))


@bp.get("/<slug>")
def start(slug):
    conference = open_vote_copy(slug)
    # The QR code on a slip carries the code (?ma=) so scanning fills it in.
    code = (request.args.get("ma") or "")[:40]
    if conference.published and conference.status == State.CERTIFIED:
        return _page("voting/vote_code.html", conference, closed=True, published=True,
                     code=code)
    try:
        casting.require_open(conference)
    except ServiceError as error:
        return _page("voting/vote_code.html", conference, 409, error=error.message, closed=True)
    return _page("voting/vote_code.html", conference, code=code)


@bp.post("/<slug>/ballot")
@throttle_guesses
def ballot(slug):
    """The code is checked (not spent) and the ballot shown; also the way back from review."""
    code_text = request.form.get("code", "")
    conference = voter_conference(slug, code_text)
    try:
        code = casting.check_code(conference, code_text)
    except ServiceError as error:
        return _refused(conference, error, code_text)
    nominees = casting.frozen_ballot(db.session, conference)
    return _page("voting/vote_ballot.html", conference, code=display_code(code),
                 nominees=nominees, choices=_choices_from_form(nominees),
                 claim=_claim(conference, code))


@bp.post("/<slug>/review")
@throttle_guesses
def review(slug):
    code_text = request.form.get("code", "")
    conference = reviewed_conference(slug, code_text, request.form.get("tracker"),
                                     request.form.get("tag"))
    nominees = casting.frozen_ballot(db.session, conference)
    try:
        code = casting.check_code(conference, code_text)
        choices = casting.read_choices(nominees, _choices_from_form(nominees))
    except ServiceError as error:
        return _refused(conference, error, code_text)
    blank = [n for n in nominees if choices[n.id] == "blank"]
    return _page("voting/vote_review.html", conference, code=display_code(code),
                 nominees=nominees, choices={str(k): v for k, v in choices.items()},
                 blank=blank, claim=_claim(conference, code))


@bp.post("/<slug>/cast")
@throttle_guesses
def cast(slug):
    code_text = request.form.get("code", "")
    # What the receipt page shows (a plain tuple, kept past the commit): the open vote's
    # copy, or read first in the cast's own transaction; the cast reads the state again.
    conference = open_vote_copy(slug)
    labels = _labels(conference)
    values = _choices_from_form(casting.frozen_ballot(db.session, conference))
    try:
        receipt = cast_with_retry(slug, code_text, values, request.form.get("tracker"),
                                  request.form.get("tag"))
    except ServiceError as error:
        return _refused(voter_conference(slug), error, code_text)
    if not receipt.repeated:
        note_ballot()
    return _page("voting/vote_receipt.html", conference, labels=labels,
                 tracker=casting.display_tracker(receipt.tracker), repeated=receipt.repeated)


@bp.get("/<slug>/reports/<uuid:nominee_id>.pdf")
def report(slug, nominee_id):
    """The self-assessment report of a person on the ballot, while the vote is open."""
    conference = conference_of_poll(slug)
    if conference.status != State.OPEN:
        abort(404)
    nominee = next((n for n in ballot_nominees(db.session, conference) if n.id == nominee_id),
                   None)
    if nominee is None or not nominee.report_pdf:
        abort(404)
    return Response(nominee.report_pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": "inline; filename=bao-cao-tu-danh-gia.pdf"})
