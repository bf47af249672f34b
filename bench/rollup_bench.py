"""How the province's roll-up holds as the province grows.

Builds synthetic provinces of 350, 3,500 and 10,000 units (10,000, 100,000 and 300,000 people
voted on, every result certified; --sizes to choose), then measures, as a province viewer
would meet them: the dashboard page and the JSON roll-up (median of 5 requests), and the XLSX
export of every row (time and peak Python memory, next to an export of a tenth of the rows, to
show that memory does not grow with the row count). Beside them, the time of one plain
`SELECT count(*)` over the round's result rows on the same database (as its owner), so that
figures from different machines can be compared. Runs on SQLite, and on a throwaway
PostgreSQL cluster when --postgresql is given (as for the tests). Prints the figures and
writes its section of bench/RESULTS.md.

    python -m bench.rollup_bench [--sizes 350,3500,10000] [--postgresql]
                                 [--postgresql-sizes 350,3500] [--no-xlsx] [--rounds 3]

--no-xlsx leaves the exports out (dashes in their columns). --rounds N has the same people
voted on in N rounds (the dashboard reads the last); a cadre's history page (issue 17:
100,000 people × 3 rounds, `--sizes 3500 --rounds 3`) is timed for a person voted on in two
places in every round.

A size is a number of units (people: those of SIZES, else 30 a unit) or `units:people`.
"""
import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="tinnhiem-bench-"))

from sqlalchemy import insert  # noqa: E402

from bench.apps import migrated_app  # noqa: E402

BANDS_MIX = ((30, 8, 2), (14, 4, 22), (6, 2, 32))  # of 40 ballots: normal, over half, 2/3


def build(app, units: int, people: int, rounds_held: int = 1) -> dict:
    """The synthetic province, written with bulk inserts in one audited crossing: `people`
    voted on in each of `rounds_held` rounds (the last one measured)."""
    from tinnhiem.counting import rollup_counts, rollup_progress
    from tinnhiem.platform.collation import search_key, sort_key
    from tinnhiem.platform.auth.roles import Role
    from tinnhiem.rounds import services as rounds
    from tinnhiem.rounds.models import RoundUnit
    from tinnhiem.tenants import accounts, services
    from tinnhiem.tenants.models import Unit, UnitSuccession
    from tinnhiem.tenants.scope import unscoped

    with app.app_context(), unscoped("benchmark: synthetic province") as session:
        kinds = [services.save_unit_type(session, None, {"code": f"T{i}", "name": name})
                 for i, name in enumerate(("Đảng ủy xã", "Đảng ủy phường", "Đảng ủy trực thuộc"))]
        province = services.save_unit(session, None, {
            "code": "TU-BENCH", "name": "Tỉnh ủy Thử Tải", "type_id": kinds[2].id,
            "valid_from": dt.date(2000, 1, 1)})
        unit_rows = [{"id": uuid.uuid4(), "code": f"U{i:05d}", "name": f"Đảng ủy xã số {i:04d}",
                      "type_id": kinds[i % 3].id, "parent_id": province.id,
                      "valid_from": dt.date(2000, 1, 1),
                      "valid_to": dt.date(2025, 6, 30) if i % 20 == 0 else None}
                     for i in range(units)]
        for row in unit_rows:
            row.update(unit_id=row["id"], province_id=province.id, name_key=sort_key(row["name"]),
                       search_key=search_key(row["name"], row["code"]))
        bulk_insert(session, Unit, unit_rows)
        session.execute(insert(UnitSuccession), [
            {"id": uuid.uuid4(), "unit_id": unit_rows[i + 1]["id"],
             "predecessor_id": unit_rows[i]["id"], "province_id": province.id,
             "predecessor_province_id": province.id}
            for i in range(0, units - 1, 20)])
        admin, _ = accounts.create_account(session, None, {
            "username": "bench-admin", "full_name": "Quản trị", "role": Role.PROVINCE_ADMIN.value,
            "unit_id": province.id, "password": "bench-password-123"})
        viewer, _ = accounts.create_account(session, None, {
            "username": "bench-viewer", "full_name": "Thường vụ",
            "role": Role.PROVINCE_VIEWER.value, "unit_id": province.id,
            "password": "bench-password-123"})
        viewer.must_change_password = False
        for number in range(rounds_held):
            # Years three apart, the last in 2028; the same people in every round.
            year = 2028 - 3 * (rounds_held - 1 - number)
            round_ = rounds.create_round(session, admin, province.id, {
                # A unit still active in 2028 (every 20th one was dissolved in 2025).
                "name": f"Giữa nhiệm kỳ {year}", "year": year, "unit_ids": [unit_rows[1]["id"]],
                "categories": [{"name": "Lãnh đạo cấp ủy", "deadline": dt.date(year, 6, 30)},
                               {"name": "Lãnh đạo khác", "deadline": dt.date(year, 7, 31)}]})
            bulk_insert(session, RoundUnit, [
                {"id": uuid.uuid4(), "round_id": round_.id, "unit_id": row["id"],
                 "province_id": province.id} for row in unit_rows[:1] + unit_rows[2:]])
            conferences = _round_rows(session, province, round_, unit_rows, people, number)
            # What certification writes beside the results (counting.services.mark_certified),
            # and each unit's progress, as the moves that certified them would have.
            rollup_counts.record(session, [conference["id"] for conference in conferences])
            rollup_progress.rebuild(session, round_.id)
        session.commit()
        # The cadre voted on in two places in every round (codes of n = 25 and 50 meet).
        return {"round_id": round_.id, "type_id": kinds[0].id, "rounds": rounds_held,
                "cadre_code": "CB000025" if people > 50 else None}


