"""The product's backup: taken during an open vote it keeps no order of arrival, and it
restores, whole and verifiable, into a new database only."""
import datetime as dt
import random
import uuid
import zipfile

import psycopg
import pytest
import psycopg.types.json
from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, DateTime, Integer, LargeBinary,
                        MetaData, String, Table, Uuid)

from tests.backups import everything, restore, take_backup
from tests.conftest import TEST_CONFIG
from tests.pg_cluster import owner_connection
from tests.voter_pages import cast
from tinnhiem.conferences import services as conferences
from tinnhiem.backup import copy_text
from tinnhiem.backup import services as backup
from tinnhiem.platform.db import db
from tinnhiem.rounds import services as rounds
from tinnhiem.voting import casting

VOTERS = 200
ACTION = [c.name for c in db.metadata.tables["audit_log"].columns].index("action")


def kendall_tau(order: list[int]) -> float:
    """Kendall's tau between the positions 0..n-1 and `order` (distinct numbers)."""
    n = len(order)
    concordant = sum(1 for i in range(n) for j in range(i + 1, n) if order[i] < order[j])
    pairs = n * (n - 1) // 2
    return (2 * concordant - pairs) / pairs


def positions(arrival: list[str], stored: list[str]) -> list[int]:
    """Where each row, taken in order of arrival, stands in `stored`."""
    where = {key: i for i, key in enumerate(stored)}
    assert sorted(where) == sorted(arrival)  # every row is there, nothing else
    return [where[key] for key in arrival]


def cast_in_order(make, world, count=VOTERS) -> tuple[list[str], list[str]]:
    """Cast `count` ballots one by one, codes in an order other than their issue: the ids of
    the ballots and of the codes they spent, in order of arrival."""
    issued, _slug = make.issue_codes(world, count)
    random.Random(96).shuffle(issued)
    choices = {str(world.people[0].id): "high", str(world.people[1].id): "low"}

    def cast(code):
        def run(session, _actor):
            conference = conferences.get_conference(session, world.voting.id)
            code_id = casting.find_code(session, conference, code).id
            ballot = casting.cast_ballot(session, conference, code, choices)
            return str(ballot.id), str(code_id)

        return make.as_account(world.unit_admin_a1, run)

    ballots, codes = zip(*(cast(code) for code in issued))
    return list(ballots), list(codes)


def first_fields(data: bytes) -> list[str]:
    """The first column (the id) of each COPY text line, in file order."""
    return [line.split(b"\t", 1)[0].decode() for line in data.splitlines()]


def file_order(path, table: str) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return first_fields(archive.read(f"tables/{table}"))


@pytest.fixture
def voting(make):
    w = make.world()
    make.open_conference(w, people=2, summoned=VOTERS)
    return w


def test_every_table_is_ordered_by_a_key_that_follows_no_vote():
    """Only random ids order the rows, save the audit log's (no vote writes an entry), its
    one-row head, the migration version and the polls' random slugs."""
    by_other_keys = set()
    for table in backup.tables():
        key = backup.order_key(table)
        if not all(isinstance(c.type, Uuid) for c in key):
            by_other_keys.add(table.name)
            assert all(isinstance(c.type, (Integer, String)) for c in key)
    assert by_other_keys == {"audit_log", "audit_head", "alembic_version", "polls"}


def test_a_backup_during_an_open_vote_keeps_no_order_of_arrival(app, make, voting, tmp_path):
    ballots, codes = cast_in_order(make, voting)
    path = tmp_path / "open-vote.zip"
    result = take_backup(app, path)
    assert "SECRET_KEY" in result.output and "not in the backup" in result.output
    ballot_tau = kendall_tau(positions(ballots, file_order(path, "ballots")))
    code_tau = kendall_tau(positions(codes, file_order(path, "vote_codes")))
    # Random order: tau ~ N(0, 0.048) for 200 rows; |tau| < 0.2 fails by luck 1 in 30,000.
    assert abs(ballot_tau) < 0.2 and abs(code_tau) < 0.2, (ballot_tau, code_tau)


