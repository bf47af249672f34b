"""A module's world built once per backend, and every test started from an exact copy of it.

Many modules build the same world (rows made through the real services) for each of their
tests, and on two cores that is most of the suite's time. `@snapshot` turns such a builder
into a fixture that builds the world in the first test's own database, keeps a copy of that
database's rows, and gives every later test of the module (same backend) a database restored
to exactly those rows before the test starts:

- SQLite: the built database file is copied; each test's app then reads its own copy of it.
- PostgreSQL: each table's rows are copied (as the owner, crossing every scope, as the
  fixtures' TRUNCATE does) into a schema of the worker's database that the app's role cannot
  read, with the sequences' positions, and inserted back into the emptied tables (in foreign
  key order) for each test.

The builder's Python objects (a namespace of detached rows, ids) stay valid since the restored
rows are the same rows; each test gets its own deep copy of them, and the factory's memory
(its unit type, each unit's staff) as it was right after the build. The roll-up's figures kept
per process (rollup.kept) are forgotten before each test, since the same round id now comes
back with the same progress: a test must work them out itself as it would have.
"""
import copy
import inspect
import os
import shutil
import uuid

import pytest

from tests import pg_cluster
from tinnhiem.platform.db import db

# What a Factory remembers between calls (tests/factories.py): carried over with the world.
FACTORY_MEMORY = ("_type_id", "_staff")


def snapshot(build):
    """Decorator: `build(make, ...)` (its arguments are fixtures, requested by name) as a
    function-scoped fixture of the same name whose world is built once per module, backend
    and app configuration."""
    wanted = list(inspect.signature(build).parameters)

    @pytest.fixture(name=build.__name__)
    def fixture(request, backend, app, make, app_config, world_snapshots):
        key = (build.__module__, build.__qualname__, backend, repr(sorted(app_config.items())))

        def built():
            return build(**{name: make if name == "make" else request.getfixturevalue(name)
                            for name in wanted})

        return world_snapshots.give(key, backend, app, make, request, built)

    fixture.__doc__ = build.__doc__
    return fixture


class Snapshots:
    """The snapshots of one test module (module-scoped; dropped when the module ends)."""

    def __init__(self):
        self.kept = {}      # key -> (where the rows are, (world, factory memory) copy)
        self.cleanup = []

    def give(self, key, backend, app, make, request, built):
        _forget_kept_figures()
        restore = self.kept.get(key)
        if restore is None:
            _check_untouched(backend, app, request)
            world = built()
            where = _save(backend, app, request)
            memory = {name: make.__dict__[name] for name in FACTORY_MEMORY
                      if name in make.__dict__}
            self.kept[key] = (where, copy.deepcopy((world, memory)))
            self.cleanup.append(where)
            return world
        where, pristine = restore
        _check_untouched(backend, app, request)
        _restore(backend, where, app, request)
        world, memory = copy.deepcopy(pristine)
        make.__dict__.update(memory)
        return world

    def drop(self):
        for where in self.cleanup:
            if isinstance(where, str):
                os.unlink(where)
            else:
                with pg_cluster.owner_connection(where.owner_url) as conn:
                    conn.execute(f"DROP SCHEMA {where.schema} CASCADE")
                    conn.commit()


def _forget_kept_figures():
    from tinnhiem.rollup import kept

    with kept._LOCK:
        kept._KEPT.clear()


def _sqlite_path(app) -> str:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///"), uri
    return uri.removeprefix("sqlite:///")


def _owner(request):
    return pg_cluster.owner_connection(request.getfixturevalue("pg_database").owner_url)


def _tables():
    return [t.name for t in db.metadata.sorted_tables]


def _check_untouched(backend, app, request):
    """The test's database is still the empty migrated one: no fixture wrote before the
    world (whose restore would silently drop those rows)."""
    if backend == "sqlite":
        # The header's file change counter moves on every write (rollback journal mode).
        template = request.getfixturevalue("sqlite_template")
        assert _header(_sqlite_path(app)) == _header(template), (
            "the database was written before the snapshot fixture: request it first")
        return
    counts = " + ".join(f"(SELECT count(*) FROM public.{t})" for t in _tables())
    with _owner(request) as conn:
        rows = conn.execute(f"SELECT {counts}").fetchone()[0]
    assert rows == 0, "the database was written before the snapshot fixture: request it first"


def _header(path) -> tuple:
    with open(path, "rb") as file:
        return os.fstat(file.fileno()).st_size, file.read(100)


class _PostgresSnapshot:
    def __init__(self, owner_url, schema, sequences):
        self.owner_url, self.schema, self.sequences = owner_url, schema, sequences


def _save(backend, app, request):
    with app.app_context():
        db.engine.dispose()
    if backend == "sqlite":
        path = _sqlite_path(app)
        saved = os.path.join(os.path.dirname(path), f"snapshot-{uuid.uuid4().hex}.sqlite3")
        shutil.copy(path, saved)
        return saved
    schema = f"snapshot_{uuid.uuid4().hex[:12]}"
    with _owner(request) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        for table in _tables():
            conn.execute(f"CREATE TABLE {schema}.{table} AS TABLE public.{table}")
        sequences = conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ).fetchall()
        conn.commit()
    return _PostgresSnapshot(request.getfixturevalue("pg_database").owner_url, schema,
                             sequences)


def _restore(backend, where, app, request):
    with app.app_context():
        db.engine.dispose()
    if backend == "sqlite":
        path = _sqlite_path(app)
        for leftover in (f"{path}-journal", f"{path}-wal", f"{path}-shm"):
            if os.path.exists(leftover):
                os.unlink(leftover)
        incoming = f"{path}.incoming"
        shutil.copy(where, incoming)
        os.replace(incoming, path)
        return
    statements = [f"INSERT INTO public.{t} SELECT * FROM {where.schema}.{t}" for t in _tables()]
    for name, value in where.sequences:
        statements.append(f"SELECT setval('public.{name}', {value}, true)" if value is not None
                          else f"ALTER SEQUENCE public.{name} RESTART")
    with _owner(request) as conn:
        with conn.cursor() as cursor:
            cursor.execute("; ".join(statements))
        conn.commit()
