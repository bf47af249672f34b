"""The voter's pages (/v/<slug>): no account, no cookie, no JavaScript needed.

Enter or scan the code → the ballot → review (blank rows are warned about, and may still be
sent) → the receipt with a tracker. Every step is a POST that carries the code in the form
body, never in a URL after the first scan; nothing on this path logs, audits or stores an
address, a session or a time. The ballot's tracker is drawn with the ballot page and rides
along with the code (voting.receipts), so a resent form whose answer was lost gets its
receipt again.
"""
import hashlib
import hmac

from flask import (Blueprint, Response, abort, current_app, g, render_template, request)

from tinnhiem.conferences.services import ballot_nominees, get_conference
from tinnhiem.platform.config import derived_key
from tinnhiem.platform.db import db, run_in_transaction
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.extensions import csrf, limiter
from tinnhiem.rounds.models import BallotTemplate
from tinnhiem.tenants.voter_scope import bind_voter_scope
from tinnhiem.voting import casting, receipts
from tinnhiem.voting.codes import display_code

bp = Blueprint("vote", __name__, url_prefix="/v")
csrf.exempt(bp)  # the one-time code in the form is the credential; voters have no session


def _failed(_response) -> bool:
    return g.get("vote_failed", False)


# What guessing codes produces. A closed vote, a row left out or results not yet published
# say nothing about a code, so they cost the hall's shared budget nothing.
CODE_FAILURES = frozenset({"code_unknown", "code_spent", "code_not_used"})
# Refusals that hold for every code: the page stops offering the code form.
VOTE_NOT_TAKEN = frozenset({"vote_closed", "vote_not_open", "vote_suspended"})


def note_failure(error: ServiceError) -> None:
    if error.code in CODE_FAILURES:
        g.vote_failed = True


def _address_key() -> str:
    """The limiter's memory holds a keyed hash of the address, never the address itself."""
    address = (request.remote_addr or "").encode()
    key = derived_key(None, b"tinnhiem vote throttle")
    return "vote:" + hmac.new(key, address, hashlib.sha256).hexdigest()[:32]


# Only failures count: a hall full of voters behind one address votes freely, while
# guessing codes from it meets this limit. One budget for every route that takes a code
# (the voter's pages, the API, the results check), so switching routes buys no guesses.
throttle_guesses = limiter.shared_limit(lambda: current_app.config["VOTE_FAILURE_LIMIT"],
                                        scope="vote-code-failures", key_func=_address_key,
                                        methods=["POST"], deduct_when=_failed)


def _poll_place(slug):
    """The lookup tenants runs in the public poll directory: where the link's vote is."""
    def lookup(directory_session):
        poll = casting.find_poll(directory_session, slug)
        return None if poll is None else (poll.province_id, poll.unit_id, poll.conference_id)

    return lookup


def conference_of_poll(slug):
    """The conference of a voting link, with the voter's scope bound (that one conference of
    its unit, nothing else: tenants.voter_scope); 404 for a link that names none."""
    place = bind_voter_scope(db.session, _poll_place(slug))
    if place is None:
        abort(404)
    conference = get_conference(db.session, place.conference_id)
    if conference is None:
        abort(404)
    return conference


def _page(template, conference, status=200, **context):
    labels = db.session.get(BallotTemplate, conference.template_id)
    # Never cached: platform.web sends Cache-Control: no-store with every page.
    return render_template(template, conference=conference, labels=labels,
                           slug=request.view_args["slug"], **context), status


def _refused(conference, error: ServiceError, code=""):
    note_failure(error)
    return _page("voting/vote_code.html", conference, error.status, error=error.message,
                 code=code, closed=error.code in VOTE_NOT_TAKEN)


def _choices_from_form(nominees) -> dict:
    return {str(n.id): request.form.get(f"p-{n.id}", "") for n in nominees}


def _claim(conference, code: str) -> receipts.Claim:
    return receipts.claim_for(conference, code, request.form.get("tracker"),
                              request.form.get("tag"))


@bp.get("/<slug>")
def start(slug):
    conference = conference_of_poll(slug)
    # The QR code on a slip carries the code (?ma=) so scanning fills it in.
    code = (request.args.get("ma") or "")[:40]
    if conference.published and conference.status == "certified":
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
    conference = conference_of_poll(slug)
    code_text = request.form.get("code", "")
    try:
        code = casting.check_code(db.session, conference, code_text)
    except ServiceError as error:
        return _refused(conference, error, code_text[:40])
    nominees = ballot_nominees(db.session, conference)
    return _page("voting/vote_ballot.html", conference, code=display_code(code),
                 nominees=nominees, choices=_choices_from_form(nominees),
                 claim=_claim(conference, code))


@bp.post("/<slug>/review")
@throttle_guesses
def review(slug):
    conference = conference_of_poll(slug)
    code_text = request.form.get("code", "")
    nominees = ballot_nominees(db.session, conference)
    try:
        code = casting.check_code(db.session, conference, code_text)
        choices = casting.read_choices(nominees, _choices_from_form(nominees))
    except ServiceError as error:
        return _refused(conference, error, code_text[:40])
    blank = [n for n in nominees if choices[n.id] == "blank"]
    return _page("voting/vote_review.html", conference, code=display_code(code),
                 nominees=nominees, choices={str(k): v for k, v in choices.items()},
                 blank=blank, claim=_claim(conference, code))


def cast_with_retry(slug, code_text, values, tracker=None, tag=None):
    """Cast (or recall the receipt of a ballot already stored) in one transaction, tried
    again when the database asks for it, within a bounded few tries
    (platform.db.run_in_transaction); each try reads the conference afresh. Returns the
    conference and the receipt."""
    def attempt():
        conference = conference_of_poll(slug)
        return conference, receipts.cast_or_recall(db.session, conference, code_text, values,
                                                   tracker, tag)

    return run_in_transaction(db.session, attempt)


@bp.post("/<slug>/cast")
@throttle_guesses
def cast(slug):
    conference = conference_of_poll(slug)
    code_text = request.form.get("code", "")
    nominees = ballot_nominees(db.session, conference)
    values = _choices_from_form(nominees)
    try:
        conference, receipt = cast_with_retry(slug, code_text, values,
                                              request.form.get("tracker"),
                                              request.form.get("tag"))
    except ServiceError as error:
        conference = conference_of_poll(slug)
        return _refused(conference, error, code_text[:40])
    return _page("voting/vote_receipt.html", conference,
                 tracker=casting.display_tracker(receipt.tracker), repeated=receipt.repeated)


@bp.get("/<slug>/reports/<uuid:nominee_id>.pdf")
def report(slug, nominee_id):
    """The self-assessment report of a person on the ballot, while the vote is open."""
    conference = conference_of_poll(slug)
    if conference.status != "open":
        abort(404)
    nominee = next((n for n in ballot_nominees(db.session, conference) if n.id == nominee_id),
                   None)
    if nominee is None or not nominee.report_pdf:
        abort(404)
    return Response(nominee.report_pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": "inline; filename=bao-cao-tu-danh-gia.pdf"})
