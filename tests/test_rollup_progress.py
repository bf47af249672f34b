"""Each participating unit's kept progress in a round (rollup_progress): written for every
unit when the round is created, rewritten when a conference is created, certified or
annulled, always what a recount of the conferences and certified results gives (through
open and close too), read by the dashboard, a unit's rows like the results they sum, and
filled by revision 0018 from what was already recorded."""
import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select, text

from tinnhiem.conferences.lifecycle import State
from tinnhiem.conferences.models import Conference
from tinnhiem.counting.bands import band
from tinnhiem.counting.models import (BAND_COLUMNS, DONE, IN_PROGRESS, NOT_STARTED, STAGES,
                                      TENTH_COLUMNS, Result, UnitProgress)
from tinnhiem.platform.auth.roles import Role
from tinnhiem.rounds import services as rounds
from tinnhiem.rounds.models import RoundCategory, RoundUnit
from tinnhiem.tenants.models import Unit

PAST, FUTURE = dt.date(2023, 6, 30), dt.date(2099, 12, 31)


def f(high=0, confidence=0, low=0, invalid=0):
    return {"high": high, "confidence": confidence, "low": low, "invalid": invalid}


def _round(make, w, units) -> None:
    """A round of province A with `units`, a category due in the past and one in the future
    (w.round, w.leaders, w.others)."""
    def create(session, actor):
        round_ = rounds.create_round(session, actor, w.province_a.id, {
            "name": "Giữa nhiệm kỳ 2023", "year": 2023, "unit_ids": [u.id for u in units],
            "categories": [{"name": "Lãnh đạo cấp ủy", "deadline": PAST},
                           {"name": "Lãnh đạo khác", "deadline": FUTURE}]})
        return round_, [c.id for c in round_.categories]

    w.round, (w.leaders, w.others) = make.as_account(w.admin_a, create)


@pytest.fixture
def world(make):
    w = make.world()
    w.a3 = make.unit("Đảng ủy xã Mới Lập", parent=w.province_a)  # a unit new to any round
    _round(make, w, [w.a1, w.a2, w.a3])
    return w


def _recount(session, round_id) -> dict:
    """unit id -> what its kept row must say, worked out again from the conferences and the
    certified result rows (never from the kept rows or the counts)."""
    out = {}
    categories = {c.id: c.deadline for c in session.scalars(
        select(RoundCategory).where(RoundCategory.round_id == round_id))}
    for unit_id in session.scalars(select(RoundUnit.unit_id).where(
            RoundUnit.round_id == round_id)):
        statuses = [c.status for c in session.scalars(select(Conference).where(
            Conference.round_id == round_id, Conference.unit_id == unit_id))]
        active = [s for s in statuses if s != State.ANNULLED]
        certified = [s for s in active if s == State.CERTIFIED]
        results = list(session.scalars(select(Result).where(
            Result.round_id == round_id, Result.unit_id == unit_id, Result.certified.is_(True))))
        bands = Counter(band(r.low, r.collected) for r in results)
        tenths = Counter(f"{level}_{getattr(r, f'{level}_tenth')}" for r in results
                         for level in ("high", "confidence", "low"))
        done_categories = {r.category_id for r in results}
        stage = NOT_STARTED if not active else DONE if len(certified) == len(active) \
            else IN_PROGRESS
        out[unit_id] = {
            "stage": stage, "conferences": len(active), "certified": len(certified),
            "due": min((d for c, d in categories.items() if c not in done_categories),
                       default=None),
            "people": len(results), **{name: bands[name] for name in BAND_COLUMNS},
            **{name: tenths[name] for name in TENTH_COLUMNS},
            "name_key": session.get(Unit, unit_id).name_key}
    return out


def _kept(session, round_id) -> dict:
    out = {}
    for row in session.scalars(select(UnitProgress).where(UnitProgress.round_id == round_id)):
        assert row.unit_id not in out  # one row a unit
        out[row.unit_id] = {"stage": STAGES[row.stage], "conferences": row.conferences,
                            "certified": row.certified, "due": row.due, "people": row.people,
                            **{n: getattr(row, n) for n in BAND_COLUMNS + TENTH_COLUMNS},
                            "name_key": row.name_key}
    return out


def _agree(make, world) -> dict:
    """The kept rows, checked against a recount; unit id -> stage."""
    kept, expected = make._run(lambda s: (_kept(s, world.round.id),
                                          _recount(s, world.round.id)))
    assert kept == expected
    return {unit_id: row["stage"] for unit_id, row in kept.items()}


def _changes(make, world, unit) -> int:
    return make._run(lambda s: s.scalar(select(UnitProgress.changes).where(
        UnitProgress.round_id == world.round.id, UnitProgress.unit_id == unit.id)))


