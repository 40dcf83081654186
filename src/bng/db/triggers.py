"""Rules the database itself enforces, on both engines.

The capacity ledger, removals, and the append-only audit log and histories. Created (and dropped) by the
migrations.
"""

from __future__ import annotations

APPEND_ONLY = ("audit_event", "site_event", "application_event")

# -- SQLite -------------------------------------------------------------------------------------------

SQLITE_CREATE: tuple[str, ...] = (
    *(
        stmt
        for table in APPEND_ONLY
        for stmt in (
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only: entries cannot be changed'); END""",
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only: entries cannot be deleted'); END""",
        )
    ),
    """CREATE TRIGGER allocation_line_add AFTER INSERT ON allocation_line
       BEGIN
         SELECT RAISE(ABORT, 'allocation line: the parcel is not a parcel of the allocation''s gain site')
          WHERE (SELECT gain_site_id FROM habitat_parcel WHERE id = NEW.parcel_id)
                IS NOT (SELECT gain_site_id FROM allocation WHERE id = NEW.allocation_id);
         SELECT RAISE(ABORT, 'allocation line: the gain site is not on the register')
          WHERE (SELECT s.status FROM gain_site s JOIN habitat_parcel p ON p.gain_site_id = s.id
                  WHERE p.id = NEW.parcel_id) IS NOT 'registered';
         UPDATE habitat_parcel
            SET allocated_size_micro = allocated_size_micro + NEW.size_micro,
                allocated_units_micro = allocated_units_micro + NEW.units_micro
          WHERE id = NEW.parcel_id;
       END""",
    """CREATE TRIGGER allocation_line_remove AFTER DELETE ON allocation_line
       BEGIN
         UPDATE habitat_parcel
            SET allocated_size_micro = allocated_size_micro - OLD.size_micro,
                allocated_units_micro = allocated_units_micro - OLD.units_micro
          WHERE id = OLD.parcel_id;
       END""",
    """CREATE TRIGGER allocation_line_no_update BEFORE UPDATE ON allocation_line
       BEGIN SELECT RAISE(ABORT, 'allocation lines cannot be changed: delete the line and add a new one'); END""",
    """CREATE TRIGGER gain_site_removal BEFORE UPDATE OF status ON gain_site
       WHEN NEW.status = 'removed'
        AND EXISTS (SELECT 1 FROM habitat_parcel WHERE gain_site_id = NEW.id AND allocated_size_micro > 0)
       BEGIN SELECT RAISE(ABORT, 'a gain site with allocations cannot be removed from the register'); END""",
)
SQLITE_DROP: tuple[str, ...] = tuple(
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        *(f"{t}_{w}" for t in APPEND_ONLY for w in ("no_update", "no_delete")),
        "allocation_line_add",
        "allocation_line_remove",
        "allocation_line_no_update",
        "gain_site_removal",
    )
)

# -- PostgreSQL ---------------------------------------------------------------------------------------

POSTGRES_CREATE: tuple[str, ...] = (
    """CREATE FUNCTION bng_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION '% is append-only: entries cannot be changed or deleted', TG_TABLE_NAME
           USING ERRCODE = 'restrict_violation';
       END $$""",
    *(
        stmt
        for table in APPEND_ONLY
        for stmt in (
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION bng_append_only()""",
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION bng_append_only()""",
        )
    ),
    """CREATE FUNCTION bng_allocation_line() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         parcel_site integer;
       BEGIN
         IF TG_OP = 'INSERT' THEN
           SELECT gain_site_id INTO parcel_site FROM habitat_parcel WHERE id = NEW.parcel_id;
           IF parcel_site IS DISTINCT FROM (SELECT gain_site_id FROM allocation WHERE id = NEW.allocation_id) THEN
             RAISE EXCEPTION 'allocation line: the parcel is not a parcel of the allocation''s gain site'
               USING ERRCODE = 'check_violation';
           END IF;
           -- a share lock on the site: a removal waits for this allocation, or this waits for the removal
           PERFORM 1 FROM gain_site WHERE id = parcel_site AND status = 'registered' FOR SHARE;
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
       END $$""",
    """CREATE TRIGGER allocation_line_ledger AFTER INSERT OR DELETE ON allocation_line
       FOR EACH ROW EXECUTE FUNCTION bng_allocation_line()""",
    """CREATE TRIGGER allocation_line_no_update BEFORE UPDATE ON allocation_line
       FOR EACH ROW EXECUTE FUNCTION bng_allocation_line()""",
    """CREATE FUNCTION bng_gain_site_removal() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.status = 'removed' AND OLD.status <> 'removed' AND EXISTS (
              SELECT 1 FROM habitat_parcel WHERE gain_site_id = NEW.id AND allocated_size_micro > 0) THEN
           RAISE EXCEPTION 'a gain site with allocations cannot be removed from the register'
             USING ERRCODE = 'check_violation';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER gain_site_removal BEFORE UPDATE OF status ON gain_site
       FOR EACH ROW EXECUTE FUNCTION bng_gain_site_removal()""",
)
POSTGRES_DROP: tuple[str, ...] = (
    *(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in APPEND_ONLY),
    *(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}" for t in APPEND_ONLY),
    "DROP TRIGGER IF EXISTS allocation_line_ledger ON allocation_line",
    "DROP TRIGGER IF EXISTS allocation_line_no_update ON allocation_line",
    "DROP TRIGGER IF EXISTS gain_site_removal ON gain_site",
    "DROP FUNCTION IF EXISTS bng_append_only()",
    "DROP FUNCTION IF EXISTS bng_allocation_line()",
    "DROP FUNCTION IF EXISTS bng_gain_site_removal()",
)


def create_statements(dialect: str) -> tuple[str, ...]:
    """The statements creating the triggers on this dialect."""
    return POSTGRES_CREATE if dialect == "postgresql" else SQLITE_CREATE


def drop_statements(dialect: str) -> tuple[str, ...]:
    """The statements dropping them."""
    return POSTGRES_DROP if dialect == "postgresql" else SQLITE_DROP
