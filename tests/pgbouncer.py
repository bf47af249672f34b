"""A throwaway pgbouncer in transaction mode on loopback, in front of a test cluster, as
production runs it: one server connection per transaction, so nothing a session sets or
prepares may be relied on from one transaction to the next."""
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass

from tests.pg_cluster import Cluster, MissingPostgres, _free_port, _private_root, wait_ready

INI = """[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir =
auth_type = md5
auth_file = {root}/userlist.txt
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 200
server_round_robin = 0
{prepared}ignore_startup_parameters = extra_float_digits
logfile = {root}/pgbouncer.log
pidfile = {root}/pgbouncer.pid
"""


def _tracks_prepared_statements(binary: str) -> bool:
    """pgbouncer 1.21+ can track prepared statements (1.24 does by default); Debian 12's 1.18
    cannot, nor knows the setting. The tests run as the oldest: tracking off."""
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    found = re.search(r"PgBouncer (\d+)\.(\d+)", version)
    return bool(found) and tuple(map(int, found.groups())) >= (1, 21)


@dataclass
class Bouncer:
    host_port: str
    process: subprocess.Popen
    root: str

    def url(self, role: str, database: str) -> str:
        return f"postgresql+psycopg://{role}:{role}@{self.host_port}/{database}"

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)  # immediate shutdown (SIGINT waits)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def start_pgbouncer(cluster: Cluster, roles: list[str], probe_database: str,
                    pool_size: int = 4) -> Bouncer:
    """pgbouncer in transaction mode before `cluster`, letting `roles` in with their test
    passwords (each role's name, see Cluster.url)."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.path.exists(binary):
        raise MissingPostgres("pgbouncer not found: install Debian's pgbouncer (make test does)")
    host, port = cluster.superuser_url.split("@", 1)[1].split("/", 1)[0].rsplit(":", 1)
    root, listen_port = _private_root(), _free_port()
    with open(os.path.join(root, "userlist.txt"), "w") as userlist:
        userlist.writelines(f'"{role}" "{role}"\n' for role in roles)
    with open(os.path.join(root, "pgbouncer.ini"), "w") as ini:
        ini.write(INI.format(host=host, port=port, listen_port=listen_port, root=root,
                             pool_size=pool_size, prepared="max_prepared_statements = 0\n"
                             if _tracks_prepared_statements(binary) else ""))
    # pgbouncer refuses to run as root; the files are readable by the user it runs as
    for name in ("userlist.txt", "pgbouncer.ini"):
        os.chmod(os.path.join(root, name), 0o644)
    user = "postgres" if os.geteuid() == 0 else None
    with open(os.path.join(root, "stderr"), "w") as stderr:
        process = subprocess.Popen([binary, os.path.join(root, "pgbouncer.ini")], user=user,
                                   stdout=subprocess.DEVNULL, stderr=stderr)
    bouncer = Bouncer(f"127.0.0.1:{listen_port}", process, root)
    try:
        wait_ready(bouncer.url(roles[0], probe_database).replace("+psycopg", ""))
    except Exception as error:
        with open(os.path.join(root, "stderr")) as said:
            complaint = said.read()[-2000:]
        bouncer.stop()
        raise RuntimeError(f"pgbouncer did not start: {complaint}") from error
    return bouncer
