"""Signing in: passwords, rate limits, forced changes, TOTP, resets and API tokens."""
import re
import time

import pyotp
import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.conftest import PASSWORD
from tinnhiem.platform.auth.roles import Role
from tinnhiem.platform.auth.throttle import DEVICE_COOKIE, DEVICE_SALT

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


def _post_login(client, username, password):
    return client.post("/login", data={"username": username, "password": password})


def test_right_password_signs_in(client, admin):
    response = _post_login(client, admin.username, PASSWORD)
    assert response.status_code == 302
    assert client.get("/units/").status_code == 200


@pytest.mark.parametrize("username, password", [("nobody", PASSWORD), (None, "wrong-password")])
def test_wrong_credentials_say_the_same_thing(client, admin, username, password):
    response = _post_login(client, username or admin.username, password)
    assert response.status_code == 200 and WRONG in response.text
    assert client.get("/units/").status_code == 302  # still signed out


def test_username_is_case_insensitive(client, admin):
    assert _post_login(client, admin.username.upper(), PASSWORD).status_code == 302


def test_password_is_stored_as_argon2id(app, admin):
    from tinnhiem.platform.auth.models import Account
    from tinnhiem.platform.db import db

    with app.app_context():
        assert db.session.get(Account, admin.id).password_hash.startswith("$argon2id$")


