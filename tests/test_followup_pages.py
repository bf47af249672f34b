"""Follow-up of the low bands over HTTP (pages and /api/v1) and in the database: who reads,
who records (the viewer and the units read only: 403; anyone outside: 404), bad input
answered with a clear 4xx, the dashboard's overdue count, and PostgreSQL's row policies."""
import datetime as dt
import re

import psycopg
import pytest
from sqlalchemy import text

from tinnhiem.followup import services
from tinnhiem.followup.models import FollowUp, FollowUpStep
from tinnhiem.platform.db import db
from tinnhiem.rounds import services as rounds
from tinnhiem.tenants.scope import Scope, bind_scope
from tinnhiem.tenants.services import today
from tests.factories import refused_page, rows
from tests.followup_world import followup_world
from tests.snapshots import snapshot

TODAY = today()


@pytest.fixture(autouse=True)
def _one_day(monkeypatch):
    """The module's dates are worked out once, when it is collected: the follow-up's today
    is held at that day, should the run cross midnight in Vietnam (17:00 UTC)."""
    monkeypatch.setattr(services, "vietnam_today", lambda: TODAY)
YESTERDAY = TODAY - dt.timedelta(days=1)


@snapshot
def world(make):
    return followup_world(make)


def urls(world, result=None):
    base = f"/rounds/{world.round.id}/followups"
    person = f"{base}/{(result or world.an).id}"
    return base, person


def late(make, world, result):
    """`result`'s follow-up in progress with a deadline that passed yesterday."""
    make.as_account(world.admin_a, lambda s, a: services.record_step(
        s, a, rounds.get_round(s, world.round.id), result.id,
        {"state": "in_progress", "deadline": YESTERDAY, "note": "Đang xem xét"},
        today=YESTERDAY - dt.timedelta(days=10)))


def test_the_admin_records_a_decision_from_the_page(world, login):
    client = login(world.admin_a)
    base, person = urls(world)
    page = client.get(person)
    assert page.status_code == 200 and 'id="record-step"' in page.text
    response = client.post(f"{person}/steps", data={
        "step-state": "decided", "step-action": "dismissed",
        "step-decision_number": "77-QĐ/TU", "step-decision_date": YESTERDAY.isoformat()})
    assert response.status_code == 302 and response.location == person
    page = client.get(person).text
    assert "Đã ghi nhận bước xử lý." in page
    assert "Miễn nhiệm" in page and "Quyết định số 77-QĐ/TU ngày " + \
        YESTERDAY.strftime("%d/%m/%Y") in page
    listing = client.get(base).text
    assert re.search(r'id="count-decided">1<', listing)
    assert re.search(r'id="count-pending">2<', listing)


def test_a_refused_step_comes_back_with_its_message(world, login):
    client = login(world.admin_a)
    _base, person = urls(world)
    response = client.post(f"{person}/steps", data={"step-state": "no_action"})
    assert "Hãy ghi lý do không xử lý." in refused_page(client, response, person).text
    response = client.post(f"{person}/steps", data={
        "step-state": "decided", "step-action": "dismissed", "step-decision_number": "1",
        "step-decision_date": "31/02/2025"})
    assert "Ngày không hợp lệ" in refused_page(client, response, person).text


def test_the_list_filters_by_state_and_overdue(world, login, make):
    late(make, world, world.binh)
    client = login(world.viewer_a)
    base, _person = urls(world)
    overdue = client.get(base, query_string={"overdue": "1"}).text
    assert "Trần Thị Bình" in overdue and "Nguyễn Văn An" not in overdue
    assert 'data-overdue="1"' in overdue and re.search(r'id="count-overdue">1<', overdue)
    pending = client.get(base, query_string={"state": "pending"}).text
    assert "Nguyễn Văn An" in pending and "Phạm Văn Dũng" in pending
    assert "Trần Thị Bình" not in pending and "Lê Văn Cường" not in pending
    bad = client.get(base, query_string={"state": "lost"})
    assert bad.status_code == 422 and "Trạng thái không hợp lệ." in bad.text
    assert client.get(base, query_string={"page": "²"}).status_code == 422


def test_the_standing_committee_reads_and_records_nothing(world, login, token, client):
    viewer = login(world.viewer_a)
    base, person = urls(world)
    for page in (viewer.get(base), viewer.get(person)):
        assert page.status_code == 200
        assert "Nguyễn Văn An" in page.text
        assert 'id="record-step"' not in page.text and 'id="round-deadline"' not in page.text
        assert "/followups/" + "deadline" not in page.text and "/steps" not in page.text
    assert viewer.post(f"{person}/steps", data={"step-state": "no_action",
                                                "step-note": "x"}).status_code == 403
    assert viewer.post(f"{base}/deadline", data={"round-deadline": TODAY}).status_code == 403
    headers = token(world.viewer_a)
    refused = client.post(f"/api/v1{person}/steps", headers=headers,
                          json={"state": "no_action", "note": "x"})
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    assert client.put(f"/api/v1{base}/deadline", headers=headers,
                      json={"deadline": TODAY.isoformat()}).status_code == 403