@pytest.mark.postgresql_only
def test_a_dump_in_storage_order_would_keep_the_order_of_arrival(app, make, voting):
    """Why the backup sorts: a whole table read as pg_dump reads it (no ORDER BY: the heap,
    page after page) gives the ballots in the order they came, and on each page the spent
    codes in the order they were spent (spending writes the row's new version on the same
    page when it has room, else on the last)."""
    ballots, codes = cast_in_order(make, voting)

    def dump(table) -> list[tuple[str, int]]:
        """Each row's id and heap page, in the order a sequential scan returns them."""
        with owner_connection(app.config["MIGRATE_DATABASE_URL"]) as conn:
            return conn.execute(f"SELECT id::text, (ctid::text::point)[0]::int FROM {table}"
                                ).fetchall()

    assert kendall_tau(positions(ballots, [key for key, _page in dump("ballots")])) > 0.9
    spent_at = {key: i for i, key in enumerate(codes)}
    pages = {}
    for key, page in dump("vote_codes"):
        pages.setdefault(page, []).append(spent_at[key])
    taus = [kendall_tau(order) for order in pages.values() if len(order) > 1]
    assert len(taus) > 1 and min(taus) > 0.9, taus


def test_the_file_holds_no_key_and_is_readable_by_its_owner_only(app, make, voting, tmp_path):
    cast_in_order(make, voting, count=3)
    path = tmp_path / "keys.zip"
    take_backup(app, path)
    with zipfile.ZipFile(path) as archive:
        everything = b"".join(archive.read(name) for name in archive.namelist())
    for key in ("SECRET_KEY", "VOTE_CODE_KEY", "AUDIT_KEY"):
        value = app.config[key]
        assert value is None or value.encode() not in everything
    assert TEST_CONFIG["SECRET_KEY"].encode() not in everything
    assert path.stat().st_mode & 0o077 == 0


def test_an_existing_file_is_never_overwritten(app, tmp_path):
    path = tmp_path / "there.zip"
    path.write_bytes(b"earlier backup")
    result = app.test_cli_runner().invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert path.read_bytes() == b"earlier backup"


@pytest.mark.postgresql_only
def test_without_the_owner_url_the_backup_is_refused_in_one_line(app, tmp_path):
    app.config["MIGRATE_DATABASE_URL"] = None
    path = tmp_path / "none.zip"
    result = app.test_cli_runner().invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 1 and "MIGRATE_DATABASE_URL" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not path.exists()


@pytest.fixture
def busy(make, voting):
    """A certified paper conference in A2 and an open electronic vote in A1 with ballots."""
    w = voting
    category = make.as_account(w.admin_a, lambda s, _a: s.scalars(
        rounds.select_categories(w.round_a.id)).first())
    w.certified = make.certified(w.a2, w.round_a.id, category, [
        ("Võ Quá Nửa", "CB-3", {"high": 5, "confidence": 4, "low": 11, "invalid": 0})], 20)
    w.ballots, _codes = cast_in_order(make, w, count=12)
    w.spare, w.slug = make.issue_codes(w, 1)
    return w


def test_a_restore_brings_back_every_row_and_a_chain_that_verifies(app, busy, fresh_app,
                                                                   tmp_path):
    path = tmp_path / "busy.zip"
    take_backup(app, path)
    before = everything(app)
    assert len(before["ballots"]) == 12 and len(before["results"]) == 1
    assert {row[ACTION] for row in before["audit_log"]} >= {"conference.closed", "backup.started"}

    result = restore(fresh_app, path)
    assert result.exit_code == 0, result.output
    assert "1 electronic vote(s)" in result.output and "SUSPENDED" in result.output
    after = everything(fresh_app)
    after_audit = after.pop("audit_log")
    assert after_audit[:-2] == before.pop("audit_log")
    assert after.pop("audit_head") != before.pop("audit_head")  # the restore is recorded
    status = [c.name for c in db.metadata.tables["conferences"].columns].index("status")
    suspend = {"open": "suspended"}
    assert after.pop("conferences") == [
        (*row[:status], suspend.get(row[status], row[status]), *row[status + 1:])
        for row in before.pop("conferences")]
    assert after == before
    verified = fresh_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "chain intact" in verified.output
    assert [e[ACTION] for e in after_audit[-2:]] == ["conference.suspended", "backup.restored"]
    # the open vote is suspended (tests/test_backup_restore_vote.py): no code votes
    refused = cast(fresh_app.test_client(), busy.slug, busy.spare[0])
    assert refused.status_code == 409 and "đang tạm dừng" in refused.text


def test_restoring_into_a_database_with_rows_is_refused(app, busy, fresh_app, tmp_path):
    path = tmp_path / "twice.zip"
    take_backup(app, path)
    assert restore(fresh_app, path).exit_code == 0
    restored = everything(fresh_app)
    again = restore(fresh_app, path)
    assert again.exit_code == 1 and "not empty" in again.output
    assert everything(fresh_app) == restored
    into_the_source = restore(app, path)
    assert into_the_source.exit_code == 1 and "not empty" in into_the_source.output


