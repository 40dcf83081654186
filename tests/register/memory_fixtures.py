"""The in-memory register as a test's register (``engine`` "memory"; see tests/register/memory.py).

A test module whose point is the register's rules, not its storage, says so with
``pytestmark = pytest.mark.engines("memory", "postgresql")``: its tests run on the in-memory register in the
fast tier and on PostgreSQL + PostGIS in the slow one, instead of on SQLite and PostgreSQL
(tests/db/fixtures.py). The world (tests/register/world.py, without its credit orders, which live in the
credits' own records) is built once per worker and copied for each test, as the database templates are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bng.register.core.places import places
from bng.register.services import Services, build_services
from tests.register import world as world_module
from tests.register.memory import MemoryFileStore, MemoryStore, MemoryUnitOfWork, factory, seeded


class Clock:
    """A clock the tests can set (naive UTC), as tests/db/fixtures.py's."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class MemoryRegister:
    """A register for one test, in memory: what ``tests.db.fixtures.Register`` gives, but no database."""

    store: MemoryStore
    files: MemoryFileStore
    clock: Clock
    services: Services
    world: world_module.World | None
    url: str = "memory:"
    engine_is_pg: bool = False

    @property
    def database(self) -> Callable[..., MemoryUnitOfWork]:
        """Units of work, as ``Database`` opens them (``register.database()``); it has no engine."""
        return factory(self.store)


def memory_services(store: MemoryStore, files: MemoryFileStore, clock: Clock) -> Services:
    """The register's services on the in-memory unit of work (cheap password hashes, as the tests' others)."""
    from tests.db.fixtures import CHEAP_PASSWORDS

    return build_services(factory(store), files, clock, places, CHEAP_PASSWORDS)


_templates: dict[bool, tuple[MemoryStore, MemoryFileStore, world_module.World | None]] = {}


def _template(with_world: bool) -> tuple[MemoryStore, MemoryFileStore, world_module.World | None]:
    if with_world not in _templates:
        store, files = seeded(), MemoryFileStore()
        found = None
        if with_world:
            found = world_module.build(memory_services(store, files, Clock(world_module.NOW)), credits=False)
        _templates[with_world] = (store, files, found)
    return _templates[with_world]


def memory_register(with_world: bool) -> MemoryRegister:
    """A copy of the in-memory template: the reference lists, and the world if asked."""
    store, files, found = _template(with_world)
    store, files = store.copy(), files.copy()
    clock = Clock(world_module.NOW)
    return MemoryRegister(store, files, clock, memory_services(store, files, clock), found)
