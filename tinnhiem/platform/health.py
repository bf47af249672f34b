"""Probes for the load balancer and the service manager.

/healthz (liveness): the process answers; no I/O. /readyz (readiness): the database and, when
the rate limits live there, Redis answer within a short timeout. /health stays as an alias of
/healthz for monitors set up before.

Probes answer before every other hook: no signed-in account is loaded, no tenant scope bound,
no rate limit counted, no session cookie set, nothing logged or counted in /metrics.
"""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tinnhiem.platform.db import db, is_postgresql
from tinnhiem.platform.request_log import leave_unobserved

bp = Blueprint("health", __name__)
TIMEOUT_SECONDS = 2
REDIS_SCHEMES = {"redis", "rediss", "redis+unix"}


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


bp.add_url_rule("/health", "health", healthz)


@bp.get("/readyz")
def readyz():
    checks = {"database": _outcome(_check_database)}
    if _redis_url():
        checks["redis"] = _outcome(_check_redis)
    if all(result == "ok" for result in checks.values()):
        return jsonify({"status": "ok", "checks": checks})
    return jsonify({"status": "unavailable", "code": "not_ready", "checks": checks}), 503


def _outcome(check) -> str:
    try:
        check()
    except Exception as error:  # noqa: BLE001 (any failure means not ready)
        # The class only: a driver's message can name hosts, users or paths.
        cause = getattr(error, "orig", None) or error
        return f"error: {type(cause).__name__}"
    return "ok"


def _probe_engine():
    """An engine of its own with short timeouts, not the app's pool: a new connection each
    time, so the answer is whether the app could connect now, and never waits long."""
    app = current_app._get_current_object()
    engine = app.extensions.get("tinnhiem.probe_engine")
    if engine is None:
        url = db.engine.url
        connect_args = ({"connect_timeout": TIMEOUT_SECONDS}
                        if url.get_backend_name() == "postgresql"
                        else {"timeout": TIMEOUT_SECONDS})
        engine = app.extensions["tinnhiem.probe_engine"] = create_engine(
            url, poolclass=NullPool, connect_args=connect_args)
    return engine


def _check_database() -> None:
    with _probe_engine().connect() as connection:
        if is_postgresql(connection):
            connection.execute(text(
                f"SET LOCAL statement_timeout = '{TIMEOUT_SECONDS}s'"))
            connection.execute(text("SELECT 1"))
        else:
            # SELECT 1 would not open the file; the schema read does, and fails on a lost one.
            connection.execute(text("SELECT count(*) FROM sqlite_master"))
        connection.rollback()


def _redis_url() -> str | None:
    url = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    return url if urlsplit(url).scheme in REDIS_SCHEMES else None


def _check_redis() -> None:
    import redis

    app = current_app._get_current_object()
    client = app.extensions.get("tinnhiem.probe_redis")
    if client is None:
        url = _redis_url().replace("redis+unix://", "unix://", 1)
        client = app.extensions["tinnhiem.probe_redis"] = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
    client.ping()


def _answer_probe():
    if request.blueprint != bp.name:
        return None
    leave_unobserved()
    return current_app.view_functions[request.endpoint](**(request.view_args or {}))


def init_app(app) -> None:
    from tinnhiem.platform.web import run_first

    app.register_blueprint(bp)
    run_first(app, _answer_probe)
