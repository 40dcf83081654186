"""The answers of a registration application, section by section, as typed values.

Each section's answers are kept in the application as a small JSON document (``Application.answers``,
one per section key): JSON is only their storage. Each section has an answer class that owns its
answers: ``parse`` reads the section's form (its typed fields and uploads) and checks it, reporting
the problems it finds all at once; ``from_json`` reads what the section holds (checked answers,
answers saved for later as they were typed, or nothing yet) and never fails on it; ``to_json``
gives what ``from_json`` reads back to the same answers; ``rows`` are its summary list (check your
answers, the submitted application, the case worker's page), which the web renders as given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bng.register.core.summary import Document, Row

from ..habitats import ParcelDraft
from .agreement import HmmpAnswers, LandChargeAnswers, LegalAgreementAnswers
from .allocation import METHODS, AllocationAnswers, parcel_key
from .applicant import ApplicantAnswers
from .boundary import BoundaryAnswers
from .declarations import DECLARATIONS, DeclarationsAnswers
from .habitats import MAP_FIELDS, MAP_LABELS, HabitatsAnswers, uplift_problems
from .ownership import OwnershipAnswers
from .rows import NOT_UPLOADED, Lookups, RowContext, long_date
from .stored import KEPT, SectionAnswers

__all__ = [
    "DECLARATIONS",
    "KEPT",
    "MAP_FIELDS",
    "MAP_LABELS",
    "METHODS",
    "NOT_UPLOADED",
    "SECTION_TYPES",
    "AllocationAnswers",
    "ApplicantAnswers",
    "ApplicationAnswers",
    "BoundaryAnswers",
    "DeclarationsAnswers",
    "Document",
    "HabitatsAnswers",
    "HmmpAnswers",
    "LandChargeAnswers",
    "LegalAgreementAnswers",
    "Lookups",
    "OwnershipAnswers",
    "Row",
    "RowContext",
    "SectionAnswers",
    "long_date",
    "parcel_key",
    "section_of",
    "site_name",
    "uplift_problems",
]

SECTION_TYPES: dict[str, type[SectionAnswers]] = {
    c.KEY: c
    for c in (
        ApplicantAnswers,
        OwnershipAnswers,
        BoundaryAnswers,
        HabitatsAnswers,
        LegalAgreementAnswers,
        LandChargeAnswers,
        HmmpAnswers,
        AllocationAnswers,
        DeclarationsAnswers,
    )
}
"""Each section's answer class, by the section's key."""


def section_of(key: str, doc: Mapping[str, Any] | None) -> SectionAnswers:
    """A section's answers from what it holds (None or {}: not started, every answer at its default)."""
    return SECTION_TYPES[key].from_json(doc or {})


def site_name(answers: Mapping[str, Any]) -> str:
    """The gain site's name an application's stored answers give (its boundary section); "" before it is named.

    Only the boundary section is read: a list of applications names each without reading its habitats.
    """
    held = answers.get("boundary")
    return BoundaryAnswers.from_json(held).site_name if isinstance(held, Mapping) else ""


@dataclass(frozen=True)
class ApplicationAnswers:
    """An application's answers, section by section; None for a section not started."""

    applicant: ApplicantAnswers | None = None
    ownership: OwnershipAnswers | None = None
    boundary: BoundaryAnswers | None = None
    habitats: HabitatsAnswers | None = None
    legal_agreement: LegalAgreementAnswers | None = None
    land_charge: LandChargeAnswers | None = None
    hmmp: HmmpAnswers | None = None
    allocation: AllocationAnswers | None = None
    declarations: DeclarationsAnswers | None = None

    @staticmethod
    def attribute(key: str) -> str:
        """A section's attribute here: its key with "_" for "-" ("legal-agreement": ``legal_agreement``)."""
        return key.replace("-", "_")

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ApplicationAnswers:
        """An application's answers as stored (a section key with nothing in it is not started)."""
        sections: dict[str, Any] = {
            cls.attribute(key): section_of(key, held)
            for key in SECTION_TYPES
            if isinstance(held := doc.get(key), Mapping) and held
        }
        return cls(**sections)

    def to_json(self) -> dict[str, Any]:
        """The sections started, each as its answer class stores it."""
        return {key: s.to_json() for key in SECTION_TYPES if (s := self.get(key)) is not None}

    def get(self, key: str) -> SectionAnswers | None:
        """A section's answers, or None when it is not started."""
        value: SectionAnswers | None = getattr(self, self.attribute(key))
        return value

    def section(self, key: str) -> SectionAnswers:
        """A section's answers; a section not started has every answer at its default."""
        return self.get(key) or section_of(key, None)

    @property
    def site_name(self) -> str:
        """The gain site's name as the boundary section gives it; "" before it is named."""
        return self.boundary.site_name if self.boundary is not None else ""

    @property
    def sellable(self) -> tuple[ParcelDraft, ...]:
        """The created and enhanced parcels of the habitats section, in the metric's order."""
        return self.habitats.sellable if self.habitats is not None and self.habitats.completed else ()

    def rows(self, key: str, names: Lookups) -> list[Row]:
        """A section's summary list rows."""
        return self.section(key).rows(RowContext(names, self.sellable))
