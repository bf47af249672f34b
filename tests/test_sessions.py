"""Sign-in sessions end on the server: sign-out, revocation by the owner or the operator, a
password change or reset, expiry. A copied cookie or token then opens nothing."""
import datetime as dt
import hashlib

import pytest
from sqlalchemy import select, update

from tests.conftest import PASSWORD
from tinnhiem.platform.audit.models import AuditEntry
from tinnhiem.platform.auth.models import SignInSession
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.db import db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = ("Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko)"
         " Chrome/126.0.0.0 Mobile Safari/537.36")
SCRIPT = "bao-cao-tinh/2.1 (python-requests)"


@pytest.fixture
def other(make, province):
    return make.account(Role.PROVINCE_VIEWER, province)


def page_client(app, account, user_agent=FIREFOX):
    client = app.test_client()
    response = client.post("/login", data={"username": account.username, "password": PASSWORD},
                           headers={"User-Agent": user_agent})
    assert response.status_code == 302, response.text
    return client


def bearer(app, account, user_agent=SCRIPT):
    response = app.test_client().post("/api/v1/auth/token", headers={"User-Agent": user_agent},
                                      json={"username": account.username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json['token']}"}


def signed_in(client) -> bool:
    return client.get("/rounds/").status_code == 200


def token_works(client, headers) -> bool:
    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code in (200, 401)
    return response.status_code == 200


def rows(app, account):
    with app.app_context():
        return db.session.scalars(select(SignInSession).where(
            SignInSession.account_id == account.id).order_by(SignInSession.created_at)).all()


def test_a_copied_cookie_is_refused_after_logout(app, admin):
    browser = page_client(app, admin)
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    assert signed_in(thief)
    assert browser.post("/logout").status_code == 302
    assert not signed_in(browser)
    assert thief.get("/rounds/").headers["Location"].startswith("/login")
    assert rows(app, admin)[0].revoked_at is not None


def test_a_revoked_token_is_refused(app, client, admin):
    headers = bearer(app, admin)
    assert token_works(client, headers)
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    refused = client.get("/api/v1/units", headers=headers)
    assert refused.status_code == 401 and refused.json["code"] == "unauthenticated"
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 401


def test_the_secret_is_stored_only_as_a_hash(app, admin, make):
    headers = bearer(app, admin)
    session_id, secret = headers["Authorization"].removeprefix("Bearer ").split(".")
    [row] = rows(app, admin)
    assert row.id.hex == session_id and row.kind == "api"
    assert secret not in (row.secret_hash, row.device)
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    page_token = make.sign_in_session(admin).token
    forged = {"Authorization": f"Bearer {session_id}.{secret[:-2]}xx"}
    as_page = {"Authorization": f"Bearer {page_token}"}
    assert not token_works(app.test_client(), forged)
    assert not token_works(app.test_client(), as_page)  # a page session is no bearer token


def test_signing_out_everywhere_else_ends_the_others(app, admin):
    browser, phone = page_client(app, admin), page_client(app, admin, PHONE)
    headers = bearer(app, admin)
    done = browser.post("/account/sessions/revoke-others", follow_redirects=True)
    assert "Đã đăng xuất 2 phiên khác." in done.text
    assert signed_in(browser) and not signed_in(phone)
    assert not token_works(browser, headers)


def test_the_api_ends_every_other_session_of_the_caller(app, client, admin, other):
    browser, mine = page_client(app, admin), bearer(app, admin)
    caller, others = bearer(app, admin), bearer(app, other)
    response = client.delete("/api/v1/auth/sessions", headers=caller)
    assert response.status_code == 200 and response.json == {"revoked": 2}
    assert not signed_in(browser) and not token_works(client, mine)
    assert token_works(client, caller) and token_works(client, others)


def test_a_reset_by_the_operator_ends_pages_and_tokens(app, client, make, admin):
    browser, headers = page_client(app, admin), bearer(app, admin)
    operator = bearer(app, make.account(Role.OPERATOR))
    reset = client.post(f"/api/v1/accounts/{admin.id}/password-reset", headers=operator)
    assert reset.status_code == 200
    assert not signed_in(browser) and not token_works(client, headers)


def test_a_password_change_ends_every_other_session(app, admin):
    browser, phone, headers = page_client(app, admin), page_client(app, admin), bearer(app, admin)
    new = "mot-mat-khau-moi"
    changed = browser.post("/account/password", data={
        "current_password": PASSWORD, "password": new, "confirm": new})
    assert changed.status_code == 302
    assert signed_in(browser)
    assert not signed_in(phone) and not token_works(browser, headers)


def test_the_owner_sees_their_own_sessions_only(app, admin, other):
    browser = page_client(app, admin)
    headers = bearer(app, admin)
    page_client(app, other, PHONE)
    page = browser.get("/account/sessions")
    assert page.status_code == 200
    assert "Firefox · Windows" in page.text and SCRIPT in page.text
    assert "Chrome · Android" not in page.text  # the other account's
    assert page.text.count("Phiên này") == 1
    assert "/account/sessions" in browser.get("/rounds/").text  # linked from the menu
    listed = browser.get("/api/v1/auth/sessions", headers=headers).json
    assert {s["id"] for s in listed} == {str(r.id) for r in rows(app, admin)}
    assert {(s["kind"], s["device"], s["current"]) for s in listed} == {
        ("page", "Firefox · Windows", False), ("api", SCRIPT, True)}
    assert listed[0]["created_at"].endswith("+00:00")
    nameless = page_client(app, admin, user_agent="")
    assert "Thiết bị không rõ" in nameless.get("/account/sessions").text


def test_the_owner_ends_one_session(app, admin):
    browser, phone, headers = page_client(app, admin), page_client(app, admin, PHONE), \
        bearer(app, admin)
    phone_row, api_row = rows(app, admin)[1:]
    done = browser.post(f"/account/sessions/{phone_row.id}/revoke", follow_redirects=True)
    assert "Đã đăng xuất phiên trên Chrome · Android." in done.text
    assert not signed_in(phone) and signed_in(browser)
    assert "Chrome · Android" not in browser.get("/account/sessions").text
    assert browser.post(f"/account/sessions/{phone_row.id}/revoke").status_code == 404
    assert browser.delete(f"/api/v1/auth/sessions/{api_row.id}",
                          headers=headers).status_code == 204
    assert not token_works(browser, headers)


def test_ending_this_session_from_the_list_signs_out(app, admin):
    browser = page_client(app, admin)
    [row] = rows(app, admin)
    response = browser.post(f"/account/sessions/{row.id}/revoke")
    assert response.headers["Location"] == "/login"
    assert not signed_in(browser)


def test_one_account_cannot_end_anothers_session(app, admin, other):
    browser, headers = page_client(app, admin), bearer(app, admin)
    victim, victim_token = page_client(app, other), bearer(app, other)
    for row in rows(app, other):
        assert browser.post(f"/account/sessions/{row.id}/revoke").status_code == 404
        refused = browser.delete(f"/api/v1/auth/sessions/{row.id}", headers=headers)
        assert refused.status_code == 404 and refused.json["code"] == "not_found"
    assert signed_in(victim) and token_works(victim, victim_token)
    assert all(row.revoked_at is None for row in rows(app, other))


def test_the_operator_ends_every_session_of_an_account_audited(app, make, admin, other):
    operator = make.account(Role.OPERATOR)
    desk = page_client(app, operator)
    browser, headers = page_client(app, admin), bearer(app, admin)
    bystander = page_client(app, other)
    done = desk.post(f"/accounts/{admin.id}/revoke-sessions", follow_redirects=True)
    assert f"Đã đăng xuất 2 phiên của tài khoản {admin.username}." in done.text
    assert not signed_in(browser) and not token_works(desk, headers)
    assert signed_in(bystander)
    headers = bearer(app, admin)
    api = desk.delete(f"/api/v1/accounts/{admin.id}/sessions", headers=bearer(app, operator))
    assert api.status_code == 200 and api.json == {"revoked": 1}
    assert not token_works(desk, headers)
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "account.sessions_revoked")).all()
    assert [(e.actor, e.target, e.details["sessions"]) for e in entries] == [
        (operator.username, str(admin.id), 2), (operator.username, str(admin.id), 1)]


