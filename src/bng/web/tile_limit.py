"""A limit on the map tiles each client may ask for, so that nobody can spend the service's OS Maps quota.

``/maps/tiles`` passes tiles on with the service's own key to anyone: without a limit, a script (or one page
left reloading) could use up the quota and make the service a free tile relay. Each worker counts the tiles
each client asks for in a fixed window, in memory (a tile is too small a thing to write to the database for),
and answers 429 with Retry-After past :data:`TILES_PER_WINDOW`.

A client is its address as the application takes it (``request.remote_addr``, from X-Forwarded-For only
behind ``BNG_TRUSTED_PROXIES``). An IPv6 client is its /64, the block one household or server is given, so
that one machine cannot take a fresh count from each of its 2^64 addresses. The table of clients holds at
most :data:`CLIENTS`, the least recently seen going first: an attacker rotating addresses cannot grow it, and
at worst makes the table forget counts, which gives no client more than the limit for each address it has.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

TILES_PER_WINDOW = 600
"""Tiles a client may ask for in a window: a map view asks for 20-60, so ten or more views a minute."""
WINDOW = 60.0
"""Seconds of a client's window: counted from its first tile, its count starts again after it."""
CLIENTS = 10_000
"""Clients a worker counts at once (under 3 MB): more than the distinct addresses a worker sees in a minute."""


def client_of(address: str | None) -> str:
    """Who is counted for a request from ``address``: the address itself, or its /64 for IPv6."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


class TileLimit:
    """Each client's tiles in a fixed window, for at most ``clients`` clients (the least recently seen forgotten)."""

    def __init__(
        self,
        limit: int = TILES_PER_WINDOW,
        window: float = WINDOW,
        clients: int = CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clients = clients
        self.clock = clock
        self._counts: OrderedDict[str, list[float]] = OrderedDict()  # client: [window's start, tiles]
        self._lock = threading.Lock()

    def wait(self, client: str) -> int:
        """Count a tile for ``client``: 0 when it may have it, else the whole seconds until its window ends."""
        now = self.clock()
        with self._lock:
            count = self._counts.get(client)
            if count is None or now - count[0] >= self.window:
                count = self._counts[client] = [now, 0.0]
                while len(self._counts) > self.clients:
                    self._counts.popitem(last=False)
            self._counts.move_to_end(client)
            if count[1] >= self.limit:
                return max(1, math.ceil(count[0] + self.window - now))
            count[1] += 1
            return 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._counts)