def altered(path, copy, member: str, change) -> None:
    """Write `copy`: the backup at `path` with `member`'s bytes passed through `change`."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, change(data) if name == member else data)


def test_a_changed_file_is_refused_and_nothing_is_restored(app, busy, fresh_app, tmp_path):
    path, changed = tmp_path / "good.zip", tmp_path / "changed.zip"
    take_backup(app, path)
    altered(path, changed, "tables/ballots",  # one ballot fewer
            lambda data: b"".join(data.splitlines(keepends=True)[1:]))
    result = restore(fresh_app, changed)
    assert result.exit_code == 1 and "ballots" in result.output
    assert all(rows == [] for name, rows in everything(fresh_app).items()
               if name != "alembic_version")


def test_a_backup_that_lost_rows_on_the_way_is_not_written(app, busy, tmp_path, monkeypatch):
    """backup create reads its file back: a table whose rows did not all reach the file
    (here the ballots, none written) fails the command in one line and leaves no file."""
    write = backup._write_table
    monkeypatch.setattr(backup, "_write_table", lambda connection, table, out, tally: None
                        if table.name == "ballots" else write(connection, table, out, tally))
    path = tmp_path / "short.zip"
    result = app.test_cli_runner().invoke(args=["backup", "create", str(path)])
    assert result.exit_code == 1 and "ballots: 0 rows in the file, 12 in the database" \
        in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not path.exists() and not (tmp_path / "short.zip.partial").exists()


def test_backup_check_reads_the_file_without_restoring(app, busy, tmp_path):
    path, changed = tmp_path / "checked.zip", tmp_path / "changed.zip"
    take_backup(app, path)
    checked = app.test_cli_runner().invoke(args=["backup", "check", str(path)])
    assert checked.exit_code == 0 and "match their checksums" in checked.output
    altered(path, changed, "tables/vote_codes", lambda data: data[:-1] + b"x\n")
    refused = app.test_cli_runner().invoke(args=["backup", "check", str(changed)])
    assert refused.exit_code == 1 and "table vote_codes" in refused.output


def test_a_backup_of_another_revision_is_refused(app, fresh_app, tmp_path):
    path, older = tmp_path / "now.zip", tmp_path / "older.zip"
    take_backup(app, path)
    altered(path, older, "manifest.json",
            lambda data: data.replace(b'"revision": "', b'"revision": "0008-'))
    result = restore(fresh_app, older)
    assert result.exit_code == 1 and "the backup at 0008-" in result.output


TRICKY = Table("tricky", MetaData(), Column("s", String), Column("b", LargeBinary),
               Column("j", JSON), Column("t", DateTime), Column("d", Date), Column("u", Uuid),
               Column("f", Boolean), Column("n", BigInteger))
TRICKY_ROW = ("tab\there\nnew line \\ back\\slash \\N, Đảng ủy", b"\x00\\\t\xff",
              {"lý do": "a\tb\\n", "n": [1, None]}, dt.datetime(2028, 6, 30, 7, 5, 9, 120000),
              dt.date(2028, 6, 30), uuid.uuid4(), False, 2 ** 40)


def test_sqlite_rows_are_written_and_read_back_as_copy_text():
    kinds = copy_text.kinds(TRICKY.columns)
    line = copy_text.encode_row(kinds, TRICKY_ROW)
    assert line.count(b"\n") == 1 and line.count(b"\t") == len(TRICKY_ROW) - 1
    assert copy_text.decode_line(kinds, line) == list(TRICKY_ROW)
    nulls = copy_text.encode_row(kinds, [None] * len(TRICKY_ROW))
    assert copy_text.decode_line(kinds, nulls) == [None] * len(TRICKY_ROW)


@pytest.mark.postgresql_only
def test_what_postgresql_copies_out_reads_back_the_same(pg_database, backend):
    """One format for both: the lines PostgreSQL's COPY writes read back as the values."""
    with owner_connection(pg_database.owner_url) as conn:
        conn.execute("CREATE TEMPORARY TABLE tricky (s text, b bytea, j json, t timestamp,"
                     " d date, u uuid, f boolean, n bigint)")
        conn.execute("INSERT INTO tricky VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                     [*TRICKY_ROW[:2], psycopg.types.json.Json(TRICKY_ROW[2]), *TRICKY_ROW[3:]])
        with conn.cursor().copy("COPY tricky TO STDOUT") as copy:
            line = b"".join(bytes(chunk) for chunk in copy)
    assert copy_text.decode_line(copy_text.kinds(TRICKY.columns), line) == list(TRICKY_ROW)
