"""Database fixtures shared by the register, database and web tests.

``engine`` is parametrised: every test that uses ``database`` (or anything built on it) runs
once on SQLite and once on a throwaway PostgreSQL + PostGIS server, started once per test
session (per xdist worker) and removed at the end. Each test gets its own database, cloned from
a template that was migrated (and, for ``world``, filled) once: real migrations, real engines,
no mocks, and no test sees another's changes.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from bng.bootstrap import Config, Wired, wire
from bng.db.database import Database
from bng.register.accounts.passwords import Passwords
from tests.db.postgres import Server, throwaway_server
from tests.register import world as world_module
from tests.register.memory_fixtures import MemoryRegister, memory_register

ENGINES = ("sqlite", "postgresql")
"""Where a test of the register runs unless its module says otherwise (``pytest.mark.engines``): "memory" is
the in-memory register (tests/register/memory.py), for tests whose point is not the database."""
CHEAP_PASSWORDS = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
"""Argon2id with small costs: the tests make many accounts (test_passwords checks the real costs)."""


class Clock:
    """A clock the tests can set (naive UTC)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Template:
    """A migrated (and perhaps filled) database to copy, with its file store."""

    engine: str
    location: str  # SQLite file path, or PostgreSQL database name
    files: Path
    world: world_module.World | None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    with throwaway_server() as server:
        yield server


class Templates:
    def __init__(self, root: Path, request: pytest.FixtureRequest) -> None:
        self.root = root
        self.request = request
        self.made: dict[tuple[str, bool], Template] = {}

    def server(self) -> Server:
        found: Server = self.request.getfixturevalue("postgres_server")
        return found

    def get(self, engine: str, with_world: bool) -> Template:
        key = (engine, with_world)
        if key not in self.made:
            self.made[key] = self._make(engine, with_world)
        return self.made[key]

    def _make(self, engine: str, with_world: bool) -> Template:
        name = f"tpl_{'world' if with_world else 'empty'}"
        files = self.root / f"{engine}-{name}-files"
        files.mkdir()
        if engine == "sqlite":
            location = str(self.root / f"{name}.sqlite3")
            url = f"sqlite:///{location}"
        else:
            server = self.server()
            server.psql(f"CREATE DATABASE {name}")
            server.psql("CREATE EXTENSION postgis", name)
            location, url = name, server.url(name)
        Database(url).upgrade()
        found = None
        if with_world:
            wired = wire(Config(url, files, "test-secret"), Clock(world_module.NOW), CHEAP_PASSWORDS)
            try:
                found = world_module.build(wired.services)
            finally:
                wired.database.dispose()
        return Template(engine, location, files, found)

    def clone(self, template: Template, target: Path) -> tuple[str, Path, Callable[[], object]]:
        files = target / "files"
        shutil.copytree(template.files, files)
        if template.engine == "sqlite":
            path = target / "register.sqlite3"
            shutil.copyfile(template.location, path)
            return f"sqlite:///{path}", files, lambda: None
        server = self.server()
        name = f"t_{uuid.uuid4().hex[:16]}"
        server.psql(f"CREATE DATABASE {name} TEMPLATE {template.location}")
        return server.url(name), files, lambda: server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Templates:
    return Templates(tmp_path_factory.mktemp("templates"), request)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test that uses the register once per engine its module (or the test) names with
    ``pytest.mark.engines``, else once per engine of ENGINES; a test parametrising ``engine`` itself keeps that."""
    if "engine" not in metafunc.fixturenames:
        return
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", ())
        if "engine" in ([n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)):
            return
    marker = metafunc.definition.get_closest_marker("engines")
    engines = marker.args if marker else ENGINES
    if marker is not None and os.environ.get("BNG_MEMORY_AS"):  # e.g. sqlite: run the in-memory tests there too
        engines = (*engines, *(e for e in os.environ["BNG_MEMORY_AS"].split(",") if e not in engines))
    metafunc.parametrize("engine", engines, indirect=True)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class Register:
    """A register for one test: its URL, file store, clock, services and (if asked) the world in it."""

    url: str
    files: Path
    clock: Clock
    wired: Wired
    world: world_module.World | None

    @property
    def services(self) -> Any:
        return self.wired.services

    @property
    def database(self) -> Database:
        return self.wired.database

    @property
    def engine_is_pg(self) -> bool:
        return self.url.startswith("postgresql")


def _register(templates: Templates, engine: str, tmp_path: Path, with_world: bool) -> Iterator[Register]:
    template = templates.get(engine, with_world)
    url, files, drop = templates.clone(template, tmp_path)
    clock = Clock(world_module.NOW)
    wired = wire(Config(url, files, "test-secret"), clock, CHEAP_PASSWORDS)
    try:
        yield Register(url, files, clock, wired, template.world)
    finally:
        wired.database.dispose()
        drop()


@pytest.fixture
def empty_register(templates: Templates, engine: str, tmp_path: Path) -> Iterator[Register | MemoryRegister]:
    """A migrated register with only its reference lists (LPAs, responsible bodies)."""
    if engine == "memory":
        yield memory_register(with_world=False)
        return
    yield from _register(templates, engine, tmp_path, with_world=False)


@pytest.fixture
def register(templates: Templates, engine: str, tmp_path: Path) -> Iterator[Register | MemoryRegister]:
    """A register holding the test world (tests/register/world.py)."""
    if engine == "memory":
        yield memory_register(with_world=True)
        return
    yield from _register(templates, engine, tmp_path, with_world=True)
