"""What the audit page shows of a page of entries: each action's label, its unit and its
object by name where the operator may read it, the full ids kept for support.

The objects belong to upper layers (the unit tree is tenants'), which the platform may not
import; their owners register how to name theirs in bulk with @names(kind), as voting
registers a conference move's work with conferences' @performs."""
import uuid
from collections import defaultdict
from dataclasses import dataclass

from tinnhiem.platform.audit.labels import (KINDS, NAMED_KINDS, UNIT, action_label,
                                            target_kind)
from tinnhiem.platform.audit.models import AuditEntry

SHORT_ID = 8  # hex digits of an id shown where no name may be: enough to tell rows apart

_namers: dict = {}


def names(kind: str):
    """Register fn(session, ids) -> {id: name} for objects of `kind` (one of NAMED_KINDS)."""
    if kind not in NAMED_KINDS:
        raise ValueError(f"the operator may not read the names of {kind!r} objects")

    def register(function):
        _namers[kind] = function
        return function
    return register


@dataclass(frozen=True)
class Shown:
    text: str  # what the operator reads
    ref: str = ""  # the full id, for support (a title attribute)


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    label: str
    unit: Shown | None
    target: Shown | None


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _unit_of(entry: AuditEntry) -> uuid.UUID | None:
    return entry.unit_id or entry.province_id


def _named(session, entries: list[AuditEntry]) -> dict:
    """{kind: {id: name}} for every id on the page the operator may see named: one query a
    kind, never one a row."""
    wanted = defaultdict(set)
    for entry in entries:
        if _unit_of(entry):
            wanted[UNIT].add(_unit_of(entry))
        kind, target = target_kind(entry.action), _as_uuid(entry.target)
        if kind in NAMED_KINDS and target:
            wanted[kind].add(target)
    return {kind: _namers[kind](session, ids) for kind, ids in wanted.items()
            if kind in _namers}


def _shown(named: dict, kind: str | None, raw) -> Shown | None:
    if raw is None:
        return None
    ref = _as_uuid(raw)
    if ref is None:
        return Shown(str(raw))
    name = named.get(kind, {}).get(ref)
    if name:
        return Shown(name, str(ref))
    short = ref.hex[:SHORT_ID]
    return Shown(f"{KINDS[kind]} · {short}" if kind in KINDS else short, str(ref))


def rows(session, entries: list[AuditEntry]) -> list[Row]:
    named = _named(session, entries)
    return [Row(entry, action_label(entry.action), _shown(named, UNIT, _unit_of(entry)),
                _shown(named, target_kind(entry.action), entry.target))
            for entry in entries]
