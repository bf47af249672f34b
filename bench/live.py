"""What the benchmarks that drive a running gunicorn share: a throwaway PostgreSQL with an open
electronic vote and its codes, gunicorn with the shipped configuration (also for another WSGI
app than wsgi:app), a throwaway Redis, and the CPU time of a process tree."""
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from tests import gunicorn_server, pg_cluster

KEYS = {"SECRET_KEY": "bench-secret-key", "VOTE_CODE_KEY": "bench-vote-code-key",
        "AUDIT_KEY": "bench-audit-key"}


@dataclass
class Vote:
    """An open electronic vote in a migrated database, as the app's role sees it."""
    app: object  # the Flask app it was made with (keys and all): for digests and signatures
    app_url: str
    owner_url: str
    slug: str
    codes: list
    conference_id: object
    province_id: object
    unit_id: object
    nominee_ids: list


def prepare_vote(cluster, code_count: int, people: int = 3) -> Vote:
    """A migrated database with an open vote of `people` nominees and `code_count` codes."""
    return prepare_votes(cluster, [code_count], people)[0]


def prepare_votes(cluster, code_counts: list[int], people: int = 3) -> list[Vote]:
    """A migrated database with one open vote per entry of `code_counts` (at most 5,000 codes
    each, the most people a conference may summon), each of `people` nominees, in one unit."""
    from flask_migrate import upgrade

    from tests.conftest import TEST_CONFIG
    from tests.factories import Factory
    from tinnhiem import create_app
    from tinnhiem.platform.db import db

    name = pg_cluster.create_database(cluster)
    owner_url, app_url = cluster.url(pg_cluster.OWNER, name), cluster.url(pg_cluster.APP, name)
    pg_cluster.wait_ready(owner_url.replace("+psycopg", ""))
    app = create_app({**TEST_CONFIG, **KEYS, "SQLALCHEMY_DATABASE_URI": app_url,
                      "MIGRATE_DATABASE_URL": owner_url})
    with app.app_context():
        upgrade()
    make = Factory(app)
    world = make.world()
    votes = []
    for number, code_count in enumerate(code_counts):
        conference = make.open_conference(world, people=people, summoned=code_count,
                                          title=f"Hội nghị {number + 1}")
        codes = []
        while len(codes) < code_count:  # at most 2,000 a batch, as for a unit admin
            batch, slug = make.issue_codes(world, min(2000, code_count - len(codes)))
            codes += batch
        votes.append(Vote(app, app_url, owner_url, slug, codes, conference.id,
                          conference.province_id, conference.unit_id,
                          [n.id for n in world.people]))
    with app.app_context():
        db.engine.dispose()
    return votes


def restart_postgres(cluster) -> None:
    # The restarted server must not inherit a pipe of ours: it would hold it open for good.
    log = os.path.join(os.path.dirname(cluster.data_dir), "restart.log")
    subprocess.run(pg_cluster._as_postgres([cluster.pg_ctl, "-D", cluster.data_dir, "-m", "fast",
                                            "-l", log, "-w", "restart"]), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def postmaster_pid(cluster) -> int:
    return int(Path(cluster.data_dir, "postmaster.pid").read_text().split()[0])


@contextmanager
def serving(env: dict, app_spec: str = "wsgi:app"):
    """(base URL, master process) of gunicorn with deploy/gunicorn.conf.py serving
    `app_spec`; tests.gunicorn_server waits for it and stops it (it always serves wsgi:app,
    hence its start swapped for one that names another app)."""
    def start(env, port, output):
        return subprocess.Popen(
            [gunicorn_server.GUNICORN, "-c", "deploy/gunicorn.conf.py", app_spec],
            cwd=gunicorn_server.ROOT, env={**env, "BIND": f"127.0.0.1:{port}"}, stdout=output,
            stderr=subprocess.STDOUT, text=True)

    with mock.patch.object(gunicorn_server, "start", start):
        with gunicorn_server.serving_process(env) as (base, process):
            yield base, process


@contextmanager
def redis_server():
    """(redis URL, process) of a throwaway redis-server on a free loopback port, nothing kept
    on disk; None when there is no redis-server binary."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = gunicorn_server.free_port()
    folder = tempfile.mkdtemp(prefix="tinnhiem-redis-")
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", folder],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import redis

        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone since it was listed
        return None
    return text.rsplit(")", 1)[1].split()  # the name may hold spaces and parentheses


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of `root` and its children, the children it has already
    reaped included (their time moves into its cutime/cstime): a difference of two readings is
    what the tree spent in between, however many children came and went."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None:
                stats[int(entry)] = fields
    own = stats.get(root)
    if own is None:
        return 0.0
    ticks = sum(int(own[i]) for i in (11, 12, 13, 14))
    ticks += sum(int(f[11]) + int(f[12]) for pid, f in stats.items() if int(f[1]) == root)
    return ticks / TICKS
