"""Rate-limit counters in the app's own database, shared by every worker and host.

Process memory is not a limit at all once gunicorn runs several workers: each keeps its own
count, so ten wrong passwords went through four workers before the first refusal. Redis is
the better store for a large deployment (RATELIMIT_STORAGE_URI=redis://…); when none is
configured the counters live here, so the sign-in and wrong-code limits hold in every
deployment, `make run` on SQLite included.

Fixed windows only (Flask-Limiter's default strategy). Each operation is one statement in
its own short transaction on a connection of its own, outside the request's transaction: a
request that rolls back still spends its attempt. Keys are stored hashed: a counter names an
address or a username only to whoever already knows it.
"""
import hashlib
import os
import random
import time

from limits.storage import Storage
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from tinnhiem.platform.config import app_connect_args

SCHEME = "tinnhiem+db"
# Not in the app's metadata: counters are not data a backup keeps or a restore brings back.
metadata = MetaData()
counters = Table("rate_limit_counters", metadata,
                 Column("counter_key", String(64), primary_key=True),
                 Column("hits", Integer, nullable=False),
                 Column("expires_at", Float, nullable=False, index=True))

_INCREMENT = text(
    "INSERT INTO rate_limit_counters (counter_key, hits, expires_at)"
    " VALUES (:key, :amount, :expires)"
    " ON CONFLICT (counter_key) DO UPDATE SET"
    " hits = CASE WHEN rate_limit_counters.expires_at <= :now THEN :amount"
    "             ELSE rate_limit_counters.hits + :amount END,"
    " expires_at = CASE WHEN rate_limit_counters.expires_at <= :now THEN :expires"
    "                   ELSE rate_limit_counters.expires_at END"
    " RETURNING hits")
# One increment in this many also sweeps out windows that ended a while ago.
SWEEP_EVERY = 200


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(Storage):
    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions, **options)
        url = options["url"]
        connect_args = dict(options.get("connect_args") or {})
        if url.startswith("sqlite"):
            connect_args.setdefault("timeout", 10)  # wait for the writer, never refuse
        self.engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
        # gunicorn forks after loading the app: a child must not reuse the parent's sockets.
        os.register_at_fork(after_in_child=lambda: self.engine.dispose(close=False))

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self.engine.begin() as connection:
            hits = connection.execute(_INCREMENT, {"key": _hashed(key), "amount": amount,
                                                   "expires": now + expiry,
                                                   "now": now}).scalar_one()
            if random.randrange(SWEEP_EVERY) == 0:
                connection.execute(counters.delete().where(counters.c.expires_at < now))
        return hits

    def _live(self, key: str):
        with self.engine.connect() as connection:
            return connection.execute(
                counters.select().where(counters.c.counter_key == _hashed(key),
                                        counters.c.expires_at > time.time())).first()

    def get(self, key: str) -> int:
        row = self._live(key)
        return row.hits if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._live(key)
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(counters.delete()).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(counters.delete().where(counters.c.counter_key == _hashed(key)))


def storage_settings(config: dict) -> dict:
    """The limiter's storage when none is configured: this database, under the app's role."""
    if config.get("RATELIMIT_STORAGE_URI"):
        return {}
    # The app's own connection options: behind pgbouncer in transaction mode the counters
    # must not prepare statements either.
    return {"RATELIMIT_STORAGE_URI": f"{SCHEME}://",
            "RATELIMIT_STORAGE_OPTIONS": {"url": config["SQLALCHEMY_DATABASE_URI"],
                                          "connect_args": app_connect_args(config)}}
