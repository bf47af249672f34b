"""What leaves the unit once results are published: the conference's voters see them with
their spent code and can find their tracker among the counted ones; a person voted on sees
their own result through a signed link. Nothing shows before publication."""
from flask import Blueprint, abort, render_template, request

from tinnhiem.conferences.services import get_conference
from tinnhiem.counting import bands, services
from tinnhiem.counting.links import read_person_token
from tinnhiem.platform.db import db
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.extensions import csrf
from tinnhiem.tally.totals import counted_trackers
from tinnhiem.tenants.voter_scope import bind_voter_scope
from tinnhiem.voting.code_throttle import note_failure, throttle_guesses
from tinnhiem.voting.voter_access import conference_of_poll

bp = Blueprint("public_results", __name__)
csrf.exempt(bp)


def _render(template, status=200, **context):
    return render_template(template, band_label=bands.band_label, **context), status


@bp.post("/v/<slug>/results")
@throttle_guesses
def voter_results(slug):
    conference = conference_of_poll(slug)
    code = request.form.get("code", "")[:40]
    try:
        services.require_voter_access(db.session, conference, code)
    except ServiceError as error:
        note_failure(error, conference, code)
        return _render("voting/vote_code.html", error.status, conference=conference, slug=slug,
                       closed=True, published=services.is_published(conference), code=code,
                       error=error.message)
    trackers = counted_trackers(db.session, conference)
    asked = services.normalize_tracker(request.form.get("tracker"))
    return _render("counting/voter_results.html", conference=conference, slug=slug, code=code,
                   rows=services.results_of(db.session, conference), trackers=trackers,
                   asked=asked, found=asked in trackers if asked else None)


@bp.get("/r/<token>")
def person(token):
    """One person's own result, through the link the unit admin gave them."""
    ids = read_person_token(token)
    if ids is None:
        abort(404)
    province_id, unit_id, conference_id, nominee_id = ids
    # The signed link names the conference: the person sees that one and nothing else.
    bind_voter_scope(db.session, lambda _directory: (province_id, unit_id, conference_id))
    conference = get_conference(db.session, conference_id)
    if conference is None or not services.is_published(conference):
        abort(404)
    row = next((r for r in services.results_of(db.session, conference) if r.nominee.id == nominee_id),
               None)
    if row is None:
        abort(404)
    return _render("counting/person_result.html", conference=conference, row=row,
                   consequence=bands.consequence)
