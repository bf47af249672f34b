"""Succession for reading history (issue #17): a successor province or unit reads the
certified results of what it succeeded, under the historical names, read-only; never the
other way round, never what it did not succeed; a province that merged away starts no round
and its accounts end with it."""
import datetime as dt

import pytest
from sqlalchemy import select, text

from tests.rollup_world import f
from tests.snapshots import snapshot
from tinnhiem.conferences.models import Nominee
from tinnhiem.counting.models import Result
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.errors import ServiceError
from tinnhiem.tenants.history import HistorySource, history_session, history_sources
from tinnhiem.tenants.models import Unit
from tinnhiem.tenants.scope import Scope, ScopeMissing, ScopeViolation, bind_scope

MERGED = dt.date(2025, 6, 30)


def _round(make, admin, province, name, year):
    from tinnhiem.rounds import services as rounds

    def create(session, actor):
        round_ = rounds.create_round(session, actor, province.id, {
            "name": name, "year": year, "unit_ids": [u.id for u in province.units],
            "categories": [{"name": "Lãnh đạo", "deadline": dt.date(year, 12, 31)}]})
        return round_, round_.categories[0].id

    return make.as_account(admin, create)


def _dissolve(make, *units):
    def end(session):
        for unit in units:
            session.get(Unit, unit.id).valid_to = MERGED
    make._run(end)


@snapshot
def merged(make):
    """Vĩnh Phúc (two units, a certified round of 2023 and an uncertified conference) merged
    into Phú Thọ on 1/7/2025; Lập Thạch's commune of 2025 succeeded only the district."""
    w = make.world()  # province B: an outsider that succeeded nothing
    w.old = make.unit("Tỉnh ủy Vĩnh Phúc")
    # Lập Thạch had itself taken over from Tam Dương (an older reorganisation)
    w.elder = make.unit("Huyện ủy Tam Dương", parent=w.old, valid_from=dt.date(2000, 1, 1),
                        valid_to=dt.date(2019, 12, 31))
    w.district = make.unit("Huyện ủy Lập Thạch", parent=w.old, predecessors=[w.elder])
    w.bloc = make.unit("Đảng ủy Khối Doanh nghiệp", parent=w.old)
    w.old.units = [w.district, w.bloc]
    w.old_admin = make.account(Role.PROVINCE_ADMIN, w.old)
    w.round, category = _round(make, w.old_admin, w.old, "Giữa nhiệm kỳ 2023", 2023)
    make.certified(w.district, w.round.id, category, [
        ("Nguyễn Văn Lịch", "VP-1", f(5, 3, 12)),     # 12/20 = 60 %: over half low
        ("Trần Thị Sử", "VP-2", f(15, 4, 1))], 20, title="Hội nghị Lập Thạch")
    make.certified(w.bloc, w.round.id, category, [
        ("Lê Văn Khối", "VP-3", f(10, 5, 5))], 20, title="Hội nghị Khối")
    make.certified(w.bloc, w.round.id, category, [
        ("Ẩn Chưa Chứng", "VP-9", f(1, 1, 8))], 10, title="Chưa chứng nhận", certify=False)
    _dissolve(make, w.old, w.district, w.bloc)
    w.new = make.unit("Tỉnh ủy Phú Thọ", predecessors=[w.old])
    w.commune = make.unit("Đảng ủy xã Lập Thạch", parent=w.new, valid_from=dt.date(2025, 7, 1),
                          predecessors=[w.district])
    w.new_admin = make.account(Role.PROVINCE_ADMIN, w.new)
    w.new_viewer = make.account(Role.PROVINCE_VIEWER, w.new)
    w.commune_admin = make.account(Role.UNIT_ADMIN, w.commune)
    return w


def _names(rows) -> set:
    return {row["full_name"] for row in rows}


