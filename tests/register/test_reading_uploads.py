"""Uploads are read before the database transaction opens: while a section's files are being read,
every other write (a sign-in) goes ahead. On SQLite a write transaction holds the whole database's
write lock, so a save that read its files inside one made every sign-in wait (and, behind a
never-ending file, answer 409 after 30 s)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from bng.db.filestore import LocalFileStore
from bng.register import samples
from bng.register.core.places import Places, places
from bng.register.core.uploads import Upload
from bng.register.services import build_services
from tests.db.fixtures import CHEAP_PASSWORDS, Register
from tests.register.files import enhanced_maps
from tests.register.world import EMAILS, PASSWORD


class SignInWhileReading:
    """The register's places, which sign someone in (on another thread) each time the boundary being
    read is placed in England: the moment the upload is being checked."""

    def __init__(self, real: Places, sign_in: Any) -> None:
        self._real, self._sign_in = real, sign_in
        self.waits: list[float] = []  # how long each sign-in took, as seen from the reading thread

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def in_england(self, geom: Any) -> bool:
        done = threading.Event()
        started = time.monotonic()
        thread = threading.Thread(target=lambda: (self._sign_in(), done.set()), daemon=True)
        thread.start()
        done.wait(5.0)  # a sign-in waiting behind this save's transaction would never finish before the save
        self.waits.append(time.monotonic() - started if done.is_set() else float("inf"))
        found: bool = self._real.in_england(geom)
        return found


def test_a_sign_in_goes_ahead_while_a_boundary_is_being_read(register: Register) -> None:
    world = register.world
    assert world is not None
    real = places()
    signed: list[str] = []
    watching = SignInWhileReading(real, lambda: signed.append(accounts.sign_in(EMAILS["developer"], PASSWORD)))
    services = build_services(
        register.database, LocalFileStore(register.files), register.clock, lambda: watching, CHEAP_PASSWORDS
    )
    accounts = services.accounts
    t = np.linspace(0, 2 * np.pi, 20_000)
    ring = np.column_stack([545_000 + 100 * np.cos(t), 258_000 + 100 * np.sin(t)])
    ring[-1] = ring[0]
    data = samples.boundary_geojson(ring.tolist())
    services.applications.save_section(
        world.actors["landowner"],
        world.applications["draft"],
        "boundary",
        {"method": "map", "site_name": "Round field"},
        {"boundary_file": Upload("boundary_file", "boundary.geojson", data)},
    )
    assert watching.waits, "the boundary was never placed"
    assert all(w < 4.0 for w in watching.waits), f"sign-ins waited {watching.waits} s behind the save"
    assert len(signed) == len(watching.waits) and all(signed)


def test_the_save_reads_each_upload_once(register: Register, shared: Path) -> None:
    """The second pass, in the transaction, finds every read done: the maps are not read again."""
    import bng.gis as workflow  # the face the register imports load_maps from

    world = register.world
    assert world is not None
    calls: list[int] = []
    real = workflow.load_maps

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    base, post = enhanced_maps(shared)  # a gain site's maps: with an uplift, as the register requires
    maps = {"habitat_baseline_map": base, "habitat_post_map": post}
    workflow.load_maps = counted  # type: ignore[assignment]
    try:
        register.services.applications.save_section(
            world.actors["landowner"],
            world.applications["draft"],
            "habitats",
            {},
            {n: Upload(n, f"{n}.gpkg", d) for n, d in maps.items()},
        )
    finally:
        workflow.load_maps = real  # type: ignore[assignment]
    assert len(calls) == 1
