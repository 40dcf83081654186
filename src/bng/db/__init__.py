"""Persistence: the register's records in SQLite or PostgreSQL + PostGIS, and its files on disk.

The only package that imports SQLAlchemy, GeoAlchemy2 and Alembic. It implements the interfaces
of :mod:`bng.register.core.ports`: :func:`~bng.db.uow.unit_of_work_factory` and
:class:`~bng.db.filestore.LocalFileStore`.
"""

# the credit tables share the register's metadata: load them whenever bng.db is, so that the
# metadata (migrations, schema comparisons, mappings) always holds every table
from . import credit_tables as credit_tables
