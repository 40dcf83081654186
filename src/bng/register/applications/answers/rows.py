"""What an application's rows may name: its files, the LPAs and responsible bodies, its parcels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bng.register.core import rules
from bng.register.core.model import Lpa, ResponsibleBody, StoredFile
from bng.register.core.summary import Document, Row

from ..habitats import ParcelDraft

NOT_UPLOADED = "Not uploaded"


class Lookups(Protocol):
    """What rows name by id: the application's files, the LPAs and the responsible bodies."""

    @property
    def files(self) -> Mapping[int, StoredFile]:
        """The application's stored files, by id."""
        ...

    @property
    def lpas(self) -> Mapping[int, Lpa]:
        """The LPAs, by id."""
        ...

    @property
    def bodies(self) -> Mapping[int, ResponsibleBody]:
        """The designated responsible bodies, by id."""
        ...


@dataclass(frozen=True)
class RowContext:
    """What a section's rows may name besides its own answers."""

    names: Lookups
    sellable: tuple[ParcelDraft, ...] = ()
    """The application's created and enhanced parcels (the habitats section's), which an allocation takes."""

    def document(self, label: str, file_id: int | None) -> Row:
        """A row naming a stored file: linked, or "Not uploaded"."""
        stored = self.names.files.get(file_id) if file_id is not None else None
        if stored is None or stored.id is None:
            return Row(label, NOT_UPLOADED)
        return Row(label, stored.name, Document(stored.id, stored.name, stored.size))


def long_date(d: date | None) -> str:
    """A date as the guidance writes it (5 March 2026); "" for none, as a row shows an answer not given."""
    return rules.long_date(d) if d is not None else ""
