"""Files as they arrive, and putting their bytes in the file store so that a crash leaves nothing behind.

The store writes them under a staging name; they move into place only once the unit of work that
records their row has committed, and are removed if it rolls back. A process killed in between
leaves a staged file whose row was never committed (or, killed after the commit, one whose row
was): the sweep at start-up (``bng.db.filestore.sweep``) removes the first and moves the second
into place, so the store never holds a file without its row.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ports import FileStore, UnitOfWork


@dataclass(frozen=True, slots=True)
class Upload:
    """A file as it arrived: the form field, the name the browser gave and the bytes."""

    field: str
    filename: str
    data: bytes
    file_id: int | None = None  # a file kept from a save that failed: stored already


def store_bytes(uow: UnitOfWork, store: FileStore, data: bytes) -> str:
    """Stage ``data`` in the store for the unit of work's transaction; its key."""
    key = store.put(data)
    uow.on_rollback(lambda: store.delete(key))
    uow.on_commit(lambda: store.publish(key))
    return key
