"""How the province's roll-up holds at national scale.

Builds a synthetic province of 3,500 units and 100,000 people voted on with certified results
(defaults; --units / --people to change), then measures, as a province viewer would meet them:
the dashboard page and the JSON roll-up (median of several requests), and the XLSX export of
every row (time and peak Python memory, next to an export of a tenth of the rows, to show that
memory does not grow with the row count). Runs on SQLite, and on a throwaway PostgreSQL
cluster when --postgresql is given (as for the tests). Prints the figures and writes them to
bench/RESULTS.md.

    python -m bench.rollup_bench [--units N] [--people N] [--postgresql]
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


def build(app, units: int, people: int) -> dict:
    """The synthetic province, written with bulk inserts in one audited crossing."""
    from tinnhiem.conferences.models import Conference, Nominee
    from tinnhiem.counting.bands import SEVERITY, band, sort_share, tenth
    from tinnhiem.counting.models import Result
    from tinnhiem.platform.collation import sort_key
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
            row.update(unit_id=row["id"], province_id=province.id, name_key=sort_key(row["name"]))
        session.execute(insert(Unit), unit_rows)
        session.execute(insert(UnitSuccession), [
            {"id": uuid.uuid4(), "unit_id": unit_rows[i + 1]["id"],
             "predecessor_id": unit_rows[i]["id"], "province_id": province.id}
            for i in range(0, units - 1, 20)])
        admin, _ = accounts.create_account(session, None, {
            "username": "bench-admin", "full_name": "Quản trị", "role": Role.PROVINCE_ADMIN.value,
            "unit_id": province.id, "password": "bench-password-123"})
        viewer, _ = accounts.create_account(session, None, {
            "username": "bench-viewer", "full_name": "Thường vụ",
            "role": Role.PROVINCE_VIEWER.value, "unit_id": province.id,
            "password": "bench-password-123"})
        viewer.must_change_password = False
        round_ = rounds.create_round(session, admin, province.id, {
            # A unit still active in 2028 (every 20th one was dissolved in 2025).
            "name": "Giữa nhiệm kỳ", "year": 2028, "unit_ids": [unit_rows[1]["id"]],
            "categories": [{"name": "Lãnh đạo cấp ủy", "deadline": dt.date(2028, 6, 30)},
                           {"name": "Lãnh đạo khác", "deadline": dt.date(2028, 7, 31)}]})
        categories = [c.id for c in round_.categories]
        session.execute(insert(RoundUnit), [
            {"id": uuid.uuid4(), "round_id": round_.id, "unit_id": row["id"],
             "province_id": province.id} for row in unit_rows[:1] + unit_rows[2:]])
        conferences, nominees, results = [], [], []
        for i, row in enumerate(unit_rows):
            conferences.append({
                "id": uuid.uuid4(), "round_id": round_.id, "unit_id": row["id"],
                "province_id": province.id, "title": f"Hội nghị {row['name']}",
                "held_on": dt.date(2028, 5, 1) + dt.timedelta(days=i % 60), "place": "",
                "voting_body": "", "mode": "paper", "status": "certified",
                "summoned_count": 45, "present_count": 42, "template_id": round_.template_id,
                "ballots_issued": 40, "seal_digest": "0" * 64, "published": True})
        for n in range(people):
            conference = conferences[n % units]
            high, confidence, low = BANDS_MIX[0 if n % 10 < 8 else 1 if n % 10 == 8 else 2]
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
                            "name_key": sort_key(nominees[-1]["full_name"]),
                            "cadre_code": nominees[-1]["cadre_code"], "band": level,
                            "severity": SEVERITY[level], "low_share": sort_share(low, 40),
                            "high_tenth": tenth(high, 40), "confidence_tenth": tenth(confidence, 40),
                            "low_tenth": tenth(low, 40), "certified": True, **owner})
        for table, rows in ((Conference, conferences), (Nominee, nominees), (Result, results)):
            for start in range(0, len(rows), 5000):
                session.execute(insert(table), rows[start:start + 5000])
        session.commit()
        return {"round_id": round_.id, "type_id": kinds[0].id}


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


def measure(app, ids: dict) -> dict:
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
        "api_ms": _timed(lambda: client.get(f"/api/v1{base}/rollup", headers=headers), 5),
    }
    seconds, peak, size = _export(client, f"{base}/rollup.xlsx")
    small_seconds, small_peak, _ = _export(client, f"{base}/rollup.xlsx?band=over_half_low")
    figures.update(xlsx_s=seconds, xlsx_peak_mib=peak, xlsx_mib=size / 2**20,
                   xlsx_tenth_s=small_seconds, xlsx_tenth_peak_mib=small_peak)
    return figures


def run(backend: str, units: int, people: int) -> dict:
    config = {"LOGIN_RATE_LIMIT": "1000 per minute", "ACCOUNT_RATE_LIMIT": "1000 per minute",
              "WTF_CSRF_ENABLED": False}
    with migrated_app(backend, config) as (app, owner):
        start = time.perf_counter()
        ids = build(app, units, people)
        built = time.perf_counter() - start
        if owner is not None:
            settle(owner)
        return {"backend": backend, "build_s": built, **measure(app, ids)}


def report(results: list[dict], units: int, people: int) -> str:
    lines = [
        "# Benchmarks", "",
        f"`python -m bench.rollup_bench` on {dt.date.today():%Y-%m-%d}: a synthetic province of "
        f"{units:,} units and {people:,} people voted on, every result certified; "
        f"{os.cpu_count()} CPU cores. Targets (issue 6): dashboard under 200 ms; XLSX export "
        "of all rows under 10 s, memory not growing with the row count.", "",
        "| backend | dashboard | dashboard, filtered | dashboard, unit search | JSON roll-up | "
        "XLSX, all rows | XLSX peak memory | XLSX, a tenth of the rows | its peak memory |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['backend']} | {r['dashboard_ms']:.0f} ms | "
                     f"{r['dashboard_filtered_ms']:.0f} ms | {r['dashboard_search_ms']:.0f} ms | "
                     f"{r['api_ms']:.0f} ms | "
                     f"{r['xlsx_s']:.1f} s ({r['xlsx_mib']:.1f} MiB) | "
                     f"{r['xlsx_peak_mib']:.1f} MiB | {r['xlsx_tenth_s']:.1f} s | "
                     f"{r['xlsx_tenth_peak_mib']:.1f} MiB |")
    lines += ["", "Times are medians of 5 requests after a warm-up, through the app (a signed-in "
              "province viewer), including rendering. The filtered dashboard shows the two "
              "thirds low band by share of low confidence; the unit search finds the 100 units "
              "whose name contains “xa so 01” (typed without accents). Peak memory is "
              "Python's (tracemalloc) during a second, untimed export request. On PostgreSQL "
              "the data is vacuumed and analysed after loading, as autovacuum would."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3500)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--postgresql", action="store_true")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if args.postgresql else [])
    results = [run(b, args.units, args.people) for b in backends]
    text = report(results, args.units, args.people)
    print(text)
    path = ROOT / "bench" / "RESULTS.md"
    # the notes written by hand under the figures stay
    notes = path.read_text().partition("\n## ")[2] if path.exists() else ""
    path.write_text(text + (f"\n## {notes}" if notes else ""))


if __name__ == "__main__":
    main()
