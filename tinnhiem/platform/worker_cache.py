"""Per-app, per-worker memory of facts that never change once true (a voting link's
conference, a frozen ballot's people, which conference a row belongs to): each is read from
the database once per worker instead of on every request. Bounded: a full cache starts
again empty."""
from flask import current_app


def worker_cache(name: str, limit: int) -> dict:
    """The app's cache called `name`, emptied when it holds more than `limit` entries. Only
    ever store what cannot change afterwards: nothing here is told when rows do."""
    cache = current_app.extensions.setdefault(f"tinnhiem.cache.{name}", {})
    if len(cache) > limit:
        cache.clear()
    return cache
