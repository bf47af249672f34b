"""The roll-up's counts kept per certified conference (rollup_counts): written when a
conference is certified, gone when it is annulled, always what a recount of the certified
result rows gives, a unit's rows like the results they come from, and filled by revision
0016 from the results already certified."""
import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select, text

from tests.snapshots import snapshot
from tinnhiem.counting.bands import band
from tinnhiem.counting.models import TENTH_COLUMNS, Result, RollupCount
from tinnhiem.platform.auth.roles import Role
from tinnhiem.rounds import services as rounds

LEVELS = ("high", "confidence", "low")


def f(high=0, confidence=0, low=0, invalid=0):
    return {"high": high, "confidence": confidence, "low": low, "invalid": invalid}


@snapshot
def world(make):
    w = make.world()

    def create(session, actor):
        round_ = rounds.create_round(session, actor, w.province_a.id, {
            "name": "Giữa nhiệm kỳ 2023", "year": 2023, "unit_ids": [w.a1.id, w.a2.id],
            "categories": [{"name": "Lãnh đạo cấp ủy", "deadline": dt.date(2023, 6, 30)},
                           {"name": "Lãnh đạo khác", "deadline": dt.date(2099, 12, 31)}]})
        return round_, [c.id for c in round_.categories]

    w.round, (w.leaders, w.others) = make.as_account(w.admin_a, create)
    w.a1_leaders = make.certified(w.a1, w.round.id, w.leaders, [
        ("Trần Thấp Nhiều", "CB-1", f(5, 1, 34)),      # two thirds low
        ("Lê Bình Thường", "CB-2", f(30, 6, 4)),
        ("Phạm Hai Nơi", "CB-TWO", f(20, 10, 10)),
        ("Đỗ Cũng Thường", "CB-4", f(29, 7, 3, 1))], 40, title="Hội nghị A1")
    w.a1_others = make.certified(w.a1, w.round.id, w.others, [
        ("Võ Quá Nửa", "CB-3", f(5, 4, 11))], 20, title="Hội nghị A1 (khác)",
        held_on=dt.date(2023, 5, 10))
    w.a2_leaders = make.certified(w.a2, w.round.id, w.leaders, [
        ("Phạm Hai Nơi", "CB-TWO", f(4, 5, 11)),        # over half low
        ("Ngô Đủ Cả", "CB-5", f(10, 5, 5))], 20, title="Hội nghị A2")
    # counted but not certified: counted nowhere
    w.uncertified = make.certified(w.a2, w.round.id, w.others, [
        ("Ẩn Chưa Chứng Nhận", "CB-9", f(0, 0, 9))], 9, title="Hội nghị A2 (chưa)",
        certify=False)
    return w


def _province(make, world, fn):
    return make.as_account(world.viewer_a, lambda session, _actor: fn(session))


def _recount(session, round_id) -> dict:
    """What the roll-up's counts must say, counted again from the certified result rows."""
    per_band, tenths = Counter(), {level: [0] * 10 for level in LEVELS}
    for r in session.scalars(select(Result).where(Result.round_id == round_id,
                                                  Result.certified.is_(True))):
        per_band[(r.unit_id, r.category_id, band(r.low, r.collected))] += 1
        for level in LEVELS:
            tenths[level][getattr(r, f"{level}_tenth")] += 1
    return {"per_band": dict(per_band), "tenths": tenths}


def _rows(session, **where) -> list[tuple]:
    """The counts rows, without their random ids."""
    columns = [getattr(RollupCount, c.key) for c in RollupCount.__table__.c if c.key != "id"]
    return sorted(tuple(row) for row in session.execute(
        select(*columns).filter_by(**where)).all())


def test_certified_counts_equal_a_recount_of_the_result_rows(world, make):
    from tinnhiem.rollup import services

    def read(session):
        everything = services.Filters()
        return (_recount(session, world.round.id),
                services.counts_by_unit(session, world.round.id, everything),
                services.summary(session, world.round.id, everything),
                services.share_distribution(session, world.round.id, everything),
                services.bands_per_unit(session, world.round.id, everything),
                services.unit_count(session, world.round.id, everything),
                _rows(session, conference_id=world.uncertified.id))

    expected, counts, summary, shares, per_unit, units, uncertified = _province(
        make, world, read)
    assert counts == expected["per_band"]
    assert sum(counts.values()) == 7 and counts[(world.a2.id, world.leaders, "over_half_low")] == 1
    assert summary == {"total": 7, "two_thirds_low": 1, "over_half_low": 2, "normal": 4}
    assert shares == expected["tenths"]
    assert shares["low"] == [1, 1, 2, 0, 0, 2, 0, 0, 1, 0]
    assert [(u["unit"], u["two_thirds_low"], u["over_half_low"], u["normal"])
            for u in per_unit] == [("Đảng ủy xã A1", 1, 1, 3), ("Đảng ủy phường A2", 0, 1, 1)]
    assert units == 2
    assert uncertified == []  # counted, not certified: no counts


@pytest.mark.parametrize("chosen", [
    {"band": "normal"}, {"band": "two_thirds_low"}, {"category": "others"}, {"unit": "a2"},
    {"unit_name": "phuong"}, {"type": "a1"}, {"band": "over_half_low", "unit": "a1"}])
