"""The request id, and the request log that stands in for an access log.

One line per request: method, endpoint family and route template, status, duration and
request id; never the concrete path, query or client address. A request on a path that
carries a voting link (or a personal result link) leaves no line at all, and neither do the
probes, /metrics and static files.
"""
import logging
import re
import time
import uuid

from flask import g, has_app_context, has_request_context, request

log = logging.getLogger("tinnhiem.requests")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
# The voter's pages and API, and a person's own result: their paths are the secret links.
PRIVATE_PREFIXES = ("/v/", "/api/v1/polls/", "/r/")
LINK_ARGUMENTS = frozenset({"slug", "link", "token"})


def current_request_id() -> str | None:
    """The proxy's X-Request-ID when it looks like one, else a new id; kept for the request.
    A background job's lines carry the job's id instead (platform/jobs.py)."""
    if not has_request_context():
        return g.get("job_id") if has_app_context() else None
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return g.request_id


def carries_private_link() -> bool:
    rule = request.url_rule
    if rule is not None and rule.arguments & LINK_ARGUMENTS:
        return True
    # also a mistyped or unknown link: a 404 under /v/ is as private as the vote itself
    return request.path.startswith(PRIVATE_PREFIXES)


def leave_unobserved() -> None:
    """For a view that answers infrastructure (a probe, /metrics): no log line, no metric."""
    g.unobserved = True


def observed() -> bool:
    return not (g.get("unobserved") or request.endpoint == "static"
                or carries_private_link())


def endpoint_family() -> str:
    """The blueprint (or the app-level endpoint): a label of bounded size, never a path."""
    endpoint = request.endpoint
    if endpoint is None:
        return "unmatched"
    return request.blueprint or endpoint


def elapsed_seconds() -> float | None:
    started = g.get("request_started")
    return None if started is None else time.perf_counter() - started


def _start_clock():
    g.request_started = time.perf_counter()


def _log_request(response):
    response.headers[REQUEST_ID_HEADER] = current_request_id()
    if observed():
        elapsed = elapsed_seconds()
        rule = request.url_rule
        log.info("request", extra={
            "method": request.method,
            "family": endpoint_family(),
            "route": rule.rule if rule is not None else None,
            "status": response.status_code,
            "duration_ms": None if elapsed is None else round(elapsed * 1000, 1),
        })
    return response


def init_app(app) -> None:
    from tinnhiem.platform.web import run_first

    run_first(app, _start_clock)
    app.after_request(_log_request)
