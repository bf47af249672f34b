"""Configuration, read from the environment (never from the repository)."""
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path


# Keys that must be the same on every worker and host, and through every restart: sessions,
# voting codes and the audit chain are keyed by them.
KEYS = ("SECRET_KEY", "VOTE_CODE_KEY", "AUDIT_KEY")
INSTANCE_KEY_FILE = "secret_key"
# What the sign-in page names when DEPLOYMENT_NAME is unset: a province's service is run for
# its Organisation Board, whichever province it is.
DEFAULT_DEPLOYMENT = "Ban Tổ chức Tỉnh ủy"


class KeysMissing(SystemExit):
    """Raised at start-up; its one line is what the operator sees."""


def _instance_secret_key(instance_path: str) -> str:
    """The single host's SECRET_KEY, created once into instance/ (atomically: workers that
    start together all read the first one written). VOTE_CODE_KEY and AUDIT_KEY are then
    derived from it, the same in every process."""
    key_file = Path(instance_path) / INSTANCE_KEY_FILE
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under another name, then linked: a reader never sees half a key,
        # and the link fails for all but the first writer.
        fd, draft = tempfile.mkstemp(dir=key_file.parent, prefix=".secret_key-")
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    return key_file.read_text().strip()


def is_postgresql(url: str) -> bool:
    return url.startswith("postgresql")


def settle_keys(config: dict, instance_path: str) -> dict:
    """The keys, or KeysMissing. On PostgreSQL (several hosts may serve) each key comes from
    the environment: a key made up per host would break sessions across hosts, make codes
    unusable and `audit verify` report tampering that never happened. SQLite serves one
    host, so its SECRET_KEY may live in instance/."""
    if is_postgresql(config["SQLALCHEMY_DATABASE_URI"]):
        missing = [key for key in KEYS if not config.get(key)]
        if missing:
            raise KeysMissing(
                f"tinnhiem: refusing to start: {', '.join(missing)} not set; on PostgreSQL"
                " every key comes from the environment, the same on every host"
                " (see deploy/env.example)")
        return {}
    if config.get("SECRET_KEY"):
        return {}
    return {"SECRET_KEY": _instance_secret_key(instance_path)}


def require_shared_keys(instance_path: str, workers: int) -> None:
    """Before gunicorn forks several workers: every key must already exist where they all
    read it (the environment, or instance/ made by `flask` once, as `make run` does)."""
    if workers <= 1 or os.environ.get("SECRET_KEY"):
        return
    if not (Path(instance_path) / INSTANCE_KEY_FILE).exists():
        raise KeysMissing(
            f"tinnhiem: refusing to start {workers} workers: SECRET_KEY is not set and"
            f" {instance_path}/{INSTANCE_KEY_FILE} does not exist; set the keys in the"
            " environment (deploy/env.example) or run `flask --app wsgi db upgrade` once")


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def logging_settings() -> dict:
    """Read apart from load_config: gunicorn's master configures its logging from them
    before any app exists."""
    return {
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        "TINNHIEM_LOG_LEVEL": os.environ.get("TINNHIEM_LOG_LEVEL", "INFO"),
    }


def _limit(name: str, default: str) -> str:
    """A rate limit such as "60 per 10 minutes", refused at start-up when it cannot be read
    (rather than at every request it guards)."""
    from limits import parse_many

    value = os.environ.get(name, default)
    try:
        parse_many(value)
    except ValueError:
        raise ValueError(f"{name} must read like '60 per 10 minutes', not {value!r}") from None
    return value


def _prepare_threshold() -> int | None:
    """psycopg's prepare_threshold: empty, "off" or "none" never prepares (what pgbouncer in
    transaction mode needs: a prepared statement lives on one server connection, and the next
    transaction may get another); unset keeps psycopg's 5."""
    value = os.environ.get("DATABASE_PREPARE_THRESHOLD")
    if value is None:
        return 5
    if value.strip().lower() in {"", "off", "none"}:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"DATABASE_PREPARE_THRESHOLD must be a whole number or off, not"
                         f" {value!r}") from None


