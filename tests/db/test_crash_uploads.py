"""A process killed in the middle of an upload leaves nothing in the file store without its row.

Files are written under a staging name and moved into place once their row is committed; the sweep
at start-up removes what a dead process staged and moves into place what it committed. The upload
is stopped at the worst moment with a real lock: the test holds the application's row (PostgreSQL
``FOR UPDATE``), so the uploading process, a real ``python`` process, has stored its file and waits
to update the answers; then it is killed with SIGKILL."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from bng.bootstrap import Config, wire
from bng.db import filestore
from bng.db.filestore import LocalFileStore
from bng.register import samples
from bng.register.core.model import StoredFile
from tests.db.fixtures import CHEAP_PASSWORDS, Register

UPLOAD = """
import json, sys
from bng.bootstrap import Config, wire
from bng.register.core.audit import Actor
from bng.register.applications.sections import Upload
url, files, actor, reference = json.loads(sys.argv[1])
services = wire(Config(url, files, "test-secret")).services
pdf = open(sys.argv[2], "rb").read()
services.applications.save_section(
    Actor(**actor), reference, "ownership", {"landowners": "Alex Owner"},
    {"ownership_file": Upload("ownership_file", "title.pdf", pdf)},
)
print("saved", flush=True)
"""


def _big_pdf(tmp_path: Path) -> Path:
    """A real PDF of some megabytes (a scanned title, say)."""
    lines = tuple(f"Title register entry {n}: " + "x" * 80 for n in range(40_000))
    path = tmp_path / "title.pdf"
    path.write_bytes(samples.pdf("Official copy of the register of title", lines))
    return path


@contextmanager
def _row_locked(register: Register, reference: str) -> Iterator[Connection]:
    with register.database.engine.connect() as conn:
        trans = conn.begin()
        conn.execute(text("SELECT id FROM application WHERE reference = :r FOR UPDATE"), {"r": reference})
        try:
            yield conn
        finally:
            trans.rollback()


def _start_upload(register: Register, tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    world = register.world
    assert world is not None
    actor = world.actors["landowner"]
    reference = world.applications["draft"]
    args = [register.url, str(register.files), dataclasses.asdict(actor), reference]
    child = subprocess.Popen(
        [sys.executable, "-c", UPLOAD, json.dumps(args), str(_big_pdf(tmp_path))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return child, reference


def _files(root: Path) -> set[str]:
    """Every file in the store (staged, in place, set aside), by its path in the store."""
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _wait_until_blocked(register: Register, before: set[str], child: subprocess.Popen[str]) -> set[str]:
    """Until the child has written its file and waits for the row lock; the files it wrote."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        staged = {f for f in _files(register.files) - before if not f.endswith(filestore.UNFINISHED)}  # whole
        with register.database.engine.connect() as conn:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            ).scalar_one()
        if staged and waiting:
            return staged
        time.sleep(0.05)
    raise AssertionError("the upload never reached its file")


def _keys(register: Register) -> set[str]:
    with register.database.engine.connect() as conn:
        return set(conn.execute(text("SELECT key FROM stored_file")).scalars())


def _without_row(register: Register) -> set[str]:
    """The files of the store that no row of stored_file names (their key is ``xx/<name>``)."""
    keys = _keys(register)
    return {f for f in _files(register.files) if f not in keys}


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_a_process_killed_mid_upload_leaves_no_file_without_its_row(register: Register, tmp_path: Path) -> None:
    before = _files(register.files)
    assert not _without_row(register)
    child, reference = _start_upload(register, tmp_path)
    with _row_locked(register, reference):
        [written] = _wait_until_blocked(register, before, child)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    assert _without_row(register) == {written}  # what the crash left: its file, without a row
    wired = wire(Config(register.url, register.files, "test-secret"), passwords=CHEAP_PASSWORDS)  # a restart
    wired.database.dispose()
    assert not _without_row(register)
    assert _files(register.files) == before
    assert written.startswith("staging/") and written.endswith(f".{child.pid}")  # it was staged, never in place


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_the_sweep_leaves_an_upload_in_progress_alone(register: Register, tmp_path: Path) -> None:
    """Another process starting up while an upload waits must not take its file for an orphan."""
    store = LocalFileStore(register.files)
    before = _files(register.files)
    child, reference = _start_upload(register, tmp_path)
    with _row_locked(register, reference):
        [written] = _wait_until_blocked(register, before, child)
        [(key, _, _)] = store.staged()
        assert written == f"staging/{key[3:]}.{child.pid}"
        swept = register.database.sweep(store)
        assert swept is not None and swept.removed_staged == 0 and [k for k, _, _ in store.staged()] == [key]
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0 and "saved" in out, err
    assert key in _keys(register) and key in set(store.placed()) and not list(store.staged())
    assert store.get(key) == _big_pdf(tmp_path).read_bytes()


def test_a_file_committed_but_not_yet_moved_is_moved_into_place(register: Register, tmp_path: Path) -> None:
    """Killed after its commit, before the move: the row is there, the file staged; the sweep finishes."""
    store = LocalFileStore(register.files)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)
    data = samples.pdf("Committed, not moved")
    key = store.put(data)
    os.replace(store._staged(key), store._staged(key, dead))  # as the dead process staged it
    with register.database(write=True) as uow:
        uow.add(StoredFile(key, "ownership", "t.pdf", "application/pdf", len(data), "0" * 64, register.clock()))
        uow.commit()
    assert store.get(key) == data  # readable even before the sweep
    swept = register.database.sweep(store)
    assert swept is not None and swept.published == 1
    assert key in set(store.placed()) and not list(store.staged()) and store.get(key) == data


def test_files_in_place_without_a_row_are_set_aside(register: Register) -> None:
    """Left by versions before staging: moved to orphans/, out of the store's keys (not deleted: a file
    store shared with another database holds that database's files)."""
    store = LocalFileStore(register.files)
    key = store.put(b"%PDF-1.4 left behind")
    store.publish(key)
    swept = register.database.sweep(store)
    assert swept is not None and swept.set_aside == 1 and key not in set(store.placed())
    assert (register.files / filestore.ORPHANS / key.replace("/", "-")).read_bytes() == b"%PDF-1.4 left behind"
    assert set(store.placed()) <= _keys(register)
