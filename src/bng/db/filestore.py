"""The file store: documents on a local directory (the default; another store implements the same
four methods of :class:`bng.register.ports.FileStore`).

Keys are random (never derived from a name a user typed), files are written to a temporary name
and renamed into place, so a reader never sees half a file, and directories are private to the
service (0700). Files are served only through the register's services, which decide who may see
them.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

_KEY = re.compile(r"^[a-f0-9]{2}/[a-f0-9]{40}$")


class LocalFileStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"not a file store key: {key!r}")
        return self.root / key

    def put(self, data: bytes) -> str:
        name = secrets.token_hex(20)
        key = f"{name[:2]}/{name}"
        path = self._path(key)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return key

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()
