"""Every exception bng.submission raises, in one module."""

from __future__ import annotations


class BundleError(Exception):
    """The submission cannot be opened at all (the message names the file and the limit)."""


class DocumentInputError(ValueError):
    """The submission lacks what the documents are made from (the message says what)."""


class UnknownLpa(ValueError):
    """An LPA named for a submission that the planning tables do not know."""
