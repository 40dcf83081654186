"""One handle on a database for the rest of bng: its units of work, migrations and shutdown.

Nothing outside this package touches SQLAlchemy.
"""

from __future__ import annotations

from sqlalchemy import inspect, select

from . import migrate, tables
from .engine import make_engine, normalise_url
from .filestore import LocalFileStore, Swept, sweep
from .uow import SqlUnitOfWork, unit_of_work_factory


class Database:
    """A database (SQLite or PostgreSQL + PostGIS) as the rest of bng uses it: units of work, migrations, shutdown."""

    def __init__(self, url: str, **engine_options: object) -> None:
        """An engine for ``url`` (``postgres://`` and ``postgresql://`` are taken as psycopg 3's)."""
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, **engine_options)
        self.unit_of_work = unit_of_work_factory(self.engine)

    @property
    def dialect(self) -> str:
        """The engine's dialect: ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def upgrade(self) -> None:
        """Migrate to the newest schema."""
        migrate.upgrade(self.url)

    def revision(self) -> str | None:
        """The schema's revision (None: never migrated)."""
        return migrate.current(self.engine)

    def is_current(self) -> bool:
        """Whether the schema is the newest (the server refuses to start on an older one)."""
        return self.revision() == migrate.head()

    def __call__(self, write: bool = False) -> SqlUnitOfWork:
        """A unit of work: ``db()`` for reading, ``db(write=True)`` for a change."""
        return self.unit_of_work(write)

    def stored_file_keys(self) -> set[str]:
        """The file store keys of every stored file recorded (what the sweep must keep)."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(tables.stored_file.c.key)).scalars())

    def sweep(self, store: LocalFileStore) -> Swept | None:
        """Settle the file store against the files this database records (``filestore.sweep``).

        Nothing is done when the database has no table of files yet (never migrated: its files cannot be told).
        """
        if not inspect(self.engine).has_table("stored_file"):
            return None
        return sweep(store, self.stored_file_keys)

    def dispose(self) -> None:
        """Close the engine's connections (SQLite checkpoints its log then)."""
        self.engine.dispose()
