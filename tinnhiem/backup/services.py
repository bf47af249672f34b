"""Writing a backup file and restoring it into a new database.

The file is a zip: manifest.json (see manifest.py) and tables/<name>, the rows in
PostgreSQL's COPY text format sorted by primary key. The keys (SECRET_KEY, VOTE_CODE_KEY,
AUDIT_KEY) are never written into it, only their fingerprints. A restore suspends every vote
that was open when the backup was taken (voting/suspension.py).
"""
import datetime as dt
import json
import os
import zipfile
from contextlib import contextmanager

from sqlalchemy import Column, MetaData, String, Table, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import tinnhiem.models  # noqa: F401  (every table in the metadata)
from tinnhiem.platform.audit.services import record
from tinnhiem.backup import copy_text
from tinnhiem.backup.manifest import (FORMAT, MANIFEST, VERSION, BackupRefused,
                                               Tally, check_file, check_keys,
                                               key_fingerprints, open_archive, read_manifest)
from tinnhiem.platform.db import NoOwnerConnection, db, is_postgresql, owner_engine
from tinnhiem.tenants.owned import UnitOwned
from tinnhiem.voting.suspension import suspend_open_votes

ALEMBIC_VERSION = Table("alembic_version", MetaData(),
                        Column("version_num", String(32), primary_key=True))
BATCH = 1000


def tables() -> list[Table]:
    """Every table of the schema, parents before children."""
    return [*db.metadata.sorted_tables, ALEMBIC_VERSION]


def order_key(table: Table) -> list[Column]:
    """The order rows are written in: the primary key, never the storage order."""
    if not table.primary_key.columns:
        raise BackupRefused(f"table {table.name} has no primary key to order its rows by")
    return list(table.primary_key.columns)


def _engine():
    """As the table owner on PostgreSQL: only it may cross provinces (platform/rls.py)."""
    try:
        return owner_engine() or db.engine
    except NoOwnerConnection:
        raise BackupRefused("on PostgreSQL backup and restore run as the table owner:"
                            " set MIGRATE_DATABASE_URL") from None


@contextmanager
def _owner_transaction(read_only: bool):
    """One transaction that sees every province: a snapshot when reading, all or nothing
    when writing."""
    with _engine().connect() as connection:
        if is_postgresql(connection):
            if read_only:
                connection = connection.execution_options(isolation_level="REPEATABLE READ",
                                                          postgresql_readonly=True)
            with connection.begin():
                connection.execute(text("SELECT set_config('app.crossing', 'on', true)"))
                yield connection
            return
        with connection.begin():
            # pysqlite opens a transaction only before a write: without this the tables
            # would be read at different moments, and the emptiness checks would race.
            connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
            if not read_only:
                # units refer to units: rows in key order may name a parent not loaded yet
                connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            yield connection


def _revision(connection) -> str | None:
    try:
        with connection.begin_nested():
            return connection.execute(select(ALEMBIC_VERSION.c.version_num)).scalar()
    except DBAPIError:  # no alembic_version table: never migrated
        return None


def _quoted(connection, table: Table, columns) -> tuple[str, str]:
    quote = connection.dialect.identifier_preparer.quote
    return quote(table.name), ", ".join(quote(c.name) for c in columns)


def _write_table(connection, table: Table, out, tally: Tally) -> None:
    columns, key = list(table.columns), order_key(table)
    if is_postgresql(connection):
        name, listed = _quoted(connection, table, columns)
        _name, ordered = _quoted(connection, table, key)
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY (SELECT {listed} FROM {name} ORDER BY {ordered}) TO STDOUT") \
                as copy:
            for chunk in copy:
                out.write(tally.add(bytes(chunk)))
        return
    column_kinds = copy_text.kinds(columns)
    for row in connection.execute(select(*columns).order_by(*key)):
        out.write(tally.add(copy_text.encode_row(column_kinds, row)))


