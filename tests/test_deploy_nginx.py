"""nginx runs the shipped site: `nginx -t` passes, and for real on loopback in front of two
stand-in app hosts (one dying mid-request) it redirects, retries only what may be repeated and
answers JSON or Vietnamese when no host answers."""
import json
import os
import re
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.deploy_tools import REPOSITORY, free_port, read, stop, tool, wait_for_port

UNAVAILABLE = "Hệ thống tạm thời không phản hồi. Vui lòng thử lại sau ít phút."


def _site(tmp_path, replacements: dict[str, str] = ()) -> str:
    """nginx.conf for the shipped site with a throwaway certificate and this checkout's
    paths; `replacements` (regex: text) adapt it further for a live run."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([tool("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-days", "1", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    site = (read("nginx-tinnhiem.conf")
            .replace("/etc/ssl/tinnhiem/fullchain.pem", str(cert))
            .replace("/etc/ssl/tinnhiem/privkey.pem", str(key))
            .replace("/opt/tinnhiem/", REPOSITORY + "/"))
    for pattern, text in dict(replacements).items():
        site, count = re.subn(pattern, text, site, flags=re.M)
        assert count, pattern
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    temp_paths = "\n".join(f"    {kind}_temp_path {tmp_path / kind};"
                           for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # As root, the workers would run as nobody, who cannot read pytest's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"{user}pid {tmp_path / 'nginx.pid'};\nevents {{}}\nhttp {{\n"
                    f"    include /etc/nginx/mime.types;\n{temp_paths}\n"
                    f"    include {tmp_path / 'site.conf'};\n}}\n", encoding="utf-8")
    return str(conf)


def _nginx(conf: str, *args: str) -> list[str]:
    prefix = os.path.dirname(conf)
    return [tool("nginx"), "-c", conf, "-p", prefix, "-e", os.path.join(prefix, "error.log"),
            *args]


def test_the_shipped_nginx_site_passes_nginx_t(tmp_path):
    checked = subprocess.run(_nginx(_site(tmp_path), "-t"), capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    assert "[warn]" not in checked.stderr and "[emerg]" not in checked.stderr


class _AppHost(BaseHTTPRequestHandler):
    """A stand-in app host: answers everything with 200 and remembers what reached it."""
    seen: list = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.seen.append((self.command, self.path, self.headers.get("X-Request-ID"),
                          self.headers.get("X-Forwarded-Proto")))
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


def _dying_host() -> tuple[int, threading.Event]:
    """An app host whose worker dies mid-request: it reads the request, answers nothing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.settimeout(2)
            try:
                connection.recv(65536)
            except OSError:
                pass
            connection.close()
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], stop


@pytest.fixture
def nginx_in_front(tmp_path):
    """The site on free loopback ports in front of two app hosts: the first dies on every
    request, the second (a backup) answers."""
    dying, stop_dying = _dying_host()
    healthy = ThreadingHTTPServer(("127.0.0.1", 0), _AppHost)
    _AppHost.seen = []
    threading.Thread(target=healthy.serve_forever, daemon=True).start()
    http_port, https_port = free_port(), free_port()
    conf = _site(tmp_path, {
        r"^\s*listen \[::\].*\n": "",
        r"listen 80;": f"listen 127.0.0.1:{http_port};",
        r"listen 443 ssl": f"listen 127.0.0.1:{https_port} ssl",
        r"server 127\.0\.0\.1:8000 [^;]*;": f"server 127.0.0.1:{dying} max_fails=0;"
                                            f" server 127.0.0.1:{healthy.server_port} backup;",
    })
    nginx = subprocess.Popen(_nginx(conf, "-g", "daemon off;"), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(https_port, nginx)
        session = requests.Session()
        session.trust_env = False  # no proxy, no CA bundle from the environment
        session.verify = str(tmp_path / "cert.pem")
        yield session, f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{https_port}"
    finally:
        stop(nginx)
        healthy.shutdown()
        stop_dying.set()


def test_nginx_sends_plain_http_to_https(nginx_in_front):
    session, http, _https = nginx_in_front
    answer = session.get(f"{http}/v/hoi-nghi?x=1", allow_redirects=False)
    assert answer.status_code == 301
    assert answer.headers["Location"] == "https://127.0.0.1/v/hoi-nghi?x=1"
    assert answer.headers["Server"] == "nginx"  # no version


def test_a_get_is_retried_on_another_host_with_a_fresh_request_id(nginx_in_front):
    session, _http, https = nginx_in_front
    answer = session.get(f"{https}/api/v1/rounds", headers={"X-Request-ID": "chosen-by-client"})
    assert answer.status_code == 200
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert answer.headers["Server"] == "nginx"
    [(method, path, request_id, proto)] = _AppHost.seen
    assert (method, path, proto) == ("GET", "/api/v1/rounds", "https")
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)