@pytest.mark.parametrize("role", ["new_admin", "new_viewer"])
def test_the_successor_province_reads_the_predecessors_certified_results(
        client, login, merged, role):
    login(getattr(merged, role))
    index = client.get("/history/")
    assert index.status_code == 200
    assert "Tỉnh ủy Vĩnh Phúc" in index.text and "Giữa nhiệm kỳ 2023" in index.text
    page = client.get(f"/history/{merged.old.id}/rounds/{merged.round.id}")
    assert page.status_code == 200
    assert "Dữ liệu lịch sử của Tỉnh ủy Vĩnh Phúc" in page.text
    for name in ("Nguyễn Văn Lịch", "Trần Thị Sử", "Lê Văn Khối", "Huyện ủy Lập Thạch"):
        assert name in page.text
    assert "Ẩn Chưa Chứng" not in page.text  # certified results only
    # read-only: no link into the predecessor's own pages, no export
    assert "/conferences/" not in page.text and "rollup.pdf" not in page.text


def test_the_api_gives_the_same_history(client, token, merged):
    headers = token(merged.new_admin)
    listed = client.get("/api/v1/history", headers=headers)
    assert listed.status_code == 200
    assert listed.json == [{"id": str(merged.old.id), "name": "Tỉnh ủy Vĩnh Phúc",
                            "whole_province": True,
                            "rounds": [{"id": str(merged.round.id), "name": "Giữa nhiệm kỳ 2023",
                                        "year": 2023}]}]
    rollup = client.get(f"/api/v1/history/{merged.old.id}/rounds/{merged.round.id}/rollup",
                        headers=headers)
    assert rollup.status_code == 200
    assert _names(rollup.json["rows"]) == {"Nguyễn Văn Lịch", "Trần Thị Sử", "Lê Văn Khối"}
    low = next(r for r in rollup.json["rows"] if r["full_name"] == "Nguyễn Văn Lịch")
    assert (low["low"], low["collected"], low["band"]) == (12, 20, "over_half_low")
    assert rollup.json["summary"] == {"total": 3, "two_thirds_low": 0, "over_half_low": 1,
                                      "normal": 2}


def test_a_successor_unit_reads_only_the_unit_it_succeeded(client, login, token, merged):
    headers = token(merged.commune_admin)
    listed = client.get("/api/v1/history", headers=headers).json
    assert [(s["id"], s["whole_province"], len(s["rounds"])) for s in listed] == [
        (str(merged.district.id), False, 1), (str(merged.elder.id), False, 0)]
    rows = client.get(f"/api/v1/history/{merged.district.id}/rounds/{merged.round.id}/rollup",
                      headers=headers).json["rows"]
    assert _names(rows) == {"Nguyễn Văn Lịch", "Trần Thị Sử"}  # not the bloc's
    # the whole province is not its to read
    assert client.get(f"/api/v1/history/{merged.old.id}/rounds/{merged.round.id}/rollup",
                      headers=headers).status_code == 404
    login(merged.commune_admin)
    page = client.get(f"/history/{merged.district.id}/rounds/{merged.round.id}")
    assert page.status_code == 200 and "Lê Văn Khối" not in page.text


def test_a_province_that_succeeded_nothing_reads_nothing(client, login, token, merged):
    headers = token(merged.admin_b)
    assert client.get("/api/v1/history", headers=headers).json == []
    for key in (merged.old.id, merged.district.id, merged.new.id):
        answer = client.get(f"/api/v1/history/{key}/rounds/{merged.round.id}/rollup",
                            headers=headers)
        assert answer.status_code == 404
    login(merged.admin_b)
    assert 'id="no-history"' in client.get("/history/").text
    assert client.get(f"/history/{merged.old.id}/rounds/{merged.round.id}").status_code == 404
    # nor does the successor's own scope reach it outside history
    assert client.get(f"/rounds/{merged.round.id}/rollup").status_code == 404


def test_the_other_way_round_is_refused(client, login, token, merged):
    """The dissolved province's accounts end with it: they read nothing any more, its own
    history included, and are told where its work went."""
    answer = client.get("/api/v1/history", headers=token(merged.old_admin))
    assert answer.status_code == 401 and answer.json["code"] == "account_ended"
    assert "Tỉnh ủy Phú Thọ" in answer.json["message"] and "30/06/2025" in answer.json["message"]
    login(merged.old_admin)
    page = client.get(f"/rounds/{merged.round.id}/rollup", follow_redirects=True)
    assert "/login" in page.request.path
    assert "Tài khoản này đã hết hiệu lực" in page.text
    assert client.get("/rounds/").status_code == 302  # signed out