def _zip_info(name: str, created: dt.datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=created.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def create_backup(path: str) -> dict:
    """Write every table into a new file at `path`; returns the manifest."""
    if os.path.exists(path):
        raise BackupRefused(f"{path} already exists: choose a new file name")
    engine = _engine()  # refuses before anything is written
    with engine.connect() as connection:
        if _revision(connection) is None:
            raise BackupRefused("the database is not migrated: run flask db upgrade first")
    created = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    with Session(bind=engine) as session:  # reading every province is audited; the file
        record(session, "backup.started", details={"file": os.path.basename(path)})
        session.commit()  # holds the entry, since its snapshot is taken after
    partial = f"{path}.partial"
    # 0600: the file holds password hashes and code digests.
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw:
        try:
            manifest, counted = _write_archive(raw, created)
        except BaseException:
            os.unlink(partial)
            raise
    try:
        _check_written(partial, manifest, counted)
    except BaseException:
        os.unlink(partial)
        raise
    os.replace(partial, path)
    return manifest


def _write_archive(raw, created: dt.datetime) -> tuple[dict, dict[str, int]]:
    """The manifest, and each table's rows as counted in the snapshot the file was read in."""
    manifest = {"format": FORMAT, "version": VERSION, "created_at": created.isoformat() + "Z",
                "keys": key_fingerprints(), "tables": {}}
    counted = {}
    with zipfile.ZipFile(raw, "w") as archive, _owner_transaction(read_only=True) as connection:
        manifest["backend"] = connection.dialect.name
        manifest["revision"] = _revision(connection)
        for table in tables():
            counted[table.name] = connection.execute(
                select(func.count()).select_from(table)).scalar()
            tally = Tally()
            with archive.open(_zip_info(f"tables/{table.name}", created), "w",
                              force_zip64=True) as out:
                _write_table(connection, table, out, tally)
            manifest["tables"][table.name] = {
                "columns": [c.name for c in table.columns], "rows": tally.rows,
                "sha256": tally.sha256.hexdigest()}
        archive.writestr(_zip_info(MANIFEST, created), json.dumps(manifest, indent=1))
    return manifest, counted


def _check_written(path: str, manifest: dict, counted: dict[str, int]) -> None:
    """Read the file back: every table holds the rows its snapshot counted, and no table of
    unit data came out empty while the database has rows in it (a scope that hid them)."""
    written = check_file(path)
    for name, rows in counted.items():
        if written["tables"][name]["rows"] != rows:
            raise BackupRefused(f"table {name}: {written['tables'][name]['rows']} rows in the"
                                f" file, {rows} in the database: no backup written")
    empty = [t for t in db.metadata.sorted_tables
             if issubclass(_model_of(t), UnitOwned) and not counted[t.name]]
    if empty:
        with _owner_transaction(read_only=True) as connection:
            for table in empty:
                if connection.execute(select(select(table).exists())).scalar():
                    raise BackupRefused(f"table {table.name} has rows but the backup holds"
                                        " none: no backup written")


def _model_of(table: Table) -> type:
    return next((m.class_ for m in db.Model.registry.mappers if m.local_table is table),
                object)


def _check_target(connection, manifest: dict) -> None:
    revision = _revision(connection)
    if revision != manifest["revision"]:
        raise BackupRefused(
            f"the database is at revision {revision}, the backup at {manifest['revision']}:"
            " restore into a new database migrated to the backup's revision")
    if manifest["backend"] != connection.dialect.name:
        raise BackupRefused(f"the backup is of {manifest['backend']}, the database is"
                            f" {connection.dialect.name}")
    expected = {t.name: [c.name for c in t.columns] for t in tables()}
    if {name: entry["columns"] for name, entry in manifest["tables"].items()} != expected:
        raise BackupRefused("the backup's tables or columns differ from this version's schema")
    for table in db.metadata.sorted_tables:
        if connection.execute(select(select(table).exists())).scalar():
            raise BackupRefused(f"table {table.name} is not empty: restore only into a new"
                                " database (flask db upgrade, nothing else)")


def _load_table(connection, table: Table, member, tally: Tally) -> None:
    columns = list(table.columns)
    if is_postgresql(connection):
        # COPY FROM refuses a table under row-level security: load a policy-free copy of
        # the table's shape, then insert from it (in file order) under the crossing.
        name, listed = _quoted(connection, table, columns)
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(f"CREATE TEMPORARY TABLE restoring (LIKE {name}) ON COMMIT DROP")
        with cursor.copy(f"COPY restoring ({listed}) FROM STDIN") as copy:
            while chunk := member.read(1 << 16):
                copy.write(tally.add(chunk))
        cursor.execute(f"INSERT INTO {name} ({listed}) SELECT {listed} FROM restoring")
        cursor.execute("DROP TABLE restoring")
        return
    column_kinds, batch = copy_text.kinds(columns), []
    for line in member:
        batch.append(dict(zip((c.name for c in columns),
                              copy_text.decode_line(column_kinds, tally.add(line)))))
        if len(batch) == BATCH:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)


def _restart_sequences(connection) -> None:
    """COPY gave the rows their ids; a sequence still at 1 would hand out one of them again."""
    if not is_postgresql(connection):
        return  # SQLite takes the next rowid after the largest
    for table in db.metadata.sorted_tables:
        for column in order_key(table):
            sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                          {"t": table.name, "c": column.name}).scalar()
            if sequence:
                connection.execute(select(func.setval(
                    sequence, func.coalesce(select(func.max(column)).scalar_subquery(), 0) + 1,
                    False)))


def restore_backup(path: str) -> dict:
    """Load the backup at `path` into this empty database, in one transaction: any refusal
    or mismatch leaves the database as it was. Returns the manifest."""
    with open_archive(path) as archive:
        manifest = read_manifest(archive)
        check_keys(manifest)
        suspended = _load_archive(archive, manifest)
    return {**manifest, "suspended_votes": suspended}


def _load_archive(archive: zipfile.ZipFile, manifest: dict) -> int:
    """Load every table; returns how many open votes were suspended."""
    with _owner_transaction(read_only=False) as connection:
        _check_target(connection, manifest)
        for table in db.metadata.sorted_tables:  # alembic_version: checked, not loaded
            entry, tally = manifest["tables"][table.name], Tally()
            with archive.open(f"tables/{table.name}") as member:
                _load_table(connection, table, member, tally)
            loaded = connection.execute(select(func.count()).select_from(table)).scalar()
            if (tally.sha256.hexdigest(), tally.rows, loaded) != \
                    (entry["sha256"], entry["rows"], entry["rows"]):
                raise BackupRefused(
                    f"table {table.name}: {loaded} rows loaded, the manifest lists"
                    f" {entry['rows']} (or its content changed): nothing restored")
        _restart_sequences(connection)
        with Session(bind=connection) as session:
            suspended = suspend_open_votes(session, manifest["created_at"])
            record(session, "backup.restored", details={
                "created_at": manifest["created_at"], "revision": manifest["revision"],
                "suspended_votes": suspended})
            session.flush()
    return suspended