def test_disabled_account_cannot_sign_in(client, make, province, login):
    operator = make.account(Role.OPERATOR)
    counter = make.account(Role.COUNTER, make.unit(parent=province))
    operator_client = login(operator, target=client.application.test_client())
    operator_client.post(f"/accounts/{counter.id}/edit",
                         data={"full_name": "X", "role": "counter", "unit_id": str(counter.unit_id)})
    assert WRONG in _post_login(client, counter.username, PASSWORD).text


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_RATE_LIMIT": "3 per minute", "ACCOUNT_RATE_LIMIT": "5 per minute"}

    def test_guesses_from_many_addresses_meet_the_account_limit(self, app, admin):
        statuses = []
        for n in range(6):
            client = app.test_client()
            response = client.post("/login", data={"username": admin.username,
                                                   "password": "sai-mat-khau"},
                                   environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
            statuses.append(response.status_code)
        assert statuses == [200, 200, 200, 200, 200, 429]

    def test_repeated_failures_are_refused_with_429(self, client, admin):
        for _ in range(3):
            assert _post_login(client, admin.username, "sai-mat-khau").status_code == 200
        blocked = _post_login(client, admin.username, PASSWORD)
        assert blocked.status_code == 429
        assert "quá nhiều lần" in blocked.text
        api = client.post("/api/v1/auth/token",
                          json={"username": admin.username, "password": PASSWORD})
        assert api.status_code == 429 and api.json["code"] == "rate_limited"

    def test_successes_do_not_count(self, client, admin):
        for _ in range(5):
            assert _post_login(client, admin.username, PASSWORD).status_code == 302
            client.post("/logout")


class TestDeviceCookie:
    """Guesses from anywhere exhaust the per-account budget, but not for a device the owner
    signed in on before (OWASP's device cookie)."""

    @pytest.fixture
    def app_config(self):
        return {"LOGIN_RATE_LIMIT": "3 per minute", "ACCOUNT_RATE_LIMIT": "20 per hour",
                "DEVICE_RATE_LIMIT": "4 per minute"}

    @staticmethod
    def _attempt(client, username, password, address):
        return client.post("/login", data={"username": username, "password": password},
                           environ_base={"REMOTE_ADDR": address}).status_code

    def _attack(self, app, admin):
        """21 wrong passwords, each from another address and without a device cookie."""
        return [self._attempt(app.test_client(), admin.username, "sai-mat-khau", f"10.0.1.{n}")
                for n in range(21)]

    def _owner_device(self, app, admin):
        device = app.test_client()
        assert _post_login(device, admin.username, PASSWORD).status_code == 302
        assert device.get_cookie(DEVICE_COOKIE).http_only
        device.post("/logout")
        return device

    def test_the_owner_signs_in_while_the_attacker_is_refused(self, app, admin):
        device = self._owner_device(app, admin)
        assert self._attack(app, admin) == [200] * 20 + [429]
        attacker = app.test_client()
        assert self._attempt(attacker, admin.username, PASSWORD, "10.0.2.1") == 429
        api = {"username": admin.username, "password": PASSWORD}
        assert attacker.post("/api/v1/auth/token", json=api).status_code == 429
        assert _post_login(device, admin.username, "sai-mat-khau").status_code == 200
        assert _post_login(device, admin.username, PASSWORD).status_code == 302
        assert device.get("/units/").status_code == 200
        # An API client that kept the cookie the token endpoint (or the page) set is trusted.
        assert device.post("/api/v1/auth/token", json=api).status_code == 200

    def test_the_token_endpoint_sets_a_device_cookie_too(self, app, admin):
        client = app.test_client()
        assert client.post("/api/v1/auth/token", json={
            "username": admin.username, "password": PASSWORD}).status_code == 200
        assert client.get_cookie(DEVICE_COOKIE).http_only

    def test_a_device_meets_its_own_limit(self, app, admin):
        device = self._owner_device(app, admin)
        statuses = [self._attempt(device, admin.username, "sai-mat-khau", f"10.0.3.{n}")
                    for n in range(5)]
        assert statuses == [200] * 4 + [429]

    def test_no_exemption_without_a_genuine_cookie_for_that_username(self, app, make,
                                                                     province, admin):
        genuine = self._owner_device(app, admin).get_cookie(DEVICE_COOKIE).value
        donor = app.test_client()
        _post_login(donor, make.account(Role.PROVINCE_VIEWER, province).username, PASSWORD)
        someone_elses = donor.get_cookie(DEVICE_COOKIE).value
        tampered = genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB")
        other_key = URLSafeTimedSerializer("not-the-secret-key", salt=DEVICE_SALT).dumps(
            {"u": admin.username, "d": "chosen"})
        self._attack(app, admin)
        for value in (someone_elses, tampered, other_key):
            client = app.test_client()
            client.set_cookie(DEVICE_COOKIE, value)
            assert _post_login(client, admin.username, PASSWORD).status_code == 429, value
        client = app.test_client()
        client.set_cookie(DEVICE_COOKIE, genuine)
        assert _post_login(client, admin.username, PASSWORD).status_code == 302


def test_change_password(client, admin, login):
    login(admin)
    bad = client.post("/account/password", data={
        "current_password": "not-it", "password": "mot-mat-khau-moi", "confirm": "mot-mat-khau-moi"})
    assert bad.status_code == 422 and "Mật khẩu hiện tại không đúng." in bad.text
    short = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "ngan", "confirm": "ngan"})
    assert short.status_code == 422
    good = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "mot-mat-khau-moi", "confirm": "mot-mat-khau-moi"})
    assert good.status_code == 302
    assert client.get("/units/").status_code == 200  # this session stays signed in
    client.post("/logout")
    assert WRONG in _post_login(client, admin.username, PASSWORD).text
    assert _post_login(client, admin.username, "mot-mat-khau-moi").status_code == 302


def test_operator_set_password_must_be_changed_first(app, client, make, province, login, token):
    operator = make.account(Role.OPERATOR)
    unit = make.unit(parent=province)
    admin_client = login(operator, target=app.test_client())
    created = admin_client.post("/accounts/new", data={
        "username": "can-bo-moi", "full_name": "Cán bộ Mới", "role": "unit_admin",
        "unit_id": str(unit.id), "password": "tam-thoi-12345"})
    assert created.status_code == 200
    assert _post_login(client, "can-bo-moi", "tam-thoi-12345").status_code == 302
    assert client.get("/units/").headers["Location"].endswith("/account/password")
    api = app.test_client().post("/api/v1/auth/token",
                                 json={"username": "can-bo-moi", "password": "tam-thoi-12345"})
    me = app.test_client().get("/api/v1/auth/me",
                               headers={"Authorization": f"Bearer {api.json['token']}"})
    assert me.status_code == 403
    client.post("/account/password", data={"current_password": "tam-thoi-12345",
                                           "password": "cua-rieng-toi-1", "confirm": "cua-rieng-toi-1"})
    assert client.get(f"/units/{unit.id}").status_code == 200


