"""A deep fuzz of the API from its OpenAPI document, run by hand (CI runs a bounded one:
tests/test_openapi_fuzz.py).

Every operation under each of three roles and without a token, each on a fresh world (as in
the test: real ids in the paths, an open vote with codes), with --examples generated requests
per operation and account and no probe cutting it short; --negative adds as many requests that
break the document's constraints (wrong types, missing fields), which must be refused as
documented. Checks no server error and that every response matches its documented schema.
Runs on SQLite, and on a throwaway PostgreSQL cluster when --postgresql is given. Prints the
figures and writes them to bench/RESULTS.md (its own section); exits 1 if anything failed.

    python -m bench.fuzz_deep [--examples 200] [--negative] [--postgresql]
"""
import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="tinnhiem-bench-"))

from bench.results import write_section  # noqa: E402

SECTION = "## Deep API fuzz"
PASSWORD = "mat-khau-thu-nghiem"


def cheap_password_hashing() -> None:
    """Sign-ins are not what is measured here: argon2 at the tests' cost, not production's."""
    from argon2 import PasswordHasher

    from tinnhiem.platform.auth import passwords

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class Databases:
    """A fresh migrated database per role: a SQLite file copied from a template, or an
    emptied PostgreSQL database on a throwaway cluster."""

    def __init__(self, backend: str):
        from tests.conftest import _migrated_app

        self.backend, self.cluster = backend, None
        self.folder = tempfile.mkdtemp(prefix="tinnhiem-fuzz-")
        if backend == "sqlite":
            self.template = os.path.join(self.folder, "template.sqlite3")
            _migrated_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.template}"})
            return
        from tests import pg_cluster

        self.cluster = pg_cluster.start_cluster()
        name = pg_cluster.create_database(self.cluster)
        self.owner_url = self.cluster.url(pg_cluster.OWNER, name)
        self.app_url = self.cluster.url(pg_cluster.APP, name)
        pg_cluster.wait_ready(self.owner_url.replace("+psycopg", ""))
        _migrated_app({"SQLALCHEMY_DATABASE_URI": self.app_url,
                       "MIGRATE_DATABASE_URL": self.owner_url})

    def fresh(self, label: str) -> dict:
        from tests.conftest import _empty_postgres

        if self.backend == "sqlite":
            path = os.path.join(self.folder, f"{label}.sqlite3")
            shutil.copy(self.template, path)
            return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
        _empty_postgres(self.owner_url)
        return {"SQLALCHEMY_DATABASE_URI": self.app_url, "MIGRATE_DATABASE_URL": self.owner_url}

    def close(self) -> None:
        if self.cluster:
            self.cluster.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def fuzz_as(databases: Databases, role, examples: int, modes) -> dict:
    """Every operation this account may be sent (all but the public ones for a signed-in
    role, all for anyone without a token), `examples` requests per generation mode."""
    from tests.api_fuzz import api_operations, fuzz_operation, fuzz_world, is_public
    from tests.conftest import TEST_CONFIG
    from tests.factories import Factory
    from tinnhiem import create_app
    from tinnhiem.platform.db import db

    app = create_app({**TEST_CONFIG, **databases.fresh(str(role))})
    accounts, real_ids = fuzz_world(Factory(app))
    client, statuses, failures = app.test_client(), Counter(), []
    started = time.monotonic()
    operations = [op for op in api_operations(app) if role is None or not is_public(op)]
    for operation in operations:
        for mode in modes:
            headers = {}
            if role is not None:  # a fresh token: some operations end the caller's tokens
                answer = client.post("/api/v1/auth/token", json={
                    "username": accounts[role].username, "password": PASSWORD})
                headers = {"Authorization": f"Bearer {answer.json['token']}"}
            failure = fuzz_operation(operation, headers, real_ids, examples, statuses, mode)
            if failure:
                failures.append(f"[{mode.value}] {failure}")
    seconds = time.monotonic() - started
    with app.app_context():
        db.engine.dispose()
    return {"role": str(role) if role else "anonymous", "operations": len(operations),
            "requests": statuses.total(), "statuses": statuses, "seconds": seconds,
            "failures": failures}


def run(backend: str, examples: int, negative: bool) -> list[dict]:
    from schemathesis import GenerationMode

    from tests.api_fuzz import ROLES

    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negative else [])
    databases = Databases(backend)
    try:
        return [{"backend": backend, **fuzz_as(databases, role, examples, modes)}
                for role in (*ROLES, None)]
    finally:
        databases.close()


def report(results: list[dict], examples: int, negative: bool) -> str:
    modes = "positive and negative" if negative else "positive"
    command = f"python -m bench.fuzz_deep --examples {examples}" + " --negative" * negative
    lines = [
        SECTION, "",
        (f"`{command}` on {dt.date.today():%Y-%m-%d}: every operation of the OpenAPI document"
         f" under each role (and without a token), up to {examples} generated requests"
         f" ({modes}) per operation, account and mode, on a fresh world each; checks: no"
         " server error, every response as documented. An operation with less to vary is"
         " sent fewer (a GET without parameters, once)."), "",
        "| backend | account | operations | requests | time | statuses | failures |",
        "|---|---|---|---|---|---|---|"]
    for r in results:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(r["statuses"].items()))
        lines.append(f"| {r['backend']} | {r['role']} | {r['operations']} | {r['requests']} |"
                     f" {r['seconds']:.0f} s | {statuses} | {len(r['failures'])} |")
    failures = [f"- {r['backend']}, {r['role']}: {failure.splitlines()[0]}"
                for r in results for failure in r["failures"]]
    if failures:
        lines += ["", "Failures (first line of each; run again to see them whole):", ""]
        lines += failures
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--negative", action="store_true")
    parser.add_argument("--postgresql", action="store_true")
    args = parser.parse_args()
    cheap_password_hashing()
    backends = ["sqlite"] + (["postgresql"] if args.postgresql else [])
    results = [r for backend in backends for r in run(backend, args.examples, args.negative)]
    for r in results:
        for failure in r["failures"]:
            print(f"\n{r['backend']}, {r['role']}: {failure}")
    section = report(results, args.examples, args.negative)
    print(section)
    write_section(SECTION, section)
    sys.exit(1 if any(r["failures"] for r in results) else 0)


if __name__ == "__main__":
    main()
