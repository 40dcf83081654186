"""What answers look like on a GOV.UK summary list: rows of a label and a value, or a document linked.

The register words them (an application's sections, a credit order's); the web renders them as they
are given.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Document:
    """A stored document a summary row links to."""

    id: int
    name: str
    size: int


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a summary list: its label and its value (one line or more), or the document it names.

    A document is shown by its name linked, its size after it.
    """

    label: str
    value: str = ""
    document: Document | None = None
    action: str = ""
    """What the row's Change link changes, for a screen reader: "" for the label in lower case."""
    changeable: bool = True
    """Whether the row has a Change link where its section can be changed (a figure read from a file has none)."""
