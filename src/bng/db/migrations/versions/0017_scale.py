"""Counts of the public search that read an index, not the gain sites: a partial index on each
module's units left to allocate, of registered gain sites only (measured with 100,000 gain sites and
1,000,000 parcels, ``benchmarks/bench_traffic.py``, ``docs/performance.md``).

The count of every registered gain site, and of those with at least so many units of a module
left, was a sequential scan of ``gain_site`` (wide rows: the boundary is kept with each); with these
it is an index-only scan of a narrow index (the smallest of the three for the plain count, a range
of one for ``min_units``). Both engines.

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

MODULES = ("area", "hedgerow", "watercourse")


def upgrade() -> None:
    registered = sa.text("status = 'registered'")
    for module in MODULES:
        op.create_index(
            f"ix_gain_site_left_{module}",
            "gain_site",
            [f"remaining_{module}_units_micro"],
            postgresql_where=registered,
            sqlite_where=registered,
        )


def downgrade() -> None:
    for module in MODULES:
        op.drop_index(f"ix_gain_site_left_{module}", "gain_site")
