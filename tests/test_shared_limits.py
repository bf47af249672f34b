"""The sign-in and wrong-code limits hold across gunicorn's worker processes, as `make run`
starts them (SQLite, no Redis): the counters live in the database, not in one process."""
import re

import pytest
import requests
from flask_migrate import upgrade

from tests import gunicorn_server
from tests.conftest import PASSWORD, TEST_CONFIG
from tests.factories import Factory
from tinnhiem import create_app
from tinnhiem.platform.config import app_connect_args
from tinnhiem.platform.db import db
from tinnhiem.platform.limit_storage import storage_settings
from tinnhiem.voting.codes import new_code

WORKERS = 4


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A migrated SQLite database with an account and an open vote, served by four
    workers with the production configuration and default limits storage."""
    tmp_path = tmp_path_factory.mktemp("limits")
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    make = Factory(app)
    world = make.world()
    make.open_conference(world)
    _codes, slug = make.issue_codes(world, 2)
    env = gunicorn_server.production_env(
        tmp_path, DATABASE_URL=url, SECRET_KEY=TEST_CONFIG["SECRET_KEY"],
        WEB_CONCURRENCY=WORKERS, LOGIN_RATE_LIMIT="5 per 15 minutes",
        VOTE_FAILURE_LIMIT="4 per 10 minutes")
    with gunicorn_server.serving(env) as base:
        yield base, world.unit_admin_a1.username, slug


def _sign_in(session, base, username, password):
    page = session.get(f"{base}/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    return session.post(f"{base}/login", allow_redirects=False,
                        data={"csrf_token": token, "username": username, "password": password})


def test_wrong_passwords_meet_one_limit_whichever_worker_answers(served):
    base, username, _slug = served
    statuses = [_sign_in(requests.Session(), base, username, "sai-mat-khau").status_code
                for _ in range(12)]
    assert statuses[:5] == [200] * 5, statuses  # the form again, with its error
    assert statuses[5:] == [429] * 7, statuses
    # The right password is refused too until the window ends: no worker lets one through.
    assert _sign_in(requests.Session(), base, username, PASSWORD).status_code == 429
    api = requests.post(f"{base}/api/v1/auth/token",
                        json={"username": username, "password": PASSWORD})
    assert api.status_code == 429 and api.json()["code"] == "rate_limited"


def test_wrong_codes_meet_one_limit_whichever_worker_answers(served):
    base, _username, slug = served
    # Well-formed codes: input that cannot be a code costs nothing (voting.code_throttle).
    statuses = [requests.post(f"{base}/v/{slug}/ballot", data={"code": new_code()}).status_code
                for _ in range(8)]
    assert statuses[:4] == [422] * 4, statuses
    assert statuses[4:] == [429] * 4, statuses



def test_the_counters_connect_as_the_app_does_behind_pgbouncer():
    """With prepared statements off for pgbouncer's transaction mode, the counters' own
    connections must not prepare them either (they would collide the same way). The
    settings alone: Flask-Limiter keeps storage options across apps in one process."""
    config = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://app:x@127.0.0.1:9/tinnhiem",
              "DATABASE_PREPARE_THRESHOLD": None, "RATELIMIT_STORAGE_URI": None}
    counters = storage_settings(config)["RATELIMIT_STORAGE_OPTIONS"]["connect_args"]
    assert counters == app_connect_args(config) == {"prepare_threshold": None}
