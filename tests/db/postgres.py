"""A throwaway PostgreSQL + PostGIS server for tests and benchmarks: initdb into a temporary
directory, pg_ctl on a free loopback port, torn down (and deleted) at the end.

Runs the server as the ``postgres`` system user when the tests run as root (PostgreSQL refuses
to run as root). Trust authentication on 127.0.0.1 only: the server lives for one test session.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BIN_CANDIDATES = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")


def pg_bin() -> Path | None:
    override = os.environ.get("BNG_PG_BIN")
    for candidate in ((override,) if override else ()) + BIN_CANDIDATES:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def postgis_available(bin_dir: Path) -> bool:
    share = subprocess.run([str(bin_dir / "pg_config"), "--sharedir"], capture_output=True, text=True, check=False)
    return share.returncode == 0 and (Path(share.stdout.strip()) / "extension" / "postgis.control").exists()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    bin_dir: Path
    data_dir: Path
    port: int
    user: str
    options: str = ""  # pg_ctl's -o, to start the server again (``start``)

    def start(self) -> None:
        """Start the server again (after it was stopped or killed), as it was started."""
        log = self.data_dir.parent / "server.log"
        subprocess.run(
            _as_postgres([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-o", self.options, "-l", str(log),
                          "-w", "-t", "120", "start"]),
            capture_output=True, check=True,
        )  # fmt: skip

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(
            [str(self.bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, "-d", database,
             "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if out.returncode:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}")
        return out.stdout


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextlib.contextmanager
def throwaway_server(durable: bool = False) -> Iterator[Server]:
    """``durable``: every commit flushed to disk before it returns (PostgreSQL's defaults), for tests
    that kill the server and count what survived; otherwise fast and unsafe, as a throwaway can be."""
    bin_dir = pg_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql-15 postgresql-15-postgis-3)")
    if not postgis_available(bin_dir):
        raise RuntimeError("PostGIS is not installed (apt-get install postgresql-15-postgis-3)")
    root = Path(tempfile.mkdtemp(prefix="bng-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    user = "bng"
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "--encoding=UTF8",
                      "--locale=C.UTF-8", "--no-sync"]),
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    unsafe = "" if durable else "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    opts = (
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} {unsafe}"
        "-c max_connections=200 -c shared_buffers=128MB"
    )
    log = root / "server.log"
    started = subprocess.run(
        _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log), "-w", "-t", "60", "start"]),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if started.returncode:
        text = log.read_text() if log.exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{text}")
    server = Server(bin_dir, data, port, user, opts)
    try:
        for _ in range(50):
            try:
                server.psql("SELECT 1")
                break
            except RuntimeError:
                time.sleep(0.1)
        yield server
    finally:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True, check=False,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)
