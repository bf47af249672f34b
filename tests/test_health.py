"""The probes: /healthz says the process answers, /readyz says the database (and Redis, when
the rate limits live there) answer; both cheap, neither touching accounts, scopes or logs."""
import logging
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests import redis_server
from tests.conftest import TEST_CONFIG
from tests.deploy_tools import free_port as closed_port
from tinnhiem import create_app


def unreachable_database(backend, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/no-such-directory/tinnhiem.sqlite3"
    return f"postgresql+psycopg://tinnhiem_app:secret-word@127.0.0.1:{closed_port()}/tinnhiem"


@contextmanager
def statements():
    """Every SQL statement any engine runs meanwhile."""
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


@pytest.fixture(scope="module")
def redis_port():
    with redis_server.serving() as port:
        yield port


@pytest.mark.parametrize("path", ["/healthz", "/health"])
def test_liveness_answers_without_any_io(client, path):
    with statements() as seen:
        response = client.get(path)
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert seen == []


def test_readiness_asks_the_database_and_nothing_of_the_tenants(client, backend):
    with statements() as seen:
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok"}}
    # neither the account, the scope nor the role check: only the probe's own questions
    assert all("statement_timeout" in s or s in ("SELECT 1", "SELECT count(*) FROM sqlite_master")
               for s in seen), seen
    assert seen


def test_probes_of_a_signed_in_browser_load_no_account_and_set_no_cookie(client, login, admin):
    login(admin)
    for path in ("/healthz", "/readyz"):
        with statements() as seen:
            response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert not any("account" in s or "sign_in" in s for s in seen), seen


def test_an_unreachable_database_is_not_ready(backend, tmp_path, caplog):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI":
                      unreachable_database(backend, tmp_path)})
    client = app.test_client()
    with caplog.at_level(logging.DEBUG):
        response = client.get("/readyz")
        alive = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["code"] == "not_ready"
    assert response.json["checks"]["database"].startswith("error: ")
    # no host, port, user, password or path in the answer
    assert "127.0.0.1" not in response.text and "secret-word" not in response.text
    assert "no-such-directory" not in response.text
    assert alive.status_code == 200  # the process itself is alive
    assert caplog.records == []


def test_redis_down_is_not_ready(backend, request, tmp_path, caplog):
    from tests.conftest import database_config

    app = create_app({**TEST_CONFIG, **database_config(backend, request, tmp_path),
                      "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{closed_port()}/0"})
    with caplog.at_level(logging.DEBUG):
        response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "redis": response.json["checks"]["redis"]}
    assert response.json["checks"]["redis"].startswith("error: ")
    assert caplog.records == []


def test_redis_up_is_ready(backend, request, tmp_path, redis_port):
    from tests.conftest import database_config

    app = create_app({**TEST_CONFIG, **database_config(backend, request, tmp_path),
                      "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_port}/0"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