def _round_rows(session, province, round_, unit_rows, people: int, number: int) -> list:
    """One round's certified conferences (one a unit), people and results, bulk-inserted;
    each round shifts who falls in which band, so people's shares change between rounds."""
    from tinnhiem.conferences.models import Conference, Nominee
    from tinnhiem.counting.bands import SEVERITY, band, sort_share, tenth
    from tinnhiem.counting.models import Result
    from tinnhiem.platform.collation import person_sort_key

    units = len(unit_rows)
    categories = [c.id for c in round_.categories]
    conferences, nominees, results = [], [], []
    for i, row in enumerate(unit_rows):
        conferences.append({
            "id": uuid.uuid4(), "round_id": round_.id, "unit_id": row["id"],
            "province_id": province.id, "title": f"Hội nghị {row['name']}",
            "held_on": dt.date(round_.year, 5, 1) + dt.timedelta(days=i % 60), "place": "",
            "voting_body": "", "mode": "paper", "status": "certified",
            "summoned_count": 45, "present_count": 42, "template_id": round_.template_id,
            "ballots_issued": 40, "seal_digest": "0" * 64, "published": True})
    for n in range(people):
        conference = conferences[n % units]
        mix = (n + number) % 10
        high, confidence, low = BANDS_MIX[0 if mix < 8 else 1 if mix == 8 else 2]
        nominee_id = uuid.uuid4()
        owner = {"unit_id": conference["unit_id"], "province_id": province.id}
        nominees.append({"id": nominee_id, "conference_id": conference["id"],
                         "full_name": f"Cán bộ {n:06d}",
                         "cadre_code": f"CB{n // 2 if n % 50 == 0 else n:06d}",
                         "post": "Ủy viên Ban Thường vụ", "category_id": categories[n % 2],
                         "ballot_order": n // units + 1, "retirement_notice": False,
                         **owner})
        level = band(low, 40)
        results.append({"id": uuid.uuid4(), "conference_id": conference["id"],
                        "nominee_id": nominee_id, "issued": 40, "collected": 40,
                        "high": high, "confidence": confidence, "low": low, "invalid": 0,
                        "round_id": round_.id, "category_id": categories[n % 2],
                        "full_name": nominees[-1]["full_name"], "post": nominees[-1]["post"],
                        "name_key": person_sort_key(nominees[-1]["full_name"]),
                        "cadre_code": nominees[-1]["cadre_code"], "band": level,
                        "severity": SEVERITY[level], "low_share": sort_share(low, 40),
                        "high_tenth": tenth(high, 40), "confidence_tenth": tenth(confidence, 40),
                        "low_tenth": tenth(low, 40), "certified": True, **owner})
    for table, rows in ((Conference, conferences), (Nominee, nominees), (Result, results)):
        bulk_insert(session, table, rows)
    return conferences


