"""Follow-up of the low bands, in the services: who is listed, what each state needs, the
deadlines and overdue flags, the round's deadline, the audit, and results left untouched."""
import datetime as dt

import pytest
from sqlalchemy import select

from tinnhiem.counting.models import Result
from tinnhiem.followup import services
from tinnhiem.followup.models import FollowUp, FollowUpStep
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.errors import ServiceError
from tinnhiem.rounds import services as rounds
from tinnhiem.tenants.services import today
from tests.factories import rows
from tests.followup_world import followup_world
from tests.snapshots import snapshot

TODAY = today()


@pytest.fixture(autouse=True)
def _one_day(monkeypatch):
    """The module's dates are worked out once, when it is collected: the follow-up's today
    is held at that day, should the run cross midnight in Vietnam (17:00 UTC)."""
    monkeypatch.setattr(services, "vietnam_today", lambda: TODAY)


@snapshot
def world(make):
    return followup_world(make)


def step(make, world, result, data, account=None, on=None):
    """Record `data` about `result` as the province admin (or `account`), on day `on`."""
    return make.as_account(account or world.admin_a, lambda s, a: services.record_step(
        s, a, rounds.get_round(s, world.round.id), result.id, data, today=on))


def read(make, world, fn, account=None):
    return make.as_account(account or world.admin_a, lambda s, _a: fn(s))


def decided(**changes):
    return {"state": "decided", "action": "relieved", "decision_number": "125-QĐ/TU",
            "decision_date": TODAY - dt.timedelta(days=1), **changes}


def test_the_low_bands_of_certified_results_are_listed_pending(make, world):
    """Two thirds low first, then over half low in given-name order; never the normal band
    or a result not certified; nobody has a row yet and nothing is overdue."""
    people = read(make, world, lambda s: services.people(s, world.round.id))
    assert [(p.full_name, p.band, p.state, p.deadline, p.overdue) for p in people] == [
        ("Nguyễn Văn An", "two_thirds_low", "pending", None, False),
        ("Trần Thị Bình", "over_half_low", "pending", None, False),
        ("Phạm Văn Dũng", "over_half_low", "pending", None, False)]
    assert rows(make, FollowUp) == []
    counts = read(make, world, lambda s: services.status_counts(s, world.round.id))
    assert counts == {"pending": 3, "in_progress": 0, "decided": 0, "no_action": 0,
                      "overdue": 0}


def test_a_unit_admin_reads_only_its_own_people(make, world):
    people = read(make, world, lambda s: services.people(s, world.round.id),
                  world.unit_admin_a2)
    assert [p.full_name for p in people] == ["Phạm Văn Dũng"]
    assert read(make, world, lambda s: services.status_counts(s, world.round.id),
                world.unit_admin_a2)["pending"] == 1


def test_a_deadline_passes_and_the_follow_up_is_overdue_until_decided(make, world):
    earlier = TODAY - dt.timedelta(days=30)
    step(make, world, world.an, {"state": "in_progress", "deadline": TODAY - dt.timedelta(days=1),
                                 "note": "Ban Tổ chức đang xem xét"}, on=earlier)
    step(make, world, world.binh, {"state": "pending", "deadline": TODAY}, on=earlier)
    late = read(make, world, lambda s: services.overdue(s, world.round.id, TODAY))
    assert [(p.full_name, p.state, p.overdue) for p in late] == [
        ("Nguyễn Văn An", "in_progress", True)]
    # the deadline day itself is not overdue; the day after it is
    tomorrow = TODAY + dt.timedelta(days=1)
    assert [p.full_name for p in read(make, world, lambda s: services.overdue(
        s, world.round.id, tomorrow))] == ["Nguyễn Văn An", "Trần Thị Bình"]
    counts = read(make, world, lambda s: services.status_counts(s, world.round.id))
    assert counts == {"pending": 2, "in_progress": 1, "decided": 0, "no_action": 0,
                      "overdue": 1}
    step(make, world, world.an, decided())
    counts = read(make, world, lambda s: services.status_counts(s, world.round.id, tomorrow))
    assert counts == {"pending": 2, "in_progress": 0, "decided": 1, "no_action": 0,
                      "overdue": 1}
    filtered = read(make, world, lambda s: services.people(
        s, world.round.id, services.Filters(state="decided")))
    assert [p.full_name for p in filtered] == ["Nguyễn Văn An"]


