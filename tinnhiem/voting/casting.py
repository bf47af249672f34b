"""Casting an electronic ballot with a one-time code.

Casting is one transaction: spend the code with `UPDATE … WHERE state = 'unused'` (only the
first of any number of concurrent submissions changes a row) and insert the ballot, which
carries a random id and tracker and nothing that points back at the code. Nothing here logs,
audits or timestamps a vote. The caller commits.
"""
import secrets
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from tinnhiem.conferences.lifecycle import PREPARING, State
from tinnhiem.conferences.models import Conference, Nominee
from tinnhiem.conferences.services import ballot_nominees
from tinnhiem.platform.errors import ServiceError
from tinnhiem.tally.models import VALID_MARKS, Ballot, BallotMark
from tinnhiem.voting.codes import ALPHABET, code_digest, normalize_code, require_code
from tinnhiem.voting.models import CodeState, Poll, VoteCode

TRACKER_LENGTH = 8


def find_poll(session, slug) -> Poll | None:
    if not isinstance(slug, str) or len(slug) > 16:
        return None
    return session.scalar(select(Poll).where(Poll.slug == slug.upper()))


def require_open(conference: Conference) -> None:
    if conference.status == State.OPEN:
        return
    if conference.status in PREPARING:
        raise ServiceError("vote_not_open", _l("Hội nghị chưa bắt đầu bỏ phiếu."), status=409)
    if conference.status == State.SUSPENDED:
        raise ServiceError("vote_suspended", _l(
            "Cuộc bỏ phiếu đang tạm dừng: dữ liệu đã được khôi phục từ bản sao lưu. Không mã"
            " nào được bỏ phiếu; hãy chờ hướng dẫn của ban tổ chức hội nghị."), status=409)
    raise _vote_closed()


def _vote_closed():
    return ServiceError("vote_closed", _l("Cuộc bỏ phiếu này đã kết thúc; không nhận thêm phiếu."),
                        status=409)


def _unknown_code():
    return ServiceError("code_unknown",
                        _l("Mã bỏ phiếu không đúng. Hãy kiểm tra lại mã in trên phiếu được phát."),
                        field="code", status=422)


def find_code(session, conference, code_text) -> VoteCode | None:
    """The conference's code row for what the voter typed, if there is one; what cannot be a
    code at all is refused as such (codes.require_code)."""
    code = require_code(code_text)
    return session.scalar(select(VoteCode).where(
        VoteCode.conference_id == conference.id,
        VoteCode.digest == code_digest(conference.id, code)))


def code_state(session, conference, digest: str) -> str | None:
    """The code's state as the database has it now (a column read: never the session's copy
    of a row an UPDATE has since changed)."""
    return session.scalar(select(VoteCode.state).where(
        VoteCode.conference_id == conference.id, VoteCode.digest == digest))


def _code_row(session, conference, code_text) -> VoteCode:
    row = find_code(session, conference, code_text)
    if row is None:
        raise _unknown_code()
    return row


def _spent_code():
    return ServiceError("code_spent",
                        _l("Mã này đã được dùng để bỏ phiếu. Mỗi mã chỉ bỏ được một phiếu."),
                        field="code", status=409)


def check_code(session, conference: Conference, code_text) -> str:
    """The code, normalised, if it may still vote in this conference (nothing is spent)."""
    require_open(conference)
    row = _code_row(session, conference, code_text)
    if row.state != CodeState.UNUSED:
        raise _spent_code()
    return normalize_code(code_text)


def read_choices(nominees: list[Nominee], values: dict) -> dict:
    """nominee id -> "high" / "confidence" / "low", or "blank" for a row left unmarked.
    `values` maps a nominee id (as text) to what was chosen; anything else is refused."""
    known = {str(n.id): n for n in nominees}
    unknown = [key for key in values if key not in known]
    if unknown:
        raise ServiceError("unknown_nominee", _l("Phiếu có dòng không thuộc hội nghị này."),
                           field="choices")
    choices = {}
    for key, nominee in known.items():
        value = values.get(key)
        if value in (None, "", "blank"):
            choices[nominee.id] = "blank"
        elif value in VALID_MARKS:
            choices[nominee.id] = value
        else:
            raise ServiceError("invalid_choice",
                               _l("Lựa chọn cho %(name)s không hợp lệ.", name=nominee.full_name),
                               field="choices")
    return choices


def new_tracker() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(TRACKER_LENGTH))


def cast_ballot(session, conference: Conference, code_text, values: dict,
                tracker: str | None = None) -> Ballot:
    """Spend the code and record the ballot, or refuse with nothing written. `tracker`: the
    one drawn when the ballot page was served (see voting.receipts), else a new one."""
    require_open(conference)
    choices = read_choices(ballot_nominees(session, conference), values)
    digest = _code_row(session, conference, code_text).digest
    spent = session.execute(
        update(VoteCode)
        .where(VoteCode.conference_id == conference.id, VoteCode.digest == digest,
               VoteCode.state == CodeState.UNUSED)
        .values(state=CodeState.SPENT)
        .execution_options(synchronize_session=False))
    if spent.rowcount != 1:
        # Voided by a close that committed while this vote waited for the code's row.
        voided = code_state(session, conference, digest) == CodeState.VOID
        raise _vote_closed() if voided else _spent_code()
    ballot = Ballot(id=uuid.uuid4(), conference_id=conference.id, origin="electronic",
                    tracker=tracker or new_tracker(), province_id=conference.province_id,
                    unit_id=conference.unit_id)
    session.add(ballot)
    session.add_all(BallotMark(ballot_id=ballot.id, nominee_id=nominee_id, mark=mark,
                               province_id=conference.province_id, unit_id=conference.unit_id)
                    for nominee_id, mark in choices.items())
    session.flush()
    return ballot


def display_tracker(tracker: str) -> str:
    return f"{tracker[:4]}-{tracker[4:]}"
