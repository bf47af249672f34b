"""One-time voting codes: made, shown once, stored only as a keyed hash.

A code is 10 characters from a 32-letter alphabet without 0/O and 1/I (50 bits). With a few
hundred codes live in a conference, one guess succeeds with odds of about 1 in 2·10¹²;
the failure limit on the voting page keeps guessing to a trickle on top of that.
"""
import hashlib
import hmac
import secrets
import string

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from tinnhiem.conferences.lifecycle import ISSUING_CODES, audit_conference
from tinnhiem.conferences.services import voter_counts
from tinnhiem.platform.config import derived_key
from tinnhiem.platform.errors import ServiceError
from tinnhiem.voting.models import Poll, VoteCode

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10
SLUG_LENGTH = 8
MAX_BATCH = 2000
# What a voter may type that no code ever holds, named in the message for input that cannot be
# a code: "0, 1, I, O".
NEVER_USED = ", ".join(sorted(set(string.digits + string.ascii_uppercase) - set(ALPHABET)))


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    """Printed in two groups of five, easier to read out and to type."""
    return f"{code[:5]}-{code[5:]}"


def normalize_code(text) -> str | None:
    """What the voter typed, as a code: case, spaces and dashes forgiven; None if it cannot
    be one of ours."""
    if not isinstance(text, str):
        return None
    code = "".join(ch for ch in text.upper() if not ch.isspace() and ch != "-")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def require_code(text) -> str:
    """The code the voter typed, normalised; refused as such when it cannot be a code at all
    (it says nothing about any code, so the guessing budget does not count it)."""
    code = normalize_code(text)
    if code is None and (text is None or isinstance(text, str)
                         and not any(ch.isalnum() for ch in text)):  # spaces and dashes only
        raise ServiceError("code_missing", _l(
            "Hãy nhập mã bỏ phiếu in trên phiếu được phát cho bạn."), field="code", status=422)
    if code is None:
        raise ServiceError("code_malformed", _l(
            "Mã bỏ phiếu gồm %(n)d ký tự, chữ và số (chữ hoa hay chữ thường, dấu gạch ngang"
            " và khoảng trắng đều được). Mã không bao giờ có các ký tự %(never)s: hãy kiểm tra"
            " lại mã in trên phiếu được phát.", n=CODE_LENGTH, never=NEVER_USED),
            field="code", status=422)
    return code


def near_codes(code: str) -> set[str]:
    """The codes one typo away from `code`: one character replaced by another of the alphabet,
    or two adjacent characters swapped; at most 10·31 + 9 = 319."""
    near = {code[:i] + letter + code[i + 1:] for i in range(len(code))
            for letter in ALPHABET if letter != code[i]}
    near.update(code[:i] + code[i + 1] + code[i] + code[i + 2:] for i in range(len(code) - 1)
                if code[i] != code[i + 1])
    return near


def _code_key() -> bytes:
    return derived_key("VOTE_CODE_KEY", b"tinnhiem vote codes")


def code_digest(conference_id, code: str) -> str:
    """Keyed per conference: the same letters in another conference are another code."""
    return code_digests(conference_id, [code])[0]


def code_digests(conference_id, codes) -> list[str]:
    """code_digest of each code: the key derived and the conference hashed in once (a typo's
    319 neighbours take a third of the time that many separate HMACs would)."""
    keyed = hmac.new(_code_key(), conference_id.bytes, hashlib.sha256)
    digests = []
    for code in codes:
        digest = keyed.copy()
        digest.update(code.encode())
        digests.append(digest.hexdigest())
    return digests


def code_counts(session, conference) -> dict:
    rows = session.execute(select(VoteCode.state, func.count()).where(
        VoteCode.conference_id == conference.id).group_by(VoteCode.state)).all()
    counts = {"unused": 0, "spent": 0, "void": 0, **dict(rows)}
    counts["issued"] = counts["unused"] + counts["spent"] + counts["void"]
    return counts


def poll_for(session, conference) -> Poll:
    poll = session.scalar(select(Poll).where(Poll.conference_id == conference.id))
    if poll is None:
        poll = Poll(slug="".join(secrets.choice(ALPHABET) for _ in range(SLUG_LENGTH)),
                    conference_id=conference.id, province_id=conference.province_id,
                    unit_id=conference.unit_id)
        session.add(poll)
        session.flush()
    return poll


def issue_codes(session, actor, conference, count) -> list[str]:
    """Issue `count` more codes (each one a ballot issued) and return them in clear, the only
    time they exist outside a voter's hand. Never more codes than people summoned."""
    if conference.mode != "electronic":
        raise ServiceError("paper_conference",
                           _l("Hội nghị bỏ phiếu giấy: không dùng mã bỏ phiếu."), status=409)
    if conference.status not in ISSUING_CODES:
        raise ServiceError("not_issuing",
                           _l("Chỉ phát mã khi hội nghị đã chốt phiếu hoặc đang bỏ phiếu."),
                           status=409)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_BATCH:
        raise ServiceError("invalid_count",
                           _l("Số mã phải từ 1 đến %(n)d.", n=MAX_BATCH), field="count")
    summoned, _present, _listed = voter_counts(session, conference)
    issued = code_counts(session, conference)["issued"]
    if issued + count > summoned:
        raise ServiceError(
            "too_many_codes",
            _l("Đã phát %(i)d mã; phát thêm %(c)d sẽ vượt số người được triệu tập (%(s)d).",
               i=issued, c=count, s=summoned), field="count", status=409)
    poll_for(session, conference)
    codes = set()
    while len(codes) < count:
        codes.add(new_code())
    session.add_all(VoteCode(conference_id=conference.id, province_id=conference.province_id,
                             unit_id=conference.unit_id, digest=code_digest(conference.id, c))
                    for c in codes)
    session.flush()
    audit_conference(session, actor, "voting.codes_issued", conference, count=count,
                     issued_total=issued + count)
    return sorted(codes)  # sorted, so the order says nothing about the hash rows
