"""Reading uploads before the database transaction opens.

Reading an upload (a boundary map, habitat maps, a metric workbook, a PDF's structure) can take
seconds; a write transaction holds SQLite's write lock, so every other write (a sign-in too)
waits while it lasts. So a section is saved in two passes: first its handler runs with no
transaction open, and what it reads is kept here (by the digest of its inputs, failures
included); then it runs again in the write transaction, where every read is found here at once.
Geometries the first pass keeps apart are stored by the second.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from shapely.geometry.base import BaseGeometry

from bng.register.core.errors import Invalid

T = TypeVar("T")


class Reads:
    """Results of reading uploads, by what was read; and geometries waiting to be stored."""

    def __init__(self) -> None:
        self._results: dict[tuple[Any, ...], tuple[bool, Any]] = {}
        self.geometries: dict[str, BaseGeometry] = {}  # digest -> geometry, to keep in the transaction

    def __call__(self, read: Callable[..., T], *args: Any) -> T:
        """``read(*args)``, or its result (or the Invalid it raised) when it has been called with the same inputs."""
        key = (read.__module__, read.__qualname__, *(_key(a) for a in args))
        if key in self._results:
            ok, value = self._results[key]
            if ok:
                return value  # type: ignore[no-any-return]
            raise value
        try:
            result = read(*args)
        except Invalid as err:
            self._results[key] = (False, err)
            raise
        self._results[key] = (True, result)
        return result


def _key(arg: Any) -> Any:
    if isinstance(arg, bytes | bytearray | memoryview):
        return ("bytes", hashlib.sha256(arg).hexdigest())
    if isinstance(arg, BaseGeometry):
        return ("geometry", hashlib.sha256(arg.wkb).hexdigest())
    if isinstance(arg, Mapping):
        text = json.dumps(arg, sort_keys=True, default=str)
        return ("mapping", hashlib.sha256(text.encode()).hexdigest())
    if callable(arg) and hasattr(arg, "__qualname__"):
        return ("callable", getattr(arg, "__module__", ""), arg.__qualname__)
    try:
        hash(arg)
    except TypeError:
        return ("object", id(arg))
    return arg
