"""Load generators for the casting benchmark: Python threads, each with its own keep-alive
connection (one phone, or one nginx upstream connection), in a closed loop (a fixed number of
clients, each sending its next ballot as soon as the last is answered) or an open loop (ballots
arriving at a fixed rate whatever the answers, latency counted from each ballot's scheduled
time, so a slow answer cannot hide the ballots that queued behind it)."""
import http.client
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit


class Refused(Exception):
    """A ballot not acknowledged; its text says why (an HTTP status, an error code)."""


class Client:
    """One HTTP/1.1 keep-alive connection. A request whose connection was dropped before any
    answer (gunicorn recycling a worker closes its idle connections) is sent once more on a
    new connection."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError) as error:
                self.connection.close()
                if attempt == 2:
                    raise Refused(type(error).__name__) from error
        raise AssertionError("unreachable")

    def post_json(self, path: str, body: dict) -> tuple[int, dict]:
        status, data = self.request("POST", path, json.dumps(body).encode(),
                                    {"Content-Type": "application/json"})
        return status, json.loads(data or b"{}")

    def post_form(self, path: str, fields: dict) -> tuple[int, str]:
        status, data = self.request("POST", path, urlencode(fields).encode(),
                                    {"Content-Type": "application/x-www-form-urlencoded"})
        return status, data.decode()

    def close(self) -> None:
        self.connection.close()


class Codes:
    """Fresh codes handed out to the threads, each once; None when they run out."""

    def __init__(self, codes):
        self._codes = iter(codes)
        self._lock = threading.Lock()

    def take(self):
        with self._lock:
            return next(self._codes, None)


@dataclass
class Run:
    """What one load phase saw."""
    latencies: list = field(default_factory=list)  # seconds, per acknowledged ballot
    trackers: list = field(default_factory=list)  # the acknowledged ballots' receipts
    refused: Counter = field(default_factory=Counter)
    elapsed: float = 0.0
    ran_out: bool = False  # the phase ended for want of codes, not of time
    late_starts: int = 0  # open loop: ballots no sender was free to start on time
    unsent: int = 0  # open loop: ballots still unsent when the phase gave up on them
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float) -> float:
        """Of the acknowledged ballots' latencies, the unsent ones counted as endless."""
        ordered = sorted(self.latencies) + [float("inf")] * self.unsent
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    def one(self, ballot, client, code, since: float) -> None:
        """Cast one ballot and note its outcome, its latency counted from `since`."""
        try:
            tracker = ballot(client, code)
        except Refused as refusal:
            with self.lock:
                self.refused[str(refusal)] += 1
            return
        took = time.monotonic() - since
        with self.lock:
            self.latencies.append(took)
            self.trackers.append(tracker)


def _threads(count: int, target) -> None:
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def closed_loop(ballot, make_client, codes: Codes, clients: int, seconds: float) -> Run:
    """`clients` threads casting back to back for `seconds` (or until the codes run out);
    `ballot(client, code)` returns the receipt or raises Refused."""
    run = Run()
    started = time.monotonic()
    ends = started + seconds

    def voter():
        client = make_client()
        try:
            while time.monotonic() < ends:
                code = codes.take()
                if code is None:
                    run.ran_out = True
                    return
                run.one(ballot, client, code, time.monotonic())
        finally:
            client.close()

    _threads(clients, voter)
    run.elapsed = time.monotonic() - started
    return run


def open_loop(ballot, make_client, codes: Codes, rate: float, seconds: float,
              senders: int = 64, grace: float = 5.0) -> Run:
    """Ballot i is due at start + i / rate, for `seconds`; `senders` threads send them, each
    the next one due; latency runs from the due time. A server that cannot keep up would make
    the phase last for ever: ballots not started `grace` seconds after the last one was due
    are left unsent (and count as endless in the percentiles)."""
    run = Run()
    due_count = int(rate * seconds)
    counter = iter(range(due_count))
    counter_lock = threading.Lock()
    started = time.monotonic() + 0.1
    give_up = started + seconds + grace

    def sender():
        client = make_client()
        try:
            while True:
                with counter_lock:
                    index = next(counter, None)
                if index is None:
                    return
                if time.monotonic() > give_up:
                    with run.lock:
                        run.unsent += 1
                    continue
                due = started + index / rate
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                elif wait < -0.01:
                    with run.lock:
                        run.late_starts += 1
                code = codes.take()
                if code is None:
                    run.ran_out = True
                    return
                run.one(ballot, client, code, due)
        finally:
            client.close()

    _threads(senders, sender)
    run.elapsed = time.monotonic() - started
    return run
