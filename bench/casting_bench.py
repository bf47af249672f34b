"""How fast ballots are cast, and what each one costs (issue #14; not a test).

One run on a throwaway PostgreSQL (pg_stat_statements loaded) with an open vote and fresh codes,
gunicorn with the shipped configuration (deploy/gunicorn.conf.py, 4 workers x 2 threads, the
app's role, row-level security on) and, when redis-server is installed, a throwaway Redis as
the rate limiter's storage (else the database table):
  (a) 64 clients in a closed loop casting through the API and through the voter's pages;
  (b) the same rows written by plain psycopg under the app's role and a voter's signed scope,
      on 8 and 64 connections: the lower limit of what a ballot costs;
  (c) a bare Flask endpoint under the same gunicorn configuration: the upper reference;
then ballots arriving through the API at fixed rates (open loop). Each phase: ballots/s,
p50/p99, CPU per ballot of the app, PostgreSQL, Redis and the load generator (/proc), the
statements the app's role ran per ballot (pg_stat_statements, utility statements included)
and Redis commands per ballot. Last, every acknowledged ballot must be stored exactly once.
Prints the figures and writes them to bench/RESULTS.md (its own section).

    python -m bench.casting_bench [--quick] [--seconds 15] [--people 10]
"""
import argparse
import itertools
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="tinnhiem-bench-"))

import psycopg  # noqa: E402

from bench import live  # noqa: E402
from bench.casting_flows import DirectCasting, api_ballot, html_ballot  # noqa: E402
from bench.casting_report import report  # noqa: E402
from bench.loadgen import Client, Codes, closed_loop, open_loop  # noqa: E402
from bench.pgwire import CountingRelay  # noqa: E402
from bench.results import write_section  # noqa: E402
from tests import gunicorn_server, pg_cluster  # noqa: E402

SECTION = "## Casting"
CLIENTS = 64
RATES = (10, 50, 100)
DIRECT_CONNECTIONS = (8, 64)


def enable_statement_stats(cluster) -> None:
    """pg_stat_statements counts every top-level statement a role runs, BEGIN and COMMIT too
    (track_utility); it must be loaded when the server starts, hence the restart."""
    with psycopg.connect(cluster.superuser_url, autocommit=True) as connection:
        connection.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
    live.restart_postgres(cluster)
    with psycopg.connect(cluster.superuser_url, autocommit=True) as connection:
        # Its default, made explicit: the figures count BEGIN, COMMIT and ROLLBACK.
        connection.execute("ALTER SYSTEM SET pg_stat_statements.track_utility = on")
        connection.execute("SELECT pg_reload_conf()")


