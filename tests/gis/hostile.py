"""Hostile habitat maps, made from a valid GeoPackage of the shared examples with plain sqlite3: what
an attacker (or a broken tool) can put in a file that is otherwise a template GeoPackage."""

from __future__ import annotations

import shutil
import sqlite3
import struct
import time
from pathlib import Path

import numpy as np
import shapely

from ..conftest import SHARED

VALID = SHARED / "spec" / "geopackages" / "valid" / "Baseline - complete with area refs.gpkg"
FOREVER = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"


def _copy(target: Path, source: Path = VALID) -> sqlite3.Connection:
    shutil.copyfile(source, target)
    return sqlite3.connect(target)


def recursive_view(target: Path, layer: str = "Habitats", source: Path = VALID) -> Path:
    """The layer replaced by a self-recursive view of itself: reading it never ends."""
    con = _copy(target, source)
    con.execute(f'ALTER TABLE "{layer}" RENAME TO "hidden"')
    columns = ", ".join(f'hidden."{r[1]}"' for r in con.execute('PRAGMA table_info("hidden")'))
    con.execute(f'CREATE VIEW "{layer}" AS {FOREVER} SELECT {columns} FROM hidden, r')
    con.commit()
    con.close()
    return target


def own_trigger(target: Path) -> Path:
    """A trigger that is none of the standard's (it would run on a write, and never should be there)."""
    con = _copy(target)
    con.execute(
        f'CREATE TRIGGER "evil" AFTER INSERT ON "Habitats" BEGIN SELECT count(*) FROM ({FOREVER} SELECT n FROM r); END'
    )
    con.commit()
    con.close()
    return target


def generated_column(target: Path) -> Path:
    """A column computed on every read: here a text of a gigabyte per row."""
    con = _copy(target)
    con.execute(
        """ALTER TABLE "Habitats" ADD COLUMN "Notes" TEXT GENERATED ALWAYS AS (printf('%.*c', 1000000000, 'x'))"""
    )
    con.commit()
    con.close()
    return target


def virtual_table(target: Path) -> Path:
    """A virtual table of a module other than the R-tree index the standard uses."""
    con = _copy(target)
    con.execute('CREATE VIRTUAL TABLE "search" USING fts5(text)')
    con.commit()
    con.close()
    return target


def circle(vertices: int, easting: float = 545_000.0, northing: float = 258_000.0, radius: float = 50.0) -> bytes:
    """A polygon of ``vertices`` vertices (the last repeating the first), as WKB."""
    t = np.linspace(0, 2 * np.pi, vertices)
    ring = np.column_stack([easting + radius * np.cos(t), northing + radius * np.sin(t)])
    ring[-1] = ring[0]
    return bytes(shapely.to_wkb(shapely.Polygon(ring)))


def gpkg_blob(wkb: bytes, srs_id: int = 27700) -> bytes:
    """A GeoPackage geometry blob: the 'GP' header (little-endian, no envelope) and the WKB."""
    return b"GP\x00\x01" + struct.pack("<i", srs_id) + wkb


def _drop_rtree_triggers(con: sqlite3.Connection) -> None:
    """The R-tree triggers call functions only GDAL defines: a plain sqlite3 write needs them gone."""
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree_%'"):
        con.execute(f'DROP TRIGGER "{name}"')


def many_rows(target: Path, rows: int, layer: str = "Habitats") -> Path:
    """A layer whose first feature is repeated until it has ``rows`` rows (a long table scan)."""
    con = _copy(target)
    _drop_rtree_triggers(con)
    columns = ", ".join(f'"{r[1]}"' for r in con.execute(f'PRAGMA table_info("{layer}")') if r[1] != "fid")
    first = con.execute(f'SELECT min(fid) FROM "{layer}"').fetchone()[0]
    bounded = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < ?)"
    con.execute(
        f'INSERT INTO "{layer}" ({columns}) {bounded} SELECT {columns} FROM "{layer}", r WHERE fid = ?',
        (rows, first),
    )
    con.commit()
    con.close()
    return target


def many_vertices(target: Path, vertices: int, layer: str = "Habitats", source: Path = VALID) -> Path:
    """The first feature of a layer given a polygon of ``vertices`` vertices (its R-tree triggers are
    dropped first: they call functions only GDAL defines)."""
    con = _copy(target, source)
    _drop_rtree_triggers(con)
    fid = con.execute(f'SELECT min(fid) FROM "{layer}"').fetchone()[0]
    (column,) = con.execute(
        "SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)", (layer,)
    ).fetchone()
    con.execute(f'UPDATE "{layer}" SET "{column}" = ? WHERE fid = ?', (gpkg_blob(circle(vertices)), fid))
    con.commit()
    con.close()
    return target


class Timed:
    """Wall-clock and CPU time (of this thread: GDAL's and GEOS's work included) of a block.

    Timing assertions use the CPU time, which the other processes of a shared machine do not stretch,
    and a generous wall-clock bound besides, which a hang or a wait on a lock would break."""

    def __enter__(self) -> Timed:
        self._wall, self._cpu = time.monotonic(), time.thread_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.monotonic() - self._wall
        self.cpu = time.thread_time() - self._cpu

    def __str__(self) -> str:
        return f"{self.cpu:.2f} s of CPU, {self.wall:.2f} s in all"
