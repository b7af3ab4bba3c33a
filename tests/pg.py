"""A throwaway PostgreSQL cluster for the ledger tests: initdb into a temporary directory,
pg_ctl on a Unix socket in that directory (no TCP port), stopped and removed at the end.

As root, PostgreSQL refuses to run, so the cluster belongs to an unprivileged system user
(Debian's `postgres`, made by the postgresql package) and its commands run through
`runuser -u`. One cluster per test session: each pytest-xdist worker is its own session,
so workers never share one. `skip_reason()` says why there can be none.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

USER = "postgres"  # the unprivileged owner of the cluster when the tests run as root


def binaries() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    return None


def skip_reason() -> str | None:
    if binaries() is None:
        return "PostgreSQL binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin: PostgreSQL ledger tests skipped"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            return f"running as root and there is no unprivileged '{USER}' user to own a test cluster: PostgreSQL ledger tests skipped"
        if shutil.which("runuser") is None:
            return "running as root without runuser to start the cluster as an unprivileged user: PostgreSQL ledger tests skipped"
    return None


class Cluster:
    def __init__(self) -> None:
        self.bin = binaries()
        self.root = Path(tempfile.mkdtemp(prefix="slagen-pg-"))
        self.data = self.root / "data"
        self.socket = self.root
        self.count = 0
        if os.geteuid() == 0:
            user = pwd.getpwnam(USER)
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.prefix = ["runuser", "-u", USER, "--"]
        else:
            self.prefix = []

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> "Cluster":
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "slagen", "-E", "UTF8", "--locale=C", "--no-sync")
        options = f"-k {self.socket} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "-t", "60", "start")
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run([*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://slagen@/{database}?host={self.socket}"

    def new_database(self) -> str:
        """A fresh, empty ledger location for one test: a schema of its own (made in
        milliseconds, where CREATE DATABASE takes most of a second), as the URL's search_path."""
        import psycopg

        self.count += 1
        name = f"ledger_{os.getpid()}_{self.count}"
        with psycopg.connect(host=str(self.socket), user="slagen", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return f"{self.url()}&options=-csearch_path%3D{name}"
