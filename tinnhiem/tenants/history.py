"""Reading what a unit or province succeeded: the certified results of its predecessors.

When units or whole provinces merge (Vĩnh Phúc into Phú Thọ, 1/7/2025), the successor reads
the certified results of what it succeeded, under the historical names, and never the other
way round. Each predecessor is read through its own session bound to a read-only history
scope (`Scope.for_history`): the predecessor's province (and unit), only the rows its models
open to history (certified results, rounds, conferences, the unit tree), nothing written; in
PostgreSQL the same by revision 0022's policies and a read-only transaction.
`history_sources` lists what the bound scope may read so: the succession links are its own
rows, written by the operator only."""
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import scoped_session

from tinnhiem.platform.db import db
from tinnhiem.tenants.models import Unit, UnitSuccession
from tinnhiem.tenants.scope import SCOPE_KEY, Scope, bind_scope

# Successions are rarely more than two deep (a commune of 2025 ← a district ← an older one);
# the bound keeps a loop in bad data from going on.
MAX_DEPTH = 8
SOURCES_KEY = "tinnhiem.history_sources"  # session.info: (scope, what it succeeded)


@dataclass(frozen=True)
class HistorySource:
    """One predecessor the bound scope may read: a whole province (`unit_id` None) or one
    unit of it, with its name as it was."""
    province_id: uuid.UUID
    unit_id: uuid.UUID | None
    name: str

    @property
    def key(self) -> uuid.UUID:
        """The id a page names the source by: the unit, or the province's root unit."""
        return self.unit_id or self.province_id


@contextmanager
def history_session(source: HistorySource):
    """A separate read-only session bound to `source`'s history scope."""
    session = db.session.session_factory()
    try:
        bind_scope(session, Scope.for_history(source.province_id, source.unit_id))
        yield session
    finally:
        session.close()


def _links(session) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(predecessor, its province) of every succession the session's scope can see."""
    return list(session.execute(select(UnitSuccession.predecessor_id,
                                       UnitSuccession.predecessor_province_id)).all())


def _source(predecessor_id, province_id) -> tuple[uuid.UUID, uuid.UUID | None]:
    # A province's root unit (its id is its province's) stands for the whole province.
    return province_id, None if predecessor_id == province_id else predecessor_id


def _covered(scope_pair, pair) -> bool:
    """Whether what `scope_pair` (province, unit or None) reads already holds `pair`."""
    province, unit = scope_pair
    return province == pair[0] and (unit is None or unit == pair[1])


def history_sources(session) -> list[HistorySource]:
    """What the scope bound to `session` succeeded, transitively, each once, leaving out
    what the scope already reads itself (a province's own dissolved districts). Empty for a
    scope that reads no tenant data (the operator's, a voter's)."""
    if isinstance(session, scoped_session):
        session = session()
    scope = session.info.get(SCOPE_KEY)
    if scope is None or scope.province_id is None or scope.history or scope.crossing \
            or scope.conference_id is not None:
        return []
    # Found once per bound scope: a page reads the roll-up, its rises and its links alike,
    # and each discovery opens a session per predecessor.
    known = session.info.get(SOURCES_KEY)
    if known is not None and known[0] is scope:
        return list(known[1])
    sources = _discovered(session, scope)
    session.info[SOURCES_KEY] = (scope, sources)
    return list(sources)


def _discovered(session, scope) -> list[HistorySource]:
    own = (scope.province_id, scope.unit_id)
    found: dict[tuple, HistorySource] = {}
    pending = [pair for pair in (_source(*link) for link in _links(session))
               if not _covered(own, pair)]
    for _depth in range(MAX_DEPTH):
        pending = [pair for pair in dict.fromkeys(pending) if pair not in found]
        if not pending:
            break
        discovered = []
        for pair in pending:
            with history_session(HistorySource(*pair, name="")) as past:
                found[pair] = HistorySource(*pair, name=_name(past, pair))
                discovered += [_source(*link) for link in _links(past)]
        pending = [pair for pair in discovered if not _covered(own, pair)
                   and not any(_covered(key, pair) for key in found)]
    # A unit of a province read whole is read with it.
    wholes = {province for province, unit in found if unit is None}
    return sorted((source for (province, unit), source in found.items()
                   if unit is None or province not in wholes), key=lambda source: source.name)


def _name(past, pair) -> str:
    province_id, unit_id = pair
    return past.scalar(select(Unit.name).where(Unit.id == (unit_id or province_id))) or ""


def find_source(session, key) -> HistorySource | None:
    """The source a page names by `key` (HistorySource.key), if the bound scope may read
    it; None otherwise, whatever exists there."""
    return next((source for source in history_sources(session) if source.key == key), None)