def bulk_insert(session, model, rows: list[dict]) -> None:
    """Rows written at the database's pace, in the session's transaction. SQLite: multi-row
    inserts. PostgreSQL: COPY into a scratch table (COPY cannot write a table under row-level
    security), then one INSERT … SELECT as the owner crossing the scope (checked by the
    policies once per statement, not per round trip): 300,000 people load in about a minute
    where multi-row inserts took over ten."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), 5000):
            session.execute(insert(model), rows[start:start + 5000])
        return
    table = model.__table__
    defaults = {c.name: c.default.arg for c in table.c
                if c.default is not None and c.default.is_scalar}
    columns = [c.name for c in table.c if c.name in rows[0] or c.name in defaults]
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_load (LIKE {table.name} INCLUDING DEFAULTS)")
        with cursor.copy(f"COPY bench_load ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] if c in row else defaults[c] for c in columns])
        cursor.execute(f"INSERT INTO {table.name} SELECT * FROM bench_load")
        cursor.execute("DROP TABLE bench_load")


def settle(owner_url: str) -> None:
    """What autovacuum does soon after a load: statistics for the planner, and the visibility
    map that lets the roll-up's passes read their indexes alone. (Real results arrive over
    weeks, with autovacuum running; the benchmark writes them all at once.)"""
    import psycopg

    with psycopg.connect(owner_url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def _timed(call, repeat: int) -> float:
    call()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _export(client, url) -> tuple[float, float, int]:
    """Time (a plain run) and peak Python memory (a second run under tracemalloc, which
    slows allocation several times over, so it is never timed)."""
    start = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    tracemalloc.start()
    client.get(url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20, len(response.data)


def measure(app, ids: dict, xlsx: bool = True) -> dict:
    client = app.test_client()
    signed_in = client.post("/login", data={"username": "bench-viewer",
                                            "password": "bench-password-123"})
    assert signed_in.status_code == 302, signed_in.status_code
    token = client.post("/api/v1/auth/token", json={"username": "bench-viewer",
                                                    "password": "bench-password-123"}).json
    headers = {"Authorization": f"Bearer {token['token']}"}
    base = f"/rounds/{ids['round_id']}"
    page = client.get(f"{base}/rollup")
    assert page.status_code == 200 and "Tổng hợp kết quả" in page.text
    figures = {
        "dashboard_ms": _timed(lambda: client.get(f"{base}/rollup"), 5),
        "dashboard_filtered_ms": _timed(lambda: client.get(
            f"{base}/rollup?band=two_thirds_low&sort=low_share"), 5),
        "dashboard_search_ms": _timed(lambda: client.get(
            f"{base}/rollup?unit_name=xa+so+01&sort=name"), 5),
        # the rise is no column: the whole round is read against earlier rounds
        "dashboard_rising_ms": _timed(lambda: client.get(f"{base}/rollup?rising=1"), 5),
        "api_ms": _timed(lambda: client.get(f"/api/v1{base}/rollup", headers=headers), 5),
    }
    if ids.get("cadre_code"):  # a cadre's history: every round's places of one code
        history = f"/cadres/{ids['cadre_code']}"
        page = client.get(history)
        assert page.status_code == 200 and page.text.count("<tr data-band") == 2 * ids["rounds"]
        figures.update(
            history_ms=_timed(lambda: client.get(history), 5),
            history_api_ms=_timed(lambda: client.get(f"/api/v1{history}", headers=headers), 5))
    if not xlsx:
        return figures
    seconds, peak, size = _export(client, f"{base}/rollup.xlsx")
    small_seconds, small_peak, _ = _export(client, f"{base}/rollup.xlsx?band=over_half_low")
    figures.update(xlsx_s=seconds, xlsx_peak_mib=peak, xlsx_mib=size / 2**20,
                   xlsx_tenth_s=small_seconds, xlsx_tenth_peak_mib=small_peak)
    return figures


def plain_count(app, owner_url: str | None, round_id) -> float:
    """Median time of one plain `SELECT count(*)` over the round's certified result rows, as
    the database's owner (on PostgreSQL seeing every row, as a crossing does): what the same
    database does with the same rows without the app, to compare machines."""
    sql = "SELECT count(*) FROM results WHERE round_id = {} AND certified"
    if owner_url is None:
        import sqlite3

        path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        with sqlite3.connect(path) as connection:
            value = f"'{uuid.UUID(str(round_id)).hex}'"
            return _timed(lambda: connection.execute(sql.format(value)).fetchone(), 5)
    import psycopg

    with psycopg.connect(owner_url.replace("+psycopg", "")) as connection:
        # The owner is bound by the forced row-level security too: cross, as migrations do.
        connection.execute("SELECT set_config('app.crossing', 'on', false)")
        value = f"'{round_id}'::uuid"
        return _timed(lambda: connection.execute(sql.format(value)).fetchone(), 5)


def run(backend: str, units: int, people: int, xlsx: bool = True, rounds_held: int = 1) -> dict:
    config = {"LOGIN_RATE_LIMIT": "1000 per minute", "ACCOUNT_RATE_LIMIT": "1000 per minute",
              "WTF_CSRF_ENABLED": False}
    with migrated_app(backend, config) as (app, owner):
        start = time.perf_counter()
        ids = build(app, units, people, rounds_held)
        built = time.perf_counter() - start
        if owner is not None:
            settle(owner)
        figures = {"backend": backend, "units": units, "people": people, "build_s": built,
                   "rounds": rounds_held,
                   "count_ms": plain_count(app, owner, ids["round_id"]), **measure(app, ids, xlsx)}
        print(figures, flush=True)
        return figures


# Units -> people voted on (about 30 a unit: a commune's leaders and its committee).
SIZES = {350: 10_000, 3500: 100_000, 10_000: 300_000}
HEADING = "## The province's roll-up"
# Several rounds (--rounds) are their own section: the single round's figures stay beside it.
HISTORY_HEADING = "## The roll-up and a cadre's history over several rounds"
NOTES = "### Reading these figures"


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for item in text.split(","):
        units, _, people = item.strip().replace("_", "").partition(":")
        sizes.append((int(units), int(people) if people else SIZES.get(int(units),
                                                                          30 * int(units))))
    return sizes


def report(results: list[dict], heading: str = HEADING) -> str:
    lines = [
        heading, "",
        f"`python -m bench.rollup_bench` on {dt.date.today():%Y-%m-%d}: synthetic provinces, "
        f"every result certified; {os.cpu_count()} CPU cores. Targets (issues 6 and 14): "
        "dashboard under 200 ms, and at 10,000 units no more than 1.5 times what it is at 350; "
        "XLSX export of 300,000 rows under 30 s, memory not growing with the row count; "
        "issue 17: a cadre's history page under 200 ms at 100,000 people × 3 rounds.", "",
        "| backend | units | people × rounds | `count(*)` of the round's results | dashboard | "
        "dashboard, filtered | dashboard, unit search | dashboard, only rising | JSON roll-up | "
        "cadre's history | "
        "its JSON | XLSX, all rows | XLSX peak memory | XLSX, a tenth of the rows | "
        "its peak memory | build |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['backend']} | {r['units']:,} | {r['people']:,} × "
                     f"{r.get('rounds', 1)} | {r['count_ms']:.1f} ms | "
                     f"{r['dashboard_ms']:.0f} ms | "
                     f"{r['dashboard_filtered_ms']:.0f} ms | {r['dashboard_search_ms']:.0f} ms | "
                     f"{r['dashboard_rising_ms']:.0f} ms | "
                     f"{r['api_ms']:.0f} ms | {_history(r)} | "
                     f"{_xlsx(r)} | {r['build_s']:.0f} s |")
    lines += ["", *_ratios(results), "",
              "Times are medians of 5 requests after a warm-up, through the app (a signed-in "
              "province viewer), including rendering. The filtered dashboard shows the two "
              "thirds low band by share of low confidence; the unit search finds the units "
              "whose name contains “xa so 01” (typed without accents); only rising lists the "
              "people whose low share rose past the round's threshold since their previous "
              "round (every row of the round read against the earlier rounds). Peak memory is "
              "Python's (tracemalloc) during a second, untimed export request. `count(*)` is "
              "one plain count of the round's result rows on the same database, as its owner "
              "(median of 5), to compare machines. The cadre's history is `GET /cadres/<code>` "
              "(and `/api/v1/cadres/<code>`) for a person voted on in two places in every "
              "round (`--rounds`, the same people each round; the dashboard is the last "
              "round's). On PostgreSQL the data is vacuumed and "
              "analysed after loading, as autovacuum would. Build is the time to write the "
              "synthetic province (bulk inserts), not a figure of the app."]
    return "\n".join(lines) + "\n"


def _history(r: dict) -> str:
    """The history page's two cells (the page, its JSON), or dashes when not measured."""
    if "history_ms" not in r:
        return "— | —"
    return f"{r['history_ms']:.0f} ms | {r['history_api_ms']:.0f} ms"


