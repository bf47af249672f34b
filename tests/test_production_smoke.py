"""The production shape over HTTP: gunicorn with deploy/gunicorn.conf.py, several workers, on
PostgreSQL as the app's role (row-level security on, no owner credentials in its
environment), default limits storage. One conference from sign-in to the province's roll-up.
"""
import pytest
import requests

from tests import gunicorn_server
from tests.conftest import TEST_CONFIG
from tinnhiem.platform.auth.roles import Role

pytestmark = pytest.mark.postgresql_only
KEYS = {key: TEST_CONFIG[key] for key in ("SECRET_KEY", "VOTE_CODE_KEY", "AUDIT_KEY")}


@pytest.fixture
def world(make):
    world = make.world()
    make.conference_for(world)
    world.second_counter = make.account(Role.COUNTER, world.a1)
    return world


@pytest.fixture
def base(app, world, pg_database, tmp_path):
    env = gunicorn_server.production_env(tmp_path, DATABASE_URL=pg_database.app_url,
                                         WEB_CONCURRENCY=3, **KEYS)
    with gunicorn_server.serving(env) as url:
        yield url


def _api(base, account=None):
    session = requests.Session()
    session.headers["Accept"] = "application/json"
    if account is not None:
        from tests.conftest import PASSWORD

        issued = session.post(f"{base}/api/v1/auth/token",
                              json={"username": account.username, "password": PASSWORD})
        assert issued.status_code == 200, issued.text
        session.headers["Authorization"] = f"Bearer {issued.json()['token']}"

    def call(method, path, **kwargs):
        return session.request(method, f"{base}/api/v1{path}", timeout=30, **kwargs)

    return call


def _ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def test_a_conference_from_sign_in_to_the_roll_up(base, world):
    assert requests.get(f"{base}/readyz", timeout=10).status_code == 200
    unit_admin = _api(base, world.unit_admin_a1)
    url = f"/conferences/{world.conference_a1.id}"
    _ok(unit_admin("PUT", f"{url}/summoned-count", json={"summoned_count": 5}))
    _ok(unit_admin("POST", f"{url}/transitions", json={"to": "ready"}))
    _ok(unit_admin("PUT", f"{url}/attendance", json={"present_count": 5}))
    assert _ok(unit_admin("POST", f"{url}/transitions", json={"to": "open"}))["status"] == "open"
    issued = _ok(unit_admin("POST", f"{url}/codes", json={"count": 5}), 201)
    slug = issued["vote_url"].rsplit("/", 1)[1]

    voter = _api(base)
    person = _ok(voter("GET", f"/polls/{slug}"))["nominees"][0]["id"]
    levels = ["high", "high", "confidence", "low"]
    for code, level in zip(issued["codes"], levels):
        _ok(voter("POST", f"/polls/{slug}/ballots",
                  json={"code": code, "choices": [{"nominee_id": person, "level": level}]}), 201)
    again = voter("POST", f"/polls/{slug}/ballots", json={"code": issued["codes"][0]})
    assert again.status_code == 409 and again.json()["code"] == "code_spent"

    closed = _ok(unit_admin("POST", f"{url}/close", json={}))
    assert (closed["issued"], closed["collected"], closed["unused"]) == (5, 4, 1)
    counted = _ok(unit_admin("POST", f"{url}/results/state", json={"action": "count"}))
    assert counted["status"] == "counted"
    for counter in (world.counter_a1, world.second_counter):
        _ok(_api(base, counter)("POST", f"{url}/results/state", json={"action": "certify"}))

    province = _api(base, world.admin_a)
    rollup = _ok(province("GET", f"/rounds/{world.round_a.id}/rollup"))
    row = next(r for r in rollup["rows"] if r["cadre_code"] == "CB-A1")
    assert (row["high"], row["confidence"], row["low"]) == (2, 1, 1)
    # A unit admin of another unit of the province sees nothing of it.
    other = _api(base, world.unit_admin_a2)
    assert other("GET", url).status_code == 404
