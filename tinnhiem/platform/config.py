"""Configuration, read from the environment (never from the repository)."""
import hashlib
import hmac
import os
import secrets
from pathlib import Path


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment; for a local demo, one generated into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(instance_path: str) -> dict:
    sqlite_path = Path(instance_path) / "tinnhiem.sqlite3"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        # Keys the audit chain; defaults to one derived from SECRET_KEY.
        "AUDIT_KEY": os.environ.get("AUDIT_KEY"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{sqlite_path}"),
        # Migrations run as the table owner; the app connects as a role that owns nothing.
        "MIGRATE_DATABASE_URL": os.environ.get("MIGRATE_DATABASE_URL"),
        "DB_APP_ROLE": os.environ.get("DB_APP_ROLE", "tinnhiem_app"),
        "DB_ROLE_CHECK": _bool("DB_ROLE_CHECK", True),
        # hide_parameters: even with SQL logging switched on, no value (a ballot, a code's
        # hash) reaches a log line.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # Bounds on each web request's transactions (PostgreSQL; SQLite: the lock wait only);
        # CLI commands are not bounded. 0 switches one off.
        "DB_STATEMENT_TIMEOUT_MS": int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", 15000)),
        "DB_LOCK_TIMEOUT_MS": int(os.environ.get("DB_LOCK_TIMEOUT_MS", 5000)),
        # Large enough for any form; a 10 MB field is refused with 413.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 1024 * 1024)),
        "MAX_FORM_MEMORY_SIZE": int(os.environ.get("MAX_CONTENT_LENGTH", 1024 * 1024)),
        "BEHIND_PROXY": _bool("BEHIND_PROXY", False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ["vi", "en"],
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per 15 minutes"),
        "ACCOUNT_RATE_LIMIT": os.environ.get("ACCOUNT_RATE_LIMIT", "20 per hour"),
        # Failures from a device that signed in as that user before (its device cookie), which
        # the per-account limit above does not count.
        "DEVICE_RATE_LIMIT": os.environ.get("DEVICE_RATE_LIMIT", "10 per 15 minutes"),
        # Wrong or spent voting codes from one address (a whole hall may share one).
        "VOTE_FAILURE_LIMIT": os.environ.get("VOTE_FAILURE_LIMIT", "60 per 10 minutes"),
        # Keys the stored hashes of voting codes; defaults to one derived from SECRET_KEY
        # (changing either during a vote makes that vote's codes unusable).
        "VOTE_CODE_KEY": os.environ.get("VOTE_CODE_KEY"),
        "API_TOKEN_MAX_AGE": int(os.environ.get("API_TOKEN_MAX_AGE", 8 * 3600)),
        # A page session ends this long after sign-in, whatever the browser keeps.
        "PAGE_SESSION_MAX_AGE": int(os.environ.get("PAGE_SESSION_MAX_AGE", 12 * 3600)),
        "API_TITLE": "Tín nhiệm API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }


def derived_key(setting: str | None, purpose: bytes) -> bytes:
    """A key for one purpose: the app's `setting` when set, else one derived from SECRET_KEY
    (so a deployment needs only one secret, and each use still gets its own key)."""
    from flask import current_app

    configured = current_app.config.get(setting) if setting else None
    if configured:
        return configured.encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), purpose, hashlib.sha256).digest()
