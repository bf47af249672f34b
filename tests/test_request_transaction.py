"""One request, one transaction (platform.request_transaction): a view that succeeds is
committed once, at the end; a refusal keeps nothing; a commit the database refuses answers
503 like any other busy moment, with no "saved" message left behind; and no view commits by
hand."""
import re
import sqlite3
from pathlib import Path

import pytest
from flask import has_request_context
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
SAVED = "Đã lưu số người được triệu tập."


@pytest.fixture
def world(make):
    w = make.world()
    make.conference_for(w)
    return w


@pytest.fixture
def refuse_next_commit(monkeypatch):
    """Once called: the next commit a request makes is refused as by a locked database (the
    factories' own commits go through). Returns the list that records the refusal."""
    original = Session.commit
    refused = []

    def commit(self):
        if has_request_context() and not refused:
            refused.append(True)
            raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))
        return original(self)

    def arm():
        monkeypatch.setattr(Session, "commit", commit)
        return refused

    return arm


def _summoned(client, world, headers):
    response = client.get(f"/api/v1/conferences/{world.conference_a1.id}/attendance",
                          headers=headers)
    assert response.status_code == 200
    return response.json["summoned"]


def test_a_successful_write_is_committed_once_the_view_answers(app, world, client, token):
    headers = token(world.unit_admin_a1)
    url = f"/api/v1/conferences/{world.conference_a1.id}/summoned-count"
    assert client.put(url, json={"summoned_count": 12}, headers=headers).status_code == 200
    assert _summoned(app.test_client(), world, headers) == 12


def test_a_refused_commit_answers_503_and_keeps_nothing(app, world, client, token,
                                                        refuse_next_commit):
    headers = token(world.unit_admin_a1)
    before = _summoned(client, world, headers)
    refused_commit = refuse_next_commit()
    response = client.put(f"/api/v1/conferences/{world.conference_a1.id}/summoned-count",
                          json={"summoned_count": before + 5}, headers=headers)
    assert refused_commit and response.status_code == 503
    assert response.json["code"] == "database_busy" and response.headers["Retry-After"]
    assert _summoned(client, world, headers) == before


def test_a_page_whose_commit_is_refused_says_busy_and_not_saved(app, world, login, token,
                                                                 refuse_next_commit):
    page = login(world.unit_admin_a1, target=app.test_client())
    url = f"/conferences/{world.conference_a1.id}"
    headers = token(world.unit_admin_a1)
    before = _summoned(app.test_client(), world, headers)
    refused_commit = refuse_next_commit()
    response = page.post(f"{url}/voters/count", data={"count-summoned_count": before + 5})
    assert refused_commit and response.status_code == 503
    assert "chưa được thực hiện" in response.text  # and not "saved", here or next page
    assert SAVED not in response.text and SAVED not in page.get(url).text
    assert _summoned(app.test_client(), world, headers) == before
    saved = page.post(f"{url}/voters/count", data={"count-summoned_count": before + 5})
    assert saved.status_code == 302 and SAVED in page.get(url).text
    assert _summoned(app.test_client(), world, headers) == before + 5


def test_a_refused_request_keeps_none_of_its_writes(app, world, client, token):
    """A view that wrote and then failed is rolled back whole, with no hand rollback."""
    from tinnhiem.conferences import services
    from tinnhiem.platform.db import db
    from tinnhiem.platform.errors import ServiceError

    @app.post("/api/v1/test/write-then-refuse/<uuid:conference_id>")
    def write_then_refuse(conference_id):
        conference = services.get_conference(db.session, conference_id)
        conference.summoned_count = 999
        db.session.flush()
        raise ServiceError("refused", "Không.", status=409)

    headers = token(world.unit_admin_a1)
    refused = client.post(f"/api/v1/test/write-then-refuse/{world.conference_a1.id}",
                          headers=headers)
    assert refused.status_code == 409 and refused.json["code"] == "refused"
    assert _summoned(client, world, headers) != 999


HAND_COMMIT = re.compile(r"\.commit\(\)|\bcommitted\(")


def test_no_view_commits_by_hand():
    """Pages and the API leave the commit to platform.request_transaction; a view that must
    keep a write whatever follows calls request_transaction.commit_now, by name."""
    offenders = []
    for path in sorted((ROOT / "tinnhiem").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        stem = path.stem
        if not (stem in ("views", "api") or stem.endswith(("_views", "_api"))):
            continue
        offenders += [f"{relative}:{n}" for n, line in enumerate(path.read_text().splitlines(), 1)
                      if HAND_COMMIT.search(line)]
    assert offenders == []
