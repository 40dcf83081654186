"""Allocations: where the development is, what its metric stated, its documents; and what each gain
site has left to allocate, kept by the database.

``gain_site.remaining_*_units_micro`` is, per module, the sum over the site's created and enhanced
parcels of units less allocated units. Triggers on ``habitat_parcel`` keep it whenever a parcel is
added, changed or deleted (so every path that moves a parcel's ledger moves the site's total too),
and a CHECK keeps it at or above 0. On PostgreSQL the allocation-line trigger now takes the gain
site's row lock (FOR NO KEY UPDATE) where it took a share lock: two allocations on one site would
otherwise both hold the share lock and deadlock when the parcel trigger updates the site's total.

The SQL lives here, not in ``bng.db.triggers``, so that this revision creates the same thing however
that module changes later.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

from bng.db import triggers

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MODULES = ("area", "hedgerow", "watercourse")


def _column_sql() -> list[str]:
    return [
        *(
            f"ALTER TABLE gain_site ADD COLUMN remaining_{m}_units_micro BIGINT DEFAULT '0' NOT NULL "
            f"CONSTRAINT ck_gain_site_remaining_{m}_units CHECK (remaining_{m}_units_micro >= 0)"
            for m in MODULES
        ),
        "ALTER TABLE allocation ADD COLUMN development_grid_reference VARCHAR(20) DEFAULT '' NOT NULL",
        "ALTER TABLE allocation ADD COLUMN development_easting FLOAT",
        "ALTER TABLE allocation ADD COLUMN development_northing FLOAT",
        "ALTER TABLE allocation ADD COLUMN development_nca VARCHAR(200) DEFAULT '' NOT NULL",
        "ALTER TABLE allocation ADD COLUMN development_lnrs VARCHAR(200) DEFAULT '' NOT NULL",
        "ALTER TABLE allocation ADD COLUMN stated_spatial_risk VARCHAR(20) DEFAULT '' NOT NULL",
        *(
            f"ALTER TABLE allocation ADD COLUMN {column} INTEGER "
            f"CONSTRAINT fk_allocation_{column}_{table} REFERENCES {table} (id)"
            for column, table in (
                ("consent_file_id", "stored_file"),
                ("metric_file_id", "stored_file"),
                ("application_id", "application"),
            )
        ),
    ]


def _remaining(sign: str, row: str, module: str) -> str:
    return (
        f"remaining_{module}_units_micro = remaining_{module}_units_micro {sign} "
        f"CASE WHEN {row}.module = '{module}' THEN {row}.units_micro - {row}.allocated_units_micro ELSE 0 END"
    )


def _site_update(sign: str, row: str) -> str:
    sets = ", ".join(_remaining(sign, row, m) for m in MODULES)
    return f"UPDATE gain_site SET {sets} WHERE id = {row}.gain_site_id"


SQLITE_CREATE = (
    f"""CREATE TRIGGER habitat_parcel_remaining_insert AFTER INSERT ON habitat_parcel
        WHEN NEW.stage <> 'baseline'
        BEGIN {_site_update("+", "NEW")}; END""",
    f"""CREATE TRIGGER habitat_parcel_remaining_delete AFTER DELETE ON habitat_parcel
        WHEN OLD.stage <> 'baseline'
        BEGIN {_site_update("-", "OLD")}; END""",
    f"""CREATE TRIGGER habitat_parcel_remaining_update
        AFTER UPDATE OF gain_site_id, module, stage, units_micro, allocated_units_micro ON habitat_parcel
        BEGIN
          {_site_update("-", "OLD")} AND OLD.stage <> 'baseline';
          {_site_update("+", "NEW")} AND NEW.stage <> 'baseline';
        END""",
)
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS habitat_parcel_remaining_{w}" for w in ("insert", "delete", "update"))

POSTGRES_ALLOCATION_LINE = """CREATE OR REPLACE FUNCTION bng_allocation_line() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         parcel_site integer;
       BEGIN
         IF TG_OP = 'INSERT' THEN
           SELECT gain_site_id INTO parcel_site FROM habitat_parcel WHERE id = NEW.parcel_id;
           IF parcel_site IS DISTINCT FROM (SELECT gain_site_id FROM allocation WHERE id = NEW.allocation_id) THEN
             RAISE EXCEPTION 'allocation line: the parcel is not a parcel of the allocation''s gain site'
               USING ERRCODE = 'check_violation';
           END IF;
           -- the site's row lock, taken before the parcel's: allocations on one site queue here (the
           -- parcel trigger updates the site's remaining units), and a removal waits for them
           PERFORM 1 FROM gain_site WHERE id = parcel_site AND status = 'registered' FOR NO KEY UPDATE;
           IF NOT FOUND THEN
             RAISE EXCEPTION 'allocation line: the gain site is not on the register' USING ERRCODE = 'check_violation';
           END IF;
           UPDATE habitat_parcel
              SET allocated_size_micro = allocated_size_micro + NEW.size_micro,
                  allocated_units_micro = allocated_units_micro + NEW.units_micro
            WHERE id = NEW.parcel_id;
           RETURN NEW;
         ELSIF TG_OP = 'DELETE' THEN
           UPDATE habitat_parcel
              SET allocated_size_micro = allocated_size_micro - OLD.size_micro,
                  allocated_units_micro = allocated_units_micro - OLD.units_micro
            WHERE id = OLD.parcel_id;
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'allocation lines cannot be changed: delete the line and add a new one'
           USING ERRCODE = 'restrict_violation';
       END $$"""

POSTGRES_CREATE = (
    POSTGRES_ALLOCATION_LINE,
    f"""CREATE FUNCTION bng_habitat_parcel_remaining() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP <> 'INSERT' AND OLD.stage <> 'baseline' THEN
           {_site_update("-", "OLD")};
         END IF;
         IF TG_OP <> 'DELETE' AND NEW.stage <> 'baseline' THEN
           {_site_update("+", "NEW")};
         END IF;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER habitat_parcel_remaining AFTER INSERT OR DELETE ON habitat_parcel
       FOR EACH ROW EXECUTE FUNCTION bng_habitat_parcel_remaining()""",
    """CREATE TRIGGER habitat_parcel_remaining_update
       AFTER UPDATE OF gain_site_id, module, stage, units_micro, allocated_units_micro ON habitat_parcel
       FOR EACH ROW EXECUTE FUNCTION bng_habitat_parcel_remaining()""",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS habitat_parcel_remaining ON habitat_parcel",
    "DROP TRIGGER IF EXISTS habitat_parcel_remaining_update ON habitat_parcel",
    "DROP FUNCTION IF EXISTS bng_habitat_parcel_remaining()",
)

FILL = "UPDATE gain_site SET " + ", ".join(
    f"remaining_{m}_units_micro = (SELECT COALESCE(SUM(p.units_micro - p.allocated_units_micro), 0) "
    f"FROM habitat_parcel p WHERE p.gain_site_id = gain_site.id AND p.module = '{m}' AND p.stage <> 'baseline')"
    for m in MODULES
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for stmt in _column_sql():
        op.execute(stmt)
    op.execute(FILL)
    op.create_index("ix_gain_site_remaining_area", "gain_site", ["remaining_area_units_micro"])
    for stmt in POSTGRES_CREATE if dialect == "postgresql" else SQLITE_CREATE:
        op.execute(stmt)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for stmt in POSTGRES_DROP:
            op.execute(stmt)
        # the allocation-line function as revision 0001 made it (a share lock on the site)
        old = next(s for s in triggers.POSTGRES_CREATE if "bng_allocation_line()" in s.split("RETURNS")[0])
        op.execute(old.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    else:
        # SQLite rebuilds the allocation table to drop its foreign keys; a trigger that names the
        # table would stop the rename, so revision 0001's triggers are dropped and made again
        for stmt in (*SQLITE_DROP, *triggers.SQLITE_DROP):
            op.execute(stmt)
    with op.batch_alter_table("allocation") as batch:
        for column in ("consent_file_id", "metric_file_id", "application_id"):
            if dialect == "postgresql":
                table = "application" if column == "application_id" else "stored_file"
                batch.drop_constraint(f"fk_allocation_{column}_{table}")
            batch.drop_column(column)
        for column in (
            "development_grid_reference",
            "development_easting",
            "development_northing",
            "development_nca",
            "development_lnrs",
            "stated_spatial_risk",
        ):
            batch.drop_column(column)
    if dialect != "postgresql":
        for stmt in triggers.SQLITE_CREATE:
            op.execute(stmt)
    op.drop_index("ix_gain_site_remaining_area", "gain_site")
    for m in MODULES:
        if dialect == "postgresql":
            op.execute(f"ALTER TABLE gain_site DROP CONSTRAINT ck_gain_site_remaining_{m}_units")
        op.execute(f"ALTER TABLE gain_site DROP COLUMN remaining_{m}_units_micro")
