"""Indexes for the public search and the open data, measured on 100,000 gain sites
(``benchmarks/bench_register.py``, ``docs/performance.md``).

- ``gain_site.updated_at`` and ``allocation.created_at`` (both engines): every open data response
  says when the register last changed, ``max()`` of each, which otherwise reads every row.
- PostgreSQL only: ``pg_trgm`` and a trigram GIN index on ``lower(habitat_parcel.habitat)``, so
  that the search by habitat (``lower(habitat) LIKE '%…%'``) finds the parcels without reading all
  of them; and a GiST index on each gain site's extent as a ``box``, which the search by bounding
  box and by distance uses (``bng.db.uow.Sites.search`` adds the matching ``&&`` on PostgreSQL).
  SQLite has neither, and its searches read the rows as before.

Downgrading drops the indexes but leaves the ``pg_trgm`` extension, as revision 0001 leaves PostGIS:
something else in the database may use it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

POSTGRES_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_habitat_parcel_habitat_trgm ON habitat_parcel USING gin (lower(habitat) gin_trgm_ops)",
    "CREATE INDEX ix_gain_site_extent ON gain_site USING gist (box(point(min_e, min_n), point(max_e, max_n)))",
)
POSTGRES_DROP = (
    "DROP INDEX IF EXISTS ix_gain_site_extent",
    "DROP INDEX IF EXISTS ix_habitat_parcel_habitat_trgm",
)


def upgrade() -> None:
    op.create_index("ix_gain_site_updated_at", "gain_site", ["updated_at"])
    op.create_index("ix_allocation_created_at", "allocation", ["created_at"])
    if op.get_bind().dialect.name == "postgresql":
        for stmt in POSTGRES_CREATE:
            op.execute(stmt)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for stmt in POSTGRES_DROP:
            op.execute(stmt)
    op.drop_index("ix_allocation_created_at", "allocation")
    op.drop_index("ix_gain_site_updated_at", "gain_site")
