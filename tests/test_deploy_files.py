"""The shipped systemd units and gunicorn configuration, checked by their own tools:
`systemd-analyze verify` and `security`, gunicorn booting with the configuration on SQLite.
(nginx: test_deploy_nginx.py; the compose file: test_deploy_compose.py.)"""
import importlib.util
import os
import re
import shutil
import signal
import subprocess

import pytest
import requests
from gunicorn.config import Config
from gunicorn.glogging import Logger
from gunicorn.ctl.client import ControlClient, ControlClientError

from tests.conftest import TEST_CONFIG
from tests.deploy_tools import (DEPLOY, REPOSITORY, VENV_BIN, children, free_port, read,
                                stop, tool, wait_for_port, wait_until)

UNITS = ("tinnhiem.service", "tinnhiem-migrate.service", "tinnhiem-backup.service",
         "tinnhiem-backup.timer", "tinnhiem-worker.service", "tinnhiem-scans-purge.service",
         "tinnhiem-scans-purge.timer")
SERVICES = [unit for unit in UNITS if unit.endswith(".service")]


def _settings(unit: str) -> dict[str, list[str]]:
    """Each key of a unit file with its values in order (a key may repeat)."""
    found: dict[str, list[str]] = {}
    for line in read(unit).splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@pytest.fixture
def unit_copies(tmp_path):
    """The units as installed, with this checkout for /opt/tinnhiem (so ExecStart= finds the
    binaries) and empty environment files for /etc/tinnhiem."""
    etc = tmp_path / "etc"
    etc.mkdir()
    for name in ("env", "migrate.env"):
        (etc / name).write_text("")
    for unit in UNITS:
        text = (read(unit).replace("/opt/tinnhiem/.venv/bin", VENV_BIN)
                .replace("/opt/tinnhiem", REPOSITORY).replace("/etc/tinnhiem", str(etc)))
        (tmp_path / unit).write_text(text, encoding="utf-8")
    return [str(tmp_path / unit) for unit in UNITS]


def test_the_units_pass_systemd_analyze_verify(unit_copies):
    checked = subprocess.run([tool("systemd-analyze"), "verify", *unit_copies],
                             capture_output=True, text=True)
    said = (checked.stdout + checked.stderr).splitlines()
    assert checked.returncode == 0, said
    assert [line for line in said if "tinnhiem" in line] == []


