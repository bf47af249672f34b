"""Closing and counting a large electronic vote: 500 ballots × 15 people.

    python -m bench.closing_bench [--ballots N] [--people N] [--postgresql]

Casts the ballots through the casting service, then times, as the unit and its counting board
would: closing (codes voided, every ballot rewritten under a fresh id in a random order, the
seal), counting (recount against the seal, balances, one result row per person) and the two
certifications. Target (issue 14): all of it under 2 s. Prints the figures and writes them
to bench/RESULTS.md, beside a plain count of the ballot marks on the same database."""
import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="tinnhiem-bench-"))

from bench.apps import migrated_app  # noqa: E402
from bench.results import write_section  # noqa: E402

SECTION = "## Closing and counting a large vote"
TARGET_S = 2.0


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def run(backend: str, ballots: int, people: int) -> dict:
    from sqlalchemy import func, select

    from tests.factories import Factory
    from tinnhiem.conferences import services as conferences
    from tinnhiem.counting import services as counting
    from tinnhiem.platform.auth.roles import Role
    from tinnhiem.tally.models import BallotMark
    from tinnhiem.voting import casting, sealing

    with migrated_app(backend, {"WTF_CSRF_ENABLED": False}) as (app, _owner):
        make = Factory(app)
        world = make.world()
        conference = make.open_conference(world, people=people, summoned=ballots,
                                          present=ballots)
        codes, _slug = make.issue_codes(world, ballots)
        levels = ("high", "confidence", "low", "blank")

        def cast_all(session, _actor):
            voting = conferences.get_conference(session, conference.id)
            for code in codes:
                casting.cast_ballot(session, voting, code, {
                    str(person.id): random.choice(levels) for person in world.people})

        make.as_account(world.unit_admin_a1, cast_all)
        admin = world.unit_admin_a1
        board = make._unit_staff(world.a1)[Role.COUNTER]

        def act(account, service):
            return make.as_account(account, lambda s, a: service(
                s, a, conferences.get_conference(s, conference.id)))

        figures = {"backend": backend,
                   "close_s": _timed(lambda: act(admin, sealing.close_vote)),
                   "count_s": _timed(lambda: act(admin, counting.count)),
                   "certify_s": _timed(lambda: [act(c, counting.certify) for c in board])}
        figures["total_s"] = figures["close_s"] + figures["count_s"] + figures["certify_s"]
        figures["plain_count_ms"] = 1000 * _timed(lambda: make.as_account(
            admin, lambda s, _a: s.scalar(select(func.count()).select_from(BallotMark))))
        figures["status"] = make.as_account(admin, lambda s, _a: conferences.get_conference(
            s, conference.id).status)
        return figures


def report(results: list[dict], ballots: int, people: int) -> str:
    lines = [SECTION, "",
             f"`python -m bench.closing_bench` on {dt.date.today():%Y-%m-%d}: an electronic vote"
             f" of {ballots} ballots × {people} people, cast through the casting service; then"
             " closed (codes voided, ballots rewritten in a random order, one statement a"
             " table: an array a column on PostgreSQL, multi-row VALUES on SQLite; sealed from"
             " the rows as written), counted and certified by two counters, each step as its own"
             f" request would. {os.cpu_count()} CPU cores. Target: the three steps under"
             f" {TARGET_S:.0f} s.", "",
             "| backend | close | count | two certifications | total | target | a plain count"
             " of the marks | state after |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['backend']} | {r['close_s']:.2f} s | {r['count_s']:.2f} s |"
                     f" {r['certify_s']:.2f} s | {r['total_s']:.2f} s | < {TARGET_S:.0f} s |"
                     f" {r['plain_count_ms']:.1f} ms | {r['status']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=500)
    parser.add_argument("--people", type=int, default=15)
    parser.add_argument("--postgresql", action="store_true")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.postgresql else [])
    results = [run(backend, args.ballots, args.people) for backend in backends]
    section = report(results, args.ballots, args.people)
    print(section)
    write_section(SECTION, section)


if __name__ == "__main__":
    main()
