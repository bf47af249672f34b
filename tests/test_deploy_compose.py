"""deploy/compose.yaml has the production shape (docker compose itself is not on the test
machines, so the file is read as YAML), and its PostgreSQL init script makes roles the app
accepts: it runs here against the throwaway cluster."""
import os
import re
import subprocess
import uuid
from urllib.parse import urlsplit

import psycopg
import yaml
from flask_migrate import upgrade
from sqlalchemy import text

from tests import pg_cluster
from tests.conftest import TEST_CONFIG
from tests.deploy_tools import DEPLOY, read
from tinnhiem import create_app
from tinnhiem.platform.db import database_role_problems, db

APP_HOSTS = ("app", "app2")


def _compose() -> dict:
    return yaml.safe_load(read("compose.yaml"))


def _values(service: dict) -> str:
    return " ".join(str(value) for value in (service.get("environment") or {}).values())


def test_the_compose_file_starts_the_production_shape():
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", *APP_HOSTS, "worker", "nginx"}
    assert services["postgres"]["image"].startswith("postgres:15")
    migrate = services["migrate"]
    assert migrate["command"] == ["flask", "--app", "wsgi", "db", "upgrade"]
    assert migrate["environment"]["MIGRATE_DATABASE_URL"].startswith(
        "postgresql+psycopg://tinnhiem_owner:")
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "restart" not in migrate or migrate["restart"] == "no"
    for name in APP_HOSTS:
        app = services[name]
        assert app["build"]["dockerfile"] == "deploy/Dockerfile"
        assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert app["depends_on"]["redis"]["condition"] == "service_healthy"
        assert "/readyz" in " ".join(app["healthcheck"]["test"])
        environment = app["environment"]
        assert environment["DATABASE_URL"].startswith("postgresql+psycopg://tinnhiem_app:")
        assert environment["DB_APP_ROLE"] == "tinnhiem_app"
        assert environment["RATELIMIT_STORAGE_URI"].startswith("redis://redis:")
        assert environment["SESSION_COOKIE_SECURE"] == "true"
        # The owner's credentials never reach a web container.
        assert "MIGRATE_DATABASE_URL" not in environment
        assert "OWNER" not in _values(app) and "tinnhiem_owner" not in _values(app)
        assert "ports" not in app  # only nginx is published
    assert {services["nginx"]["depends_on"][name]["condition"] for name in APP_HOSTS} \
        == {"service_healthy"}


def test_the_compose_worker_consumes_the_app_hosts_job_queue():
    """The app hosts queue jobs in Redis (so gunicorn runs no consumer of its own); the worker
    reads the same queue with the app hosts' settings, as the app role."""
    services = _compose()["services"]
    worker = services["worker"]
    assert worker["command"] == ["flask", "--app", "wsgi", "jobs", "worker"]
    assert worker["environment"] == services["app"]["environment"]
    assert worker["environment"]["JOBS_URL"].startswith("redis://redis:")
    assert worker["environment"]["JOBS_URL"] != worker["environment"]["RATELIMIT_STORAGE_URI"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "MIGRATE_DATABASE_URL" not in worker["environment"] and "ports" not in worker
    assert int(worker["stop_grace_period"].rstrip("s")) > 60  # JOBS_GRACEFUL_TIMEOUT
    redis = services["redis"]["command"]
    assert redis[redis.index("--appendonly") + 1] == "yes"  # queued jobs survive a restart


def test_every_secret_comes_from_the_operators_env_file():
    compose = read("compose.yaml")
    required = set(re.findall(r"\$\{(\w+):\?", compose))
    assert {"SECRET_KEY", "VOTE_CODE_KEY", "AUDIT_KEY", "DB_SCOPE_KEY", "POSTGRES_PASSWORD",
            "TINNHIEM_OWNER_PASSWORD", "TINNHIEM_APP_PASSWORD"} <= required
    example = dict(line.split("=", 1) for line in read("compose.env.example").splitlines()
                   if line and not line.startswith("#"))
    assert required <= set(example)
    assert set(example.values()) == {""}  # documented, never filled in the repository
    for service in _compose()["services"].values():
        for value in (service.get("environment") or {}).values():
            assert "PASSWORD" not in str(value) or "${" in str(value)


def test_nginx_in_compose_sends_to_both_app_hosts(tmp_path):
    """The nginx container's command, run on the shipped site, lists both hosts."""
    script = _compose()["services"]["nginx"]["command"][2].split(" && ")[0]
    output = tmp_path / "default.conf"
    script = (script.replace("/opt/tinnhiem/deploy/nginx-tinnhiem.conf",
                             os.path.join(DEPLOY, "nginx-tinnhiem.conf"))
              .replace("/etc/nginx/conf.d/default.conf", str(output)))
    subprocess.run(["/bin/sh", "-c", script], check=True)
    site = output.read_text(encoding="utf-8")
    upstream = re.search(r"upstream tinnhiem \{(.*?)\}", site, re.S).group(1)
    upstream = re.sub(r"#.*", "", upstream)  # the commented examples
    assert re.findall(r"\bserver (\S+) ", upstream) == ["app:8000", "app2:8000"]
    assert "[::]" not in site and "keepalive 32;" in upstream


def test_the_image_is_python_311_slim_with_pango():
    dockerfile = read("Dockerfile")
    assert dockerfile.splitlines()[2] == "FROM python:3.11-slim"
    assert "pip install -r requirements.txt" in dockerfile
    assert "libpango-1.0-0" in dockerfile
    assert 'CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]' in dockerfile


def test_the_init_script_makes_roles_the_app_accepts(pg_cluster_running, tmp_path):
    """postgres-init.sh on a new database; migrations as its owner; the app's role then
    passes the app's own start-up check (owns nothing, row-level security binds it)."""
    suffix = uuid.uuid4().hex[:8]
    database, owner, app_role = (f"tinnhiem_init_{suffix}", f"owner_{suffix}",
                                 f"app_{suffix}")
    with psycopg.connect(pg_cluster_running.superuser_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {database}")
    server = urlsplit(pg_cluster_running.superuser_url)
    subprocess.run(["/bin/sh", os.path.join(DEPLOY, "postgres-init.sh")], check=True,
                   capture_output=True, env={
                       **os.environ, "PATH": os.path.dirname(pg_cluster._bin("psql")) + ":"
                       + os.environ["PATH"], "PGHOST": server.hostname,
                       "PGPORT": str(server.port), "PGPASSWORD": server.password or "",
                       "POSTGRES_USER": server.username, "POSTGRES_DB": database,
                       "TINNHIEM_OWNER_ROLE": owner, "TINNHIEM_APP_ROLE": app_role,
                       "TINNHIEM_OWNER_PASSWORD": "o-" + suffix,
                       "TINNHIEM_APP_PASSWORD": "a-" + suffix})
    host = f"{server.hostname}:{server.port}"
    owner_url = f"postgresql+psycopg://{owner}:o-{suffix}@{host}/{database}"
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI":
                      f"postgresql+psycopg://{app_role}:a-{suffix}@{host}/{database}",
                      "MIGRATE_DATABASE_URL": owner_url, "DB_APP_ROLE": app_role})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            assert database_role_problems(connection, app_role) == []
            assert connection.execute(text("SELECT count(*) FROM units")).scalar() == 0
        db.engine.dispose()
