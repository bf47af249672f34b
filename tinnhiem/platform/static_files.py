"""Static files with a version in their address: `static_url('css/app.css')` adds
`?v=<digest of the file's bytes>`, so a page always names the file it was made with and a
browser (or nginx in front, deploy/nginx-tinnhiem.conf) may keep that address for a year. A
release that changes a file changes its address; an address without the current digest gets
the short default lifetime."""
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import current_app, request, url_for

YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _digest(path: str, _mtime_ns: int, _size: int) -> str:
    """Keyed by the file's time and size too, so an edited file is read again."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def file_version(filename: str) -> str | None:
    path = Path(current_app.static_folder) / filename
    try:
        stat = path.stat()
    except OSError:
        return None
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


def static_url(filename: str) -> str:
    return url_for("static", filename=filename, v=file_version(filename))


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
    app.jinja_env.globals["static_url"] = static_url
    app.after_request(_cache_versioned)
