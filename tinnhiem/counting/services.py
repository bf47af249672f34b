"""Counting a sealed conference, certifying and publishing its results.

closed (sealed) → count → counted → two distinct counters confirm → certified → published.
Counting re-reads the sealed ballots (or the accepted paper sheet), checks them against the
seal and the balances of DESIGN.md, and records one result row per person. Certified results
are never edited: a mistake is corrected by annulling the conference (with a reason, audited)
and counting again in a new one. The caller commits.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from blinker import ANY
from sqlalchemy import select, update

from tinnhiem.conferences.lifecycle import (ANNUL, CERTIFY, COUNT, State, audit_conference,
                                            conference_created, conference_moved,
                                            lock_conference, require_move, transition)
from tinnhiem.conferences.models import Conference, Nominee
from tinnhiem.conferences.services import ballot_nominees
from tinnhiem.counting import rollup_counts, rollup_progress
from tinnhiem.counting.bands import SEVERITY, band, shares, sort_share, tenth
from tinnhiem.counting.models import Certification, Result
from tinnhiem.platform.auth.models import Account
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.collation import person_sort_key
from tinnhiem.platform.errors import ServiceError
from tinnhiem.rounds.models import utc_now
from tinnhiem.rounds.services import round_created
from tinnhiem.tally.recount import check_balances, recount
from tinnhiem.voting.casting import find_code
from tinnhiem.voting.codes import code_counts
from tinnhiem.voting.models import CodeState

CERTIFIERS_NEEDED = 2


@dataclass
class PersonResult:
    """A result row as it is reported: counts, shares of the ballots collected, band."""

    nominee: Nominee
    result: Result

    @property
    def shares(self) -> dict:
        return shares(self.result)

    @property
    def band(self) -> str:
        return band(self.result.low, self.result.collected)


def count(session, actor, conference: Conference) -> list[Result]:
    """Record the results of a sealed conference (closed → counted), read again from what was
    sealed and checked against the balances."""
    results = []

    def record_results():
        figures = recount(session, conference)
        if figures.collected == 0:
            # No share of nothing: with no ballot there is no figure and no band to report.
            raise ServiceError(
                "nothing_to_count",
                _l("Không có phiếu nào được thu về nên không có kết quả để kiểm: không tính tỷ"
                   " lệ, không xếp mức tín nhiệm. Hãy hủy hội nghị (ghi rõ lý do) và tổ chức lại"
                   " nếu cần."), status=409)
        codes = code_counts(session, conference) if conference.mode == "electronic" else None
        check_balances(conference, figures, codes)
        people = {n.id: n for n in ballot_nominees(session, conference)}
        results.extend(_result_row(conference, people[nominee_id], person, figures.collected)
                       for nominee_id, person in figures.people.items())
        session.add_all(results)
        return {"collected": figures.collected, "issued": conference.ballots_issued,
                "digest": conference.seal_digest}

    transition(session, actor, conference, COUNT, record_results)
    return results


def _result_row(conference, nominee, person, collected) -> Result:
    level = band(person.low, collected)
    return Result(
        conference_id=conference.id, nominee_id=nominee.id, province_id=conference.province_id,
        unit_id=conference.unit_id, issued=conference.ballots_issued, collected=collected,
        **person.as_dict(), round_id=conference.round_id, category_id=nominee.category_id,
        full_name=nominee.full_name, post=nominee.post, cadre_code=nominee.cadre_code,
        band=level, severity=SEVERITY[level], low_share=sort_share(person.low, collected),
        high_tenth=tenth(person.high, collected),
        confidence_tenth=tenth(person.confidence, collected),
        low_tenth=tenth(person.low, collected))


def results_of(session, conference) -> list[PersonResult]:
    """The recorded results in ballot order."""
    rows = {r.nominee_id: r for r in session.scalars(
        select(Result).where(Result.conference_id == conference.id))}
    return [PersonResult(n, rows[n.id]) for n in ballot_nominees(session, conference)
            if n.id in rows]


def certifiers(session, conference) -> list:
    """The counters who confirmed the count, listed as Vietnamese lists list people (a few at
    most: sorted here, not by the database's code-point order)."""
    return sorted(session.scalars(
        select(Account).join(Certification, Certification.counter_id == Account.id)
        .where(Certification.conference_id == conference.id)),
        key=lambda account: person_sort_key(account.full_name))


def certify(session, actor, conference) -> Conference:
    """A counter confirms the count; the second distinct counter certifies it."""
    lock_conference(session, conference)
    require_move(conference, actor, CERTIFY)
    confirmed = session.scalar(select(Certification.id).where(
        Certification.conference_id == conference.id, Certification.counter_id == actor.id))
    if confirmed is not None:
        raise ServiceError("already_confirmed",
                           _l("Bạn đã xác nhận rồi; cần một thành viên khác của Ban kiểm phiếu."),
                           status=409)
    session.add(Certification(conference_id=conference.id, counter_id=actor.id,
                              province_id=conference.province_id, unit_id=conference.unit_id))
    session.flush()
    done = len(certifiers(session, conference))
    audit_conference(session, actor, "conference.confirmed", conference, confirmations=done)
    if done >= CERTIFIERS_NEEDED:
        transition(session, actor, conference, CERTIFY,
                   lambda: mark_certified(session, conference, True),
                   digest=conference.seal_digest)
        conference.certified_at = utc_now()
    return conference


def mark_certified(session, conference, certified: bool) -> None:
    """Put the conference's results into the province's roll-up, or take them out (on
    annulment); nothing else about them changes. The roll-up's counts of the conference
    follow in the same statement order and transaction: read from the rows just flagged, or
    deleted with them."""
    session.flush()
    session.execute(update(Result).where(Result.conference_id == conference.id)
                    .values(certified=certified).execution_options(synchronize_session=False))
    rollup_counts.forget(session, conference.id)  # never counted twice
    if certified:
        rollup_counts.record(session, [conference.id])


@conference_moved.connect_via(ANNUL, weak=False)
def _leave_rollup_on_annulment(_move, *, session, conference, actor) -> None:
    """An annulled conference's results stay as they were but leave the roll-up; its unit's
    progress follows (once its counts are gone)."""
    mark_certified(session, conference, False)
    _progress_moved(None, session=session, conference=conference)


@conference_created.connect_via(None, weak=False)
@conference_moved.connect_via(CERTIFY, weak=False)
def _progress_moved(_sender, *, session, conference, **_) -> None:
    """The unit's progress in the round, rewritten in the transaction that changed it. Only
    creation, certification and annulment change a unit's stage, due date or certified
    people; the other moves keep a conference "in progress"."""
    rollup_progress.refresh(session, conference.round_id, conference.unit_id)


@round_created.connect_via(ANY, weak=False)
def _progress_of_a_new_round(round_, *, session) -> None:
    """Every participating unit starts the round not started."""
    rollup_progress.rebuild(session, round_.id)


# What leaves the unit once published ---------------------------------------------------------

def is_published(conference) -> bool:
    return conference.published and conference.status == State.CERTIFIED


def require_voter_access(session, conference, code_text) -> None:
    """A voter sees the results of their own conference, once published, with the code they
    voted with (a code never used says nothing about who holds it)."""
    if not is_published(conference):
        raise ServiceError("not_published", _l("Kết quả chưa được công bố."), status=409)
    code = find_code(session, conference, code_text)
    if code is None or code.state != CodeState.SPENT:
        raise ServiceError("code_not_used",
                           _l("Mã này chưa được dùng để bỏ phiếu trong hội nghị này."),
                           field="code", status=422)


def normalize_tracker(text) -> str:
    return "".join(ch for ch in str(text or "").upper() if ch.isalnum())[:12]


def publish(session, actor, conference) -> Conference:
    """Let the conference's voters and the people voted on see the certified results."""
    lock_conference(session, conference)
    if actor is None or actor.role != Role.UNIT_ADMIN:
        raise ServiceError("not_unit_admin", _l("Chỉ quản trị đơn vị công bố kết quả."),
                           status=403)
    if conference.status != State.CERTIFIED:
        raise ServiceError("not_certified", _l("Chỉ công bố kết quả đã được chứng nhận."),
                           status=409)
    if not conference.published:
        conference.published = True
        session.flush()
        audit_conference(session, actor, "conference.published", conference)
    return conference
