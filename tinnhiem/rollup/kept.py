"""What the province's dashboard keeps between views: figures over every participating unit
(a province has thousands) and the pass over every certified result for the people voted on
in two places, each worked out again only when some unit's kept progress of the round was
rewritten (counting.rollup_progress), which creating, certifying or annulling a conference
does in its own transaction."""
import threading
from collections import OrderedDict

from sqlalchemy import func, select
from sqlalchemy.orm import scoped_session

from tinnhiem.counting.models import UnitProgress
from tinnhiem.counting.rollup_progress import KEY_MEMO
from tinnhiem.platform.db import SCOPE_KEY


def progress_key(session, round_id) -> tuple:
    """What the units' kept progress says of the round now: new whenever any unit's row was
    rewritten (each rewrite counts `changes` up and draws a new `stamp`). Read from one
    index, once per transaction (a rewrite in it forgets it: rollup_progress.KEY_MEMO)."""
    if isinstance(session, scoped_session):
        session = session()
    session.connection()  # the transaction begun, so that it is the one remembered
    transaction = session.get_transaction()
    memo = session.info.get(KEY_MEMO)
    if memo is None or memo[0] is not transaction or round_id not in memo[1]:
        if memo is None or memo[0] is not transaction:
            memo = session.info[KEY_MEMO] = (transaction, {})
        memo[1][round_id] = tuple(session.execute(select(
            func.count(), func.sum(UnitProgress.changes), func.sum(UnitProgress.stamp))
            .where(UnitProgress.round_id == round_id)).one())
    return memo[1][round_id]


def kept(session, round_id, what: str, compute):
    """compute(), kept per scope and round for as long as no unit's progress row of the
    round is rewritten: figures over every unit (a province has thousands) are worked out
    once per certification, not once per view. What decides them (conferences, their
    certified results) is never edited without such a rewrite in the same transaction."""
    key = (what, session.info.get(SCOPE_KEY), round_id, progress_key(session, round_id))
    with _LOCK:  # a worker's threads share it
        if key in _KEPT:
            _KEPT.move_to_end(key)
            return _KEPT[key]
    value = compute()
    with _LOCK:
        _KEPT[key] = value
        while len(_KEPT) > KEPT_ENTRIES:
            _KEPT.popitem(last=False)  # the least recently used
    return value


_KEPT: OrderedDict = OrderedDict()
_LOCK = threading.Lock()
KEPT_ENTRIES = 256