def test_every_service_is_hardened(unit_copies):
    """systemd's own exposure score: at most 2.0 of 10 (1.3 as shipped)."""
    services = [path for path in unit_copies if path.endswith(".service")]
    checked = subprocess.run([tool("systemd-analyze"), "security", "--offline=yes",
                              "--threshold=20", *services], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout[-2000:]
    assert len(re.findall(r"Overall exposure level for tinnhiem\S*: 1\.\d", checked.stdout)) \
        == len(services)


def test_only_the_migration_backup_and_purge_units_read_the_owners_credentials():
    web, migrate, backup, worker, purge = (_settings(unit) for unit in SERVICES)
    for unit, name in ((web, "tinnhiem.service"), (worker, "tinnhiem-worker.service")):
        assert unit["EnvironmentFile"] == ["/etc/tinnhiem/env"]
        assert "migrate.env" not in read(name)
    for unit in (migrate, backup, purge):
        assert unit["EnvironmentFile"] == ["/etc/tinnhiem/env", "/etc/tinnhiem/migrate.env"]
        assert unit["Type"] == ["oneshot"]
    assert purge["ExecStart"] == ["/opt/tinnhiem/.venv/bin/flask --app wsgi scans purge"]
    assert migrate["ExecStart"] == ["/opt/tinnhiem/.venv/bin/flask --app wsgi db upgrade"]
    assert "backup create" in backup["ExecStart"][0]
    assert "ExecStartPre" not in web


def test_the_web_unit_migrates_first_restarts_with_limits_and_reloads():
    web = _settings("tinnhiem.service")
    assert web["Requires"] == ["tinnhiem-migrate.service"]
    assert "tinnhiem-migrate.service" in web["After"][0].split()
    assert web["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert web["Restart"] == ["on-failure"] and int(web["RestartSec"][0]) > 0
    assert int(web["StartLimitBurst"][0]) > 0 and int(web["StartLimitIntervalSec"][0]) > 0
    assert web["RuntimeDirectory"] == ["tinnhiem"]  # where the control socket goes
    assert web["ExecStart"] == [
        "/opt/tinnhiem/.venv/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app"]


def test_the_worker_unit_runs_the_consumer_as_the_web_unit_runs_gunicorn():
    """The same user, folders, migration first and restart limits as the web unit; a stop
    lets jobs in progress finish (JOBS_GRACEFUL_TIMEOUT, 60 s) before systemd kills."""
    web, worker = _settings("tinnhiem.service"), _settings("tinnhiem-worker.service")
    assert worker["ExecStart"] == ["/opt/tinnhiem/.venv/bin/flask --app wsgi jobs worker"]
    for key in ("User", "Group", "WorkingDirectory", "Requires", "StateDirectory",
                "CacheDirectory", "UMask", "Restart", "StartLimitBurst", "KillMode",
                "NoNewPrivileges", "ProtectSystem", "SystemCallFilter",
                "RestrictAddressFamilies", "CapabilityBoundingSet"):
        assert worker[key] == web[key], key
    assert worker["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert int(worker["TimeoutStopSec"][0]) > 60
    # A stop of the worker must not remove the web unit's /run/tinnhiem (control socket).
    assert "RuntimeDirectory" not in worker
    assert worker["UnsetEnvironment"] == ["PROMETHEUS_MULTIPROC_DIR"]


# --- gunicorn ----------------------------------------------------------------------------

GUNICORN_ENV = ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_CONTROL_SOCKET",
                "RUNTIME_DIRECTORY", "INSTANCE_PATH", "BIND", "PORT", "JOBS_URL")


def _gunicorn_config(monkeypatch, **env):
    for name in GUNICORN_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "set")  # else several workers would refuse to start
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("gunicorn_conf",
                                                  os.path.join(DEPLOY, "gunicorn.conf.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gunicorn_configuration_has_the_production_settings(monkeypatch):
    conf = _gunicorn_config(monkeypatch, RUNTIME_DIRECTORY="/run/tinnhiem")
    known = set(Config().settings)
    settings = {name for name, value in vars(conf).items()
                if not name.startswith("_") and not callable(value)
                and type(value).__name__ != "module" and name != "ROOT"}
    assert settings <= known, settings - known  # no misspelt setting gunicorn would ignore
    assert conf.preload_app is True
    assert conf.workers == 2 * len(os.sched_getaffinity(0)) + 1 >= 3
    assert conf.max_requests > 0 and conf.max_requests_jitter > 0
    assert 0 < conf.graceful_timeout < 45  # systemd's TimeoutStopSec
    assert conf.accesslog is None and conf.errorlog == "-"
    access = conf.logconfig_dict["loggers"]["gunicorn.access"]
    assert (access["handlers"], access["propagate"]) == (["null"], False)  # no access log
    assert callable(conf.child_exit) and callable(conf.post_fork)
    import gc

    try:  # the app the master built is frozen out of the workers' collections
        conf.pre_fork(None, None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    nginx_idle = re.search(r"keepalive_timeout (\d+)s;", read("nginx-tinnhiem.conf"))
    assert conf.keepalive > int(nginx_idle.group(1))
    assert conf.control_socket == "/run/tinnhiem/gunicorn-127.0.0.1-8000.ctl"
    assert _gunicorn_config(monkeypatch, RUNTIME_DIRECTORY="/run/tinnhiem", PORT="8001") \
        .control_socket == "/run/tinnhiem/gunicorn-127.0.0.1-8001.ctl"
    assert _gunicorn_config(monkeypatch, WEB_CONCURRENCY="12").workers == 12  # no cap
    # The embedded job queue's consumer: one process of gunicorn's own, none under Redis.
    assert (conf.dirty_workers, conf.dirty_apps) == (1, ["wsgi:EmbeddedJobs"])
    assert conf.dirty_graceful_timeout == conf.graceful_timeout
    assert conf.proc_name == "tinnhiem-127.0.0.1-8000"  # its PID file's name, per instance
    shared = _gunicorn_config(monkeypatch, JOBS_URL="redis://127.0.0.1:6379/1")
    assert (shared.dirty_workers, shared.dirty_apps) == (0, [])


def test_gunicorn_builds_no_access_line_and_warms_the_app_before_forking(monkeypatch, tmp_path):
    import logging
    from types import SimpleNamespace

    from tinnhiem import create_app
    from tinnhiem.conferences.models import Conference

    conf = _gunicorn_config(monkeypatch)
    cfg = Config()
    cfg.set("logconfig_dict", conf.logconfig_dict)  # as the master has it: a configuration set
    assert issubclass(conf.logger_class, Logger)
    logger = conf.logger_class(cfg)
    assert logger.access_log_enabled is False
    built = []
    monkeypatch.setattr(logger, "atoms", lambda *args: built.append(args) or {})
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger("gunicorn.access").addHandler(handler)
    try:
        logger.access(SimpleNamespace(status="200 OK"), SimpleNamespace(), {
            "PATH_INFO": "/v/ABCDEFGH"}, None)
    finally:
        logging.getLogger("gunicorn.access").removeHandler(handler)
    assert built == [] and records == []

    app = create_app({**TEST_CONFIG,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'warm.sqlite3'}"})
    pages = [n for n in app.jinja_env.list_templates() if n.endswith(".html")]
    conf.when_ready(SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app)))
    compiled = {name for _loader, name in app.jinja_env.cache.keys()}
    assert "voting/vote_ballot.html" in compiled and len(compiled) >= len(pages) > 20
    assert Conference.__mapper__.configured


def test_every_gunicorn_setting_is_documented():
    names = set(re.findall(r"""(?:_int\(|environ\.get\(|environ\[)["'](\w+)["']""",
                           read("gunicorn.conf.py")))
    assert {"WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_CONTROL_SOCKET"} <= names
    documented = set(re.findall(r"\b[A-Z][A-Z_]+\b", read("env.example")))
    # systemd sets RUNTIME_DIRECTORY, the units INSTANCE_PATH.
    assert names - documented <= {"RUNTIME_DIRECTORY", "INSTANCE_PATH"}


def _boot(tmp_path, name: str, database: str, **env) -> tuple[subprocess.Popen, int]:
    """gunicorn as the web unit starts it (RUNTIME_DIRECTORY shared by both instances)."""
    port = free_port()
    instance = tmp_path / name
    instance.mkdir()
    process = subprocess.Popen(
        [os.path.join(VENV_BIN, "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**{k: v for k, v in os.environ.items() if k not in GUNICORN_ENV},
             "DATABASE_URL": database, "INSTANCE_PATH": str(instance),
             "RUNTIME_DIRECTORY": str(tmp_path / "run"), "PORT": str(port),
             "SECRET_KEY": TEST_CONFIG["SECRET_KEY"], "VOTE_CODE_KEY": "boot-vote-code-key",
             "AUDIT_KEY": "boot-audit-key", **env})
    return process, port


def _workers(control_socket: str) -> set[int]:
    """The instance's workers, or none while its control socket is (re)starting."""
    try:
        with ControlClient(control_socket, timeout=10) as client:
            return {worker["pid"] for worker in client.send_command("show workers")["workers"]}
    except ControlClientError:
        return set()


def _dirty_arbiter(control_socket: str) -> set[int]:
    """The process that runs the embedded job consumer (a child of the master)."""
    with ControlClient(control_socket, timeout=10) as client:
        return {client.send_command("show dirty")["pid"]}


def test_two_gunicorn_instances_on_one_host_serve_with_their_own_control_sockets(
        tmp_path, sqlite_template):
    database = tmp_path / "tinnhiem.sqlite3"
    shutil.copy(sqlite_template, database)
    url = f"sqlite:///{database}"
    instances = [_boot(tmp_path, "a", url), _boot(tmp_path, "b", url, WEB_CONCURRENCY="2")]
    try:
        for process, port in instances:
            wait_for_port(port, process)
            assert requests.get(f"http://127.0.0.1:{port}/login", timeout=30).status_code == 200
        (first, first_port), (second, second_port) = instances
        first_socket, second_socket = (str(tmp_path / "run" / f"gunicorn-127.0.0.1-{port}.ctl")
                                       for port in (first_port, second_port))
        wait_until(lambda: len(_workers(first_socket)) == 2 * len(
            os.sched_getaffinity(0)) + 1)
        wait_until(lambda: len(_workers(second_socket)) == 2)
        # The unit's ExecReload: new workers replace the old, the instance keeps serving.
        before = _workers(second_socket)
        jobs_consumer = _dirty_arbiter(second_socket)
        assert children(second.pid) - jobs_consumer == before
        second.send_signal(signal.SIGHUP)
        wait_until(lambda: len(now := children(second.pid) - jobs_consumer) == 2
                    and not now & before)
        assert requests.get(f"http://127.0.0.1:{second_port}/login",
                            timeout=30).status_code == 200
    finally:
        outputs = stop(*(process for process, _port in instances))
    assert [process.returncode for process, _port in instances] == [0, 0], outputs
    tracebacks = [output[output.index("Traceback"):] for output in outputs
                  if "Traceback" in output]
    assert not tracebacks, "\n".join(tracebacks)
