"""What the wrong-code budget costs a request (issue #14, voting.code_throttle).

    python -m bench.throttle_bench [--codes N] [--requests N] [--postgresql]

With N codes issued and the counters in the database (the default storage), times requests to
the ballot page from one address: the right code (the budget read only), input that cannot be
a code (free, no lookup), a typo of a live code (free: 319 neighbours' digests and one
indexed query) and a well-formed wrong code (the same, then one counter increment). Prints
the medians and writes them to bench/RESULTS.md."""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="tinnhiem-bench-"))

from bench.apps import migrated_app  # noqa: E402
from bench.results import write_section  # noqa: E402

SECTION = "## What the wrong-code budget costs a request"


def _median_ms(client, url, codes) -> float:
    times = []
    for code in codes:
        start = time.perf_counter()
        client.post(url, data={"code": code})
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def run(backend: str, codes: int, requests: int) -> dict:
    from tests.factories import Factory
    from tinnhiem.voting.codes import code_digests, near_codes, new_code

    config = {"VOTE_FAILURE_LIMIT": "100000 per 10 minutes", "WTF_CSRF_ENABLED": False}
    with migrated_app(backend, config) as (app, _owner):
        make = Factory(app)
        world = make.world()
        make.open_conference(world, people=3, summoned=codes)
        issued, slug = make.issue_codes(world, codes)
        client = app.test_client()
        url = f"/v/{slug}/ballot"
        sample = issued[:requests]
        figures = {
            "right code": _median_ms(client, url, sample),
            "malformed": _median_ms(client, url, [c[:9] for c in sample]),
            "typo (near miss)": _median_ms(client, url, [c[:3] + ("2" if c[3] != "2" else "3")
                                                         + c[4:] for c in sample]),
            "wrong code (counted)": _median_ms(client, url,
                                               [new_code() for _ in range(requests)]),
        }
        with app.app_context():
            start = time.perf_counter()
            for code in sample:
                code_digests(world.voting.id, near_codes(code))
            figures["319 digests alone"] = (time.perf_counter() - start) / len(sample) * 1000
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=500)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--postgresql", action="store_true")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.postgresql else [])
    results = {backend: run(backend, args.codes, args.requests) for backend in backends}
    kinds = list(next(iter(results.values())))
    lines = [SECTION, "",
             f"`python -m bench.throttle_bench --codes {args.codes} --requests "
             f"{args.requests}{' --postgresql' if args.postgresql else ''}`: median ms a request"
             f" to the ballot page, counters in the database; load average"
             f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs while it ran.", "",
             "| | " + " | ".join(backends) + " |", "|---|" + "---|" * len(backends)]
    lines += [f"| {kind} | " + " | ".join(f"{results[b][kind]:.1f}" for b in backends) + " |"
              for kind in kinds]
    section = "\n".join(lines) + "\n"
    print(section)
    write_section(SECTION, section)


if __name__ == "__main__":
    main()