def test_a_ballot_is_never_sent_twice_and_the_api_answers_json(nginx_in_front):
    session, _http, https = nginx_in_front
    answer = session.post(f"{https}/api/v1/polls/abc/ballots", json={"code": "X"})
    assert answer.status_code == 502
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    assert answer.json() == {"code": "upstream_unavailable", "message": UNAVAILABLE,
                             "status": 502}
    assert _AppHost.seen == []  # the POST reached the first host only


def test_only_the_scans_take_a_large_upload(nginx_in_front):
    session, _http, https = nginx_in_front
    body = b"%PDF-" + b"0" * (20 * 1024 * 1024)
    scans = session.post(f"{https}/conferences/{'1' * 8}-aaaa-bbbb-cccc-{'d' * 12}/scans",
                         data=body, headers={"Content-Type": "application/pdf"})
    assert scans.status_code == 502  # through nginx to the (dying) app host
    assert "Hệ thống tạm thời không phản hồi" in scans.text
    other = session.post(f"{https}/units/new", data=body,
                         headers={"Content-Type": "application/pdf"})
    assert other.status_code == 413  # nginx's own limit, 8 MB
    huge = session.post(f"{https}/conferences/{'1' * 8}-aaaa-bbbb-cccc-{'d' * 12}/scans",
                        data=b"%PDF-" + b"0" * (170 * 1024 * 1024),
                        headers={"Content-Type": "application/pdf"})
    assert huge.status_code == 413 and "Tệp tải lên quá lớn" in huge.text


def test_a_page_gets_the_vietnamese_error_page(nginx_in_front):
    session, _http, https = nginx_in_front
    answer = session.post(f"{https}/v/hoi-nghi/", data={"code": "X"})
    assert answer.status_code == 502
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Hệ thống tạm thời không phản hồi" in answer.text
    assert _AppHost.seen == []


def test_static_files_come_from_nginx_with_their_lifetimes(nginx_in_front):
    session, _http, https = nginx_in_front
    app_css = session.get(f"{https}/static/css/app.css")
    vendor = session.get(f"{https}/static/vendor/bootstrap/bootstrap.min.css")
    assert (app_css.status_code, vendor.status_code) == (200, 200)
    assert app_css.headers["Cache-Control"] == "max-age=3600"
    assert vendor.headers["Cache-Control"] == "max-age=2592000"
    # The addresses the app's pages use carry the file's digest: kept a year, compressed.
    for path in ("css/app.css", "vendor/bootstrap/bootstrap.min.css"):
        versioned = session.get(f"{https}/static/{path}?v=0123456789ab",
                                headers={"Accept-Encoding": "gzip"})
        assert versioned.status_code == 200
        assert versioned.headers["Cache-Control"] == "max-age=31536000"
        assert versioned.headers["Content-Encoding"] == "gzip"
    assert session.get(f"{https}/_errors/502.json").status_code == 404  # internal only
    assert _AppHost.seen == []


def test_every_error_body_is_the_api_error_shape():
    for status in (502, 503, 504):
        body = json.loads(read(f"errors/{status}.json"))
        assert set(body) == {"code", "message", "status"} and body["status"] == status