def test_a_dissolved_province_starts_no_round(make, merged):
    from tinnhiem.rounds import services as rounds

    with pytest.raises(ServiceError) as refused:
        make.as_account(merged.old_admin, lambda s, a: rounds.create_round(s, a, merged.old.id, {
            "name": "Đợt 2026", "year": 2026, "unit_ids": [merged.district.id],
            "categories": [{"name": "Lãnh đạo", "deadline": dt.date(2026, 12, 31)}]}))
    assert refused.value.code == "province_dissolved"
    with make.app.test_request_context():  # and says where the work went
        assert "(đơn vị kế tục: Tỉnh ủy Phú Thọ)" in str(refused.value.message)


def test_succession_is_followed_across_provinces_and_generations(app, make, merged):
    """The commune reads the district it succeeded and what the district had succeeded (read
    in the district's own history scope); the new province reads the old one whole, once,
    its units (the district the commune succeeded) with it."""
    def sources(scope):
        with app.app_context():
            session = _bound(app, scope)
            found = [(s.name, s.unit_id) for s in history_sources(session)]
            session.close()
        return found

    assert sources(Scope.for_unit(merged.new.id, merged.commune.id)) == [
        ("Huyện ủy Lập Thạch", merged.district.id), ("Huyện ủy Tam Dương", merged.elder.id)]
    assert sources(Scope.for_province(merged.new.id)) == [("Tỉnh ủy Vĩnh Phúc", None)]
    assert sources(Scope.for_province(merged.province_b.id)) == []


def _bound(app, scope):
    from tinnhiem.platform.db import db

    session = db.session.session_factory()
    bind_scope(session, scope)
    return session


def test_a_history_scope_reads_certified_results_and_writes_nothing(app, merged):
    source = HistorySource(merged.old.id, None, "Tỉnh ủy Vĩnh Phúc")
    with app.app_context(), history_session(source) as past:
        names = set(past.scalars(select(Result.full_name)))
        assert names == {"Nguyễn Văn Lịch", "Trần Thị Sử", "Lê Văn Khối"}
        with pytest.raises(ScopeMissing):  # no ballots, voters or people's dossiers
            past.scalars(select(Nominee)).all()
        district = past.get(Unit, merged.district.id)
        district.name = "Đổi tên"
        with pytest.raises(ScopeViolation):
            past.flush()


@pytest.mark.postgresql_only
def test_in_postgresql_a_history_scope_sees_only_what_history_may(app, merged):
    """The database holds the same line on its own: raw SQL under the signed history scope
    sees the certified results and no other tenant row, and cannot write."""
    source = HistorySource(merged.old.id, None, "Tỉnh ủy Vĩnh Phúc")
    with app.app_context(), history_session(source) as past:
        counts = {table: past.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                  for table in ("results", "nominees", "summoned_voters", "tally_sheets",
                                "conferences", "units")}
        assert counts == {"results": 3, "nominees": 0, "summoned_voters": 0, "tally_sheets": 0,
                          "conferences": 2, "units": 4}
        with pytest.raises(Exception, match="read-only transaction"):
            past.execute(text("UPDATE results SET low = 0"))


@pytest.mark.postgresql_only
def test_in_postgresql_only_the_operator_writes_a_succession(app, merged):
    """A history scope is granted from a succession link: a province's own scope cannot make
    one that would open another province to it."""
    from sqlalchemy.exc import DBAPIError

    with app.app_context():
        session = _bound(app, Scope.for_province(merged.province_b.id))
        with pytest.raises(DBAPIError):
            session.execute(text(
                "INSERT INTO unit_successions (id, province_id, unit_id, predecessor_id,"
                " predecessor_province_id) VALUES (gen_random_uuid(), :p, :p, :old, :old)"),
                {"p": merged.province_b.id, "old": merged.old.id})
        session.rollback()
        session.close()
