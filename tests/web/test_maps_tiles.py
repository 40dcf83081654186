"""The OS Maps tiles route as an attacker sees it: each client's tiles are limited (429 with Retry-After, the
count per address or IPv6 /64, the table of clients bounded however many addresses ask), and each tile is
fetched from OS Maps once per worker (a bytes-bounded store; one fetch for requests that arrive together; a
failed tile asked again), against the stand-in speaking OS's ZXY API."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask import Flask

from bng.bootstrap import load_config, os_maps_of
from bng.web.app import Settings, create_app
from bng.web.os_maps import OsMaps
from bng.web.tile_cache import DEFAULT_BYTES, OVERHEAD
from bng.web.tile_limit import CLIENTS, TILES_PER_WINDOW, WINDOW, TileLimit
from tests.db.fixtures import Register
from tests.web.os_maps_stand_in import KEY, png, running

SQLITE = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _app(register: Register, os_maps: OsMaps, limit: TileLimit | None = None, proxies: int = 0) -> Flask:
    app = create_app(
        register.services, Settings(secret_key="t", testing=True, os_maps=os_maps, trusted_proxies=proxies)
    )
    if limit is not None:
        app.extensions["bng.tile_limit"] = limit
    return app


def _get(app: Flask, path: str, address: str = "127.0.0.1", **headers: str) -> tuple[int, dict[str, str], bytes]:
    r = app.test_client().get(path, environ_base={"REMOTE_ADDR": address}, headers=headers)
    return r.status_code, dict(r.headers), r.data


@SQLITE
def test_past_its_limit_a_client_is_answered_429_until_its_window_ends(register: Register) -> None:
    clock = Clock()
    with running() as (base_url, seen):
        app = _app(register, OsMaps(KEY, base_url=base_url), TileLimit(limit=5, window=60, clock=clock))
        for _ in range(5):
            assert _get(app, "/maps/tiles/5/20/30.png", "198.51.100.7")[0] == 200
        clock.now += 20
        status, headers, body = _get(app, "/maps/tiles/5/20/31.png", "198.51.100.7")
        assert status == 429 and headers["Retry-After"] == "40" and b"try again in 40 s" in body
        assert headers["Cache-Control"] == "no-store"
        assert len(seen) == 1, "a refused tile is not asked of OS"
        assert _get(app, "/maps/tiles/9/9/9.png", "198.51.100.7")[0] == 429, "out-of-matrix tiles count too"
        assert _get(app, "/maps/tiles/5/20/30.png", "198.51.100.8")[0] == 200, "another client has its own count"
        # without a trusted proxy, X-Forwarded-For is anyone's to write: it gives no fresh count
        spoofed = _get(app, "/maps/tiles/5/20/30.png", "198.51.100.7", **{"X-Forwarded-For": "203.0.113.1"})
        assert spoofed[0] == 429
        clock.now += 39.5
        assert _get(app, "/maps/tiles/5/20/30.png", "198.51.100.7")[1]["Retry-After"] == "1"
        clock.now += 0.5
        for _ in range(5):
            assert _get(app, "/maps/tiles/5/20/30.png", "198.51.100.7")[0] == 200, "a new window, a new count"
        assert _get(app, "/maps/tiles/5/20/30.png", "198.51.100.7")[0] == 429


@SQLITE
def test_behind_a_trusted_proxy_each_forwarded_client_is_counted(register: Register) -> None:
    with running() as (base_url, _):
        app = _app(register, OsMaps(KEY, base_url=base_url), TileLimit(limit=2, clock=Clock()), proxies=1)
        for client in ("203.0.113.1", "203.0.113.2"):
            for _ in range(2):
                assert _get(app, "/maps/tiles/5/20/30.png", "10.0.0.1", **{"X-Forwarded-For": client})[0] == 200
            assert _get(app, "/maps/tiles/5/20/30.png", "10.0.0.1", **{"X-Forwarded-For": client})[0] == 429


@SQLITE
def test_the_service_limits_a_client_to_its_stated_tiles_a_minute(register: Register) -> None:
    with running() as (base_url, seen):
        app = _app(register, OsMaps(KEY, base_url=base_url))  # the limit the service runs with
        client = app.test_client()
        codes = [client.get("/maps/tiles/5/20/30.png").status_code for _ in range(TILES_PER_WINDOW + 1)]
        assert codes == [200] * TILES_PER_WINDOW + [429]
        r = client.get("/maps/tiles/5/20/30.png")
        assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= WINDOW
        assert len(seen) == 1


@SQLITE
def test_an_ipv6_client_is_counted_by_its_64_block(register: Register) -> None:
    with running() as (base_url, _):
        app = _app(register, OsMaps(KEY, base_url=base_url), TileLimit(limit=3, clock=Clock()))
        for host in range(1, 4):
            assert _get(app, "/maps/tiles/5/20/30.png", f"2001:db8:0:1::{host:x}")[0] == 200
        assert _get(app, "/maps/tiles/5/20/30.png", "2001:db8:0:1:ffff::9")[0] == 429, "same /64, same count"
        assert _get(app, "/maps/tiles/5/20/30.png", "2001:db8:0:2::1")[0] == 200


@SQLITE
def test_the_table_of_clients_stays_bounded_however_many_addresses_ask(register: Register) -> None:
    limit = TileLimit(limit=2, clients=50, clock=Clock())
    with running() as (base_url, _):
        app = _app(register, OsMaps(KEY, base_url=base_url), limit)
        for i in range(300):
            assert _get(app, "/maps/tiles/5/20/30.png", f"198.51.{i // 256}.{i % 256}")[0] == 200
            assert len(limit) <= 50
        for _ in range(2):  # the last clients seen are still counted
            _get(app, "/maps/tiles/5/20/30.png", "198.51.1.43")
        assert _get(app, "/maps/tiles/5/20/30.png", "198.51.1.43")[0] == 429
    rotating = TileLimit(limit=1, clock=Clock())
    for i in range(3 * CLIENTS):
        assert rotating.wait(f"2001:db8::{i:x}/128") == 0
    assert len(rotating) == CLIENTS


@SQLITE
def test_a_tile_asked_again_or_at_once_reaches_os_maps_once(register: Register) -> None:
    with running(delay=0.3) as (base_url, seen):
        app = _app(register, OsMaps(KEY, base_url=base_url))
        answers: list[tuple[int, bytes]] = []
        start = threading.Barrier(8)

        def ask() -> None:
            start.wait()
            r = app.test_client().get("/maps/tiles/6/1/1.png")
            answers.append((r.status_code, r.data))

        threads = [threading.Thread(target=ask) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert answers == [(200, png((200, 120, 120)))] * 8
        assert seen == [f"/maps/raster/v1/zxy/Road_27700/6/1/1.png?key={KEY}"], "eight at once, one fetch"
        for _ in range(5):
            assert _get(app, "/maps/tiles/6/1/1.png")[0] == 200
        assert len(seen) == 1, "asked again, served from memory"


@SQLITE
def test_the_tiles_kept_are_bounded_by_bytes_the_least_recently_used_going_first(register: Register) -> None:
    size = len(png((200, 100, 120))) + OVERHEAD
    with running() as (base_url, seen):
        os_maps = OsMaps(KEY, base_url=base_url, cache_bytes=3 * size)
        app = _app(register, os_maps)
        for x in range(5):
            assert _get(app, f"/maps/tiles/5/{x}/0.png")[0] == 200
        stats = os_maps.cache.stats()
        assert stats["tiles"] == 3 and stats["bytes"] == 3 * size <= stats["limit"]
        _get(app, "/maps/tiles/5/4/0.png")
        assert len(seen) == 5, "a kept tile is not asked again"
        _get(app, "/maps/tiles/5/0/0.png")
        assert len(seen) == 6, "the least recently used was let go"
    assert OsMaps(KEY).cache.limit == DEFAULT_BYTES == 16 * 1024 * 1024


@SQLITE
def test_a_failed_tile_is_not_kept(register: Register) -> None:
    with running(fail_first=1) as (base_url, seen):
        app = _app(register, OsMaps(KEY, base_url=base_url))
        assert _get(app, "/maps/tiles/5/20/30.png")[0] == 502
        assert _get(app, "/maps/tiles/5/20/30.png")[0] == 200
        assert len(seen) == 2, "the failure was asked again"
        assert _get(app, "/maps/tiles/5/20/30.png")[0] == 200
        assert len(seen) == 2, "the tile it then gave is kept"
        wrong = OsMaps("wrong", base_url=base_url)
        for _ in range(2):
            assert _get(_app(register, wrong), "/maps/tiles/1/1/1.png")[0] == 502
        assert len(seen) == 4 and wrong.cache.stats()["tiles"] == 0, "a refused key's answer is not a tile"


def test_the_configuration_sets_the_tiles_kept(tmp_path: Path) -> None:
    env = {"BNG_VAR": str(tmp_path), "BNG_SECRET_KEY": "k", "OS_MAPS_API_KEY": KEY}
    assert os_maps_of(load_config(env)).cache.limit == 16 * 1024 * 1024
    assert os_maps_of(load_config({**env, "BNG_TILE_CACHE_MB": "4"})).cache.limit == 4 * 1024 * 1024
    with pytest.raises(ValueError, match="BNG_TILE_CACHE_MB"):
        load_config({**env, "BNG_TILE_CACHE_MB": "lots"})
