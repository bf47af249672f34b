"""Votes a restore suspends.

A backup taken while an electronic vote is open has none of the ballots cast after it, and
in it the codes those ballots spent still read unused: restored as it was, the vote would
let them vote again. So the restore suspends each such vote (no code votes)
and the unit admin ends it one of two ways: void the unused codes and close it with the
ballots the backup kept (sealing.void_and_close), or annul it and hold the vote again. It
is never resumed: nothing in the restored data tells a code spent after the backup from
one never used.
"""
from sqlalchemy import select

from tinnhiem.conferences.lifecycle import SUSPEND, State, transition
from tinnhiem.conferences.models import Conference


def suspend_open_votes(session, backup_created_at: str) -> int:
    """In the restore's transaction: every open electronic vote becomes suspended, each
    with an audit entry naming the backup's time. Returns how many."""
    open_votes = list(session.scalars(select(Conference).where(
        Conference.status == State.OPEN, Conference.mode == "electronic")
        .order_by(Conference.id)))
    for conference in open_votes:
        transition(session, None, conference, SUSPEND, backup_created_at=backup_created_at)
    return len(open_votes)
