"""What every route that takes a voter's code shares (the voter's pages, the API, the results
check): finding the conference of a poll under its unit's scope and casting in one
transaction (the one throttle on failed codes: voting.code_throttle). No view lives here, so
an API may import it."""
from flask import abort

from tinnhiem.conferences.services import get_conference
from tinnhiem.platform.db import db, run_in_transaction
from tinnhiem.platform.worker_cache import worker_cache
from tinnhiem.tenants.voter_scope import VoterPlace, bind_known_voter_scope, bind_voter_scope
from tinnhiem.voting import casting, receipts


def _poll_place(slug):
    """The lookup tenants runs in the public poll directory: where the link's vote is."""
    def lookup(directory_session):
        poll = casting.find_poll(directory_session, slug)
        return None if poll is None else (poll.province_id, poll.unit_id, poll.conference_id)

    return lookup


def voter_place(slug) -> VoterPlace:
    """Where a voting link's vote is, with the voter's scope bound (that one conference of
    its unit, nothing else: tenants.voter_scope); 404 for a link that names none. A poll's
    conference, and so its unit, never changes: each worker asks the poll directory once
    per link."""
    places = worker_cache("poll_places", 10_000)
    key = slug.upper() if isinstance(slug, str) else None
    place = places.get(key)
    if place is not None:
        bind_known_voter_scope(db.session, place)
        return place
    place = bind_voter_scope(db.session, _poll_place(slug))
    if place is None:
        abort(404)
    places[key] = place
    return place


def conference_of_poll(slug):
    """The conference of a voting link, with the voter's scope bound; 404 for a link that
    names none."""
    conference = get_conference(db.session, voter_place(slug).conference_id)
    if conference is None:
        abort(404)
    return conference


def voter_conference(slug, code_text=None) -> casting.VoterConference:
    """conference_of_poll for the voter's own requests, with the state of the code typed, in
    one statement (casting.read_for_voter)."""
    conference = casting.read_for_voter(db.session, voter_place(slug), code_text)
    if conference is None:
        abort(404)
    return conference


def cast_with_retry(slug, code_text, values, tracker=None, tag=None) -> receipts.Receipt:
    """Cast (or recall the receipt of a ballot already stored) in one transaction, tried
    again when the database asks for it, within a bounded few tries
    (platform.db.run_in_transaction)."""
    def attempt():
        return receipts.cast_or_recall(db.session, voter_place(slug), code_text, values,
                                       tracker, tag)

    return run_in_transaction(db.session, attempt)
