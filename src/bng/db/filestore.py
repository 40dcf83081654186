"""The file store: documents on a local directory.

It is the default; another store implements the same methods of :class:`bng.register.core.ports.FileStore`.

Keys are random (never derived from a name a user typed) and directories are private to the
service (0700). A file is first written, whole and synced, under a staging name that carries the
writing process's id (``staging/<name>.<pid>``); ``publish`` renames it into place once the row
that records it is committed (``bng.register.core.uploads.store_bytes``). So a process killed in the
middle of an upload leaves a staged file, never a file in place without its row, and
:func:`sweep`, run at start-up, settles what crashes left: a staged file whose row was committed is
moved into place, one whose row never was (and whose writer is gone) is removed. The writer holds an
exclusive ``flock`` on its staged file until it publishes or deletes it; the kernel drops the lock
when the process ends, however it ends, so a free lock is what "the writer is gone" means. (Process
ids were not enough: a killed worker may linger as a zombie that still answers ``kill(pid, 0)``,
and an id may be taken by another process.) A file in place
that no row records (left by versions before staging, or a store shared with another database) is
moved aside to ``orphans/``, not deleted, since it cannot be told from another database's file.
Files are served only through the register's services, which decide who may see them.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

_KEY = re.compile(r"^[a-f0-9]{2}/[a-f0-9]{40}$")
_STAGED = re.compile(r"^(?P<name>[a-f0-9]{40})\.(?P<pid>\d+)$")
STAGING = "staging"
ORPHANS = "orphans"
UNFINISHED = ".new"  # a staged file still being written
log = logging.getLogger(__name__)


class LocalFileStore:
    """The ``FileStore`` port on a private local directory: staged, then published on commit."""

    def __init__(self, root: Path | str) -> None:
        """A store under ``root`` (made private, with its staging directory, if new)."""
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.staging = self.root / STAGING
        self.staging.mkdir(exist_ok=True, mode=0o700)
        self._held: dict[str, int] = {}  # key -> descriptor holding the staged file's lock
        self._lock = threading.Lock()

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"not a file store key: {key!r}")
        return self.root / key

    def _staged(self, key: str, pid: int | None = None) -> Path:
        self._path(key)  # checks the key
        return self.staging / f"{key[3:]}.{os.getpid() if pid is None else pid}"

    def put(self, data: bytes) -> str:
        """Write the bytes under a staging name; ``publish`` moves them into place."""
        name = secrets.token_hex(20)
        key = f"{name[:2]}/{name}"
        staged = self._staged(key)
        unfinished = staged.with_name(staged.name + UNFINISHED)
        fd = os.open(unfinished, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            # locked before it has its staged name, and held until published or deleted, so a staged
            # file is never seen unlocked while its writer lives
            fcntl.flock(fd, fcntl.LOCK_EX)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
            os.replace(unfinished, staged)
        except BaseException:
            os.close(fd)
            unfinished.unlink(missing_ok=True)
            raise
        with self._lock:
            self._held[key] = fd
        return key

    def _release(self, key: str) -> None:
        with self._lock:
            fd = self._held.pop(key, None)
        if fd is not None:
            os.close(fd)

    def publish(self, key: str, pid: int | None = None) -> None:
        """Move a staged file into place (nothing to do if it is in place already)."""
        path = self._path(key)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        try:
            os.replace(self._staged(key, pid), path)
        except FileNotFoundError:
            if not path.exists():
                raise
            return
        finally:
            self._release(key)
        _sync_dir(path.parent)

    def get(self, key: str) -> bytes:
        """A file's bytes, staged or published (``FileNotFoundError`` names only the key)."""
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            for staged in self.staging.glob(f"{key[3:]}.*"):  # committed, not yet moved (or not yet swept)
                return staged.read_bytes()
            raise

    def delete(self, key: str) -> None:
        """Remove a file, staged or published (nothing if it is not there)."""
        self._path(key).unlink(missing_ok=True)
        self._staged(key).unlink(missing_ok=True)
        self._release(key)

    def exists(self, key: str) -> bool:
        """Whether a file is stored, staged or published."""
        return self._path(key).exists() or any(self.staging.glob(f"{key[3:]}.*"))

    # -- for the sweep -------------------------------------------------------------------------------

    def placed(self) -> Iterable[str]:
        """The keys of the files in place."""
        for folder in self.root.iterdir():
            if folder.is_dir() and len(folder.name) == 2:
                for path in folder.iterdir():
                    key = f"{folder.name}/{path.name}"
                    if _KEY.match(key):
                        yield key
                    elif path.name.endswith(".part"):  # a write cut short by versions before staging
                        path.unlink(missing_ok=True)

    def staged(self) -> Iterable[tuple[str, int, float]]:
        """(key, writing process id, time written) of each staged file."""
        for path in self.staging.iterdir():
            m = _STAGED.match(path.name)
            if m:
                try:
                    written = path.stat().st_mtime
                except FileNotFoundError:  # published meanwhile
                    continue
                yield f"{m['name'][:2]}/{m['name']}", int(m["pid"]), written

    def remove_staged(self, key: str, pid: int) -> None:
        """Remove a staged file whose row never committed (the sweep's, for ended processes)."""
        self._staged(key, pid).unlink(missing_ok=True)

    def writer_gone(self, key: str, pid: int) -> bool:
        """Whether the process that staged this file has ended: nobody holds its lock."""
        with self._lock:
            if key in self._held:
                return False  # this process's own upload in progress
        return _unlocked(self._staged(key, pid))

    def remove_unfinished(self) -> int:
        """Remove the files whose writing was cut short (their writer gone); how many."""
        removed = 0
        for path in self.staging.glob(f"*{UNFINISHED}"):
            if _unlocked(path):
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def set_aside(self, key: str) -> None:
        """Move a file in place out of the store's keys, into ``orphans/``."""
        folder = self.root / ORPHANS
        folder.mkdir(exist_ok=True, mode=0o700)
        os.replace(self._path(key), folder / key.replace("/", "-"))


def _unlocked(path: Path) -> bool:
    """Whether nobody holds the lock of a staged file (False if it is gone meanwhile)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class Swept:
    """What a sweep did, by kind of file it settled."""

    published: int = 0  # staged files whose row was committed, moved into place
    removed_staged: int = 0  # staged (or half-written) files of ended processes whose row never was
    set_aside: int = 0  # files in place that no row records, moved to orphans/


def sweep(store: LocalFileStore, recorded: Callable[[], set[str]]) -> Swept:
    """Settle what crashes left in the store; ``recorded()`` gives the keys the database records.

    The files are listed before the keys are read, so a file moved into place meanwhile (its row
    committed first) is never taken for an orphan; a staged file of a live process is an upload
    in progress and is left alone.
    """
    placed = list(store.placed())
    staged = list(store.staged())
    keys = recorded()
    published = removed = orphans = 0
    for key, pid, _written in staged:
        if key in keys:
            try:
                store.publish(key, pid)
            except FileNotFoundError:
                continue  # published by its own process meanwhile
            published += 1
        elif store.writer_gone(key, pid):
            store.remove_staged(key, pid)
            removed += 1
    removed += store.remove_unfinished()
    for key in placed:
        if key not in keys:
            store.set_aside(key)
            orphans += 1
    result = Swept(published, removed, orphans)
    if published or removed or orphans:
        log.warning("file store %s swept: %s", store.root, result)
    return result
