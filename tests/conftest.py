"""Fixtures: an app per test on SQLite and on a real PostgreSQL, and factories for data.

Tests that use `app` run once per backend; mark one `postgresql_only` or `sqlite_only` when
the question only exists there. Nothing is ever skipped: with CI set, a skip fails the run.
"""
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from flask_migrate import upgrade

from tests import pg_cluster
import tinnhiem.models  # noqa: F401  (complete metadata for truncation)
from tinnhiem import create_app
from tinnhiem.platform.db import db

# Never write into the checkout's instance/ folder from a test.
os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="tinnhiem-instance-")
BACKENDS = ("sqlite", "postgresql")
PASSWORD = "mat-khau-thu-nghiem"
SHARED_MEMORY = "/dev/shm"
SKIPPED: list[str] = []


def pytest_configure(config):
    from babel.messages.frontend import CommandLineInterface

    # The compiled catalogs are build output (not in git): make them for this run, once (with
    # pytest-xdist the workers start after the controller has, and must not rewrite them
    # while another worker reads them).
    if not hasattr(config, "workerinput"):
        translations = os.path.join(os.path.dirname(__file__), "..", "tinnhiem", "translations")
        CommandLineInterface().run(["pybabel", "-q", "compile", "-d", translations])
    config.addinivalue_line("markers", "postgresql_only: the question exists only on PostgreSQL")
    config.addinivalue_line("markers", "sqlite_only: the question exists only on SQLite")


def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("postgresql_only"):
        backends = ["postgresql"]
    elif metafunc.definition.get_closest_marker("sqlite_only"):
        backends = ["sqlite"]
    else:
        backends = list(BACKENDS)
    metafunc.parametrize("backend", backends)


def pytest_runtest_logreport(report):
    if report.skipped:
        SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI") and SKIPPED:
        print(f"\nCI: {len(SKIPPED)} test(s) skipped, which fails the run: {SKIPPED[:5]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    # On PostgreSQL every key must be configured (platform/config.settle_keys).
    "VOTE_CODE_KEY": "test-vote-code-key-not-for-production",
    "AUDIT_KEY": "test-audit-key-not-for-production",
    "WTF_CSRF_ENABLED": False,
    "LOGIN_RATE_LIMIT": "1000 per minute",
    "ACCOUNT_RATE_LIMIT": "1000 per minute",
    "DEVICE_RATE_LIMIT": "1000 per minute",
    "VOTE_FAILURE_LIMIT": "1000 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",
}


def _migrated_app(config):
    app = create_app({**TEST_CONFIG, **config})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return app


@pytest.fixture(scope="session")
def pg_cluster_running():
    try:
        cluster = pg_cluster.start_cluster()
    except pg_cluster.MissingPostgres as error:
        pytest.exit(str(error), returncode=2)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_database(pg_cluster_running):
    name = pg_cluster.create_database(pg_cluster_running)
    owner_url = pg_cluster_running.url(pg_cluster.OWNER, name)
    app_url = pg_cluster_running.url(pg_cluster.APP, name)
    pg_cluster.wait_ready(owner_url.replace("+psycopg", ""))
    _migrated_app({"SQLALCHEMY_DATABASE_URI": app_url, "MIGRATE_DATABASE_URL": owner_url})
    return SimpleNamespace(owner_url=owner_url, app_url=app_url, name=name)


@pytest.fixture(scope="session")
def sqlite_dir(tmp_path_factory):
    """Where the SQLite test databases live: in memory-backed /dev/shm when there is one. On
    disk each commit waits ~10 ms for its fsync (more on a busy machine) and a test commits
    dozens of times; SQLite behaves the same otherwise (locking, journal, constraints)."""
    if not os.path.isdir(SHARED_MEMORY):
        yield tmp_path_factory.mktemp("sqlite")
        return
    path = Path(tempfile.mkdtemp(prefix="tinnhiem-tests-", dir=SHARED_MEMORY))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(sqlite_dir):
    path = sqlite_dir / "template.sqlite3"
    _migrated_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    return path


def sqlite_copy(request, name: str = "test") -> Path:
    """A copy of the migrated template for the requesting test, removed after it."""
    path = request.getfixturevalue("sqlite_dir") / f"{name}-{uuid.uuid4().hex}.sqlite3"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)

    def remove():
        for leftover in path.parent.glob(f"{path.name}*"):  # with its -wal, -shm, -journal
            leftover.unlink(missing_ok=True)

    request.addfinalizer(remove)
    return path


def _empty_postgres(owner_url: str) -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with psycopg.connect(owner_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def database_config(backend, request, tmp_path) -> dict:
    if backend == "sqlite":
        path = sqlite_copy(request)
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    pg = request.getfixturevalue("pg_database")
    _empty_postgres(pg.owner_url)
    return {"SQLALCHEMY_DATABASE_URI": pg.app_url, "MIGRATE_DATABASE_URL": pg.owner_url}


@pytest.fixture
def app_config():
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(backend, request, tmp_path, app_config):
    app = create_app({**TEST_CONFIG, **database_config(backend, request, tmp_path),
                      **app_config})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def fresh_app(backend, request):
    """A second app on a new database, migrated and empty (a backup restores into it)."""
    if backend == "sqlite":
        path = sqlite_copy(request, "restored")
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    else:
        cluster = request.getfixturevalue("pg_cluster_running")
        name = pg_cluster.create_database(cluster)
        config = {"SQLALCHEMY_DATABASE_URI": cluster.url(pg_cluster.APP, name),
                  "MIGRATE_DATABASE_URL": cluster.url(pg_cluster.OWNER, name)}
        _migrated_app(config)
    app = create_app({**TEST_CONFIG, **config})
    yield app
    with app.app_context():
        db.engine.dispose()
    if backend == "postgresql":
        with psycopg.connect(cluster.superuser_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def world_snapshots():
    """The worlds `tests.snapshots.snapshot` fixtures of this module built, dropped after it."""
    from tests.snapshots import Snapshots

    snapshots = Snapshots()
    yield snapshots
    snapshots.drop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app):
    from tests.factories import Factory

    return Factory(app)


@pytest.fixture
def province(make):
    return make.province()


@pytest.fixture
def admin(make, province):
    """The admin of a province of their own."""
    from tinnhiem.platform.auth.roles import Role

    return make.account(Role.PROVINCE_ADMIN, province)


@pytest.fixture
def login(client):
    def sign_in(account, password=PASSWORD, target=client):
        response = target.post("/login", data={"username": account.username,
                                               "password": password})
        assert response.status_code == 302, response.text
        return target

    return sign_in


@pytest.fixture
def token(client):
    def issue(account, password=PASSWORD):
        response = client.post("/api/v1/auth/token",
                               json={"username": account.username, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json['token']}"}

    return issue


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """argon2id with its production cost takes ~0.1 s a hash; tests make hundreds. The
    algorithm and code path stay the same, only the cost parameters shrink."""
    from argon2 import PasswordHasher

    from tinnhiem.platform.auth import passwords

    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = original
