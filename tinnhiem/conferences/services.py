"""A conference: its details, attendance and quorum, the people on its ballot, and the
moves that prepare and open it or annul it (their rules: conferences.lifecycle). The caller
commits."""
import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from tinnhiem.conferences.lifecycle import (ANNUL, EDITABLE, MARK_READY, OPEN, SUSPEND, State,
                                            audit_conference, conference_created, status_label,
                                            transition)
from tinnhiem.conferences.models import MODES, Conference, Nominee, SummonedVoter
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.errors import ServiceError
from tinnhiem.platform.inputs import as_uuid, optional_text, required_text
from tinnhiem.rounds.models import BallotTemplate, Round, RoundUnit
from tinnhiem.tenants.services import get_unit, require_active_on

def quorum_met(present: int, summoned: int) -> bool:
    """At least two thirds of those summoned are present, decided on integers."""
    return summoned > 0 and 3 * present >= 2 * summoned


def quorum_needed(summoned: int) -> int:
    return -(-2 * summoned // 3)  # the smallest n with 3n >= 2 * summoned


def list_conferences(session, round_id=None) -> list[Conference]:
    query = select(Conference).order_by(Conference.held_on.desc(), Conference.title)
    if round_id is not None:
        query = query.where(Conference.round_id == round_id)
    return list(session.scalars(query))


def get_conference(session, conference_id) -> Conference | None:
    return session.scalar(select(Conference).where(Conference.id == conference_id))


def _round_for_unit(session, round_id, unit_id) -> Round:
    round_ = session.scalar(select(Round).where(Round.id == as_uuid(round_id, "round_id")))
    takes_part = round_ is not None and session.scalar(
        select(RoundUnit.id).where(RoundUnit.round_id == round_.id, RoundUnit.unit_id == unit_id))
    if not takes_part:
        raise ServiceError("unknown_round", _l("Đơn vị không tham gia đợt lấy phiếu này."),
                           field="round_id")
    return round_


def _details(data: dict) -> dict:
    held_on = data.get("held_on")
    if not isinstance(held_on, dt.date):
        raise ServiceError("required", _l("Ngày họp là bắt buộc."), field="held_on")
    mode = data.get("mode") or "electronic"
    if mode not in MODES:
        raise ServiceError("invalid_mode", _l("Hình thức bỏ phiếu không hợp lệ."), field="mode")
    return {"title": required_text(data.get("title"), "title", 255), "held_on": held_on,
            "place": optional_text(data.get("place"), "place", 255),
            "voting_body": optional_text(data.get("voting_body"), "voting_body", 255),
            "mode": mode}


def _require_unit_active(session, unit_id, held_on) -> None:
    unit = get_unit(session, unit_id)
    if unit is not None:  # outside the scope the round check has refused already
        require_active_on(unit, held_on, "held_on")


def create_conference(session, actor, unit_id, data: dict) -> Conference:
    round_ = _round_for_unit(session, data.get("round_id"), unit_id)
    details = _details(data)
    _require_unit_active(session, unit_id, details["held_on"])
    conference = Conference(province_id=round_.province_id, round_id=round_.id, unit_id=unit_id,
                            status=State.DRAFT, **details)
    session.add(conference)
    session.flush()
    audit_conference(session, actor, "conference.created", conference, title=conference.title)
    conference_created.send(None, session=session, conference=conference)
    return conference


def require_editable(conference: Conference) -> None:
    if conference.status not in EDITABLE:
        raise ServiceError(
            "not_editable",
            _l("Hội nghị đã chốt danh sách (trạng thái: %(s)s); không thể sửa.",
               s=status_label(conference.status)),
            status=409)


def update_conference(session, actor, conference: Conference, data: dict) -> Conference:
    require_editable(conference)
    details = _details({**conference_details(conference), **data})
    if details["held_on"] != conference.held_on:
        _require_unit_active(session, conference.unit_id, details["held_on"])
    for name, value in details.items():
        setattr(conference, name, value)
    session.flush()
    audit_conference(session, actor, "conference.updated", conference)
    return conference


def conference_details(conference: Conference) -> dict:
    return {"title": conference.title, "held_on": conference.held_on, "place": conference.place,
            "voting_body": conference.voting_body, "mode": conference.mode}


# Attendance and quorum ---------------------------------------------------------------------

def voter_counts(session, conference: Conference) -> tuple[int, int, bool]:
    """(summoned, present, has a list of names). With a list, the list decides."""
    listed = session.scalar(select(func.count(SummonedVoter.id))
                            .where(SummonedVoter.conference_id == conference.id))
    if listed:
        present = session.scalar(select(func.count(SummonedVoter.id)).where(
            SummonedVoter.conference_id == conference.id, SummonedVoter.present.is_(True)))
        if conference.present_count is not None and not present:
            present = conference.present_count
        return listed, present, True
    return conference.summoned_count or 0, conference.present_count or 0, False


# The ballot and the moves ---------------------------------------------------------------

def ballot_nominees(session, conference: Conference) -> list[Nominee]:
    return list(session.scalars(select(Nominee).where(
        Nominee.conference_id == conference.id, Nominee.exemption.is_(None))
        .order_by(Nominee.ballot_order, Nominee.full_name)))


def mark_ready(session, actor, conference: Conference) -> None:
    """Freeze the ballot: the people on it and the template version it is printed from
    (locked, so the province cannot edit that version at the same moment)."""
    def freeze():
        if not ballot_nominees(session, conference):
            raise ServiceError("empty_ballot", _l("Chưa có người nào trên phiếu."), status=409)
        summoned, _present, _listed = voter_counts(session, conference)
        if summoned <= 0:
            raise ServiceError("no_voters", _l("Chưa có số người được triệu tập."), status=409)
        round_ = session.scalar(select(Round).where(Round.id == conference.round_id))
        template = session.scalar(select(BallotTemplate).where(
            BallotTemplate.id == round_.template_id).with_for_update())
        template.frozen = True
        conference.template_id = template.id
        return {"template_version": template.version}

    transition(session, actor, conference, MARK_READY, freeze)


def open_vote(session, actor, conference: Conference) -> None:
    """Open the vote: refused without quorum (3 × present ≥ 2 × summoned)."""
    def check_quorum():
        summoned, present, _listed = voter_counts(session, conference)
        if present > summoned:
            raise ServiceError("attendance_mismatch",
                               _l("Số có mặt (%(p)d) lớn hơn số được triệu tập (%(s)d); hãy điểm"
                                  " danh lại.", p=present, s=summoned), field="present_count",
                               status=409)
        if not quorum_met(present, summoned):
            raise ServiceError(
                "no_quorum",
                _l("Chưa đủ số lượng: có mặt %(p)d/%(s)d người, cần ít nhất %(n)d (2/3 số được"
                   " triệu tập). Chưa thể bắt đầu bỏ phiếu.", p=present, s=summoned,
                   n=quorum_needed(summoned)),
                field="present_count", status=409)
        return {"summoned": summoned, "present": present}

    transition(session, actor, conference, OPEN, check_quorum)


def annul(session, actor, conference: Conference, reason: str) -> None:
    """Annul with a reason, at any stage: also how a certified result is corrected (its rows
    stay as they were but leave the province's roll-up, which counting does on the signal;
    a new conference counts again). Locked and re-read by the transition: a certification
    committed since this request loaded the conference is seen and taken out."""
    reason = required_text(reason, "reason", 1000)

    def record_reason():
        conference.annul_reason = reason
        return {"reason": reason}

    transition(session, actor, conference, ANNUL, record_reason)


def suspended_by_backup_at(session, conference: Conference) -> str | None:
    """For a suspended vote: when the backup it was restored from was taken (UTC, ISO 8601),
    as the audit entry of the suspension recorded it; None for any other state."""
    if conference.status != State.SUSPENDED:
        return None
    details = session.scalar(select(AuditEntry.details).where(
        AuditEntry.action == SUSPEND.audit, AuditEntry.target == str(conference.id))
        .order_by(AuditEntry.id.desc()).limit(1))
    return (details or {}).get("backup_created_at")
