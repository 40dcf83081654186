"""Values kept by key up to a number of bytes, the least recently used going first.

One bound for every in-memory store a worker keeps: the kept responses (``web/cache.py``) and the OS Maps
tiles (``web/tile_cache.py``). A count of entries says nothing of their size, so each is bounded by bytes.
Not thread-safe by itself: each store holds its own lock around it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BytesLRU(OrderedDict[K, V]):
    """An ordered dict whose values' sizes (``size_of``) add up to at most ``limit`` bytes; add with :meth:`put`."""

    def __init__(self, limit: int, size_of: Callable[[V], int]) -> None:
        super().__init__()
        self.limit = limit
        self.size = 0
        self._size_of = size_of

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` as the most recent, letting the least recently used go while over the limit.

        A value larger than the whole limit is not kept (it would only push out everything else).
        """
        size = self._size_of(value)
        if size > self.limit:
            return
        old = self.pop(key, None)
        if old is not None:
            self.size -= self._size_of(old)
        self[key] = value
        self.size += size
        while self.size > self.limit:
            _, gone = self.popitem(last=False)
            self.size -= self._size_of(gone)

    def clear(self) -> None:
        """Forget every value."""
        super().clear()
        self.size = 0