def _xlsx(r: dict) -> str:
    """The export's four cells, or dashes when --no-xlsx left it out."""
    if "xlsx_s" not in r:
        return " | ".join(["—"] * 4)
    return (f"{r['xlsx_s']:.1f} s ({r['xlsx_mib']:.1f} MiB) | {r['xlsx_peak_mib']:.1f} MiB | "
            f"{r['xlsx_tenth_s']:.1f} s | {r['xlsx_tenth_peak_mib']:.1f} MiB")


def _ratios(results: list[dict]) -> list[str]:
    """The dashboard at the most units ÷ at the fewest, per backend."""
    out = []
    for backend in dict.fromkeys(r["backend"] for r in results):
        runs = sorted((r for r in results if r["backend"] == backend), key=lambda r: r["units"])
        if len(runs) > 1:
            small, big = runs[0], runs[-1]
            out.append(f"- {backend}: dashboard at {big['units']:,} units ÷ at "
                       f"{small['units']:,}: {big['dashboard_ms'] / small['dashboard_ms']:.2f} "
                       f"(`count(*)`: {big['count_ms'] / small['count_ms']:.1f}).")
    return out


def kept_notes(heading: str = HEADING) -> str:
    """The "reading these figures" notes, written by hand under the figures: kept."""
    from bench.results import RESULTS

    text = RESULTS.read_text() if RESULTS.exists() else ""
    section = text.partition(heading)[2].partition("\n## ")[0]
    notes = section.partition(NOTES)
    return notes[1] + notes[2].rstrip("\n") + "\n" if notes[1] else ""


