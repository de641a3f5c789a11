"""A throw-away PostgreSQL server for tests, as internal/pgtest starts one for the Go
tests: initdb into a fresh directory, postgres listening only on a unix socket inside
it, as the "postgres" user when run as root (PostgreSQL refuses to run as root).
scripts/test.sh installs PostgreSQL; without it the tests that need it fail."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass


@dataclass
class Server:
    dir: str
    proc: subprocess.Popen[bytes]

    @property
    def host(self) -> str:
        return self.dir

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)  # fast shutdown
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def bin_dir() -> str:
    if os.environ.get("PERMC_PG_BIN"):
        return os.environ["PERMC_PG_BIN"]
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]), reverse=True)
    for d in dirs:
        if os.path.exists(os.path.join(d, "postgres")):
            return d
    found = shutil.which("postgres")
    if found:
        return os.path.dirname(found)
    raise RuntimeError("PostgreSQL not found (looked in $PERMC_PG_BIN, /usr/lib/postgresql/*/bin and $PATH): "
                       "scripts/test.sh installs it with apt-get install -y postgresql")


def start() -> Server:
    bindir = bin_dir()
    d = tempfile.mkdtemp(prefix="permc-pg-py-")
    demote = None
    if os.geteuid() == 0:
        user = pwd.getpwnam(os.environ.get("PERMC_PG_USER", "postgres"))
        os.chown(d, user.pw_uid, user.pw_gid)

        def demote() -> None:
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)

    os.chmod(d, 0o700)
    env = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}
    data = os.path.join(d, "data")
    r = subprocess.run([os.path.join(bindir, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                        "--locale=C", "--no-sync"], cwd=d, env=env, preexec_fn=demote, capture_output=True)
    if r.returncode != 0:
        shutil.rmtree(d, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {r.stdout.decode()}{r.stderr.decode()}")
    log = open(os.path.join(d, "postgres.log"), "wb")
    proc = subprocess.Popen([os.path.join(bindir, "postgres"), "-D", data, "-k", d, "-c", "listen_addresses=", "-p", "5432",
                             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                             "-c", "max_connections=20"], cwd=d, env=env, preexec_fn=demote, stdout=log, stderr=log)
    server = Server(d, proc)
    deadline = time.monotonic() + 60
    import psycopg

    while True:
        try:
            psycopg.connect(host=d, port=5432, user="postgres", dbname="postgres", connect_timeout=2).close()
            return server
        except psycopg.OperationalError as e:
            if proc.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"postgres did not start: {e}\n{open(os.path.join(d, 'postgres.log')).read() if os.path.exists(d) else ''}") from None
            time.sleep(0.1)


def create_database(server: Server, name: str) -> None:
    """A database whose default collation is linguistic (ICU), so that a string
    comparison missing COLLATE "C" shows."""
    import psycopg

    with psycopg.connect(host=server.host, port=5432, user="postgres", dbname="postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' LOCALE_PROVIDER icu ICU_LOCALE \'en-US\' LOCALE \'C\'')
