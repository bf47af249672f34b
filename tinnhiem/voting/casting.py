"""Casting an electronic ballot with a one-time code.

Casting is one transaction: spend the code with `UPDATE … WHERE state = 'unused'` (only the
first of any number of concurrent submissions changes a row) and insert the ballot, which
carries a random id and tracker and nothing that points back at the code. Nothing here logs,
audits or timestamps a vote. The caller commits.

A cast that succeeds does the least the rules allow: the people on the ballot come from a
per-worker cache (the list is frozen before a vote opens and never changes again), the one
UPDATE also checks that the vote is open and says whether the code was spent (RETURNING),
and the ballot and its marks are two multi-row inserts; no row is read. Anything else (an
unknown or spent code, a closed vote, a wrong row) goes the careful way, which reads the
conference and the code and refuses in the same order and words as ever.

Casting takes a conference or a voter's place (tenants.voter_scope.VoterPlace): anything
with `conference_id`, `province_id` and `unit_id`.
"""
import secrets
import uuid
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update

from tinnhiem.conferences.lifecycle import EDITABLE, PREPARING, State
from tinnhiem.conferences.models import Conference, Nominee
from tinnhiem.conferences.services import ballot_nominees, get_conference
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.worker_cache import worker_cache
from tinnhiem.tally.models import VALID_MARKS, Ballot, BallotMark
from tinnhiem.tenants.scope import checked_rows, insert_rows
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
        VoteCode.conference_id == conference.conference_id,
        VoteCode.digest == code_digest(conference.conference_id, code)))


def code_state(session, conference, digest: str) -> str | None:
    """The code's state as the database has it now (a column read: never the session's copy
    of a row an UPDATE has since changed)."""
    return session.scalar(select(VoteCode.state).where(
        VoteCode.conference_id == conference.conference_id, VoteCode.digest == digest))


def _code_row(session, conference, code_text) -> VoteCode:
    row = find_code(session, conference, code_text)
    if row is None:
        raise _unknown_code()
    return row


def _spent_code():
    return ServiceError("code_spent",
                        _l("Mã này đã được dùng để bỏ phiếu. Mỗi mã chỉ bỏ được một phiếu."),
                        field="code", status=409)


class VoterConference(NamedTuple):
    """What a voter's request reads of its conference (every page shows it and checks its
    state), with the state of the code the voter typed: None when no code of the conference
    matched (or none was given)."""
    id: uuid.UUID
    province_id: uuid.UUID
    unit_id: uuid.UUID
    status: str
    published: bool
    title: str
    held_on: object
    template_id: uuid.UUID | None
    code_state: str | None

    @property
    def conference_id(self) -> uuid.UUID:
        return self.id


def _voter_read_statement():
    conferences, codes = Conference.__table__, VoteCode.__table__
    owner = (bindparam("province"), bindparam("unit"))
    code_state = select(codes.c.state).where(
        codes.c.conference_id == conferences.c.id, codes.c.digest == bindparam("code_digest"),
        codes.c.province_id == owner[0], codes.c.unit_id == owner[1]).scalar_subquery()
    columns = [getattr(conferences.c, name) for name in VoterConference._fields[:-1]]
    return select(*columns, code_state.label("code_state")).where(
        conferences.c.id == bindparam("conference"), conferences.c.province_id == owner[0],
        conferences.c.unit_id == owner[1])


# Built once, like _SPEND: a voter's page read its conference and then the code through the
# ORM (two statements, each with the scope's criteria made anew), a third of a page's Python.
_VOTER_READ = _voter_read_statement()


def read_for_voter(session, place, code_text=None) -> VoterConference | None:
    """`place`'s conference and the state of the code typed, in one statement, the owner
    terms checked against the bound scope first (tenants.checked_rows)."""
    owner = _checked_place(session, place)
    code = normalize_code(code_text)
    row = session.connection().execute(_VOTER_READ, {
        "conference": owner["conference_id"], "province": owner["province_id"],
        "unit": owner["unit_id"],
        "code_digest": None if code is None else code_digest(place.conference_id, code)}).first()
    return None if row is None else VoterConference(*row)


def check_code(conference: VoterConference, code_text) -> str:
    """The code, normalised, if it may still vote in `conference` as read_for_voter read it
    with that code (nothing is spent): a closed vote before a malformed code, before an
    unknown one, before a spent one."""
    require_open(conference)
    code = require_code(code_text)
    if conference.code_state is None:
        raise _unknown_code()
    if conference.code_state != CodeState.UNUSED:
        raise _spent_code()
    return code


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


class Person(NamedTuple):
    """One person on a frozen ballot, as casting and the voter's pages need them."""
    id: uuid.UUID
    full_name: str
    post: str
    report_name: str | None
    key: str  # the id as the ballot's form names it (its text, made once, not per page)


class Cast(NamedTuple):
    """A ballot just stored: its id and the tracker its receipt shows."""
    id: uuid.UUID
    tracker: str