def test_totp_enrolment_and_sign_in(client, admin, login):
    """Enrol, then sign in with a code; every code is accepted once only (each step below
    uses a later 30-second time step, within the one-step tolerance for clock drift)."""
    login(admin)
    page = client.get("/account/totp")
    secret = re.search(r'<code class="user-select-all">([A-Z2-7]+)</code>', page.text).group(1)
    if time.time() % 30 > 20:  # start early in a step: a slow machine must not cross two
        time.sleep(30 - time.time() % 30)
    totp, now = pyotp.TOTP(secret), time.time()
    assert "<svg" in page.text  # the QR code, rendered inline
    wrong = client.post("/account/totp", data={"code": "000000"})
    assert wrong.status_code == 422 and "Mã xác thực không đúng." in wrong.text
    assert client.post("/account/totp", data={"code": totp.at(now - 30)}).status_code == 302
    client.post("/logout")
    step = _post_login(client, admin.username, PASSWORD)
    assert step.headers["Location"].startswith("/login/totp")
    assert client.get("/units/").status_code == 302  # not signed in yet
    assert client.post("/login/totp", data={"code": "123456"}).status_code == 200
    replay = client.post("/login/totp", data={"code": totp.at(now - 30)})
    assert replay.status_code == 200 and "Mã xác thực không đúng." in replay.text
    assert client.post("/login/totp", data={"code": totp.at(now)}).status_code == 302
    assert client.get("/units/").status_code == 200
    no_code = client.post("/api/v1/auth/token",
                          json={"username": admin.username, "password": PASSWORD})
    assert no_code.status_code == 401
    reused = client.post("/api/v1/auth/token", json={
        "username": admin.username, "password": PASSWORD, "totp": totp.at(now)})
    assert reused.status_code == 401
    with_code = client.post("/api/v1/auth/token", json={
        "username": admin.username, "password": PASSWORD, "totp": totp.at(now + 30)})
    assert with_code.status_code == 200


@pytest.mark.parametrize("role", [Role.PROVINCE_VIEWER, Role.COUNTER])
def test_viewer_and_counter_have_no_totp_page(app, make, province, login, role):
    account = make.account(role, province if role == Role.PROVINCE_VIEWER
                           else make.unit(parent=province))
    client = login(account, target=app.test_client())
    assert client.get("/account/totp").headers["Location"] == "/"


def test_reset_password_ends_other_sessions(app, client, make, province, admin, login):
    operator = make.account(Role.OPERATOR)
    login(admin)
    assert client.get("/units/").status_code == 200
    operator_client = login(operator, target=app.test_client())
    page = operator_client.post(f"/accounts/{admin.id}/reset-password")
    temporary = re.search(r'id="temporary-password">([^<]+)<', page.text).group(1)
    assert client.get("/units/").status_code == 302  # the old session is gone
    fresh = app.test_client()
    assert _post_login(fresh, admin.username, temporary).status_code == 302
    assert fresh.get("/units/").headers["Location"].endswith("/account/password")


def test_api_needs_a_bearer_token_not_the_cookie(client, admin, login, token):
    login(admin)
    response = client.get("/api/v1/units")
    assert response.status_code == 401 and response.json["code"] == "unauthenticated"
    bad = client.get("/api/v1/units", headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401
    assert client.get("/api/v1/units", headers=token(admin)).status_code == 200
    me = client.get("/api/v1/auth/me", headers=token(admin)).json
    assert me["username"] == admin.username and me["role"] == "province_admin"


def test_logout_needs_post_and_signs_out(client, admin, login):
    login(admin)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/units/").status_code == 302


@pytest.mark.parametrize("raw_target", ["//evil.example/x", "/%09/evil.example", "/%5Cevil.example",
                                        "https://evil.example", "/%0A/evil", "%2F%2Fevil.example"])
def test_next_parameter_cannot_leave_the_site(app, admin, raw_target):
    response = app.test_client().post(f"/login?next={raw_target}",
                                      data={"username": admin.username, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_next_parameter_returns_to_a_page_of_the_site(app, admin):
    response = app.test_client().post("/login", query_string={"next": "/units/?x=1"},
                                      data={"username": admin.username, "password": PASSWORD})
    assert response.headers["Location"] == "/units/?x=1"
