"""A paper conference read from one scanner PDF, through the app: 500 ballots × 15 people.

    python -m bench.scan_conference_bench [--ballots N] [--people N] [--dpi N] [--postgresql]

Marks the conference's own printed ballots (tests/scan_corpus.py: every kind of row, pen and
pencil), scans them into one PDF as a scanner would (JPEG pages), then times what the board
waits for: the upload (one request, the PDF stored), and the reading job until the board can
start (every page read, its image and reading stored and committed, compared with every page
before for a sheet scanned twice). Target (issue 16): upload to an adjudication-ready
conference in under a minute on this machine. Beside it, a plain read of the stored images
on the same database. Prints the figures and writes them to bench/RESULTS.md."""
import argparse
import datetime as dt
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="tinnhiem-bench-"))

from bench.apps import migrated_app  # noqa: E402
from bench.results import write_section  # noqa: E402

SECTION = "## A paper conference read from its scans"
TARGET_S = 60.0


def _scanner_pdf(world, ballots: int, people: int, dpi: int, version: int) -> bytes:
    import numpy as np

    from tests.scan_corpus import marked_sheet, scanned
    from tests.scan_pages import scanner_pdf

    rng = np.random.default_rng(16)
    pages = []
    for _ in range(ballots):
        sheet = marked_sheet(people, rng, dpi=dpi, conference_id=world.voting.id,
                             template_version=version)
        pages.extend(scanned(page, rng, dpi=dpi, source_dpi=dpi) for page in sheet.pages)
    return scanner_pdf(pages, dpi)


def run(backend: str, ballots: int, people: int, dpi: int) -> dict:
    from sqlalchemy import func, select

    from tests.factories import Factory
    from tinnhiem.conferences import services as conferences
    from tinnhiem.rounds.services import frozen_template
    from tinnhiem.scanning import jobs
    from tinnhiem.scanning.models import ScanBatch, ScanPage

    config = {"WTF_CSRF_ENABLED": False, "SCAN_MAX_UPLOAD_MB": 1024,
              "LOGIN_RATE_LIMIT": "1000 per minute"}
    with migrated_app(backend, config) as (app, _owner):
        make = Factory(app)
        world = make.world()
        make.open_conference(world, mode="paper", people=people, summoned=ballots,
                             present=ballots)
        make.close_vote(world, ballots_issued=ballots)
        version = make._run(lambda s: frozen_template(s, conferences.get_conference(
            s, world.voting.id).template_id).version)
        started = time.perf_counter()
        pdf = _scanner_pdf(world, ballots, people, dpi, version)
        made_s = time.perf_counter() - started
        client = app.test_client()
        from tests.conftest import PASSWORD

        client.post("/login", data={"username": world.counter_a1.username,
                                    "password": PASSWORD})
        started = time.perf_counter()
        answer = client.post(f"/conferences/{world.voting.id}/scans",
                             content_type="multipart/form-data",
                             data={"upload-files": [(io.BytesIO(pdf), "may-quet.pdf")]})
        upload_s = time.perf_counter() - started
        assert answer.status_code == 302, (answer.status_code, answer.text[:500])
        batch = make._run(lambda s: s.scalars(select(ScanBatch)).one())
        started = time.perf_counter()
        with app.app_context():
            jobs.read_batch(province_id=str(batch.province_id), unit_id=str(batch.unit_id),
                            batch_id=str(batch.id))
        read_s = time.perf_counter() - started

        def stored(session):
            counts = dict(session.execute(select(ScanPage.status, func.count())
                                          .group_by(ScanPage.status)).all())
            size = session.scalar(select(func.sum(func.length(ScanPage.image))))
            done = session.get(ScanBatch, batch.id)
            return counts, size, done.status, done.doubts

        counts, image_bytes, status, doubts = make._run(stored)
        started = time.perf_counter()
        make._run(lambda s: s.execute(select(ScanPage.image)).all())
        plain_s = time.perf_counter() - started
        return {"backend": backend, "ballots": ballots, "people": people, "dpi": dpi,
                "pdf_mb": len(pdf) / 2**20, "made_s": made_s, "upload_s": upload_s,
                "read_s": read_s, "total_s": upload_s + read_s, "counts": counts,
                "status": status, "doubts": doubts, "image_mb": (image_bytes or 0) / 2**20,
                "plain_s": plain_s}


def report(results: list[dict]) -> str:
    first = results[0]
    lines = [SECTION, "",
             f"`python -m bench.scan_conference_bench` on {dt.date.today():%Y-%m-%d}: a paper"
             f" conference of {first['ballots']} ballots × {first['people']} people, its printed"
             f" ballots marked (every kind of row: clear marks in four styles, blank, several,"
             f" crossed-out names, scribbles, marks across two boxes, faint pencil), scanned"
             f" at {first['dpi']} dpi (turned up to 5°, noise, dust) into one PDF; uploaded by a"
             " counter through the app (one request), then read by the job in this process"
             " (as the worker would) until the board can start. "
             f"{os.cpu_count()} CPU cores; the reader on one. Target: upload to an"
             f" adjudication-ready conference under {TARGET_S:.0f} s.", "",
             "| backend | PDF | upload | reading | upload + reading | target | pages/s |"
             " pages read, doubtful, twice, refused | rows for the board | images stored |"
             " reading back every image (plain SELECT) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        c = r["counts"]
        pages = sum(c.values())
        lines.append(
            f"| {r['backend']} | {r['pdf_mb']:.0f} MiB | {r['upload_s']:.1f} s |"
            f" {r['read_s']:.1f} s | {r['total_s']:.1f} s | < {TARGET_S:.0f} s |"
            f" {pages / r['read_s']:.1f} | {c.get('read', 0)}, {c.get('doubtful', 0)},"
            f" {c.get('duplicate', 0)}, {c.get('refused', 0)} | {r['doubts']} |"
            f" {r['image_mb']:.0f} MiB | {r['plain_s']:.2f} s |")
    lines += ["", "Making the corpus (not timed above): "
              + ", ".join(f"{r['made_s']:.0f} s ({r['backend']})" for r in results) + "."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=500)
    parser.add_argument("--people", type=int, default=15)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--postgresql", action="store_true")
    parser.add_argument("--quick", action="store_true", help="print only; RESULTS.md untouched")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.postgresql else [])
    results = [run(backend, args.ballots, args.people, args.dpi) for backend in backends]
    section = report(results)
    print(section)
    if not args.quick:
        write_section(SECTION, section)


if __name__ == "__main__":
    main()