def test_only_the_operator_ends_an_accounts_sessions(app, admin, other):
    browser, headers = page_client(app, admin), bearer(app, admin)
    assert browser.post(f"/accounts/{other.id}/revoke-sessions").status_code == 404
    assert browser.delete(f"/api/v1/accounts/{other.id}/sessions",
                          headers=headers).status_code == 404


def test_locking_an_account_ends_its_sessions(app, make, admin):
    headers = bearer(app, admin)
    operator = bearer(app, make.account(Role.OPERATOR))
    client = app.test_client()
    client.patch(f"/api/v1/accounts/{admin.id}", json={"active": False}, headers=operator)
    client.patch(f"/api/v1/accounts/{admin.id}", json={"active": True}, headers=operator)
    assert not token_works(client, headers)


def _age(app, account, **changes):
    """Time passing, as the owner (the app's role may not move a session's expiry)."""
    from tinnhiem.tenants.scope import unscoped

    with app.app_context(), unscoped("test: sessions age") as session:
        session.execute(update(SignInSession)
                        .where(SignInSession.account_id == account.id).values(**changes))
        session.commit()


def test_expired_sessions_are_refused(app, admin):
    browser, headers = page_client(app, admin), bearer(app, admin)
    listed = browser.get("/api/v1/auth/sessions", headers=headers).json
    assert len(listed) == 2
    _age(app, admin, expires_at=dt.datetime.now(dt.UTC).replace(tzinfo=None)
         - dt.timedelta(seconds=1))
    assert not signed_in(browser) and not token_works(browser, headers)
    fresh = bearer(app, admin)
    assert len(browser.get("/api/v1/auth/sessions", headers=fresh).json) == 1


def test_sessions_last_as_configured(app, admin):
    page_client(app, admin), bearer(app, admin)
    page, api = rows(app, admin)
    assert page.expires_at - page.created_at == dt.timedelta(hours=12)
    assert api.expires_at - api.created_at == dt.timedelta(hours=8)


def test_last_seen_is_written_every_few_minutes_not_every_request(app, admin):
    browser = page_client(app, admin)
    long_ago = dt.datetime(2026, 1, 1, 8, 0)
    _age(app, admin, last_seen_at=long_ago)
    assert signed_in(browser)
    [row] = rows(app, admin)
    assert row.last_seen_at > long_ago
    assert signed_in(browser)
    assert rows(app, admin)[0].last_seen_at == row.last_seen_at