def test_each_state_keeps_what_it_needs_and_the_history_grows(make, world):
    step(make, world, world.an, {"state": "in_progress", "note": "Xem xét"})
    step(make, world, world.an, decided(action="transferred", note="Điều động về Sở"))
    step(make, world, world.binh, {"state": "no_action", "note": "Đã nghỉ hưu trước khi xét"})
    entry = read(make, world, lambda s: services.get_entry(s, world.round.id, world.an.id))
    steps = read(make, world, lambda s: services.steps_of(s, entry))
    assert [(x.state, x.action, x.decision_number) for x in steps] == [
        ("in_progress", None, None), ("decided", "transferred", "125-QĐ/TU")]
    assert steps[1].decision_date == TODAY - dt.timedelta(days=1)
    assert steps[1].actor_name == "Nguyễn Văn Thử"
    followup = rows(make, FollowUp, result_id=world.an.id)[0]
    assert (followup.state, followup.full_name, followup.cadre_code, followup.severity) == (
        "decided", "Nguyễn Văn An", "CB-AN", 0)
    assert rows(make, FollowUp, result_id=world.binh.id)[0].state == "no_action"


@pytest.mark.parametrize("data, code, field", [
    ({"state": "decided", "decision_number": "1-QĐ", "decision_date": TODAY}, "action_required",
     "action"),
    (decided(action="fired"), "action_required", "action"),
    (decided(decision_number=""), "required", "decision_number"),
    (decided(decision_number="1" * 61), "too_long", "decision_number"),
    (decided(decision_number="12\x01QĐ"), "invalid_characters", "decision_number"),
    (decided(decision_date=None), "decision_date_required", "decision_date"),
    (decided(decision_date="2025-02-30"), "invalid_date", "decision_date"),
    (decided(decision_date=TODAY + dt.timedelta(days=1)), "decision_date_future",
     "decision_date"),
    (decided(decision_date=dt.date(1999, 12, 31)), "decision_date_early", "decision_date"),
    (decided(action="other"), "note_required", "note"),
    (decided(deadline=TODAY), "deadline_closed", "deadline"),
    ({"state": "no_action"}, "reason_required", "note"),
    ({"state": "no_action", "note": "   "}, "reason_required", "note"),
    ({"state": "in_progress", "note": "x" * 2001}, "too_long", "note"),
    ({"state": "in_progress", "deadline": TODAY - dt.timedelta(days=1)}, "deadline_past",
     "deadline"),
    ({"state": "in_progress", "deadline": TODAY + dt.timedelta(days=5 * 365)},
     "deadline_too_far", "deadline"),
    ({"state": "pending"}, "nothing_recorded", "state"),
    ({"state": "archived"}, "invalid_state", "state"),
])
def test_a_step_missing_what_its_state_needs_is_refused(make, world, data, code, field):
    with pytest.raises(ServiceError) as refused:
        step(make, world, world.an, data)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert str(refused.value.message)  # a sentence for people
    assert rows(make, FollowUpStep) == []


def test_a_closed_follow_up_reopens_only_with_a_reason_and_never_to_pending(make, world):
    step(make, world, world.an, decided())
    for data, code in (({"state": "in_progress"}, "reason_required"),
                       ({"state": "pending", "note": "x"}, "cannot_return_to_pending")):
        with pytest.raises(ServiceError) as refused:
            step(make, world, world.an, data)
        assert refused.value.code == code
    step(make, world, world.an, {"state": "in_progress", "note": "Quyết định bị hủy"})
    assert rows(make, FollowUp, result_id=world.an.id)[0].state == "in_progress"


