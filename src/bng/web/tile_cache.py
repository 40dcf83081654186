"""OS Maps tiles kept in memory, so that each tile is paid for once per worker, not once per map view.

The store is bounded by bytes (``BNG_TILE_CACHE_MB``, 16 MiB by default), the least recently used tile going
first: a count of tiles said nothing of their size, and a tile that some upstream answered oversized could
otherwise fill the worker. Only tiles OS Maps gave are kept: a refusal or a failure is asked again next time.

Requests for a tile already being fetched wait for that one fetch and share its answer (its tile or its
failure), so a map page opened by many people at once, or one client asking the same tile in parallel, still
reaches OS Maps once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from .lru import BytesLRU

DEFAULT_BYTES = 16 * 1024 * 1024
"""Tile bytes a worker keeps: an OS tile is 5-40 kB, so some 800 tiles, the views of a few dozen map pages."""
OVERHEAD = 200
"""Bytes counted for each tile beyond its body (its key, media type and the store's own entry), roughly."""
WAIT = 30.0
"""Seconds a request waits for another's fetch of the same tile before giving up (the fetch's own timeout is 10)."""

Tile = tuple[bytes, str]


class TileFailed(Exception):
    """The fetch this request waited for did not give the tile."""


class _Flight:
    __slots__ = ("done", "error", "tile")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.tile: Tile | None = None
        self.error: BaseException | None = None


class TileCache:
    """A bytes-bounded LRU store of tiles, with one fetch at a time per tile."""

    def __init__(self, limit: int = DEFAULT_BYTES) -> None:
        self.hits = 0
        self.misses = 0
        self._kept: BytesLRU[Hashable, Tile] = BytesLRU(limit, lambda tile: len(tile[0]) + OVERHEAD)
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()

    @property
    def limit(self) -> int:
        """The bytes of tiles this worker keeps at most."""
        return self._kept.limit

    def get(self, key: Hashable, fetch: Callable[[], Tile]) -> Tile:
        """The tile kept under ``key``, or the one ``fetch`` gives (kept if it fits); fetch's errors pass through."""
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
            flight = self._flights.get(key)
            mine = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not mine:
            if not flight.done.wait(WAIT):
                raise TileFailed(f"waited over {WAIT:.0f} s for the tile being fetched")
            if flight.tile is None:
                raise TileFailed(f"the tile being fetched failed: {flight.error}")
            return flight.tile
        try:
            flight.tile = fetch()
        except BaseException as err:
            flight.error = err
            raise
        else:
            self._keep(key, flight.tile)
            return flight.tile
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()

    def _keep(self, key: Hashable, tile: Tile) -> None:
        with self._lock:
            self._kept.put(key, tile)

    def stats(self) -> dict[str, int]:
        """Tiles and bytes kept, the limit, hits and misses: what the docs' figures and the tests read."""
        with self._lock:
            return {
                "tiles": len(self._kept),
                "bytes": self._kept.size,
                "limit": self._kept.limit,
                "hits": self.hits,
                "misses": self.misses,
            }
