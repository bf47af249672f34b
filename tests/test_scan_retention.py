"""Scanned images are ballots: deleted once their conference has been certified for its
round's retention (or annulled), the digests kept; `flask scans purge` does it daily."""
import datetime as dt

import pytest
from sqlalchemy import select

from tinnhiem.conferences.models import Conference
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.rounds.models import Round
from tinnhiem.scanning.models import ScanPage
from tests.factories import rows
from tests.scan_pages import scanned

NOW = dt.datetime(2028, 7, 1, 12, 0)


@pytest.fixture
def world(make):
    w = make.world()
    make.open_conference(w, mode="paper", people=3, summoned=10, present=10)
    make.close_vote(w, ballots_issued=10)
    return w


def set_state(make, world, status, certified_at=None, retention=30):
    def change(session):
        conference = session.get(Conference, world.voting.id)
        conference.status, conference.certified_at = status, certified_at
        session.get(Round, conference.round_id).scan_retention_days = retention

    make._run(change)


def purge(app):
    result = app.test_cli_runner().invoke(args=["scans", "purge"])
    assert result.exit_code == 0, result.output
    return result.output


def images(make):
    return make._run(lambda s: sorted(s.execute(select(
        ScanPage.image.is_not(None), ScanPage.digest.is_not(None))).all()))


@pytest.mark.parametrize("status, days_ago, retention, kept", [
    ("certified", 31, 30, False), ("certified", 29, 30, True), ("certified", 0, 0, False),
    ("annulled", None, 30, False), ("closed", None, 0, True), ("certified", 400, 365, False),
])
def test_images_go_after_the_retention_and_their_digests_stay(app, make, world, status,
                                                              days_ago, retention, kept,
                                                              monkeypatch):
    scanned(make, world, ["123", "111"])
    make._run(lambda s: [setattr(p, "digest", "ab" * 32) for p in s.scalars(select(ScanPage))])
    monkeypatch.setattr("tinnhiem.scanning.retention.utc_now", lambda: NOW)
    certified_at = None if days_ago is None else NOW - dt.timedelta(days=days_ago)
    set_state(make, world, status, certified_at, retention)
    output = purge(app)
    assert images(make) == [(kept, True), (kept, True)]
    assert output.strip() == f"OK: {0 if kept else 2} scanned page image(s) deleted"
    entries = rows(make, AuditEntry, action="scan.images_deleted")
    assert [e.details for e in entries] == ([] if kept else [{"pages": 2}])
    assert purge(app).strip() == "OK: 0 scanned page image(s) deleted"  # nothing left to do


def test_a_deleted_image_is_gone_from_the_boards_page(app, make, world, login, client,
                                                       monkeypatch):
    [page_id] = scanned(make, world, ["123"])
    login(world.counter_a1)
    url = f"/conferences/{world.voting.id}/scans/pages/{page_id}.jpg"
    assert client.get(url).status_code == 200
    set_state(make, world, "annulled")
    purge(app)
    assert client.get(url).status_code == 404


def test_the_province_sets_the_retention_on_its_round(app, make, world, login, client):
    login(world.admin_a)
    page = client.get("/rounds/new")
    assert page.status_code == 200 and 'name="scan_retention_days"' in page.text