def _frozen() -> dict:
    """Conference id -> the people on its frozen ballot (a tuple of Person)."""
    return worker_cache("frozen_ballots", 5_000)


def frozen_ballot(session, place) -> tuple[Person, ...]:
    """The people on the ballot of `place`'s conference. Read once per worker when the
    ballot is frozen (past a draft: the list can no longer change), every time before."""
    people = _frozen().get(place.conference_id)
    if people is not None:
        return people
    conference = get_conference(session, place.conference_id)
    if conference is None:
        return ()
    people = tuple(Person(n.id, n.full_name, n.post, n.report_name, str(n.id))
                   for n in ballot_nominees(session, conference))
    if conference.status not in EDITABLE:
        _frozen()[conference.id] = people
    return people


def _checked_place(session, place) -> dict:
    """The owner terms of a Core statement on `place`'s codes, checked against the bound
    scope as a new row's are (tenants.checked_rows): the ORM's criteria never see it."""
    return checked_rows(session, VoteCode, [{
        "conference_id": place.conference_id, "province_id": place.province_id,
        "unit_id": place.unit_id}])[0]


def _spend_statement():
    codes, conferences = VoteCode.__table__, Conference.__table__
    # Parameter names other than the columns' (an UPDATE reserves those for its SET).
    owner = (bindparam("province"), bindparam("unit"))

    def owned_by(table):
        return (table.c.province_id == owner[0], table.c.unit_id == owner[1])

    vote_open = select(conferences.c.id).where(
        conferences.c.id == bindparam("conference"), conferences.c.status == State.OPEN,
        *owned_by(conferences)).exists()
    return (update(codes)
            .where(codes.c.conference_id == bindparam("conference"),
                   codes.c.digest == bindparam("code_digest"), codes.c.state == CodeState.UNUSED,
                   *owned_by(codes), vote_open)
            .values(state=CodeState.SPENT)
            .returning(codes.c.id))


# Core, built once, run on the transaction's connection: the ORM's per-statement work (its
# scope criteria included) was a third of a cast's Python. The owner terms the criteria
# would add are written in, checked against the bound scope as a new row's are
# (tenants.checked_rows); PostgreSQL's policies apply as to any statement.
_SPEND = _spend_statement()


def _spend_code(session, place, digest: str) -> bool:
    """Spend the code if it is unused and the vote is open, in one statement."""
    owner = _checked_place(session, place)
    return session.connection().execute(_SPEND, {
        "conference": owner["conference_id"], "province": owner["province_id"],
        "unit": owner["unit_id"], "code_digest": digest}).first() is not None


def _store_ballot(session, place, choices: dict, tracker: str) -> Cast:
    ballot_id = uuid.uuid4()
    owner = {"province_id": place.province_id, "unit_id": place.unit_id}
    insert_rows(session, Ballot, [{"id": ballot_id, "conference_id": place.conference_id,
                                   "origin": "electronic", "tracker": tracker, **owner}])
    insert_rows(session, BallotMark, [
        {"ballot_id": ballot_id, "nominee_id": nominee_id, "mark": mark, **owner}
        for nominee_id, mark in choices.items()])
    return Cast(ballot_id, tracker)


def cast_ballot(session, place, code_text, values: dict, tracker: str | None = None) -> Cast:
    """Spend the code and record the ballot, or refuse with nothing written. `tracker`: the
    one drawn when the ballot page was served (see voting.receipts), else a new one."""
    code = normalize_code(code_text)
    try:
        choices = read_choices(frozen_ballot(session, place), values)
    except ServiceError:
        choices = None
    if code is None or choices is None or not _spend_code(
            session, place, code_digest(place.conference_id, code)):
        return _cast_carefully(session, place, code_text, values, tracker)
    return _store_ballot(session, place, choices, tracker or new_tracker())


def _cast_carefully(session, place, code_text, values: dict, tracker: str | None) -> Cast:
    """The way of a cast the quick way did not store: each rule checked in turn, so the
    refusal is the one the voter should see (a closed vote before a wrong row, a wrong row
    before the code); should nothing be wrong after all (the ballot was still a draft when
    first read), the ballot is stored."""
    conference = get_conference(session, place.conference_id)
    if conference is None:
        raise _unknown_code()
    require_open(conference)
    choices = read_choices(ballot_nominees(session, conference), values)
    digest = _code_row(session, conference, code_text).digest
    if not _spend_code(session, conference, digest):
        # Voided by a close that committed while this vote waited for the code's row.
        voided = code_state(session, conference, digest) == CodeState.VOID
        raise _vote_closed() if voided else _spent_code()
    _frozen().pop(conference.id, None)
    return _store_ballot(session, conference, choices, tracker or new_tracker())


def display_tracker(tracker: str) -> str:
    return f"{tracker[:4]}-{tracker[4:]}"