def main() -> None:
    from bench.results import write_section

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=list(SIZES.items()),
                        help="units (or units:people), comma-separated; default 350,3500,10000")
    parser.add_argument("--postgresql", action="store_true")
    parser.add_argument("--postgresql-sizes", type=parse_sizes, default=None,
                        help="sizes for PostgreSQL, if not those of --sizes (its bulk load of "
                             "300,000 people takes minutes on 2 cores)")
    parser.add_argument("--no-xlsx", action="store_true",
                        help="measure the dashboard and the JSON roll-up only, not the exports")
    parser.add_argument("--rounds", type=int, default=1,
                        help="rounds held by the same people (the dashboard reads the last;"
                             " a cadre's history reads them all; issue 17: 3)")
    args = parser.parse_args()
    runs = [("sqlite", size) for size in args.sizes]
    if args.postgresql:
        runs += [("postgresql", size) for size in args.postgresql_sizes or args.sizes]
    results = [run(backend, units, people, not args.no_xlsx, args.rounds)
               for backend, (units, people) in runs]
    heading = HEADING if args.rounds == 1 else HISTORY_HEADING
    text = report(results, heading)
    print(text)
    notes = kept_notes(heading)
    write_section(heading, text + (f"\n{notes}" if notes else ""))


if __name__ == "__main__":
    main()
