"""Every exception bng.audit raises, in one module."""

from __future__ import annotations


class JournalError(Exception):
    """A journal that belongs to another audit (other options), or that is not a journal."""


class SourceError(Exception):
    """A source given on the command line that does not exist."""


class TooLarge(Exception):
    """A file (or an archive's member) larger than the audit reads; ``code`` is its finding."""

    code = "FILE_TOO_LARGE"
