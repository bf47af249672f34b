"""The scope of an anonymous voter, or of a person opening their own result: one conference
of one unit, and nothing else.

A voter has no account. What names their conference is a voting link (its poll, found in the
public poll directory) or a signed result link; the feature that knows which passes a lookup,
and tenants alone binds the scope (features never bind one: tests/test_scope_binding.py).
The lookup runs under the unit directory's scope, which the voter's scope then replaces, so
nothing read under the directory (an identity map, a transaction) survives the change.

Under a voter's scope the ORM adds the unit's criteria and, for each unit-owned table, the
one conference's (tenants.conference_rows); PostgreSQL's policies hold the same rule on the
signed setting app.conference_id (revision 0015). Another conference of the same unit, its
people, codes and ballots, are as invisible as another unit's.

Not a crossing, and so not audited: a crossing (`tenants.unscoped`) widens a scope past one
unit and is written to the audit log with its reason and its actor. A voter's scope only
narrows: it sees a subset of what the unit's own staff see, in a conference the link or the
token already named, and the directory lookup reads the same public poll directory the
operator's scope reads. Recording it would also break the ballot's secrecy: nothing on the
vote path logs or stores anything about a voter (DESIGN.md), not even that one came.
"""
import uuid
from typing import Callable, NamedTuple

from tinnhiem.tenants.scope import Scope, bind_scope


class VoterPlace(NamedTuple):
    """The conference a voting link or a result link names."""
    province_id: uuid.UUID
    unit_id: uuid.UUID
    conference_id: uuid.UUID


Lookup = Callable[[object], "VoterPlace | tuple | None"]


def bind_voter_scope(session, lookup: Lookup) -> VoterPlace | None:
    """Bind the scope of the one conference `lookup` names and return its place; None (with
    no scope bound, so nothing can be read) when it names none. `lookup(session)` runs under
    the unit directory's scope and returns (province id, unit id, conference id) or None."""
    bind_scope(session, Scope.for_directory())
    found = lookup(session)
    if found is None or None in tuple(found):
        bind_scope(session, None)
        return None
    place = VoterPlace(*found)
    bind_scope(session, Scope.for_voter(*place))
    return place


def bind_known_voter_scope(session, place: VoterPlace) -> None:
    """Bind the scope of a place a lookup found before: a feature may remember what a link
    names when that can never change (a voting link's conference)."""
    bind_scope(session, Scope.for_voter(*place))
