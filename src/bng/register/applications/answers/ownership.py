"""The land: who owns it, and the proof."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from bng.register.core.filetypes import DocumentKind
from bng.register.core.summary import Row
from bng.register.core.uploads import Upload

from ..fields import Form, SectionContext
from .rows import RowContext
from .stored import SectionAnswers, id_of, text_of


@dataclass(frozen=True)
class OwnershipAnswers(SectionAnswers):
    """Who owns the land, its title numbers, and the proof of ownership."""

    KEY: ClassVar[str] = "ownership"

    landowners: str = ""
    title_numbers: str = ""
    ownership_file: int | None = None

    @classmethod
    def parse(
        cls, current: OwnershipAnswers, values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
    ) -> OwnershipAnswers:
        """The landowners (required), the title numbers and the proof of ownership."""
        form = Form(cls.KEY, values, uploads, ctx)
        landowners = form.required("landowners", "the names of everyone who owns the land")
        title_numbers = form.text("title_numbers")
        proof, _ = form.file(
            "ownership_file", current.ownership_file, DocumentKind.OWNERSHIP, "proof of land ownership"
        )
        return cls(landowners=landowners, title_numbers=title_numbers, ownership_file=proof).checked(form)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> OwnershipAnswers:
        """The ownership as the section holds it."""
        return cls(
            **cls._common_of(doc),
            landowners=text_of(doc, "landowners"),
            title_numbers=text_of(doc, "title_numbers"),
            ownership_file=id_of(doc, "ownership_file"),
        )

    def to_json(self) -> dict[str, Any]:
        """The landowners, title numbers and the proof's file id."""
        return {
            "landowners": self.landowners,
            "title_numbers": self.title_numbers,
            "ownership_file": self.ownership_file,
        } | self._common()

    def rows(self, ctx: RowContext) -> list[Row]:
        """The landowners, title numbers and the proof, linked."""
        return [
            Row("Landowners", self.landowners),
            Row("Title numbers", self.title_numbers or "None given"),
            ctx.document("Proof of ownership", self.ownership_file),
        ]
