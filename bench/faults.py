"""Steady voting through gunicorn on PostgreSQL while things break (not a test).

Starts a throwaway PostgreSQL cluster, an open vote with enough codes, and gunicorn with the
shipped configuration (deploy/gunicorn.conf.py, the app's role, row-level security on). Voter
threads cast ballots through the API the way a phone does: draw a tracker for the code, cast,
and on a lost answer (connection dropped, 5xx, client timeout) send the same cast again. In the
same run it kills a gunicorn worker, restarts PostgreSQL, and holds a lock on the codes table
for 75 s. Then it counts, as the table owner: ballots acknowledged against ballots stored,
codes spent without a ballot (must be 0), voters left without knowing their ballot counted
(must be 0), and per fault the failed requests and the time until casting worked again.
Prints the figures and writes them to bench/RESULTS.md (its own section).

    python -m bench.faults [--voters 8] [--lock-seconds 75] [--settle 10]
"""
import argparse
import datetime as dt
import os
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="tinnhiem-bench-"))

import psycopg  # noqa: E402
import requests  # noqa: E402
from gunicorn.ctl.client import ControlClient  # noqa: E402

from bench.live import KEYS, prepare_vote, restart_postgres  # noqa: E402
from bench.results import write_section  # noqa: E402
from tests import gunicorn_server, pg_cluster  # noqa: E402

CODES = 3000
SECTION = "## Faults under load"
PACE = 0.2  # seconds each voter waits between ballots: steady voting, codes to spare


@dataclass
class Tally:
    """What the voters saw, shared by their threads."""
    acknowledged: int = 0
    receipts_again: int = 0
    left_unknowing: int = 0
    gave_up: int = 0
    failures: list = field(default_factory=list)  # (time, what)
    successes: list = field(default_factory=list)  # times a cast was acknowledged
    longest: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, **changes):
        with self.lock:
            for name, value in changes.items():
                setattr(self, name, getattr(self, name) + value)


class Voters:
    def __init__(self, base: str, slug: str, codes: list[str], tally: Tally):
        self.base, self.slug, self.tally = base, slug, tally
        self.codes = iter(codes)
        self.codes_lock = threading.Lock()
        self.stop = threading.Event()

    def _next_code(self):
        with self.codes_lock:
            return next(self.codes, None)

    def _send(self, session, path, body):
        """The answer, or None when it was lost; every loss is counted as a failed request."""
        started = time.monotonic()
        try:
            response = session.post(f"{self.base}/api/v1/polls/{self.slug}/{path}", json=body,
                                    timeout=15)
        except requests.RequestException as error:
            response, what = None, type(error).__name__
        else:
            what = str(response.status_code)
        took = time.monotonic() - started
        with self.tally.lock:
            self.tally.longest = max(self.tally.longest, took)
            if response is None or response.status_code >= 500:
                self.tally.failures.append((time.monotonic(), what))
                return None
        return response

    def _until_answered(self, session, path, body):
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            response = self._send(session, path, body)
            if response is not None:
                return response
            time.sleep(0.5)
        return None

    def vote(self, session, code: str) -> None:
        claim = self._until_answered(session, "trackers", {"code": code})
        if claim is None or claim.status_code != 200:
            self.tally.note(gave_up=1)
            return
        body = {"code": code, "choices": [], **claim.json()}
        answer = self._until_answered(session, "ballots", body)
        if answer is None:
            self.tally.note(gave_up=1)
        elif answer.status_code in (200, 201):
            self.tally.note(acknowledged=1, receipts_again=int(answer.status_code == 200))
            with self.tally.lock:
                self.tally.successes.append(time.monotonic())
        elif answer.json().get("code") == "code_spent":
            self.tally.note(left_unknowing=1)  # stored, but never told so
        else:
            self.tally.note(gave_up=1)

    def run(self) -> None:
        session = requests.Session()
        while not self.stop.is_set():
            code = self._next_code()
            if code is None:
                return
            self.vote(session, code)
            time.sleep(PACE)


def _workers(control_socket: str) -> list[int]:
    """The web workers, as gunicorn lists them: the master's other child runs the background
    jobs' consumer (platform/jobs_consumer.py), which no request reaches."""
    with ControlClient(control_socket, timeout=10) as client:
        return [worker["pid"] for worker in client.send_command("show workers")["workers"]]


def kill_a_worker(control_socket: str) -> None:
    os.kill(_workers(control_socket)[0], signal.SIGKILL)


def hold_codes_lock(owner_url: str, seconds: float) -> None:
    with psycopg.connect(owner_url.replace("+psycopg", "")) as connection:
        connection.execute("LOCK TABLE vote_codes IN ACCESS EXCLUSIVE MODE")
        time.sleep(seconds)
        connection.rollback()


