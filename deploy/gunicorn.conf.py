"""gunicorn settings. The app keeps no state in process, so workers and hosts scale out.

Every number can be changed from the environment (see deploy/env.example)."""
import gc
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # gunicorn reads this file before its --chdir
    sys.path.insert(0, str(ROOT))

from gunicorn.glogging import Logger  # noqa: E402

from tinnhiem.platform.config import jobs_embedded, jobs_settings, require_shared_keys  # noqa: E402,E501
from tinnhiem.platform.logging_setup import GUNICORN_LOGCONFIG as logconfig_dict  # noqa: E402,F401
from tinnhiem.platform.metrics import mark_worker_dead as child_exit  # noqa: E402,F401


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cpu_count() -> int:
    # The CPUs this process may run on (a container's or a unit's CPU set), not the host's.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _slug(bind_address: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", bind_address)


def _control_socket(bind_address: str) -> str:
    """One control socket per instance: two gunicorns on one host (a second port, a
    blue/green switch) must not take over each other's socket, so its name carries the bind
    address. systemd's RuntimeDirectory= gives the folder; elsewhere the instance folder."""
    if os.environ.get("GUNICORN_CONTROL_SOCKET"):
        return os.environ["GUNICORN_CONTROL_SOCKET"]
    folder = (os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
              or os.environ.get("INSTANCE_PATH") or "instance")
    return os.path.join(folder, "gunicorn-" + _slug(bind_address) + ".ctl")


bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = _int("WEB_CONCURRENCY", 2 * _cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 2)
# Load the app once in the master: a broken configuration (a missing key) stops the start
# with one line instead of every worker crashing in a loop, and workers fork faster.
preload_app = True
timeout = _int("GUNICORN_TIMEOUT", 60)
# On reload or stop, a request in flight (a ballot being stored) gets this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Recycle workers now and then (bounds any slow leak); the jitter keeps them from all
# restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Longer than nginx keeps an idle upstream connection (keepalive_timeout 60s in the site), so
# nginx never sends a request (a ballot, which it must not retry) on a connection gunicorn
# has just closed.
keepalive = _int("GUNICORN_KEEPALIVE", 75)
control_socket = _control_socket(bind)
# Per instance too: gunicorn names its dirty pool's PID file after it, and a second instance
# on the host would take the first one's pool for an orphan and stop it.
proc_name = "tinnhiem-" + _slug(bind)
# The background jobs' consumer, when the queue is the embedded one (JOBS_URL unset: a SQLite
# file on this host): one process beside the workers, in gunicorn's "dirty" pool, which
# gunicorn starts, restarts if it dies and stops with itself, so `make run` needs no other
# service. With JOBS_URL=redis://… tinnhiem-worker.service consumes and gunicorn runs none.
_embedded_jobs = jobs_embedded(jobs_settings()["JOBS_URL"])
dirty_apps = ["wsgi:EmbeddedJobs"] if _embedded_jobs else []
dirty_workers = 1 if _embedded_jobs else 0
# A job in progress gets the same time to finish as a request when gunicorn stops.
dirty_graceful_timeout = graceful_timeout
# Workers that would each make up their own SECRET_KEY stop the start here, in one line.
require_shared_keys(os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"), workers)
# Access logs stay off: the vote endpoints must leave no trace of who voted when.
accesslog = None


class NoAccessLog(Logger):
    """gunicorn's logger without its access line. With a logging configuration set (this
    file sets one) gunicorn builds a line per request, a voter's link in it, for the logger
    the configuration sends nowhere: here it is never built (a fiftieth of a voter's page's
    time went to building it)."""
    access_log_enabled = False

    def access(self, resp, req, environ, request_time):
        return None


logger_class = NoAccessLog
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """Before the first fork: what each worker would do again after every fork (a worker is
    replaced every GUNICORN_MAX_REQUESTS requests) is done once, here, and pre_fork freezes
    it with the rest of the app."""
    from flask import Flask

    from tinnhiem.platform.warm_up import warm_up

    app = server.app.wsgi()
    if isinstance(app, Flask):
        warm_up(app)


def pre_fork(server, worker):
    """The app the master built (its modules, models, templates: ~185,000 objects) never
    dies: frozen out of the garbage collector's reach, each full collection in a worker
    scans only what requests made (a full pass over them all took 0.15–0.3 s), and the pages
    they sit in stay shared with the master instead of being copied on write."""
    gc.freeze()


def post_fork(server, worker):
    """With preload the app was built in the master: a pooled database connection it may
    have opened must not be shared by the forked workers, so each worker starts its pool
    afresh (without closing the master's connections under it)."""
    from flask import Flask

    from tinnhiem.platform.db import db

    app = server.app.wsgi()
    if not isinstance(app, Flask):  # wsgi:app wrapped in a middleware: nothing to reach
        return
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
