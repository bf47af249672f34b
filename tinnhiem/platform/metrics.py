"""Prometheus metrics at /metrics: request counts and latency per endpoint family and status
class. Nothing per voter, and nothing at all for a request on a path that carries a voting
link: not a label, not a count (vote throughput shows only in the ballots the database holds).

Only the addresses in METRICS_ALLOWED_IPS reach /metrics; to anyone else it is the unknown
path it looks like (it is no route: their request gets the very 404 any unknown path gets).
With PROMETHEUS_MULTIPROC_DIR set (several gunicorn workers), each worker writes its counts
there and a scrape adds them up; gunicorn's child_exit must call mark_worker_dead.
"""
import ipaddress
import os

from flask import Response, current_app, request
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter,
                               Histogram, generate_latest, multiprocess)

from tinnhiem.platform.request_log import (elapsed_seconds, endpoint_family,
                                           leave_unobserved, observed)

PATH = "/metrics"

REQUESTS = Counter("tinnhiem_http_requests", "HTTP requests answered, by endpoint family and "
                   "status class", ["family", "status"])
LATENCY = Histogram("tinnhiem_http_request_duration_seconds",
                    "Time to answer a request (to its headers), by endpoint family",
                    ["family"])


def _allowed_networks(app):
    networks = app.extensions.get("tinnhiem.metrics_networks")
    if networks is None:
        networks = app.extensions["tinnhiem.metrics_networks"] = [
            ipaddress.ip_network(item.strip(), strict=False)
            for item in app.config["METRICS_ALLOWED_IPS"].split(",") if item.strip()]
    return networks


def may_scrape() -> bool:
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in _allowed_networks(current_app))


def _exposition() -> bytes:
    directory = current_app.config.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    return generate_latest(registry)


def _answer_scrape():
    if request.path != PATH or request.method not in ("GET", "HEAD") or not may_scrape():
        return None
    leave_unobserved()
    return Response(_exposition(), mimetype=CONTENT_TYPE_LATEST)


def _count(response):
    if observed():
        family = endpoint_family()
        REQUESTS.labels(family, f"{response.status_code // 100}xx").inc()
        elapsed = elapsed_seconds()
        if elapsed is not None:
            LATENCY.labels(family).observe(elapsed)
    return response


def mark_worker_dead(server, worker) -> None:
    """gunicorn's child_exit: a dead worker's live gauges leave the multiprocess files."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)


def init_app(app) -> None:
    from tinnhiem.platform.web import run_first

    if app.config.get("PROMETHEUS_MULTIPROC_DIR"):
        os.makedirs(app.config["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    run_first(app, _answer_scrape)
    app.after_request(_count)
