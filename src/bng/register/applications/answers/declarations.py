"""The declarations the applicant confirms before submitting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from bng.register.core.summary import Row
from bng.register.core.uploads import Upload

from ..fields import Form, SectionContext
from .rows import RowContext
from .stored import SectionAnswers, items_of

DECLARATIONS: tuple[tuple[str, str], ...] = (
    ("true", "The information I have given is true and complete to the best of my knowledge."),
    ("consent", "Every landowner and anyone else with an interest in the land has agreed to the registration."),
    (
        "maintain",
        "The habitat will be created or enhanced and maintained for at least 30 years after the works complete.",
    ),
    ("fee", "I understand the registration fee is not refunded if the application is rejected."),
)
"""Each declaration's key (as the form sends it) and its words."""


@dataclass(frozen=True)
class DeclarationsAnswers(SectionAnswers):
    """The declarations the applicant confirms: every one of them, before the application is submitted."""

    KEY: ClassVar[str] = "declarations"

    confirm: tuple[str, ...] = ()
    """The keys of the declarations confirmed."""

    @classmethod
    def parse(
        cls, current: DeclarationsAnswers, values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
    ) -> DeclarationsAnswers:
        """The declarations ticked; every one must be."""
        form = Form(cls.KEY, values, uploads, ctx)
        raw = values.get("confirm") or []
        ticked = set(raw if isinstance(raw, list | tuple) else [raw])
        if any(key not in ticked for key, _ in DECLARATIONS):
            form.problem("confirm", "Confirm every declaration to continue")
        return cls(confirm=tuple(sorted(ticked & {k for k, _ in DECLARATIONS}))).checked(form)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> DeclarationsAnswers:
        """The declarations as the section holds them."""
        return cls(**cls._common_of(doc), confirm=tuple(str(k) for k in items_of(doc, "confirm")))

    def to_json(self) -> dict[str, Any]:
        """The keys of the declarations confirmed."""
        return {"confirm": list(self.confirm)} | self._common()

    def rows(self, ctx: RowContext) -> list[Row]:
        """The words of each declaration confirmed."""
        ticked = set(self.confirm)
        return [Row("Confirmed", "\n".join(text for k, text in DECLARATIONS if k in ticked) or "Nothing yet")]
