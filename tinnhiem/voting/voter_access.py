"""What every route that takes a voter's code shares (the voter's pages, the API, the results
check): finding the conference of a poll under its unit's scope, the one throttle on failed
codes, and casting in one transaction. No view lives here, so an API may import it."""
import hashlib
import hmac

from flask import abort, current_app, g, request

from tinnhiem.platform.config import derived_key
from tinnhiem.platform.db import db
from tinnhiem.platform.db_failures import in_one_transaction
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.extensions import limiter
from tinnhiem.tenants.scope import Scope, bind_scope
from tinnhiem.voting import casting, receipts


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


def cast_with_retry(slug, code_text, values, tracker=None, tag=None):
    """Cast (or recall the receipt of a ballot already stored) in one transaction, tried
    again when the database asks for it (see platform.db_failures); each try reads the
    conference afresh. Returns the conference and the receipt."""
    def attempt():
        conference = conference_of_poll(slug)
        return conference, receipts.cast_or_recall(db.session, conference, code_text, values,
                                                   tracker, tag)

    return in_one_transaction(db.session, attempt)
