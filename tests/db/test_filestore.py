"""The local file store: private, atomic, and keys that cannot reach outside it."""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bng.db import filestore
from bng.db.filestore import LocalFileStore, sweep


def test_put_get_delete(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "files")
    key = store.put(b"%PDF-1.4 hello")
    assert store.exists(key) and store.get(key) == b"%PDF-1.4 hello"  # staged, and readable
    path = tmp_path / "files" / key
    assert not path.exists()  # in place only once its row is committed
    store.publish(key)
    assert store.get(key) == b"%PDF-1.4 hello" and not list((tmp_path / "files" / "staging").iterdir())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "files").stat().st_mode) == 0o700
    assert not list((tmp_path / "files").rglob("*.part"))
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting twice is harmless
    assert store.put(b"x") != store.put(b"x")  # keys are random, never derived from content or names


@pytest.mark.parametrize("key", ["../secret", "ab/../../etc/passwd", "/etc/passwd", "ab/" + "g" * 40, ""])
def test_keys_cannot_escape_the_store(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="not a file store key"):
        LocalFileStore(tmp_path).get(key)


WRITER = """
import sys, time
from bng.db.filestore import LocalFileStore
print(LocalFileStore(sys.argv[1]).put(b"an upload in progress"), flush=True)
time.sleep(120)
"""


def test_the_sweep_leaves_a_live_writers_file_and_removes_a_killed_ones(tmp_path: Path) -> None:
    """Liveness is the staged file's lock, which the kernel drops when the writer ends however it ends:
    a killed writer not yet reaped (a zombie, as a killed server's workers are until someone waits for
    them) still answers ``kill(pid, 0)``, but no longer holds its lock."""
    root = tmp_path / "files"
    store = LocalFileStore(root)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(root)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None
        key = writer.stdout.readline().strip()
        assert sweep(store, set).removed_staged == 0  # alive: its upload is in progress
        assert [k for k, _, _ in store.staged()] == [key]
        os.kill(writer.pid, signal.SIGKILL)
        for _ in range(200):  # ended, and not waited for: a zombie
            if Path(f"/proc/{writer.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                break
            time.sleep(0.05)
        else:
            pytest.fail("the writer did not end")
        os.kill(writer.pid, 0)  # a zombie still answers: a process id would call it alive
        removed = 0
        for _ in range(200):  # the lock goes as the last of its threads ends, which may trail the leader's Z
            removed = sweep(store, set).removed_staged
            if removed:
                break
            time.sleep(0.05)
        assert removed == 1 and not list(store.staged())
    finally:
        writer.kill()
        writer.wait()


def test_a_file_cut_short_while_written_is_removed_once_its_writer_is_gone(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "files")
    cut = store.staging / ("ab" * 20 + ".12345" + filestore.UNFINISHED)
    cut.write_bytes(b"half")
    writing = store.staging / ("cd" * 20 + ".12346" + filestore.UNFINISHED)
    with writing.open("wb") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # its writer is still at it
        assert sweep(store, set).removed_staged == 1
        assert sorted(p.name for p in store.staging.iterdir()) == [writing.name]
