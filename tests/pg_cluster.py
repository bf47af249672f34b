"""A throwaway PostgreSQL cluster on loopback for the test run, or one named by
TINNHIEM_TEST_PG_URL (a superuser URL). Two roles are made: the owner, who runs migrations,
and the app role, which owns nothing and has neither SUPERUSER nor BYPASSRLS."""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass

import psycopg

OWNER, APP = "tinnhiem_owner", "tinnhiem_app"


class MissingPostgres(RuntimeError):
    pass


def _bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise MissingPostgres(
            f"PostgreSQL server binary '{name}' not found: install Debian's postgresql"
            " (make test does) or set TINNHIEM_TEST_PG_URL to a superuser URL"
        )
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb refuses to run as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class Cluster:
    superuser_url: str
    data_dir: str | None = None
    pg_ctl: str | None = None

    def url(self, role: str, database: str) -> str:
        base = self.superuser_url.rsplit("/", 1)[0]
        scheme, rest = base.split("://", 1)
        host = rest.split("@", 1)[-1]
        return f"postgresql+psycopg://{role}:{role}@{host}/{database}"

    def stop(self) -> None:
        if self.data_dir and self.pg_ctl:
            subprocess.run(_as_postgres([self.pg_ctl, "-D", self.data_dir, "-m", "immediate",
                                         "stop"]), capture_output=True)
            shutil.rmtree(os.path.dirname(self.data_dir), ignore_errors=True)


def _private_root() -> str:
    """A directory for one server's files, owned by the user that runs the server."""
    root = tempfile.mkdtemp(prefix="tinnhiem-pg-")
    if os.geteuid() == 0:
        try:
            postgres = pwd.getpwnam("postgres")
        except KeyError:
            raise MissingPostgres("no 'postgres' system user to run PostgreSQL as") from None
        os.chown(root, postgres.pw_uid, postgres.pw_gid)
    return root


def _start_server(root: str, data_dir: str, extra: str = "") -> Cluster:
    # A standby needs max_connections at least the primary's: both start with the same.
    pg_ctl, port = _bin("pg_ctl"), _free_port()
    options = (f"-k {root} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
               " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
               + extra)
    subprocess.run(_as_postgres([pg_ctl, "-D", data_dir, "-o", options, "-l",
                                 os.path.join(root, "log"), "-w", "start"]),
                   check=True, capture_output=True)
    return Cluster(f"postgresql://postgres@127.0.0.1:{port}/postgres", data_dir, pg_ctl)


def start_cluster() -> Cluster:
    if os.environ.get("TINNHIEM_TEST_PG_URL"):
        return Cluster(os.environ["TINNHIEM_TEST_PG_URL"])
    initdb = _bin("initdb")
    root = _private_root()
    data_dir = os.path.join(root, "data")
    # --auth=trust also lets 127.0.0.1 connect for replication (initdb's pg_hba.conf).
    subprocess.run(_as_postgres([initdb, "-D", data_dir, "-U", "postgres", "--auth=trust",
                                 "-E", "UTF8", "--no-locale"]),
                   check=True, capture_output=True)
    return _start_server(root, data_dir)


def start_standby(primary: Cluster) -> Cluster:
    """A hot standby of `primary` on another port, streaming from it (pg_basebackup -R writes
    standby.signal and primary_conninfo). The primary needs wal_level=replica and
    max_wal_senders (PostgreSQL's defaults) and to let the superuser connect for replication."""
    root = _private_root()
    data_dir = os.path.join(root, "data")
    subprocess.run(_as_postgres([_bin("pg_basebackup"), "-d", primary.superuser_url, "-D",
                                 data_dir, "-R", "--checkpoint=fast", "-X", "stream"]),
                   check=True, capture_output=True)
    return _start_server(root, data_dir, " -c hot_standby=on")


def create_database(cluster: Cluster) -> str:
    """A new database owned by the owner role; the roles are made once per cluster."""
    name = f"tinnhiem_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(cluster.superuser_url, autocommit=True) as conn:
        for role, extra in ((OWNER, ""), (APP, " NOSUPERUSER NOBYPASSRLS NOCREATEDB")):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if not exists:
                try:
                    conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{role}'{extra}")
                except (psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
                    pass  # another test worker sharing TINNHIEM_TEST_PG_URL made it first
        conn.execute(f"CREATE DATABASE {name} OWNER {OWNER}")
    return name


def wait_ready(url: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(url).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def owner_connection(url):
    """The table owner, seeing every row as a database dump would (RLS is FORCEd on it)."""
    conn = psycopg.connect(url.replace("+psycopg", ""))
    conn.execute("SELECT set_config('app.crossing', 'on', false)")
    return conn