def test_only_the_province_admin_records(make, world):
    for account in (world.viewer_a, world.unit_admin_a1):
        with pytest.raises(ServiceError) as refused:
            step(make, world, world.an, {"state": "in_progress", "note": "x"}, account=account)
        assert (refused.value.code, refused.value.status) == ("forbidden", 403)
    with pytest.raises(ServiceError) as refused:  # a normal band, or not certified: nobody
        for person in (world.cuong, world.unfinished):
            step(make, world, person, {"state": "in_progress", "note": "x"})
    assert refused.value.status == 404
    assert rows(make, FollowUp) == []


def test_the_round_deadline_reaches_every_open_follow_up(make, world):
    step(make, world, world.an, decided())
    step(make, world, world.binh, {"state": "in_progress", "note": "Xem xét"})
    day = TODAY + dt.timedelta(days=14)
    updated = make.as_account(world.admin_a, lambda s, a: services.set_round_deadline(
        s, a, rounds.get_round(s, world.round.id), {"deadline": day}))
    assert updated == 2  # Bình (in progress) and Dũng (no row yet), not An (decided)
    deadlines = {f.full_name: (f.state, f.deadline) for f in rows(make, FollowUp)}
    assert deadlines == {"Nguyễn Văn An": ("decided", None),
                         "Trần Thị Bình": ("in_progress", day),
                         "Phạm Văn Dũng": ("pending", day)}
    dung = rows(make, FollowUp, result_id=world.dung.id)[0]
    assert [(s.state, s.deadline) for s in rows(make, FollowUpStep, followup_id=dung.id)] == [
        ("pending", day)]
    with pytest.raises(ServiceError) as refused:
        make.as_account(world.admin_a, lambda s, a: services.set_round_deadline(
            s, a, rounds.get_round(s, world.round.id), {"deadline": None}))
    assert refused.value.code == "required"


def test_every_step_is_audited(make, world):
    step(make, world, world.an, decided())
    make.as_account(world.admin_a, lambda s, a: services.set_round_deadline(
        s, a, rounds.get_round(s, world.round.id), {"deadline": TODAY}))
    entries = make._run(lambda s: list(s.scalars(select(AuditEntry).where(
        AuditEntry.action.like("followup.%")).order_by(AuditEntry.id))))
    assert [e.action for e in entries] == ["followup.step_recorded"] * 3 + [
        "followup.round_deadline_set"]
    first = entries[0]
    assert first.actor == world.admin_a.username and first.unit_id == world.a1.id
    assert first.details["state"] == "decided" and first.details["decision_number"] == "125-QĐ/TU"
    assert entries[-1].details == {"deadline": TODAY.isoformat(), "followups": 2}


def _results(make):
    return make._run(lambda s: sorted(
        tuple(getattr(r, c.key) for c in Result.__table__.columns)
        for r in s.scalars(select(Result))))


def test_certified_results_stay_untouched(make, world):
    before = _results(make)
    step(make, world, world.an, {"state": "in_progress", "deadline": TODAY, "note": "x"})
    step(make, world, world.an, decided())
    step(make, world, world.dung, {"state": "no_action", "note": "Lý do"})
    make.as_account(world.admin_a, lambda s, a: services.set_round_deadline(
        s, a, rounds.get_round(s, world.round.id), {"deadline": TODAY}))
    assert _results(make) == before


def test_the_first_step_of_two_admins_makes_one_follow_up(make, world, monkeypatch):
    """Two first steps at once: the second insert meets the unique key (unit, result) and
    takes the row the first made, so one follow-up holds both steps."""
    step(make, world, world.an, {"state": "in_progress", "note": "một"})
    real_find, calls = services._find, []

    def not_yet_seen(session, result, lock=False):
        calls.append(lock)
        return None if len(calls) == 1 else real_find(session, result, lock)

    monkeypatch.setattr(services, "_find", not_yet_seen)
    step(make, world, world.an, {"state": "in_progress", "note": "hai"})
    assert len(calls) == 2  # looked, inserted and was refused, looked again
    [followup] = rows(make, FollowUp, result_id=world.an.id)
    assert [s.note for s in rows(make, FollowUpStep, followup_id=followup.id)] in (
        ["một", "hai"], ["hai", "một"])
