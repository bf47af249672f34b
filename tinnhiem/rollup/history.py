"""What a successor reads of its predecessors: each source (tenants.history) with its rounds
that have certified results, and one such round's roll-up, read in the source's history
scope. The pages and /api/v1/history call these alike."""
from sqlalchemy import exists, select
from werkzeug.exceptions import NotFound

from tinnhiem.counting.models import Result
from tinnhiem.platform.auth.roles import PROVINCE_ROLES, Role
from tinnhiem.rounds.models import Round
from tinnhiem.tenants.history import find_source, history_session, history_sources

# The province reads its predecessors; a unit's admin those of its own unit.
READERS = PROVINCE_ROLES | {Role.UNIT_ADMIN}


def rounds_with_results(past) -> list[Round]:
    """The source's rounds that have a certified result it may read, newest first."""
    return list(past.scalars(
        select(Round).where(exists().where(Result.round_id == Round.id))
        .order_by(Round.year.desc(), Round.created_at.desc())))


def sources_and_rounds(session) -> list[tuple]:
    """(source, its rounds) for every predecessor the scope bound to `session` succeeded."""
    listed = []
    for source in history_sources(session):
        with history_session(source) as past:
            rounds = rounds_with_results(past)
            for round_ in rounds:
                past.expunge(round_)
        listed.append((source, rounds))
    return listed


def source_or_404(session, key):
    """The predecessor `key` names, when the bound scope succeeded it: 404 otherwise, alike
    for one that does not exist and one that is another's."""
    source = find_source(session, key)
    if source is None:
        raise NotFound()
    return source


def round_or_404(past, round_id) -> Round:
    """A round of the source with a result it may read; 404 otherwise."""
    round_ = past.scalar(select(Round).where(Round.id == round_id,
                                             exists().where(Result.round_id == Round.id)))
    if round_ is None:
        raise NotFound()
    return round_
