"""Receipts that survive a lost answer, with no link from a code to a ballot.

The tracker a ballot will carry is drawn when the ballot page is served and travels in the
form with a tag, an HMAC over (conference, code, tracker): only the holder of the code who
was served that page can claim that tracker, and nobody can choose one. When a cast is
refused because the code is already spent (or the vote has closed since), a ballot carrying
the claimed tracker is that voter's own ballot, stored by an attempt whose answer never
arrived (a killed worker, a proxy's 502, a reload): they get the same receipt again instead
of "code spent". The database keeps what it kept before, a spent code and a ballot with its
tracker, and nothing that joins the two.
"""
import hashlib
import hmac
from typing import NamedTuple

from sqlalchemy import select

from tinnhiem.platform.config import derived_key
from tinnhiem.platform.errors import ServiceError
from tinnhiem.tally.models import Ballot
from tinnhiem.voting import casting
from tinnhiem.voting.codes import ALPHABET, code_digest, normalize_code
from tinnhiem.voting.models import CodeState

TAG_PURPOSE = b"tinnhiem receipt tag"
TAG_LENGTH = 32  # hex digits: 128 bits
HEX = frozenset("0123456789abcdef")
# What a retry may meet once its ballot is stored: the code spent, or the vote closed since.
AFTER_STORED = ("code_spent", "vote_closed")


class Claim(NamedTuple):
    """What the ballot page carries in hidden fields."""
    tracker: str
    tag: str


class Receipt(NamedTuple):
    tracker: str
    repeated: bool  # stored by an earlier attempt whose answer was lost


def _tag(conference, code: str, tracker: str) -> str:
    # The conference id is 16 bytes, the code and the tracker of fixed length: unambiguous.
    message = b"|".join((conference.conference_id.bytes, code.encode(), tracker.encode()))
    key = derived_key(None, TAG_PURPOSE)
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:TAG_LENGTH]


def _tracker(text) -> str | None:
    """A tracker as sent back (its display form forgiven), or None if it cannot be one."""
    if not isinstance(text, str):
        return None
    tracker = text.strip().upper().replace("-", "")
    if len(tracker) != casting.TRACKER_LENGTH or any(ch not in ALPHABET for ch in tracker):
        return None
    return tracker


def claimed_tracker(conference, code_text, tracker_text, tag_text) -> str | None:
    """The tracker the form claims, if its tag proves it was drawn for this code here."""
    code, tracker = normalize_code(code_text), _tracker(tracker_text)
    if code is None or tracker is None or not isinstance(tag_text, str):
        return None
    tag = tag_text.strip().lower()
    if len(tag) != TAG_LENGTH or not HEX.issuperset(tag):
        return None
    return tracker if hmac.compare_digest(_tag(conference, code, tracker), tag) else None


def claim_for(conference, code: str, tracker_text=None, tag_text=None) -> Claim:
    """The claim a ballot page carries: the one it came back with (from review to the ballot
    and on), else a fresh tracker, so that every page of one attempt claims the same one."""
    tracker = (claimed_tracker(conference, code, tracker_text, tag_text)
               or casting.new_tracker())
    return Claim(casting.display_tracker(tracker), _tag(conference, code, tracker))


def _stored(session, conference, code_text, tracker: str) -> bool:
    state = casting.code_state(session, conference,
                               code_digest(conference.conference_id, normalize_code(code_text)))
    return state == CodeState.SPENT and session.scalar(select(Ballot.id).where(
        Ballot.conference_id == conference.conference_id, Ballot.origin == "electronic",
        Ballot.tracker == tracker)) is not None


def cast_or_recall(session, conference, code_text, values: dict, tracker_text=None,
                   tag_text=None) -> Receipt:
    """Cast with the claimed tracker; or, when this very ballot was stored by an earlier
    attempt, the same receipt again. A missing or forged claim casts with a fresh tracker
    (a form served before claims existed), and on a spent code is refused as ever."""
    claimed = claimed_tracker(conference, code_text, tracker_text, tag_text)
    try:
        ballot = casting.cast_ballot(session, conference, code_text, values, tracker=claimed)
    except ServiceError as refusal:
        if claimed and refusal.code in AFTER_STORED and _stored(session, conference,
                                                                 code_text, claimed):
            return Receipt(claimed, repeated=True)
        raise
    return Receipt(ballot.tracker, repeated=False)
