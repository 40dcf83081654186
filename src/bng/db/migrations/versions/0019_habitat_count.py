"""The public search's count by habitat without reading the parcels (issue 14): a partial index of the
created and enhanced parcels' habitat and gain site, and one of registered gain sites' ids.

The count of registered sites with a parcel of a habitat was a trigram index scan then some 11,000
heap pages of ``habitat_parcel`` and a scan of ``gain_site`` (100 ms on 1,000,000 parcels, 300 ms
under load); with these it reads the habitat names present (a skip over the first index), the sites
of the names that match (a range of it) and whether each is registered (the second), all from the
indexes: 30 ms (``docs/performance.md``). Both engines.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sold = sa.text("stage <> 'baseline'")
    op.create_index(
        "ix_habitat_parcel_sold_habitat",
        "habitat_parcel",
        ["habitat", "gain_site_id"],
        postgresql_where=sold,
        sqlite_where=sold,
    )
    registered = sa.text("status = 'registered'")
    op.create_index(
        "ix_gain_site_registered_id", "gain_site", ["id"], postgresql_where=registered, sqlite_where=registered
    )


def downgrade() -> None:
    op.drop_index("ix_gain_site_registered_id", "gain_site")
    op.drop_index("ix_habitat_parcel_sold_habitat", "habitat_parcel")
