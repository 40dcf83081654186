"""Alembic, driven from code: no alembic.ini to keep beside the package.

``bng db upgrade`` brings any database (SQLite or PostgreSQL + PostGIS) to the newest schema.
"""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from .engine import make_engine, normalise_url


def alembic_config(url: str) -> Config:
    """Alembic's configuration for a database, with the migrations inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("bng.db").joinpath("migrations")))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate a database to ``revision`` (the newest by default), in one transaction."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def downgrade(url: str, revision: str) -> None:
    """Migrate a database back to ``revision``, in one transaction."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()


def current(engine: Engine) -> str | None:
    """The database's schema revision (None: never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str:
    """The newest revision the package ships."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    found = script.get_current_head()
    assert found is not None
    return found