def test_the_kept_progress_follows_every_move_of_a_conference(world, make, login):
    from tinnhiem.conferences import nominees, voters
    from tinnhiem.conferences import services as conferences
    from tinnhiem.counting import services as counting
    from tinnhiem.voting import paper, sealing

    # Round created: every participating unit (A3 new to any round) has a row, not started.
    assert _agree(make, world) == {world.a1.id: NOT_STARTED, world.a2.id: NOT_STARTED,
                                   world.a3.id: NOT_STARTED}
    admin = make._unit_staff(world.a2)[Role.UNIT_ADMIN]
    make.register(world.round.id, world.a2, [{"full_name": "Ngô Một", "cadre_code": "CB-1",
                                              "post": "Bí thư"}])

    def step(work):
        def run(session, actor):
            conference = conferences.get_conference(session, world.conference.id)
            return work(session, actor, conference)
        make.as_account(admin, run)
        return _agree(make, world)[world.a2.id]

    def create(session, actor):
        world.conference = conferences.create_conference(session, actor, world.a2.id, {
            "round_id": world.round.id, "title": "Hội nghị A2", "held_on": dt.date(2023, 6, 1),
            "mode": "paper"})
        world.nominee = nominees.add_nominee(session, actor, world.conference, {
            "full_name": "Ngô Một", "cadre_code": "CB-1", "post": "Bí thư",
            "category_id": world.leaders})

    make.as_account(admin, create)
    assert _agree(make, world)[world.a2.id] == IN_PROGRESS
    assert step(lambda s, a, c: (voters.set_summoned_count(s, a, c, 10),
                                 conferences.mark_ready(s, a, c),
                                 voters.record_attendance(s, a, c, present_count=10))) \
        == IN_PROGRESS
    assert step(lambda s, a, c: conferences.open_vote(s, a, c)) == IN_PROGRESS
    assert step(lambda s, a, c: sealing.close_vote(s, a, c, 10)) == IN_PROGRESS

    def counted(session, actor, conference):
        sheet = paper.set_totals(session, actor, conference, 10,
                                 {str(world.nominee.id): f(2, 1, 7)})
        paper.submit_sheet(session, actor, conference)
        paper.accept_count(session, actor, conference, sheet.id)
        counting.count(session, actor, conference)

    assert step(counted) == IN_PROGRESS
    before = _changes(make, world, world.a2)
    for counter in make._unit_staff(world.a2)[Role.COUNTER]:
        make.as_account(counter, lambda s, a: counting.certify(
            s, a, conferences.get_conference(s, world.conference.id)))
    stages = _agree(make, world)
    assert stages[world.a2.id] == DONE and _changes(make, world, world.a2) == before + 1
    page = login(world.viewer_a).get(f"/rounds/{world.round.id}/rollup")
    assert 'id="units-done">1<' in page.text and "Ngô Một" in page.text
    # The first category's deadline has passed: A1 and A3 (nothing certified) are late.
    assert 'id="units-overdue">2<' in page.text
    assert step(lambda s, a, c: conferences.annul(s, a, c, "Sai sót")) == NOT_STARTED
    page = login(world.viewer_a).get(f"/rounds/{world.round.id}/rollup")
    assert 'id="units-done">0<' in page.text and "Ngô Một" not in page.text
    assert 'id="units-not_started">3<' in page.text and 'id="units-overdue">3<' in page.text


def test_certified_conferences_of_two_units_and_an_annulment_agree(world, make):
    first = make.certified(world.a1, world.round.id, world.leaders, [
        ("Trần Thấp", "CB-1", f(5, 1, 34)), ("Lê Thường", "CB-2", f(30, 6, 4))], 40)
    make.certified(world.a1, world.round.id, world.others, [
        ("Võ Nửa", "CB-3", f(5, 4, 11))], 20, title="Hội nghị khác")
    make.certified(world.a2, world.round.id, world.others, [
        ("Ngô Đủ", "CB-4", f(10, 5, 5))], 20, certify=False)
    assert _agree(make, world) == {world.a1.id: DONE, world.a2.id: IN_PROGRESS,
                                   world.a3.id: NOT_STARTED}
    from tinnhiem.conferences import services as conferences

    make.as_account(make._unit_staff(world.a1)[Role.UNIT_ADMIN], lambda s, a: conferences.annul(
        s, a, conferences.get_conference(s, first.id), "Sai sót khi kiểm phiếu"))
    assert _agree(make, world)[world.a1.id] == DONE  # its other conference stands certified


def test_the_dashboard_keeps_nothing_past_a_certification(world, make, login):
    """A view before and after a certification: the figures kept between views are worked
    out again (the kept progress changed)."""
    client = login(world.viewer_a)
    first = client.get(f"/rounds/{world.round.id}/rollup").text
    assert 'id="units-not_started">3<' in first and "CB-TWO" not in first
    make.certified(world.a1, world.round.id, world.leaders, [
        ("Phạm Hai Nơi", "CB-TWO", f(5, 1, 34))], 40)
    make.certified(world.a2, world.round.id, world.others, [
        ("Phạm Hai Nơi", "CB-TWO", f(30, 6, 4))], 40)
    page = client.get(f"/rounds/{world.round.id}/rollup").text
    assert 'id="units-done">2<' in page and 'id="pairs"' in page
    assert 'id="count-two_thirds_low">' in page