def connect_args(url: str, config) -> dict:
    """What each new database connection is opened with, for the app's engines (DATABASE_URL,
    DATABASE_REPLICA_URL): psycopg's options on PostgreSQL, nothing on SQLite."""
    if not is_postgresql(url):
        return {}
    return {"prepare_threshold": config.get("DATABASE_PREPARE_THRESHOLD", 5)}


def app_connect_args(config) -> dict:
    """connect_args of every engine on the app's own URL (the app's, the rate-limit
    counters'): worked out from the final URL, then whatever the engine options name."""
    explicit = (config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}).get("connect_args") or {}
    return {**connect_args(config["SQLALCHEMY_DATABASE_URI"], config), **explicit}


def load_config(instance_path: str) -> dict:
    sqlite_path = Path(instance_path) / "tinnhiem.sqlite3"
    return {
        # Unset: see settle_keys (the app factory applies it after its overrides).
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        # Keys the audit chain; defaults to one derived from SECRET_KEY.
        "AUDIT_KEY": os.environ.get("AUDIT_KEY"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{sqlite_path}"),
        # The roll-up and its exports read from this streaming replica when set (read_replica.py).
        "DATABASE_REPLICA_URL": os.environ.get("DATABASE_REPLICA_URL") or None,
        "DATABASE_PREPARE_THRESHOLD": _prepare_threshold(),
        # Migrations run as the table owner; the app connects as a role that owns nothing.
        "MIGRATE_DATABASE_URL": os.environ.get("MIGRATE_DATABASE_URL"),
        "DB_APP_ROLE": os.environ.get("DB_APP_ROLE", "tinnhiem_app"),
        "DB_ROLE_CHECK": _bool("DB_ROLE_CHECK", True),
        # hide_parameters: even with SQL logging switched on, no value (a ballot, a code's
        # hash) reaches a log line.
        # No pool_pre_ping: a closed connection is found without a round trip
        # (platform.db.tune_engine).
        "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
        # Bounds on each web request's transactions (PostgreSQL; SQLite: the lock wait only);
        # CLI commands are not bounded. 0 switches one off.
        "DB_STATEMENT_TIMEOUT_MS": int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", 15000)),
        "DB_LOCK_TIMEOUT_MS": int(os.environ.get("DB_LOCK_TIMEOUT_MS", 5000)),
        # Large enough for any form; a 10 MB field is refused with 413.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 1024 * 1024)),
        "MAX_FORM_MEMORY_SIZE": int(os.environ.get("MAX_CONTENT_LENGTH", 1024 * 1024)),
        # The counting board's scans of paper ballots (scanning/): the largest upload, in MB.
        "SCAN_MAX_UPLOAD_MB": int(os.environ.get("SCAN_MAX_UPLOAD_MB", 150)),
        "BEHIND_PROXY": _bool("BEHIND_PROXY", False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ["vi", "en"],
        # Unset: the counters live in the app's database (platform/limit_storage.py), shared
        # by every worker and host; redis://… for a large deployment.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or None,
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per 15 minutes"),
        "ACCOUNT_RATE_LIMIT": os.environ.get("ACCOUNT_RATE_LIMIT", "20 per hour"),
        # Failures from a device that signed in as that user before (its device cookie), which
        # the per-account limit above does not count.
        "DEVICE_RATE_LIMIT": os.environ.get("DEVICE_RATE_LIMIT", "10 per 15 minutes"),
        # Wrong or spent voting codes from one address (a whole hall may share one); typos of
        # a real code and input that cannot be a code are free (voting.code_throttle).
        "VOTE_FAILURE_LIMIT": _limit("VOTE_FAILURE_LIMIT", "60 per 10 minutes"),
        # Each ballot cast from an address that has failed allows it this many more failures.
        "VOTE_FAILURE_EARNED_PER_BALLOT": int(os.environ.get("VOTE_FAILURE_EARNED_PER_BALLOT",
                                                             2)),
        # How long a worker may show a voter's page that spends nothing (the code page, the
        # review, the receipt) from its copy of an open vote instead of asking the database:
        # a vote closed meanwhile is refused at the next step that spends (voting.voter_access).
        # 0 reads the database for every page.
        "VOTER_PAGE_COPY_SECONDS": float(os.environ.get("VOTER_PAGE_COPY_SECONDS", 1)),
        # Keys the stored hashes of voting codes; defaults to one derived from SECRET_KEY
        # (changing either during a vote makes that vote's codes unusable).
        "VOTE_CODE_KEY": os.environ.get("VOTE_CODE_KEY"),
        "API_TOKEN_MAX_AGE": int(os.environ.get("API_TOKEN_MAX_AGE", 8 * 3600)),
        # A page session ends this long after sign-in, whatever the browser keeps.
        "PAGE_SESSION_MAX_AGE": int(os.environ.get("PAGE_SESSION_MAX_AGE", 12 * 3600)),
        # Whom this deployment serves, named on the sign-in page (a proper name, not translated).
        "DEPLOYMENT_NAME": os.environ.get("DEPLOYMENT_NAME", "").strip() or DEFAULT_DEPLOYMENT,
        "API_TITLE": "Tín nhiệm API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        **logging_settings(),
        # Who may read /metrics (after ProxyFix, the client's address); others get 404.
        "METRICS_ALLOWED_IPS": os.environ.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1"),
        # prometheus-client reads it itself at import; set, several workers share counters.
        "PROMETHEUS_MULTIPROC_DIR": os.environ.get("PROMETHEUS_MULTIPROC_DIR"),
        **jobs_settings(),
    }


EMBEDDED_JOBS = "sqlite"


def jobs_settings() -> dict:
    """The background job queue (platform/jobs.py). Read apart from load_config: gunicorn's
    configuration asks whether to run the embedded consumer before any app exists."""
    url = os.environ.get("JOBS_URL", "").strip() or EMBEDDED_JOBS
    if not (url == EMBEDDED_JOBS or url.startswith(("sqlite:///", "redis://", "rediss://",
                                                    "unix://"))):
        raise ValueError(f"JOBS_URL must be unset, sqlite, sqlite:///FILE or redis://…,"
                         f" not {url.split('@')[-1]!r}")
    workers = int(os.environ.get("JOBS_WORKERS", "").strip() or 2)
    if workers < 1:
        raise ValueError(f"JOBS_WORKERS must be 1 or more, not {workers}")
    return {
        # Unset (sqlite): a SQLite file beside the app's (or in the instance folder), consumed
        # by the one process gunicorn starts beside its workers; redis://…: every host's queue,
        # consumed by tinnhiem-worker.service.
        "JOBS_URL": url,
        # Threads of each consumer: jobs that run at once in it.
        "JOBS_WORKERS": workers,
        # Seconds a job in progress gets to finish when its consumer stops.
        "JOBS_GRACEFUL_TIMEOUT": int(os.environ.get("JOBS_GRACEFUL_TIMEOUT", "").strip() or 60),
    }


def jobs_embedded(url: str) -> bool:
    """Whether this queue is the embedded one: a SQLite file on this host, which gunicorn's
    own consumer process serves (deploy/gunicorn.conf.py)."""
    return url == EMBEDDED_JOBS or url.startswith("sqlite:")


def derived_key(setting: str | None, purpose: bytes) -> bytes:
    """A key for one purpose: the app's `setting` when set, else one derived from SECRET_KEY
    (so a deployment needs only one secret, and each use still gets its own key)."""
    from flask import current_app

    configured = current_app.config.get(setting) if setting else None
    if configured:
        return configured.encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), purpose, hashlib.sha256).digest()
