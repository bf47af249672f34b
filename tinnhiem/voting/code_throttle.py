"""The one budget of failed voting codes per address, shared by every route that takes a code
(the voter's pages, the API, the results check), so that switching routes buys no guesses.

A conference hall is one address: the budget must stop someone guessing codes without ever
locking out a hall of voters who mistype theirs. So only what can reveal a code costs:

- Input that cannot be a code at all (codes.require_code refuses it as `code_missing` or
  `code_malformed`) reveals nothing and costs nothing.
- A near miss of a code of the conference (one character replaced, or two adjacent ones
  swapped: codes.near_codes) is a typo and costs nothing; the voter is told the same "code
  unknown" as for any other wrong code. It is looked for only on the failure path: the
  ≤ 319 neighbours' digests in one indexed query. A random guess is a near miss with odds of
  about 319 · codes / 32¹⁰ (≈ 10⁻¹⁰ with 300 codes), so a guesser still pays for each. (One
  who counts its refusals could tell that a guess was free and search its 319 neighbours:
  at best 320 times the odds of guessing a code outright, about 10⁻⁶ a day at the default
  budget. Accepted, for a hall that is never locked out.)
- Every other wrong, spent or unused code (CODE_FAILURES) costs one.

The base budget is VOTE_FAILURE_LIMIT ("60 per 10 minutes"); each ballot cast from the address
within the window adds VOTE_FAILURE_EARNED_PER_BALLOT, so a hall's budget grows with the
hall, while a guesser holding no codes keeps the base. Ballots count only from an address that
has already failed in the window: an address that never fails leaves no trace at all, and the
base budget covers the failures that come before any allowance is needed.

Over budget, every request that takes a code from the address is refused with 429 before any
code is looked up, a valid one included. Windows are fixed and aligned to the clock, so the
failures and the ballots of one window share it. No response says how much budget is left
(no X-RateLimit-* headers): that would tell a guesser which of its guesses were near misses.

Counters live in flask-limiter's storage (the database by default, Redis when configured)
under a keyed hash of the address; nothing here stores an address or logs anything.
"""
import functools
import hashlib
import hmac
import math
import time
from typing import NamedTuple

from flask import current_app, g, make_response, request
from limits import parse_many
from sqlalchemy import select

from tinnhiem.platform.config import derived_key
from tinnhiem.platform.db import db
from tinnhiem.platform.extensions import limiter
from tinnhiem.platform.web import error_response
from tinnhiem.voting.codes import code_digests, near_codes, normalize_code
from tinnhiem.voting.models import CodeState, VoteCode

# What guessing codes produces. A closed vote, a row left out, results not yet published or
# input that cannot be a code say nothing about a code, so they cost the budget nothing.
CODE_FAILURES = frozenset({"code_unknown", "code_spent", "code_not_used"})
# A near miss of a code that may still answer: unused (the voting routes) or spent (the
# results check). Void codes answer nothing once the vote has closed.
NEAR_STATES = (CodeState.UNUSED.value, CodeState.SPENT.value)


class Window(NamedTuple):
    """One limit of VOTE_FAILURE_LIMIT as it stands for this address now."""
    base: int      # failures allowed before any ballot is counted
    key: str       # this address in this window of this limit
    period: int    # seconds
    left: float    # seconds until the window ends


@functools.lru_cache(maxsize=8)
def _limits(setting: str):
    return tuple((item.amount, item.get_expiry()) for item in parse_many(setting))


def _address_key() -> str:
    """The storage holds a keyed hash of the address, never the address itself."""
    address = (request.remote_addr or "").encode()
    key = derived_key(None, b"tinnhiem vote throttle")
    return "vote:" + hmac.new(key, address, hashlib.sha256).hexdigest()[:32]


def _windows() -> list[Window]:
    now, address = time.time(), _address_key()
    windows = []
    for base, period in _limits(current_app.config["VOTE_FAILURE_LIMIT"]):
        number = int(now // period)
        windows.append(Window(base, f"{address}:{period}:{number}", period,
                              (number + 1) * period - now))
    return windows


def _failures(window: Window) -> str:
    return window.key + ":failures"


def _ballots(window: Window) -> str:
    return window.key + ":ballots"


def _over(window: Window, failures: int) -> bool:
    if failures < window.base:
        return False  # the common case: one read
    earned = current_app.config["VOTE_FAILURE_EARNED_PER_BALLOT"]
    return failures >= window.base + earned * limiter.storage.get(_ballots(window))


def _refusal(window: Window):
    response = make_response(error_response(429))
    response.headers["Retry-After"] = str(max(1, math.ceil(window.left)))
    return response


def throttle_guesses(view):
    """Refuse (429) a request that takes a code from an address over its budget, before the
    view looks up anything."""
    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if limiter.enabled:
            windows = _windows()
            failures = [limiter.storage.get(_failures(w)) for w in windows]
            # note_ballot counts ballots only where the address has failed in the window.
            g.code_windows = [(w, count > 0) for w, count in zip(windows, failures)]
            for window, count in zip(windows, failures):
                if _over(window, count):
                    return _refusal(window)
        return view(*args, **kwargs)

    return guarded


def is_near_miss(session, conference, code_text) -> bool:
    """Whether what the voter typed is one typo away from a code of the conference that may
    still answer (one query on the conference's digest index)."""
    code = normalize_code(code_text)
    if code is None:
        return False
    digests = code_digests(conference.conference_id, near_codes(code))
    return session.scalar(select(VoteCode.id).where(
        VoteCode.conference_id == conference.conference_id, VoteCode.digest.in_(digests),
        VoteCode.state.in_(NEAR_STATES)).limit(1)) is not None


def note_failure(error, conference, code_text) -> None:
    """A request that takes a code was refused with `error`: charge the address's budget if
    the refusal could come from guessing."""
    if not limiter.enabled or error.code not in CODE_FAILURES:
        return
    if is_near_miss(db.session, conference, code_text):
        return
    for window, _failed_before in g.get("code_windows") or [(w, True) for w in _windows()]:
        limiter.storage.incr(_failures(window), window.period)


def note_ballot() -> None:
    """A new ballot was cast from the address: more allowance where it has failed before."""
    if not limiter.enabled:
        return
    for window, failed_before in g.get("code_windows") or []:
        if failed_before:
            limiter.storage.incr(_ballots(window), window.period)