@pytest.mark.parametrize("who, reads, hidden", [
    ("unit_admin_a1", ["Nguyễn Văn An", "Trần Thị Bình"], ["Phạm Văn Dũng"]),
    ("unit_admin_a2", ["Phạm Văn Dũng"], ["Nguyễn Văn An", "Trần Thị Bình"]),
])
def test_a_unit_admin_reads_its_own_people_only(world, login, token, client, who, reads,
                                                 hidden):
    account = getattr(world, who)
    browser = login(account, target=client.application.test_client())
    base, _person = urls(world)
    page = browser.get(base).text
    api = client.get(f"/api/v1{base}", headers=token(account)).json
    for name in reads:
        assert name in page and name in [i["full_name"] for i in api["items"]]
    for name in hidden:
        assert name not in page and name not in [i["full_name"] for i in api["items"]]
    assert 'id="round-deadline"' not in page
    own = world.an if who == "unit_admin_a1" else world.dung
    other = world.dung if who == "unit_admin_a1" else world.an
    assert browser.get(urls(world, own)[1]).status_code == 200
    assert browser.get(urls(world, other)[1]).status_code == 404
    # its own people: readable, yet not its to record (403); another unit's: 404
    assert browser.post(f"{urls(world, own)[1]}/steps",
                        data={"step-state": "no_action", "step-note": "x"}).status_code == 403
    assert client.post(f"/api/v1{urls(world, other)[1]}/steps", headers=token(account),
                       json={"state": "no_action", "note": "x"}).status_code == 404


@pytest.mark.parametrize("who", ["admin_b", "unit_admin_b1", "counter_a1", "operator"])
def test_nobody_else_learns_anything(world, login, token, client, who):
    account = getattr(world, who)
    browser = login(account, target=client.application.test_client())
    headers = token(account)
    base, person = urls(world)
    for url in (base, person):
        assert browser.get(url).status_code == 404
        assert client.get(f"/api/v1{url}", headers=headers).status_code == 404
    assert browser.post(f"{person}/steps", data={"step-state": "no_action",
                                                 "step-note": "x"}).status_code == 404
    assert client.post(f"/api/v1{person}/steps", headers=headers,
                       json={"state": "no_action", "note": "x"}).status_code == 404
    assert client.put(f"/api/v1{base}/deadline", headers=headers,
                      json={"deadline": TODAY.isoformat()}).status_code == 404


def test_the_api_lists_records_and_reads_a_follow_up(world, token, client):
    headers = token(world.admin_a)
    base, person = urls(world)
    data = client.get(f"/api/v1{base}", headers=headers).json
    assert data["counts"] == {"pending": 3, "in_progress": 0, "decided": 0, "no_action": 0,
                              "overdue": 0}
    assert [(i["full_name"], i["band"], i["state"]) for i in data["items"]] == [
        ("Nguyễn Văn An", "two_thirds_low", "pending"),
        ("Trần Thị Bình", "over_half_low", "pending"),
        ("Phạm Văn Dũng", "over_half_low", "pending")]
    created = client.post(f"/api/v1{person}/steps", headers=headers, json={
        "state": "in_progress", "deadline": TODAY.isoformat(), "note": "Đang xem xét"})
    assert created.status_code == 201, created.json
    assert created.json["state"] == "in_progress"
    assert created.json["deadline"] == TODAY.isoformat()
    assert [s["note"] for s in created.json["steps"]] == ["Đang xem xét"]
    updated = client.put(f"/api/v1{base}/deadline", headers=headers,
                         json={"deadline": (TODAY + dt.timedelta(days=7)).isoformat()})
    assert updated.status_code == 200 and updated.json == {"updated": 3}
    one = client.get(f"/api/v1{person}", headers=headers).json
    assert one["deadline"] == (TODAY + dt.timedelta(days=7)).isoformat()
    assert len(one["steps"]) == 2 and one["overdue"] is False
    assert client.get(f"/api/v1{urls(world, world.cuong)[1]}", headers=headers) \
        .status_code == 404  # a normal band has no follow-up


