"""Reading what a unit or province succeeded: the certified results of its predecessors.

When units or whole provinces merge (Vĩnh Phúc into Phú Thọ, 1/7/2025), the successor reads
the certified results of what it succeeded, under the historical names, and never the other
way round. Each predecessor is read through its own session bound to a read-only history
scope (`Scope.history`): the predecessor's province (and unit), certified results only,
nothing written. `history_sources` lists what the signed-in scope may read so."""
import uuid
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class HistorySource:
    """One predecessor the bound scope may read: a whole province (`unit_id` None) or one
    unit of it, with its name as it was."""
    province_id: uuid.UUID
    unit_id: uuid.UUID | None
    name: str


def history_sources(session) -> list[HistorySource]:
    """What the scope bound to `session` succeeded, transitively. Empty until succession
    reading lands."""
    return []


@contextmanager
def history_session(source: HistorySource):
    """A separate read-only session bound to `source`'s history scope: certified results,
    rounds, categories, conferences and units of the predecessor; nothing else, no writes."""
    raise NotImplementedError("succession reading is not built yet")
    yield  # pragma: no cover
