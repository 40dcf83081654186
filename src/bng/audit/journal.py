"""The audit's journal: one JSON line per audited item, written as each finishes.

A run that is interrupted (Ctrl+C, a killed process, a lost cluster) is resumed by running the same command again.

The first line holds the options that change a row (the compliance target); a second run with
other options refuses to mix its rows in (start again with ``--fresh``). A last line cut short by
a kill is dropped when the journal is opened, and so is every row whose item has since changed
(its fingerprint differs): that item is audited again. Lines are flushed as written, and synced to
disk every few seconds and at the end.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import IO, Any

from .errors import JournalError

FORMAT = "bng-audit-journal/1"
SYNC_SECONDS = 2.0


class Journal:
    """The journal of one audit folder: what is done already, and each new row kept as soon as it is made."""

    def __init__(self, path: Path, options: dict[str, Any], *, fresh: bool = False) -> None:
        """Open the journal, or start it with ``options`` on its first line; ``fresh`` discards what it held."""
        self.path = path
        self.options = options
        self.rows: dict[str, dict[str, Any]] = {}  # by item key: the latest row
        self._file: IO[str] | None = None
        self._synced = time.monotonic()
        if fresh or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as f:
                f.write(json.dumps({"format": FORMAT, "options": options}) + "\n")
        else:
            self._load()
        self._file = path.open("a", encoding="utf-8")

    def _load(self) -> None:
        raw = self.path.read_bytes()
        end = raw.rfind(b"\n") + 1
        if end < len(raw):  # the last line was cut short by a kill: drop it
            with self.path.open("r+b") as f:
                f.truncate(end)
        lines = raw[:end].decode("utf-8", errors="replace").splitlines()
        try:
            header = json.loads(lines[0]) if lines else None
        except json.JSONDecodeError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise JournalError(f"{self.path}: not a bng audit journal; give another report folder, or --fresh")
        if header.get("options") != self.options:
            raise JournalError(
                f"{self.path}: the audit in this folder was run with {_describe(header.get('options'))}, "
                f"not {_describe(self.options)}; give the same options to resume it, or --fresh to start again"
            )
        for line in lines[1:]:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and isinstance(row.get("source"), str):
                self.rows[row["source"]] = row

    def done(self, key: str, fingerprint: str) -> bool:
        """Whether the item was audited already, as it is now (the same fingerprint): a resumed run skips it."""
        row = self.rows.get(key)
        return row is not None and row.get("fingerprint") == fingerprint

    def append(self, row: dict[str, Any]) -> None:
        """Keep one finished row, flushed at once so that a kill loses at most the row being written."""
        assert self._file is not None
        self._file.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        self._file.flush()
        self.rows[row["source"]] = row
        if time.monotonic() - self._synced > SYNC_SECONDS:
            self.sync()

    def sync(self) -> None:
        """Make the rows written so far durable (fsync): called every few seconds and at the end."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._synced = time.monotonic()

    def close(self) -> None:
        """Sync and close; a closed journal is resumed by opening it again."""
        if self._file is not None:
            self.sync()
            self._file.close()
            self._file = None


def _describe(options: Any) -> str:
    if not isinstance(options, dict):
        return "unknown options"
    return ", ".join(f"{k}={v}" for k, v in sorted(options.items())) or "the default options"