@pytest.mark.parametrize("body, status, code", [
    ({"state": "decided", "action": "relieved", "decision_number": "1",
      "decision_date": (TODAY + dt.timedelta(days=3)).isoformat()}, 422,
     "decision_date_future"),
    ({"state": "no_action"}, 422, "reason_required"),
    ({"state": "decided", "action": "relieved", "decision_number": "1",
      "decision_date": "2025-13-45"}, 422, None),
    ({"state": "no_action", "note": "x" * 100_000}, 422, None),
    ({"state": "no_action", "note": "lý do", "extra": 1}, 422, None),
    ({"state": ["decided"]}, 422, None),
])
def test_bad_json_is_refused_clearly(world, token, client, body, status, code):
    _base, person = urls(world)
    response = client.post(f"/api/v1{person}/steps", headers=token(world.admin_a), json=body)
    assert response.status_code == status, response.json
    assert response.json["message"]
    if code:
        assert response.json["code"] == code
    assert rows_of(client, FollowUpStep) == 0


def rows_of(client, model):
    from tests.factories import Factory

    return len(rows(Factory(client.application), model))


@pytest.mark.parametrize("raw, code", [
    (b'{"state": "no_action", "note": "a\\u0000b"}', None),
    (b'{"state": "no_action", "note": "\\ud800"}', None),
    (b"[" * 1000 + b"]" * 1000, "json_too_deep"),
    (b'{"state": "no_action", "note": ', None),
])
def test_nul_surrogates_and_broken_json_are_4xx(world, token, client, raw, code):
    _base, person = urls(world)
    response = client.post(f"/api/v1{person}/steps", headers=token(world.admin_a), data=raw,
                           content_type="application/json")
    assert 400 <= response.status_code < 500 and response.json["message"]
    if code:
        assert response.json["code"] == code


def test_a_nul_in_the_form_is_refused(world, login):
    _base, person = urls(world)
    response = login(world.admin_a).post(f"{person}/steps", data={
        "step-state": "no_action", "step-note": "lý\x00do"})
    assert response.status_code == 400


def test_the_dashboard_shows_the_overdue_follow_ups(world, login, make):
    late(make, world, world.an)
    late(make, world, world.dung)
    make.as_account(world.admin_a, lambda s, a: services.record_step(
        s, a, rounds.get_round(s, world.round.id), world.dung.id,
        {"state": "decided", "action": "relieved", "decision_number": "9-QĐ/TU",
         "decision_date": YESTERDAY}))
    page = login(world.viewer_a).get(f"/rounds/{world.round.id}/rollup").text
    assert re.search(r'id="followups-overdue">1<', page)
    assert re.search(r'id="followups-open">2<', page)  # An in progress, Bình pending
    assert f"/rounds/{world.round.id}/followups?overdue=1" in page


def test_the_dashboard_counts_follow_ups_in_one_query(world, login, make, app):
    from sqlalchemy import event

    late(make, world, world.an)
    seen = []
    with app.app_context():
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            login(world.viewer_a).get(f"/rounds/{world.round.id}/rollup")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in seen if "followups" in s]) == 1


def _scoped(app, scope):
    session = db.session.session_factory()
    bind_scope(session, scope)
    return session


@pytest.mark.postgresql_only
def test_row_policies_hide_follow_ups_from_other_scopes(app, world, make):
    late(make, world, world.an)
    with app.app_context():
        for scope, seen in ((Scope.for_province(world.province_a.id), 1),
                            (Scope.for_unit(world.province_a.id, world.a1.id), 1),
                            (Scope.for_unit(world.province_a.id, world.a2.id), 0),
                            (Scope.for_province(world.province_b.id), 0),
                            (Scope.for_unit(world.province_b.id, world.b1.id), 0)):
            session = _scoped(app, scope)
            for table in ("followups", "followup_steps"):
                assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar() == seen
            session.close()


@pytest.mark.postgresql_only
def test_the_app_role_only_appends_to_the_history(app, world, make):
    late(make, world, world.an)
    with app.app_context():
        session = _scoped(app, Scope.for_province(world.province_a.id))
        for statement in ("UPDATE followup_steps SET note = 'sửa'", "DELETE FROM followup_steps"):
            with pytest.raises(Exception) as refused:
                session.execute(text(statement))
            assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege)
            session.rollback()
        session.close()
    assert [s.note for s in rows(make, FollowUpStep)] == ["Đang xem xét"]
    assert rows(make, FollowUp)[0].state == "in_progress"


def test_the_list_comes_a_page_at_a_time(world, login, monkeypatch):
    from tinnhiem.followup import views

    monkeypatch.setattr(views, "ROWS_PER_PAGE", 1)
    client = login(world.admin_a)
    base, _person = urls(world)
    second = client.get(base, query_string={"page": "2", "state": "pending"}).text
    assert "Trần Thị Bình" in second and "Nguyễn Văn An" not in second
    assert 'rel="prev"' in second and 'rel="next"' in second
    assert "state=pending" in second and "page=3" in second
