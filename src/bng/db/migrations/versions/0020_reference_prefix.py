"""The public search by the start of a gain site's reference from an index, whatever the database's collation.

``reference LIKE 'BGS-1000%'`` cannot use the btree of the unique constraint unless the database's
collation is "C": under C.UTF-8 (the tests' and the benchmark's) or en_GB.UTF-8 its count read every
gain site. An index with ``varchar_pattern_ops`` compares code points, so the planner turns the prefix
into a range of it. Measured on 100,000 gain sites (``docs/performance.md``, 60 prefixes of 1,000
sites each, three times): the count 17.0 ms a search (a sequential scan), now 0.6 ms; the page's p95
20.9 ms, now 2.3 ms. A range predicate on the unique index measured the same, but is right only under a
collation that orders by code point; one on ``reference COLLATE "C"`` with such an index also the same,
at the cost of a PostgreSQL-only expression in the search. PostgreSQL only: SQLite has no operator
classes, and its register is the small one; there this revision does nothing.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_gain_site_reference_prefix ON gain_site (reference varchar_pattern_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_gain_site_reference_prefix")
