"""The casting benchmark's section of bench/RESULTS.md, from what bench/casting_bench.py
measured."""
import datetime as dt

TARGETS = {"api_ratio": 0.50, "html_ratio": 0.25, "p99_at_100": 0.100, "api_round_trips": 6}
LOWER = "psycopg, 64 connections"


def _ms(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def server_ms(phase) -> float:
    """CPU per ballot of what serves it: gunicorn, PostgreSQL and Redis; for the lower limit,
    PostgreSQL and the psycopg process that plays the app."""
    cpu = phase["cpu_ms"]
    app = cpu["app"] if cpu["app"] is not None else cpu["client"]
    return app + cpu["postgres"] + (cpu["redis"] or 0.0)


def _latency(seconds: float) -> str:
    return "saturated" if seconds == float("inf") else f"{seconds * 1000:.0f}"


def _row(phase) -> str:
    run, cpu = phase["run"], phase["cpu_ms"]
    notes = ", ".join(f"{n} refused ({what})" for what, n in run.refused.items())
    notes += " codes ran out" if run.ran_out else ""
    notes += f" {run.late_starts} started late" if run.late_starts else ""
    notes += f" {run.unsent} never sent" if run.unsent else ""
    redis = "—" if phase["redis"] is None else f"{phase['redis']:.1f}"
    return (f"| {phase['name']} | {len(run.latencies)} | {run.rate:.0f} |"
            f" {_latency(run.percentile(0.5))} | {_latency(run.percentile(0.99))} |"
            f" {_ms(cpu['app'])} | {_ms(cpu['postgres'])} | {_ms(cpu['redis'])} |"
            f" {_ms(cpu['client'])} | {2000 / server_ms(phase):.0f} |"
            f" {phase['share']:.0%} / {phase['load']:.1f} | {phase['statements']:.1f} |"
            f" {redis} | {notes.strip() or '—'} |")


def _verdict(ok: bool) -> str:
    return "on target" if ok else "**below target**"


def _statements(phase) -> list[str]:
    return [f"- {per:.2f} × {ms:.2f} ms `{' '.join(query.split())[:140]}`"
            for per, ms, query in phase["statement_list"] if per >= 0.05]


def _reading(phases) -> list[str]:
    """What holds for any run: how much of the machine the run had, and what saturated."""
    loads = [p["load"] for p in phases]
    shares = [p["share"] for p in phases]
    saturated = [p["name"] for p in phases if p["run"].unsent or p["run"].late_starts]
    lines = [
        "Reading these figures (generated): the measured processes got"
        f" {min(shares):.0%}–{max(shares):.0%} of the 2 cores during the phases (1-minute"
        f" load average {min(loads):.1f}–{max(loads):.1f}); whatever else ran on the machine"
        " had the rest, so ballots/s and latencies are lower than on a machine of our own,"
        " while CPU per ballot, statements and commands per ballot hardly depend on it. The"
        " ceiling column (2 cores ÷ server CPU per ballot, the load generator left out) is"
        " what the same code would reach on 2 cores of its own, CPU-bound. p50/p99 of the"
        " pages are for the whole flow, four requests."]
    if saturated:
        lines.append(
            f"Saturated: {', '.join(saturated)}: ballots arrived faster than the server"
            " cast them, queued in the client, and those not started within 5 s of the"
            " phase's end were never sent; their latency counts as endless.")
    return [" ".join(lines), ""]


def report(heading: str, r: dict) -> str:
    by_name = {p["name"]: p for p in r["phases"]}
    lower = by_name[LOWER]
    api, html = by_name["API, closed loop"], by_name["pages, closed loop"]
    bare = by_name["bare Flask, closed loop"]
    at_100 = by_name["API, open loop at 100/s"]["run"].percentile(0.99)
    ratio = {name: p["run"].rate / lower["run"].rate for name, p in (("api", api),
                                                                       ("html", html))}
    by_cpu = {name: server_ms(lower) / server_ms(p) for name, p in (("api", api),
                                                                   ("html", html))}
    check, trips = r["check"], r["round_trips"]
    lines = [
        heading, "",
        f"`python -m bench.casting_bench` on {dt.date.today():%Y-%m-%d}: {r['seconds']:.0f} s"
        f" a phase, a ballot of {r['people']} rows, a fresh code per ballot, each phase in a"
        " conference of its own. gunicorn with deploy/gunicorn.conf.py (4 workers x 2"
        " threads, preloaded, max_requests 2000) and the settings of deploy/env.example (JSON"
        " logs, a metrics directory, BEHIND_PROXY; psycopg's default prepare threshold, as"
        " there is no pgbouncer here), the app's role under row-level security on a throwaway"
        " PostgreSQL 15 (fsync off, as the tests start it); rate-limit storage:"
        f" {r['storage']}. Load generator: Python threads in this one process, each with its"
        " own keep-alive http.client connection (a phone, or an nginx upstream connection),"
        " sharing the machine's 2 CPU cores with gunicorn, PostgreSQL and Redis: its CPU is"
        " the load generator column (for the psycopg rows it is the process writing the"
        " rows, i.e. the app's share). CPU from /proc/<pid>/stat (utime + stime, children"
        " reaped meanwhile included) of gunicorn's master and workers, of the postmaster and"
        " its backends, of redis-server. Statements: pg_stat_statements (top level,"
        " track_utility on: BEGIN, COMMIT, ROLLBACK and SET count) for the app's role, reset"
        " before each phase. Round trips: counted apart, at the wire, by a relay between a"
        " gunicorn of the same configuration and PostgreSQL (bench/pgwire.py: every"
        " ReadyForQuery the server sends ends one), one client casting 15 ballots each way"
        " after 10 that fill the pools and pass psycopg's prepare threshold; they include"
        " what pg_stat_statements does not see, such as the empty query `;` a pool's"
        " pre-ping sends. Redis: INFO commandstats.", "",
        "| phase | ballots | ballots/s | p50 ms | p99 ms | CPU ms/ballot: app |"
        " PostgreSQL | Redis | load generator | server CPU ceiling, ballots/s on 2 cores |"
        " CPU share we got / load avg | statements/ballot | Redis cmds/ballot | notes |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [_row(p) for p in r["phases"]]
    lines += [
        "", "| figure | value | target | |", "|---|---|---|---|",
        f"| API ÷ lower limit (psycopg at 64), ballots/s | {ratio['api']:.0%} | ≥ 50 % |"
        f" {_verdict(ratio['api'] >= TARGETS['api_ratio'])} |",
        f"| pages ÷ lower limit (psycopg at 64), ballots/s | {ratio['html']:.0%} | ≥ 25 % |"
        f" {_verdict(ratio['html'] >= TARGETS['html_ratio'])} |",
        f"| the same by server CPU per ballot (API, pages) | {by_cpu['api']:.0%},"
        f" {by_cpu['html']:.0%} | | |",
        f"| API ÷ bare Flask, ballots/s | {api['run'].rate / bare['run'].rate:.1%} |"
        " (reference) | |",
        f"| p99, API open loop at 100 ballots/s | {_latency(at_100)}"
        f"{'' if at_100 == float('inf') else ' ms'} | < 100 ms |"
        f" {_verdict(at_100 < TARGETS['p99_at_100'])} |",
        f"| round trips to PostgreSQL per API ballot (at the wire) | {trips['api']:.1f} |"
        f" ≤ 6 | {_verdict(trips['api'] <= TARGETS['api_round_trips'])} |",
        f"| the same per pages ballot (four requests) | {trips['html']:.1f} | | |",
        f"| statements per API ballot, per pages ballot (pg_stat_statements) |"
        f" {api['statements']:.1f}, {html['statements']:.1f} | | |",
        f"| acknowledged ballots stored exactly once | {check['acknowledged']} acknowledged,"
        f" {check['stored']} stored, {check['missing']} missing, {check['twice']} twice,"
        f" {check['unacknowledged']} stored unacknowledged, {check['spent']} codes spent"
        f" | all, once | {'PASS' if check['ok'] else '**FAIL**'} |", "",
        "Statements per API ballot (closed loop), as calls per ballot × mean execution"
        " time (wall time in the server, waiting for a core included):", ""]
    lines += _statements(api)
    lines += ["", "The lower limit's, for comparison (psycopg, 64 connections):", ""]
    lines += _statements(lower)
    lines += ["", *_reading(r["phases"])]
    if not check["ok"]:
        lines.append("FAIL: an acknowledged ballot is missing or stored twice, or a code was"
                     " spent without its ballot.\n")
    return "\n".join(lines) + "\n"