class Probe:
    """Counters read around each phase."""

    def __init__(self, cluster, vote, redis_url):
        name = vote.app_url.rsplit("/", 1)[1]
        self.db = psycopg.connect(cluster.url("postgres", name).replace("+psycopg", ""),
                                  autocommit=True)
        self.db.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        self.postmaster = live.postmaster_pid(cluster)
        self.redis = None
        if redis_url:
            import redis

            self.redis = redis.Redis.from_url(redis_url)
        self.redis_pid = None
        self.app_pid = None  # gunicorn's master while one serves

    def _cpu(self) -> dict:
        times = os.times()
        return {"app": live.tree_cpu(self.app_pid) if self.app_pid else None,
                "postgres": live.tree_cpu(self.postmaster),
                "redis": live.tree_cpu(self.redis_pid) if self.redis_pid else None,
                "client": times.user + times.system}

    def _statements(self) -> list:
        return self.db.execute(
            "SELECT calls, total_exec_time, query FROM pg_stat_statements"
            " WHERE userid = %s::regrole"
            " AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " ORDER BY calls DESC", (pg_cluster.APP,)).fetchall()

    def _redis_commands(self) -> int | None:
        if self.redis is None:
            return None
        stats = self.redis.info("commandstats")
        return sum(v["calls"] for k, v in stats.items()
                   if k not in ("cmdstat_info", "cmdstat_config"))

    def measure(self, name: str, work) -> dict:
        self.db.execute("SELECT pg_stat_statements_reset()")
        if self.redis is not None:
            self.redis.config_resetstat()
        before = self._cpu()
        run = work()
        after = self._cpu()
        load = os.getloadavg()[0]
        ballots = len(run.latencies) or 1
        spent = sum(after[k] - before[k] for k in before if before[k] is not None)
        statements = self._statements()
        commands = self._redis_commands()
        figures = {
            "name": name, "run": run,
            "cpu_ms": {k: None if before[k] is None else (after[k] - before[k]) * 1000 / ballots
                       for k in before},
            # Of the 2 cores' time during the phase, what the measured processes used: the rest
            # went to whatever else ran on the machine.
            "share": spent / (run.elapsed * os.cpu_count()), "load": load,
            "statements": sum(calls for calls, _t, _q in statements) / ballots,
            "statement_list": [(calls / ballots, total / calls, query)
                               for calls, total, query in statements],
            "redis": None if commands is None else commands / ballots}
        print(f"{name}: {len(run.latencies)} ballots, {run.rate:.0f}/s,"
              f" p50 {run.percentile(0.5) * 1000:.1f} ms, p99 {run.percentile(0.99) * 1000:.1f}"
              f" ms, refused {dict(run.refused)}, unsent {run.unsent}, load {load:.1f}",
              flush=True)
        return figures


def server_env(vote, redis_url, tmp: Path, name: str, database_url=None) -> dict:
    """A production start's environment (deploy/env.example) on this machine."""
    metrics = tmp / f"metrics-{name}"
    metrics.mkdir()
    settings = {"DATABASE_URL": database_url or vote.app_url, "WEB_CONCURRENCY": 4,
                "GUNICORN_THREADS": 2,
                "PROMETHEUS_MULTIPROC_DIR": metrics, "BEHIND_PROXY": "true",
                "SESSION_COOKIE_SECURE": "true", "LOG_FORMAT": "json", "LOG_LEVEL": "WARNING",
                "TINNHIEM_LOG_LEVEL": "INFO", "VOTE_FAILURE_LIMIT": "60 per 10 minutes",
                "DB_STATEMENT_TIMEOUT_MS": 15000, "DB_LOCK_TIMEOUT_MS": 5000, **live.KEYS}
    if redis_url:
        settings["RATELIMIT_STORAGE_URI"] = redis_url
    return gunicorn_server.production_env(tmp, **settings)


def budgets(seconds: float) -> dict:
    """Codes set aside per phase, each phase a conference of its own: more than it can use in
    `seconds` on this machine, up to the 5,000 a conference may summon; a phase that runs out
    ends early and says so."""
    plan = {"warm-up": 400, "trips": 60, "api": 400 * seconds, "html": 150 * seconds,
            **{f"open {rate}": rate * seconds + 10 for rate in RATES},
            **{f"direct {n}": 3000 for n in DIRECT_CONNECTIONS}}
    return {name: int(min(5000, count)) for name, count in plan.items()}


def run(seconds: float, people: int) -> dict:
    plan = budgets(seconds)
    cluster = pg_cluster.start_cluster()
    try:
        enable_statement_stats(cluster)
        started = time.monotonic()
        votes = dict(zip(plan, live.prepare_votes(cluster, list(plan.values()), people)))
        print(f"prepared {sum(plan.values())} codes in {len(plan)} conferences in"
              f" {time.monotonic() - started:.0f} s", flush=True)
        tmp = Path(tempfile.mkdtemp(prefix="tinnhiem-castbench-"))
        with live.redis_server() as redis:
            redis_url = redis[0] if redis else None
            probe = Probe(cluster, votes["api"], redis_url)
            probe.redis_pid = redis[1].pid if redis else None
            results = phases(probe, votes, tmp, redis_url, seconds)
        results["check"] = exactly_once(votes["api"].owner_url, results["phases"])
        results["storage"] = "Redis (throwaway redis-server)" if redis_url else \
            "the database table (no redis-server)"
        results.update(seconds=seconds, people=people)
        return results
    finally:
        cluster.stop()


def phases(probe, votes, tmp, redis_url, seconds) -> dict:
    """Every phase's figures, each with the vote its ballots went to."""
    done = []

    def measure(name, vote, work):
        done.append({**probe.measure(name, work), "vote": vote})

    def api(name):
        return api_ballot(votes[name].slug, votes[name].nominee_ids)

    def codes(name):
        return Codes(votes[name].codes)

    app_env = server_env(votes["api"], redis_url, tmp, "app")
    with live.serving(app_env) as (base, master):
        probe.app_pid = master.pid
        client = lambda: Client(base)  # noqa: E731
        closed_loop(api("warm-up"), client, codes("warm-up"), CLIENTS, min(3, seconds))
        measure("API, closed loop", votes["api"], lambda: closed_loop(
            api("api"), client, codes("api"), CLIENTS, seconds))
        measure("pages, closed loop", votes["html"], lambda: closed_loop(
            html_ballot(votes["html"].slug), client, codes("html"), CLIENTS, seconds))
        for rate in RATES:
            name = f"open {rate}"
            measure(f"API, open loop at {rate}/s", votes[name], lambda: open_loop(
                api(name), client, codes(name), rate, seconds))
    probe.app_pid = None
    trips = round_trips(votes["trips"], redis_url, tmp)
    for n in DIRECT_CONNECTIONS:
        name = f"direct {n}"
        direct = DirectCasting(votes[name])
        measure(f"psycopg, {n} connections", votes[name], lambda: closed_loop(
            direct, direct.connect, codes(name), n, seconds))
    bare_env = server_env(votes["api"], redis_url, tmp, "bare")
    with live.serving(bare_env, "bench.bare_app:app") as (base, master):
        probe.app_pid = master.pid
        client = lambda: Client(base)  # noqa: E731
        fake = lambda: Codes(itertools.repeat("ABCDEFGHJK"))  # noqa: E731
        closed_loop(api("api"), client, fake(), CLIENTS, min(2, seconds))
        measure("bare Flask, closed loop", None, lambda: closed_loop(
            api("api"), client, fake(), CLIENTS, seconds))
    probe.app_pid = None
    return {"phases": done, "round_trips": trips}


def round_trips(vote, redis_url, tmp, count=15) -> dict:
    """Round trips per ballot counted at the wire (bench/pgwire.py), one client casting
    `count` ballots in turn through each way after ten that fill the pools and prepare the
    statements, on a gunicorn of its own that reaches PostgreSQL through the counting
    relay."""
    where = urlsplit(vote.app_url)
    relay = CountingRelay((where.hostname, where.port))
    url = vote.app_url.replace(f":{where.port}/", f":{relay.port}/")
    codes = Codes(vote.codes)
    per_ballot = {}
    try:
        with live.serving(server_env(vote, redis_url, tmp, "trips", url)) as (base, _master):
            client = Client(base)  # one keep-alive connection: always the same worker
            for name, ballot in (("api", api_ballot(vote.slug, vote.nominee_ids)),
                                 ("html", html_ballot(vote.slug))):
                # Past psycopg's prepare threshold (5 executions; preparing is a round
                # trip of its own, once per statement and connection): the steady state.
                for _ in range(10):
                    ballot(client, codes.take())
                before = relay.round_trips
                for _ in range(count):
                    ballot(client, codes.take())
                per_ballot[name] = (relay.round_trips - before) / count
            client.close()
    finally:
        relay.close()
    print(f"round trips per ballot at the wire: {per_ballot}", flush=True)
    return per_ballot


def exactly_once(owner_url, phases) -> dict:
    """Every acknowledged receipt against its conference's ballots, read as the owner; and
    no code spent without its ballot."""
    totals = Counter()
    with pg_cluster.owner_connection(owner_url) as connection:
        for phase in phases:
            if phase["vote"] is None:
                continue
            conference = phase["vote"].conference_id
            acknowledged = Counter(t.replace("-", "") for t in phase["run"].trackers)
            stored = Counter(row[0] for row in connection.execute(
                "SELECT tracker FROM ballots WHERE conference_id = %s", (conference,)))
            totals["spent"] += connection.execute(
                "SELECT count(*) FROM vote_codes WHERE conference_id = %s AND state = 'spent'",
                (conference,)).fetchone()[0]
            totals["acknowledged"] += sum(acknowledged.values())
            totals["stored"] += sum(stored.values())
            totals["missing"] += sum(1 for t in acknowledged if stored[t] == 0)
            totals["twice"] += sum(1 for t in acknowledged
                                   if acknowledged[t] > 1 or stored[t] > 1)
            totals["unacknowledged"] += sum(1 for t in stored if t not in acknowledged)
    return {**totals, "ok": totals["missing"] == 0 and totals["twice"] == 0
            and totals["spent"] == totals["stored"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run (3 s a phase)")
    parser.add_argument("--seconds", type=float, default=15, help="length of each phase")
    parser.add_argument("--people", type=int, default=10, help="rows on the ballot")
    args = parser.parse_args()
    results = run(3 if args.quick else args.seconds, args.people)
    section = report(SECTION, results)
    print(section)
    if not args.quick:
        write_section(SECTION, section)
    if not results["check"]["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