def test_a_unit_reads_only_its_own_progress(world, make):
    def mine(session, _actor):
        return {unit for (unit,) in session.execute(select(UnitProgress.unit_id))}

    assert make.as_account(world.unit_admin_a2, mine) == {world.a2.id}
    assert make.as_account(world.unit_admin_a1, mine) == {world.a1.id}
    assert make.as_account(world.admin_b, mine) == set()
    assert make.as_account(world.viewer_a, mine) == {world.a1.id, world.a2.id, world.a3.id}


@pytest.mark.postgresql_only
def test_the_database_shows_a_unit_only_its_own_progress(world, make):
    """Row-level security, not only the ORM: raw SQL as the app's role under a unit's scope
    sees that unit's row and can change no other; a province sees all of its own, another
    province none; a voter's scope none."""
    from tinnhiem.platform.db import db
    from tinnhiem.tenants.scope import Scope, bind_scope

    conference = make.certified(world.a1, world.round.id, world.leaders, [
        ("Trần A", "CB-1", f(5, 1, 34))], 40)

    def as_scope(scope, sql):
        with make.app.app_context():
            session = db.session.session_factory()
            bind_scope(session, scope)
            try:
                assert session.scalar(text("SELECT current_user")) == "tinnhiem_app"
                result = session.execute(text(sql))
                rows = sorted(str(u) for (u,) in result) if result.returns_rows \
                    else result.rowcount
                session.rollback()
                return rows
            finally:
                session.close()

    seen = "SELECT DISTINCT unit_id FROM rollup_progress"
    assert as_scope(Scope.for_unit(world.province_a.id, world.a2.id), seen) == [
        str(world.a2.id)]
    assert as_scope(Scope.for_unit(world.province_a.id, world.a1.id), seen) == [
        str(world.a1.id)]
    assert as_scope(Scope.for_province(world.province_a.id), seen) == sorted(
        str(u.id) for u in (world.a1, world.a2, world.a3))
    assert as_scope(Scope.for_province(world.province_b.id), seen) == []
    assert as_scope(Scope.for_voter(world.province_a.id, world.a1.id, conference.id),
                    seen) == []
    # A2's staff cannot touch A1's row either.
    assert as_scope(Scope.for_unit(world.province_a.id, world.a2.id),
                    f"UPDATE rollup_progress SET stage = 0 WHERE unit_id = '{world.a1.id}'") == 0


def test_a_unit_is_searched_by_its_name_and_code_as_renamed(world, make, login):
    from tinnhiem.tenants import services

    unit = make._run(lambda s: s.get(Unit, world.a3.id))
    make._run(lambda s: services.save_unit(s, None, {
        "name": "Đảng ủy phường Hòa Bình", "code": "HB-01", "type_id": unit.type_id,
        "parent_id": world.province_a.id, "valid_from": unit.valid_from}, s.get(Unit, unit.id)))

    def search(text_):
        from tinnhiem.rollup import services as rollup

        return make.as_account(world.viewer_a, lambda s, _a: rollup.units_matching(
            s, world.round.id, text_))

    assert search("hoa binh") == [world.a3.id]
    assert search("HB-0") == [world.a3.id]
    assert search("Mới Lập") == []
    assert search("binh\nhb") == []  # never across the name and the code
    assert search("100%") == []  # a wildcard is a character


def test_revision_0018_fills_the_progress_of_what_was_recorded(fresh_app):
    """Down to 0017 the table goes; up again every participating unit gets the row the
    services write."""
    from tests.factories import Factory, down_and_up

    make = Factory(fresh_app)
    w = make.world()
    _round(make, w, [w.a1, w.a2, w.a1_child])
    leaders = w.leaders
    make.certified(w.a1, w.round.id, leaders, [("Trần A", "CB-1", f(5, 1, 34))], 40)
    make.certified(w.a2, w.round.id, leaders, [("Ẩn D", "CB-4", f(0, 0, 9))], 9,
                   certify=False)
    written = _agree(make, w)
    assert written == {w.a1.id: DONE, w.a2.id: IN_PROGRESS, w.a1_child.id: NOT_STARTED}
    down_and_up(fresh_app, "0017_voter_policy_lookups", "rollup_progress")
    assert _agree(make, w) == written
    assert make._run(lambda s: s.scalar(select(Unit.search_key).where(Unit.id == w.a1.id))) \
        == "dang uy xa a1\n" + make._run(lambda s: s.get(Unit, w.a1.id).code.casefold())
