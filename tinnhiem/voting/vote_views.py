"""The voter's pages (/v/<slug>): no account, no cookie, no JavaScript needed.

Enter or scan the code → the ballot → review (blank rows are warned about, and may still be
sent) → the receipt with a tracker. Every step is a POST that carries the code in the form
body, never in a URL after the first scan; nothing on this path logs, audits or stores an
address, a session or a time.
"""
import hashlib
import hmac
import time

from flask import (Blueprint, Response, abort, current_app, g, render_template, request)
from sqlalchemy.exc import OperationalError

from tinnhiem.conferences.services import ballot_nominees
from tinnhiem.platform.config import derived_key
from tinnhiem.platform.db import db
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.extensions import csrf, limiter
from tinnhiem.rounds.models import BallotTemplate
from tinnhiem.tenants.scope import Scope, bind_scope
from tinnhiem.voting import casting
from tinnhiem.voting.codes import display_code

bp = Blueprint("vote", __name__, url_prefix="/v")
csrf.exempt(bp)  # the one-time code in the form is the credential; voters have no session


def _failed(_response) -> bool:
    return g.get("vote_failed", False)


# What guessing codes produces. A closed vote, a row left out or results not yet published
# say nothing about a code, so they cost the hall's shared budget nothing.
CODE_FAILURES = frozenset({"code_unknown", "code_spent", "code_not_used"})


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


def conference_of_poll(slug):
    """Bind the scope of the unit whose vote this is, through the public poll directory."""
    bind_scope(db.session, Scope.for_directory())
    poll = casting.find_poll(db.session, slug)
    if poll is None:
        abort(404)
    bind_scope(db.session, Scope.for_unit(poll.province_id, poll.unit_id))
    conference = casting.poll_conference(db.session, poll)
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
                 code=code, closed=error.code in ("vote_closed", "vote_not_open"))


def _choices_from_form(nominees) -> dict:
    return {str(n.id): request.form.get(f"p-{n.id}", "") for n in nominees}


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
                 nominees=nominees, choices=_choices_from_form(nominees))


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
                 blank=blank)


def cast_with_retry(slug, code_text, values, attempts=40):
    """SQLite lets one writer in at a time and refuses (rather than waits for) a reader that
    wants to write: retry the whole transaction. PostgreSQL simply waits on the code's row."""
    for attempt in range(attempts):
        try:
            conference = conference_of_poll(slug)
            cast = casting.cast_ballot(db.session, conference, code_text, values)
            tracker = cast.tracker
            db.session.commit()
            return conference, tracker
        except OperationalError as error:
            db.session.rollback()
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
        except ServiceError:
            db.session.rollback()
            raise
    raise RuntimeError("unreachable")


@bp.post("/<slug>/cast")
@throttle_guesses
def cast(slug):
    conference = conference_of_poll(slug)
    code_text = request.form.get("code", "")
    nominees = ballot_nominees(db.session, conference)
    values = _choices_from_form(nominees)
    try:
        conference, tracker = cast_with_retry(slug, code_text, values)
    except ServiceError as error:
        conference = conference_of_poll(slug)
        return _refused(conference, error, code_text[:40])
    return _page("voting/vote_receipt.html", conference,
                 tracker=casting.display_tracker(tracker))


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
