"""Persistence: the register's records in SQLite or PostgreSQL + PostGIS, and its files on disk.

The only package that imports SQLAlchemy, GeoAlchemy2 and Alembic. It implements the interfaces
of :mod:`bng.register.ports`: :func:`~bng.db.uow.unit_of_work_factory` and
:class:`~bng.db.filestore.LocalFileStore`.
"""