def recovery(tally: Tally, start: float, end: float) -> tuple[int, float]:
    """Failed requests in [start, end) and the time from `start` until the first acknowledged
    cast after the last of them."""
    with tally.lock:
        failed = [t for t, _what in tally.failures if start <= t < end]
        if not failed:
            return 0, 0.0
        after = [t for t in tally.successes if t > failed[-1]]
    return len(failed), ((after[0] if after else end) - start)


def stored(superuser_url: str) -> tuple[int, int]:
    # The superuser: the owner too sees no unit's rows without a scope (FORCE ROW LEVEL
    # SECURITY), and a count of nothing would prove nothing.
    with psycopg.connect(superuser_url.replace("+psycopg", "")) as connection:
        ballots = connection.execute("SELECT count(*) FROM ballots").fetchone()[0]
        spent = connection.execute(
            "SELECT count(*) FROM vote_codes WHERE state = 'spent'").fetchone()[0]
    return ballots, spent


def run(voters: int, lock_seconds: float, settle: float) -> dict:
    cluster = pg_cluster.start_cluster()
    try:
        vote = prepare_vote(cluster, CODES)
        app_url, owner_url, slug, codes = vote.app_url, vote.owner_url, vote.slug, vote.codes
        tmp = Path(tempfile.mkdtemp(prefix="tinnhiem-faults-"))
        env = gunicorn_server.production_env(tmp, DATABASE_URL=app_url, **KEYS)
        tally = Tally()
        with gunicorn_server.serving_process(env) as (base, _process):
            crowd = Voters(base, slug, codes, tally)
            threads = [threading.Thread(target=crowd.run) for _ in range(voters)]
            for thread in threads:
                thread.start()
            faults = [("gunicorn worker killed (SIGKILL)", lambda: kill_a_worker(
                          env["GUNICORN_CONTROL_SOCKET"])),
                      ("PostgreSQL restarted (fast)", lambda: restart_postgres(cluster)),
                      (f"codes table locked for {lock_seconds:.0f} s",
                       lambda: hold_codes_lock(owner_url, lock_seconds))]
            windows = []
            time.sleep(settle)
            for name, fault in faults:
                started = time.monotonic()
                fault()
                windows.append((name, started, time.monotonic()))
                time.sleep(settle)
            crowd.stop.set()
            for thread in threads:
                thread.join()
            marks = [start for _n, start, _e in windows] + [time.monotonic()]
            per_fault = [(name, end - start, *recovery(tally, start, marks[i + 1]))
                         for i, (name, start, end) in enumerate(windows)]
        ballots, spent = stored(cluster.url("postgres", owner_url.rsplit("/", 1)[1]))
    finally:
        cluster.stop()
    return {"voters": voters, "acknowledged": tally.acknowledged, "stored": ballots,
            "spent": spent, "spent_without_ballot": spent - ballots,
            "receipts_again": tally.receipts_again, "left_unknowing": tally.left_unknowing,
            "gave_up": tally.gave_up, "failed": len(tally.failures),
            "longest": tally.longest, "faults": per_fault}


def report(r: dict) -> str:
    lines = [
        SECTION, "",
        f"`python -m bench.faults` on {dt.date.today():%Y-%m-%d}: {r['voters']} voter threads"
        " casting through the API into gunicorn (deploy/gunicorn.conf.py) on a throwaway"
        " PostgreSQL as the app's role; each lost answer is sent again with the same tracker.",
        "",
        "| figure | value | must be |", "|---|---|---|",
        f"| ballots acknowledged to voters | {r['acknowledged']} | = stored |",
        f"| ballots stored | {r['stored']} | |",
        f"| of the acknowledged, receipts given again after a lost answer"
        f" | {r['receipts_again']} | |",
        f"| codes spent without a ballot | {r['spent_without_ballot']} | 0 |",
        f"| voters left without knowing their ballot counted | {r['left_unknowing']} | 0 |",
        f"| voters who gave up (no answer in 240 s) | {r['gave_up']} | 0 |",
        f"| failed requests (lost answers and 5xx) | {r['failed']} | |",
        f"| longest request | {r['longest']:.1f} s | bounded by the timeouts |",
        "", "| fault | fault lasted | failed requests | casting worked again after |",
        "|---|---|---|---|"]
    lines += [f"| {name} | {lasted:.1f} s | {failed} | {back:.1f} s |"
              for name, lasted, failed, back in r["faults"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=8)
    parser.add_argument("--lock-seconds", type=float, default=75)
    parser.add_argument("--settle", type=float, default=10,
                        help="seconds of steady voting before and after each fault")
    args = parser.parse_args()
    section = report(run(args.voters, args.lock_seconds, args.settle))
    print(section)
    write_section(SECTION, section)


if __name__ == "__main__":
    main()
