"""What central IT sees: JSON log lines with a request id, a request log without paths or
addresses, and /metrics for allowed addresses; a voter's requests leave no trace in either."""
import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import TEST_CONFIG, database_config
from tests.deploy_tools import free_port as closed_port
from tests.voter_pages import cast
from tinnhiem import create_app
from tinnhiem.platform.logging_setup import log_handler

STAFF_ADDRESS = {"REMOTE_ADDR": "203.0.113.7"}
VOTER_ADDRESS = {"REMOTE_ADDR": "198.51.100.23"}
SCRAPER = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture
def log_output():
    """What the app's JSON handler writes, from every logger."""
    stream = io.StringIO()
    handler = log_handler("json", stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def clear(stream) -> None:
    stream.seek(0)
    stream.truncate()


def lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def app_metrics(client) -> list[str]:
    """The app's own series (the process_* and python_* ones move by themselves)."""
    response = client.get("/metrics", environ_base=SCRAPER)
    assert response.status_code == 200
    return [line for line in response.text.splitlines()
            if not line.startswith(("process_", "python_", "# HELP process_",
                                    "# TYPE process_", "# HELP python_", "# TYPE python_"))]


def test_a_staff_request_is_one_json_line_with_its_request_id(client, login, admin,
                                                              log_output):
    login(admin)
    clear(log_output)
    response = client.get("/rounds/?q=secret-query", headers={"X-Request-ID": "trace-42"},
                          environ_base=STAFF_ADDRESS)
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "trace-42"
    [line] = [line for line in lines(log_output) if line["logger"] == "tinnhiem.requests"]
    assert line["request_id"] == "trace-42"
    assert (line["method"], line["family"], line["route"], line["status"]) == (
        "GET", "rounds", "/rounds/", 200)
    assert line["level"] == "INFO" and isinstance(line["duration_ms"], float)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    assert "203.0.113.7" not in log_output.getvalue()
    assert "secret-query" not in log_output.getvalue()


def test_an_odd_request_id_from_outside_is_replaced(client, log_output):
    for given in ("x" * 65, "bad id!", "\"} forged {\""):
        response = client.get("/login", headers={"X-Request-ID": given})
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
        assert lines(log_output)[-1]["request_id"] == response.headers["X-Request-ID"]


def test_an_exception_stays_on_its_line(app, log_output):
    with app.test_request_context(headers={"X-Request-ID": "trace-7"}):
        try:
            raise ValueError("first\nsecond")
        except ValueError:
            logging.getLogger("tinnhiem.test").exception("it failed")
    [line] = lines(log_output)
    assert line["request_id"] == "trace-7" and line["message"] == "it failed"
    assert "Traceback" in line["exception"] and "first\nsecond" in line["exception"]


def test_a_voter_leaves_no_log_line_and_no_metric(make, client, log_output):
    world = make.world()
    make.open_conference(world, people=2)
    codes, slug = make.issue_codes(world, 2)
    client.get("/login")  # the family's series exist before the comparison
    before = app_metrics(client)
    clear(log_output)
    voter = client.application.test_client()
    assert voter.get(f"/v/{slug}", environ_base=VOTER_ADDRESS).status_code == 200
    receipt = cast(voter, slug, codes[0], {0: "high"})
    assert receipt.status_code == 200
    poll = voter.get(f"/api/v1/polls/{slug}", environ_base=VOTER_ADDRESS)
    assert poll.status_code == 200
    assert voter.post(f"/api/v1/polls/{slug}/ballots", json={"code": codes[1]},
                      environ_base=VOTER_ADDRESS).status_code == 201
    assert voter.get("/v/no-such-link/ballot", environ_base=VOTER_ADDRESS).status_code in (
        404, 405)
    assert voter.get("/r/not-a-result-token", environ_base=VOTER_ADDRESS).status_code == 404
    for probe in ("/healthz", "/readyz", "/static/app.css"):
        voter.get(probe)
    assert log_output.getvalue() == ""
    assert app_metrics(client) == before


def test_metrics_count_staff_requests_by_family_and_status_class(client, login, admin):
    login(admin)
    client.get("/rounds/")
    client.post("/rounds/00000000-0000-0000-0000-000000000000/template")  # no such round
    text = client.get("/metrics", environ_base=SCRAPER).text
    assert re.search(r'^tinnhiem_http_requests_total\{family="rounds",status="2xx"\} [1-9]',
                     text, re.M)
    assert re.search(r'^tinnhiem_http_requests_total\{family="rounds",status="4xx"\} [1-9]',
                     text, re.M)
    assert 'tinnhiem_http_request_duration_seconds_count{family="rounds"}' in text
    assert "00000000-0000" not in text


def test_metrics_are_an_unknown_path_to_anyone_else(backend, request, tmp_path):
    app = create_app({**TEST_CONFIG, **database_config(backend, request, tmp_path),
                      "BEHIND_PROXY": True, "METRICS_ALLOWED_IPS": "10.9.0.0/16, ::1"})
    client = app.test_client()
    unknown = client.get("/no-such-page", environ_base=STAFF_ADDRESS)
    outsider = client.get("/metrics", environ_base=STAFF_ADDRESS)
    assert outsider.status_code == unknown.status_code == 404
    assert outsider.text == unknown.text
    # through the proxy, the client it names counts, not the proxy's own address
    relayed = client.get("/metrics", environ_base=SCRAPER,
                         headers={"X-Forwarded-For": "203.0.113.7"})
    assert relayed.status_code == 404
    monitor = client.get("/metrics", environ_base=SCRAPER,
                         headers={"X-Forwarded-For": "10.9.3.4"})
    assert monitor.status_code == 200 and "tinnhiem_http_requests_total" in monitor.text
    assert client.post("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 404


@pytest.mark.sqlite_only
def test_gunicorn_writes_json_lines_no_access_line_and_sums_its_workers(backend, sqlite_template, tmp_path):
    port = closed_port()
    conf = tmp_path / "gunicorn.conf.py"
    conf.write_text(
        "from tinnhiem.platform.logging_setup import GUNICORN_LOGCONFIG as logconfig_dict\n"
        "from tinnhiem.platform.metrics import mark_worker_dead as child_exit\n"
        f"bind = '127.0.0.1:{port}'\nworkers = 2\naccesslog = None\nerrorlog = '-'\n"
        "control_socket_disable = True\n")
    (tmp_path / "metrics").mkdir()
    database = tmp_path / "db.sqlite3"
    database.write_bytes(sqlite_template.read_bytes())
    env = {**os.environ, "SECRET_KEY": "gunicorn-log-test", "LOG_FORMAT": "json",
           "DATABASE_URL": f"sqlite:///{database}", "INSTANCE_PATH": str(tmp_path),
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(conf), "wsgi:app"],
                              cwd=root, env=env, stderr=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.1)
        for _ in range(4):
            assert urllib.request.urlopen(base + "/login", timeout=5).status == 200
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(base + "/v/secret-voting-link", timeout=5)
        # whichever worker answered each, a scrape counts them all
        scraped = urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()
        assert re.search(r'^tinnhiem_http_requests_total\{family="auth",status="2xx"\} 4\.0$',
                         scraped, re.M), scraped
    finally:
        server.send_signal(signal.SIGTERM)
        stdout, stderr = server.communicate(timeout=30)
    output = stdout + stderr
    records = [json.loads(line) for line in output.splitlines()]  # every line is JSON
    assert any(r["logger"] == "gunicorn.error" and "Booting worker" in r["message"]
               for r in records)
    assert any(r["logger"] == "tinnhiem.requests" and r.get("route") == "/login"
               for r in records)
    assert "secret-voting-link" not in output and "/v/" not in output
