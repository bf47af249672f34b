"""Static files carry the digest of their bytes in their address, so a page names exactly the
file it was made with and that address may be kept for a year (here and behind nginx:
tests/test_deploy_nginx.py)."""
import hashlib
import re
from pathlib import Path

import tinnhiem

STATIC = Path(tinnhiem.__file__).parent / "static"


def _digest(filename: str) -> str:
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:12]


def test_pages_name_each_static_file_with_its_digest(client):
    page = client.get("/login").text
    for filename in ("css/app.css", "vendor/bootstrap/bootstrap.min.css",
                     "vendor/bootstrap/bootstrap.bundle.min.js", "img/favicon.svg"):
        assert f"/static/{filename}?v={_digest(filename)}" in page
    assert not re.search(r'/static/[^"?]+"', page)  # no static address without a version


def test_a_versioned_address_is_kept_a_year_and_a_bare_or_stale_one_is_not(client):
    current = client.get(f"/static/css/app.css?v={_digest('css/app.css')}")
    assert current.status_code == 200
    assert "immutable" in current.headers["Cache-Control"]
    assert "max-age=31536000" in current.headers["Cache-Control"]
    assert "no-cache" not in current.headers["Cache-Control"]
    for other in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        answer = client.get(other)
        assert answer.status_code == 200
        assert "immutable" not in answer.headers.get("Cache-Control", "")


def test_an_edited_file_gets_a_new_address_within_a_second(app, tmp_path, monkeypatch):
    from tinnhiem.platform import static_files

    now = [1_000.0]
    monkeypatch.setattr(static_files, "monotonic", lambda: now[0])
    app.static_folder = str(tmp_path)
    (tmp_path / "site.css").write_text("body { color: black }")
    with app.test_request_context():
        first = static_files.static_url("site.css")
        (tmp_path / "site.css").write_text("body { color: navy; }")
        now[0] += 0.5
        assert static_files.static_url("site.css") == first  # looked at half a second ago
        now[0] += 0.5
        second = static_files.static_url("site.css")
    assert first != second and second.startswith("/static/site.css?v=")


def test_every_page_names_an_icon_that_is_served(client):
    """No page leaves the browser asking for /favicon.ico and getting 404 (#15, finding 11)."""
    for path in ("/login", "/v/ZZZZZZZZ"):
        page = client.get(path).text
        icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', page)
        assert icon, path
        served = client.get(icon.group(1))
        assert served.status_code == 200 and served.mimetype == "image/svg+xml"
