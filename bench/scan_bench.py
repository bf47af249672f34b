"""How fast the ballot reader reads, on one core, and how often it leaves a row to the board.

Marks ballots of 15 and 55 people printed by the app (tests/scan_corpus.py: pen and pencil,
every kind of row), then reads them as they would arrive: a scanner's PDF (pages scanned at
300 dpi, JPEG inside, rendered by the reader at its own resolution) and a phone's JPEG photos.
Timed: from the uploaded bytes to the readings (rendering or decoding included; making the
corpus is not). OpenCV is held to one thread, so the figure is per core. Prints the figures
and writes its section of bench/RESULTS.md (not with --quick).

    python -m bench.scan_bench [--ballots 40] [--quick]

--quick: 4 ballots (or --ballots), figures printed, RESULTS.md left alone.

Target (issue 16): at least 20 ballots of 15 people a second per core.
"""
import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

HEADING = "## Reading paper ballots"
SIZES = (15, 55)
TARGET = 20  # ballots of 15 people a second per core


def corpus(people: int, ballots: int, seed: int) -> tuple[list, list, list]:
    """(scanner PDFs, one per ballot; photos, a JPEG per page; the truth of each ballot)."""
    from tests import scan_corpus

    rng = np.random.default_rng(seed)
    pdfs, photos, truths = [], [], []
    for i in range(ballots):
        sheet = scan_corpus.marked_sheet(people, rng, tool=scan_corpus.TOOLS[i % 4])
        pdfs.append(scan_corpus.scanner_pdf([scan_corpus.scanned(p, rng, dpi=300)
                                             for p in sheet.pages]))
        photos.append([cv2.imencode(".jpg", scan_corpus.photographed(p, rng))[1].tobytes()
                       for p in sheet.pages])
        truths.append(sheet.truth)
    return pdfs, photos, truths


def read_all(uploads: list[list[bytes]], truths: list) -> dict:
    """Reads every ballot (a list of uploaded files each); times it on this process's CPU."""
    from tests import scan_corpus
    from tinnhiem.scanning.pages import pages_of_upload
    from tinnhiem.scanning.reader import read_page

    rows = doubtful = needless = wrong = 0
    started, wall = time.process_time(), time.perf_counter()
    for files, truth in zip(uploads, truths):
        readings = [read_page(image, scan_corpus.CONFERENCE_ID, scan_corpus.TEMPLATE_VERSION)
                    for data in files for image in pages_of_upload(data, "upload")]
        read_rows = sorted((r for page in readings for r in page.rows), key=lambda r: r.index)
        n, d, bad = scan_corpus.read_truthfully(read_rows, truth)
        rows, doubtful, wrong = rows + n, doubtful + d, wrong + len(bad)
        needless += scan_corpus.needless_doubtful(read_rows, truth)
    cpu, wall = time.process_time() - started, time.perf_counter() - wall
    return {"ballots": len(uploads), "rows": rows, "doubtful": doubtful, "needless": needless,
            "wrong": wrong,
            "per_s": len(uploads) / cpu, "ms": 1000 * cpu / len(uploads),
            "wall_ms": 1000 * wall / len(uploads)}


def measure(ballots: int) -> list[dict]:
    results = []
    for people in SIZES:
        pdfs, photos, truths = corpus(people, ballots, seed=people)
        for source, uploads in (("scanner PDF, 300 dpi", [[p] for p in pdfs]),
                                ("phone photos, JPEG", photos)):
            read_all(uploads[:1], truths[:1])  # warm-up: imports, caches
            result = read_all(uploads, truths)
            results.append({"people": people, "source": source, **result})
            print(f"{people:>3} people, {source}: {result['per_s']:.1f} ballots/s per core "
                  f"({result['ms']:.0f} ms CPU, {result['wall_ms']:.0f} ms wall a ballot); "
                  f"{result['rows']} rows, {result['doubtful']} doubtful "
                  f"({result['doubtful'] / result['rows']:.1%}; needlessly "
                  f"{result['needless']}), {result['wrong']} wrong")
    return results


def report(results: list[dict]) -> str:
    lines = [
        HEADING, "",
        f"`python -m bench.scan_bench` on {dt.date.today():%Y-%m-%d}: ballots printed by the "
        f"app, marked with known truth (tests/scan_corpus.py); {os.cpu_count()} CPU cores, "
        f"OpenCV on one thread. Target (issue 16): at least {TARGET} ballots of 15 people a "
        "second per core.", "",
        "| people | upload | ballots | ballots/s per core | CPU a ballot | rows | doubtful | "
        "of which needlessly | wrong |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['people']} | {r['source']} | {r['ballots']} | {r['per_s']:.1f} | "
                     f"{r['ms']:.0f} ms | {r['rows']} | {r['doubtful']} "
                     f"({r['doubtful'] / r['rows']:.1%}) | {r['needless']} | {r['wrong']} |")
    lines += ["", "Timed from the uploaded bytes to the readings: a scanner PDF's page JPEG "
              "decoded straight from the file at a reduced size (libjpeg; any other page is "
              "rendered by pypdfium2 at 200 dpi), a photo's JPEG likewise, then read. A sixth "
              "of the corpus's rows are drawn doubtful on purpose (a scribble, a mark across "
              "two boxes, a faint mark on a pen ballot); \"needlessly\" counts the doubtful "
              "rows a careful person would have read. \"Wrong\" counts rows read wrongly "
              "without being marked ""doubtful; it must be 0."]
    return "\n".join(lines + _beside_the_hand_and_the_machine(results)) + "\n"


# A provincial congress's counting machine: 348 ballots of 55 names in about 40 minutes.
MACHINE_ANCHOR = 348 / (40 * 60)
HALL = 500  # ballots of a large conference, for the keystrokes


def _beside_the_hand_and_the_machine(results: list[dict]) -> list[str]:
    """The anchor of the issue, and the keys the board does not press: by hand, each of two
    members keys every row (a key and a Tab) and Enter a ballot; by scan, two members choose
    each doubtful row (a click and a button each) and one keys the blind check's ballots."""
    lines = ["", "Beside the machine and the hand:"]
    for r in results:
        if r["people"] == 55:
            lines.append(f"- {r['source']}, 55 people: {r['per_s']:.1f} ballots/s on one core"
                         f" against the counting machine's {MACHINE_ANCHOR:.2f}"
                         f" ({r['per_s'] / MACHINE_ANCHOR:.0f} times).")
    for r in results:
        if r["people"] != 15 or "PDF" not in r["source"]:
            continue
        people, share = r["people"], r["doubtful"] / r["rows"]
        by_hand = 2 * HALL * (2 * people + 1)
        checked = max(5, -(-HALL * 5 // 100))
        by_scan = round(2 * 2 * HALL * people * share) + checked * (2 * people + 1)
        lines.append(f"- {HALL} ballots of {people} people keyed twice by hand: {by_hand:,}"
                     f" keystrokes; read by scan with this corpus's doubtful rate"
                     f" ({share:.0%}) and the default blind check ({checked} ballots):"
                     f" {by_scan:,} ({1 - by_scan / by_hand:.0%} fewer).")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=None,
                        help="ballots per size and source (40; 4 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="printed only, RESULTS.md left as it is")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    results = measure(args.ballots or (4 if args.quick else 40))
    if not args.quick:
        from bench.results import write_section

        write_section(HEADING, report(results))
    else:
        print(report(results))


if __name__ == "__main__":
    main()