def test_each_filter_counts_what_the_filtered_rows_hold(world, make, chosen):
    """Every dashboard figure under a filter is what the rows shown under it add up to."""
    from tinnhiem.rollup import services

    values = {"band": chosen.get("band"),
              "category_id": world.others if "category" in chosen else None,
              "unit_id": getattr(world, chosen["unit"]).id if "unit" in chosen else None,
              "type_id": getattr(world, chosen["type"]).type_id if "type" in chosen else None,
              "unit_name": chosen.get("unit_name")}

    def read(session):
        filters = services.make_filters(session, world.round.id, **values)
        return (services.result_rows(session, world.round.id, filters, limit=None),
                services.counts_by_unit(session, world.round.id, filters),
                services.summary(session, world.round.id, filters),
                services.share_distribution(session, world.round.id, filters),
                services.bands_per_unit(session, world.round.id, filters),
                services.unit_count(session, world.round.id, filters))

    rows, counts, summary, shares, per_unit, units = _province(make, world, read)
    assert rows  # each filter here keeps someone
    category = {"Lãnh đạo cấp ủy": world.leaders, "Lãnh đạo khác": world.others}
    assert counts == dict(Counter((r.unit_id, category[r.category], r.band) for r in rows))
    bands = Counter(r.band for r in rows)
    assert summary == {"total": len(rows), **{b: bands[b] for b in services.BANDS}}
    assert shares == {level: [sum(1 for r in rows if min(9, 10 * getattr(r, level)
                                                         // r.collected) == t)
                              for t in range(10)] for level in LEVELS}
    assert units == len(per_unit) == len({r.unit_id for r in rows})
    assert sum(u[b] for u in per_unit for b in services.BANDS) == len(rows)


def test_annulment_takes_the_counts_out(world, make, login):
    from tinnhiem.conferences import services as conferences
    from tinnhiem.rollup import services

    make.as_account(make._unit_staff(world.a1)[Role.UNIT_ADMIN], lambda s, a: conferences.annul(
        s, a, conferences.get_conference(s, world.a1_leaders.id), "Sai sót khi kiểm phiếu"))
    assert make._run(lambda s: _rows(s, conference_id=world.a1_leaders.id)) == []
    assert make._run(lambda s: _rows(s, conference_id=world.a1_others.id)) != []
    summary = _province(make, world, lambda s: services.summary(
        s, world.round.id, services.Filters()))
    assert summary == {"total": 3, "two_thirds_low": 0, "over_half_low": 2, "normal": 1}
    page = login(world.viewer_a).get(f"/rounds/{world.round.id}/rollup")
    assert page.status_code == 200 and "Trần Thấp Nhiều" not in page.text
    assert 'id="count-two_thirds_low">' in page.text and "Đảng ủy xã A1" in page.text


def test_a_unit_reads_only_its_own_counts(world, make):
    def mine(session, _actor):
        return {unit for (unit,) in session.execute(select(RollupCount.unit_id))}

    assert make.as_account(world.unit_admin_a2, mine) == {world.a2.id}
    assert make.as_account(world.unit_admin_a1, mine) == {world.a1.id}
    assert make.as_account(world.admin_b, mine) == set()


@pytest.mark.postgresql_only
def test_the_database_shows_a_unit_only_its_own_counts(world, make):
    """Row-level security, not only the ORM: raw SQL as the app's role under a unit's scope
    sees that unit's rows, a province's all of its own, another province's none."""
    from tinnhiem.platform.db import db
    from tinnhiem.tenants.scope import Scope, bind_scope

    def units_seen(scope):
        with make.app.app_context():
            session = db.session.session_factory()
            bind_scope(session, scope)
            try:
                assert session.scalar(text("SELECT current_user")) == "tinnhiem_app"
                return sorted(str(u) for (u,) in session.execute(text(
                    "SELECT DISTINCT unit_id FROM rollup_counts")))
            finally:
                session.close()

    assert units_seen(Scope.for_unit(world.province_a.id, world.a2.id)) == [str(world.a2.id)]
    assert units_seen(Scope.for_unit(world.province_a.id, world.a1.id)) == [str(world.a1.id)]
    assert units_seen(Scope.for_province(world.province_a.id)) == sorted(
        [str(world.a1.id), str(world.a2.id)])
    assert units_seen(Scope.for_province(world.province_b.id)) == []


def test_revision_0016_fills_the_counts_of_results_already_certified(fresh_app):
    """Down to 0015 the table goes; up again it is filled from the certified results with
    what certification wrote."""
    from tests.factories import Factory, down_and_up

    make = Factory(fresh_app)
    w = make.world()

    def create(session, actor):
        round_ = rounds.create_round(session, actor, w.province_a.id, {
            "name": "Đợt", "year": 2023, "unit_ids": [w.a1.id, w.a2.id],
            "categories": [{"name": "Nhóm", "deadline": dt.date(2023, 6, 30)}]})
        return round_, round_.categories[0].id

    round_, leaders = make.as_account(w.admin_a, create)
    make.certified(w.a1, round_.id, leaders, [("Trần A", "CB-1", f(5, 1, 34)),
                                              ("Lê B", "CB-2", f(30, 6, 4))], 40)
    make.certified(w.a2, round_.id, leaders, [("Phạm C", "CB-3", f(2, 4, 14))], 20)
    make.certified(w.a2, round_.id, leaders, [("Ẩn D", "CB-4", f(0, 0, 9))], 9,
                   title="Chưa", certify=False)
    written = make._run(_rows)
    assert len(written) == 3 and sum(row[4] for row in written) == 3  # people
    down_and_up(fresh_app, "0015_voter_scope", "rollup_counts")
    assert make._run(_rows) == written
    assert set(TENTH_COLUMNS) <= {c.key for c in RollupCount.__table__.c}
    assert make._run(lambda s: s.scalar(select(func.count()).select_from(RollupCount))) == 3
