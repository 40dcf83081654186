"""Every exception bng.metric raises, in one module."""

from __future__ import annotations


class ReferenceDataError(ValueError):
    """A reference table is missing, malformed or inconsistent."""


class XlError(Exception):
    """A spreadsheet error value (#VALUE!, #N/A) raised where a formula would produce one."""
