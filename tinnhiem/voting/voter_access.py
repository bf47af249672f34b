"""What every route that takes a voter's code shares (the voter's pages, the API, the results
check): finding the conference of a poll under its unit's scope and casting in one
transaction (the one throttle on failed codes: voting.code_throttle). No view lives here, so
an API may import it."""
from time import monotonic

from blinker import ANY
from flask import abort, current_app

from tinnhiem.conferences.lifecycle import State, conference_moved
from tinnhiem.conferences.services import get_conference
from tinnhiem.platform.db import db, run_in_transaction
from tinnhiem.platform.worker_cache import worker_cache
from tinnhiem.tenants.voter_scope import VoterPlace, bind_known_voter_scope, bind_voter_scope
from tinnhiem.voting import casting, receipts
from tinnhiem.voting.models import CodeState


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
    return _read_for_voter(voter_place(slug), code_text)


def _read_for_voter(place, code_text=None) -> casting.VoterConference:
    conference = casting.read_for_voter(db.session, place, code_text)
    if conference is None:
        abort(404)
    return conference


def _open_copies() -> dict:
    """Conference id -> (when it was read, the VoterConference read), for open votes only.
    Unlike the rest of worker_cache this can go stale: each entry carries its reading time
    and is used for VOTER_PAGE_COPY_SECONDS at most."""
    return worker_cache("open_votes", 10_000)


def open_vote_copy(slug) -> casting.VoterConference:
    """voter_conference without a code, for a voter's page that spends nothing (the code
    page, a review whose code the ballot page checked, the receipt): an open vote read less
    than VOTER_PAGE_COPY_SECONDS ago by this worker is not read again. A vote that is not
    open is never kept, so opening shows at once; a close on another worker shows here
    within that time, and whatever spends a code reads the database (casting)."""
    return _open_vote_copy(voter_place(slug))


def _open_vote_copy(place) -> casting.VoterConference:
    copies, now = _open_copies(), monotonic()
    kept = copies.get(place.conference_id)
    if kept is not None and now - kept[0] < current_app.config["VOTER_PAGE_COPY_SECONDS"]:
        return kept[1]
    conference = _read_for_voter(place)
    if conference.status == State.OPEN and not conference.published:
        copies[place.conference_id] = (now, conference)
    else:
        copies.pop(place.conference_id, None)
    return conference


def reviewed_conference(slug, code_text, tracker_text, tag_text) -> casting.VoterConference:
    """The conference for the review of a ballot, with the state of its code. The ballot
    page served this form only after finding the code unused, and signed that in its claim
    (voting.receipts): a review carrying a valid claim takes the open vote's copy and the
    claim's word, and the cast checks both again in the database. Without one (a form made
    by hand), the database is asked, as for the ballot page."""
    place = voter_place(slug)
    if receipts.claimed_tracker(place, code_text, tracker_text, tag_text) is not None:
        return _open_vote_copy(place)._replace(code_state=CodeState.UNUSED)
    return _read_for_voter(place, code_text)


@conference_moved.connect_via(ANY, weak=False)
def _forget_open_copy(_move, conference, **_details):
    # The worker that moves a vote (closes, suspends) shows the move on its next page.
    _open_copies().pop(conference.id, None)


def cast_with_retry(slug, code_text, values, tracker=None, tag=None) -> receipts.Receipt:
    """Cast (or recall the receipt of a ballot already stored) in one transaction, tried
    again when the database asks for it, within a bounded few tries
    (platform.db.run_in_transaction)."""
    def attempt():
        return receipts.cast_or_recall(db.session, voter_place(slug), code_text, values,
                                       tracker, tag)

    return run_in_transaction(db.session, attempt)
