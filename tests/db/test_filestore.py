"""The local file store: private, atomic, and keys that cannot reach outside it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def _stage_as(store: LocalFileStore, pid: int, data: bytes) -> str:
    """A file staged as process ``pid`` would have staged it."""
    key = store.put(data)
    os.replace(store._staged(key), store._staged(key, pid))
    return key


def test_the_sweep_tells_a_live_writer_by_its_start_not_by_when_proc_first_saw_it(tmp_path: Path) -> None:
    """A live process started before its file was written is that file's writer: its upload is left alone
    however late the sweep first looks at /proc/<pid> (whose own time is that first look, not the start)."""
    store = LocalFileStore(tmp_path / "files")
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        time.sleep(0.2)
        key = _stage_as(store, live.pid, b"an upload in progress")
        time.sleep(2.2)
        assert sweep(store, set).removed_staged == 0
        assert [k for k, _, _ in store.staged()] == [key]
    finally:
        live.kill()
        live.wait()
    assert sweep(store, set).removed_staged == 1  # its writer has ended, its row never came: removed


def test_the_sweep_takes_a_zombie_writer_for_gone(tmp_path: Path) -> None:
    """A writer that has ended but is not yet reaped (its parent, a server's master, was killed with it)
    still answers ``kill(pid, 0)``; its uncommitted file is removed all the same."""
    store = LocalFileStore(tmp_path / "files")
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        for _ in range(200):
            if Path(f"/proc/{ended.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                break
            time.sleep(0.05)
        else:
            pytest.fail("the child did not end")
        _stage_as(store, ended.pid, b"half an upload")
        assert sweep(store, set).removed_staged == 1 and not list(store.staged())
    finally:
        ended.wait()
