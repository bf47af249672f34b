"""A restore never re-opens a spent code: a vote open when the backup was taken comes back
suspended, no code votes, and the unit admin either voids the unused codes and closes it
(counting the ballots the backup kept) or annuls it."""
import json
import zipfile

import pytest

from tests.backups import everything, restore, take_backup
from tinnhiem.platform.db import db

CODES, BEFORE, AFTER = 8, 3, 2


def api_cast(client, slug, code, person):
    return client.post(f"/api/v1/polls/{slug}/ballots", json={
        "code": code, "choices": [{"nominee_id": str(person.id), "level": "high"}]})


def bearer(client, account):
    from tests.conftest import PASSWORD

    response = client.post("/api/v1/auth/token",
                           json={"username": account.username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json['token']}"}


def column(app, table: str, name: str) -> list:
    """One column of every row of `table`, sorted, as the owner reads it (no crossing
    session: that would write to the audit log)."""
    where = [c.name for c in db.metadata.tables[table].columns].index(name)
    return sorted(row[where] for row in everything(app)[table])


def trackers(app):
    return column(app, "ballots", "tracker")


def code_states(app):
    return column(app, "vote_codes", "state")


@pytest.fixture
def restored(app, make, fresh_app, tmp_path):  # noqa: F811
    """BEFORE ballots cast, a backup, AFTER more ballots, then the backup restored into a
    new database (fresh_app)."""
    w = make.world()
    make.open_conference(w, people=2, summoned=CODES)
    w.codes, w.slug = make.issue_codes(w, CODES)
    voter = app.test_client()
    trackers = [api_cast(voter, w.slug, code, w.people[0]).json["tracker"]
                for code in w.codes[:BEFORE]]
    w.before, w.after = w.codes[:BEFORE], w.codes[BEFORE:BEFORE + AFTER]
    w.kept = sorted(t.replace("-", "") for t in trackers)
    path = tmp_path / "during-the-vote.zip"
    take_backup(app, path)
    with zipfile.ZipFile(path) as archive:
        w.backup_taken_at = json.loads(archive.read("manifest.json"))["created_at"]
    for code in w.after:
        assert api_cast(voter, w.slug, code, w.people[0]).status_code == 201
    w.restore_output = restore(fresh_app, path)
    assert w.restore_output.exit_code == 0, w.restore_output.output
    w.client = fresh_app.test_client()
    return w


def test_a_vote_open_at_the_backup_comes_back_suspended_and_takes_no_code(fresh_app,  # noqa: F811
                                                                          restored):
    w = restored
    assert "1 electronic vote(s)" in w.restore_output.output
    assert "void the unused codes and close" in w.restore_output.output
    assert trackers(fresh_app) == w.kept  # every ballot before, none after
    headers = bearer(w.client, w.unit_admin_a1)
    conference = w.client.get(f"/api/v1/conferences/{w.voting.id}", headers=headers)
    assert conference.json["status"] == "suspended"
    counted = w.client.post(f"/api/v1/conferences/{w.voting.id}/results/state",
                            json={"action": "count"}, headers=headers)
    assert counted.status_code == 409 and "Tạm dừng sau khôi phục" in counted.json["message"]
    for code in w.before + w.after + w.codes[BEFORE + AFTER:]:
        refused = api_cast(w.client, w.slug, code, w.people[0])
        assert refused.status_code == 409 and refused.json["code"] == "vote_suspended", code
        page = w.client.post(f"/v/{w.slug}/ballot", data={"code": code})
        assert page.status_code == 409 and "đang tạm dừng" in page.text
    assert trackers(fresh_app) == w.kept
    start = w.client.get(f"/v/{w.slug}")
    assert start.status_code == 409 and "đang tạm dừng" in start.text
    assert 'name="code"' not in start.text
    verified = fresh_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_the_unit_admin_sees_why_and_voids_the_rest_and_closes(fresh_app, login,  # noqa: F811
                                                               restored):
    w = restored
    login(w.unit_admin_a1, target=w.client)
    page = w.client.get(f"/conferences/{w.voting.id}")
    assert "Tạm dừng sau khôi phục" in page.text
    assert f"bản sao lưu lập lúc {w.backup_taken_at}" in page.text
    assert "Hủy các mã chưa dùng và kết thúc bỏ phiếu" in page.text
    assert "Tiếp tục bỏ phiếu" not in page.text  # no resuming
    closed = w.client.post(f"/conferences/{w.voting.id}/void-and-close")
    assert closed.status_code == 302
    page = w.client.get(f"/conferences/{w.voting.id}")
    assert "Đã kết thúc bỏ phiếu" in page.text
    assert code_states(fresh_app) == ["spent"] * BEFORE + ["void"] * (CODES - BEFORE)
    for code in w.after:
        refused = api_cast(w.client, w.slug, code, w.people[0])
        assert refused.status_code == 409 and refused.json["code"] == "vote_closed"
    counted = w.client.post(f"/api/v1/conferences/{w.voting.id}/results/state",
                            json={"action": "count"}, headers=bearer(w.client, w.unit_admin_a1))
    assert counted.status_code == 200, counted.text
    assert trackers(fresh_app) == w.kept
    verified = fresh_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_void_and_close_through_the_api_and_then_nothing_twice(fresh_app, restored):  # noqa: F811
    w = restored
    headers = bearer(w.client, w.unit_admin_a1)
    url = f"/api/v1/conferences/{w.voting.id}/void-and-close"
    closed = w.client.post(url, headers=headers)
    assert closed.status_code == 200, closed.text
    assert closed.json["status"] == "closed" and closed.json["collected"] == BEFORE
    assert closed.json["seal_digest"]
    again = w.client.post(url, headers=headers)
    assert again.status_code == 409 and again.json["code"] == "invalid_transition"


def test_the_unit_admin_may_annul_it_instead(fresh_app, restored):  # noqa: F811
    w = restored
    headers = bearer(w.client, w.unit_admin_a1)
    annulled = w.client.post(f"/api/v1/conferences/{w.voting.id}/annul", headers=headers,
                             json={"reason": "Khôi phục từ bản sao lưu; tổ chức lấy phiếu lại"})
    assert annulled.status_code == 200 and annulled.json["status"] == "annulled"
    refused = api_cast(w.client, w.slug, w.after[0], w.people[0])
    assert refused.status_code == 409 and refused.json["code"] == "vote_closed"
    assert "void" not in code_states(fresh_app)  # annul, not close
    verified = fresh_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_no_one_else_may_end_it(fresh_app, restored):  # noqa: F811
    w = restored
    void = f"/api/v1/conferences/{w.voting.id}/void-and-close"
    annul = f"/api/v1/conferences/{w.voting.id}/annul"
    reason = {"reason": "Không phải đơn vị mình"}
    # Another unit's admin, the unit's own counter, the province: as if it did not exist.
    for account in (w.unit_admin_a2, w.unit_admin_b1, w.counter_a1, w.admin_a):
        headers = bearer(w.client, account)
        assert w.client.post(void, headers=headers).status_code == 404, account.role
        assert w.client.post(annul, headers=headers, json=reason).status_code == 404
    assert w.client.post(void).status_code == 401  # no account
    assert "void" not in code_states(fresh_app)
    headers = bearer(w.client, w.unit_admin_a1)
    status = w.client.get(f"/api/v1/conferences/{w.voting.id}", headers=headers)
    assert status.json["status"] == "suspended"


def test_a_restore_under_other_keys_is_refused_in_one_line(app, make, fresh_app,  # noqa: F811
                                                           tmp_path):
    w = make.world()
    make.open_conference(w, people=1)
    path = tmp_path / "keys.zip"
    take_backup(app, path)
    checked = app.test_cli_runner().invoke(args=["backup", "check", str(path)])
    assert checked.exit_code == 0 and "keys match" in checked.output, checked.output
    fresh_app.config["VOTE_CODE_KEY"] = "another-vote-code-key"
    refused = restore(fresh_app, path)
    assert refused.exit_code == 1 and "VOTE_CODE_KEY" in refused.output
    assert "SECRET_KEY" not in refused.output.split("(or")[0]
    assert len(refused.output.strip().splitlines()) == 1
    assert everything(fresh_app)["conferences"] == []
    fresh_app.config["VOTE_CODE_KEY"] = app.config.get("VOTE_CODE_KEY")
    assert restore(fresh_app, path).exit_code == 0  # the same file under its keys
