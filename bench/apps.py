"""The app a benchmark runs against: migrated, on a fresh SQLite file or on a throwaway
PostgreSQL cluster (as the tests start one) that is stopped afterwards."""
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


# PostgreSQL refuses to start without every key in the configuration (a throwaway database).
BENCH_KEYS = {"SECRET_KEY": "bench-secret", "VOTE_CODE_KEY": "bench-code-key",
              "AUDIT_KEY": "bench-audit-key"}


@contextmanager
def migrated_app(backend: str, config: dict):
    """Yield (app, the owner's URL on PostgreSQL or None) for `backend`, "sqlite" or
    "postgresql", with `config` on top of the database settings."""
    from flask_migrate import upgrade

    from tinnhiem import create_app

    cluster, owner, folder = None, None, None
    config = {**BENCH_KEYS, **config}
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="tinnhiem-bench-")
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    else:
        from tests import pg_cluster

        cluster = pg_cluster.start_cluster()
    try:
        if cluster is not None:
            name = pg_cluster.create_database(cluster)
            owner = cluster.url(pg_cluster.OWNER, name)
            pg_cluster.wait_ready(owner.replace("+psycopg", ""))
            config.update(SQLALCHEMY_DATABASE_URI=cluster.url(pg_cluster.APP, name),
                          MIGRATE_DATABASE_URL=owner)
        app = create_app(config)
        with app.app_context():
            upgrade()
        yield app, owner
    finally:
        if cluster is not None:
            cluster.stop()
        if folder is not None:  # a province of 300,000 people is most of a gigabyte
            shutil.rmtree(folder, ignore_errors=True)
