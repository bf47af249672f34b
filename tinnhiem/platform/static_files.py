"""Static files with a version in their address: `static_url('css/app.css')` adds
`?v=<digest of the file's bytes>`, so a page always names the file it was made with and a
browser (or nginx in front, deploy/nginx-tinnhiem.conf) may keep that address for a year. A
release that changes a file changes its address; an address without the current digest gets
the short default lifetime."""
import hashlib
import os
from functools import lru_cache
from pathlib import Path
from time import monotonic
from urllib.parse import quote

from flask import current_app, has_request_context, request, url_for

YEAR = 365 * 24 * 3600
RECHECK_SECONDS = 1.0
_versions: dict[str, tuple[str | None, float]] = {}  # path -> (version, when looked at)


@lru_cache(maxsize=256)
def _digest(path: str, _mtime_ns: int, _size: int) -> str:
    """Keyed by the file's time and size too, so an edited file is read again."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _version_now(path: str) -> str | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def file_version(filename: str) -> str | None:
    """The digest in the file's address. The file is looked at again (its time and size) at
    most once every RECHECK_SECONDS: every page names three files, and asking the disk each
    time was a twentieth of a voter's page."""
    path = os.path.join(current_app.static_folder, filename)
    kept = _versions.get(path)
    now = monotonic()
    if kept is not None and now - kept[1] < RECHECK_SECONDS:
        return kept[0]
    version = _version_now(path)
    if len(_versions) > 1024:
        _versions.clear()
    _versions[path] = (version, now)
    return version


def static_url(filename: str) -> str:
    version = file_version(filename)
    if not has_request_context():
        return url_for("static", filename=filename, v=version)
    # What url_for gives inside a request, written out: every page names three files, and
    # url_for's rule lookup was a twentieth of a voter's page.
    prefix = current_app.extensions["static_url_prefix"]
    address = f"{request.script_root}{prefix}/{quote(filename)}"
    return address if version is None else f"{address}?v={version}"


def _cache_versioned(response):
    """The app serving its own static files (no nginx in front, as `make run` does): an
    address with the file's current digest never changes meaning."""
    if request.endpoint == "static" and response.status_code == 200:
        version = request.args.get("v")
        filename = (request.view_args or {}).get("filename", "")
        if version and version == file_version(filename):
            response.cache_control.no_cache = None  # Flask's default for its static files
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
    return response


def init_app(app) -> None:
    # Where Flask's static rule was made (static_url_path follows static_folder later on).
    app.extensions["static_url_prefix"] = app.static_url_path
    app.jinja_env.globals["static_url"] = static_url
    app.after_request(_cache_versioned)
