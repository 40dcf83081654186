"""The local file store: private, atomic, and keys that cannot reach outside it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bng.db.filestore import LocalFileStore


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
