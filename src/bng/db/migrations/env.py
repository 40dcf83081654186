"""Alembic's environment: run the migrations on the connection ``bng.db.migrate`` hands over."""

from __future__ import annotations

from alembic import context

from bng.db.engine import make_engine
from bng.db.tables import metadata

config = context.config


def run() -> None:
    """Run the migrations on the connection ``bng.db.migrate`` gives, or on the URL's (batch mode, for SQLite)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
