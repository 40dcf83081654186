"""What every section's answers have in common: completed or not, uploads kept, reading their stored JSON.

The uploads are those kept from a save that failed; the JSON is read whatever it holds (answers saved
for later are kept as they were typed, unchecked).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, ClassVar, Self

from bng.register.core.summary import Row
from bng.register.core.uploads import Upload

from ..fields import Form, SectionContext
from .rows import RowContext

KEPT = "uploaded"
"""The files a save that failed kept, by field: the next save uses them (``service``)."""


@dataclass(frozen=True)
class SectionAnswers:
    """A section's answers: parsed from its form, stored as JSON, shown as a summary list.

    ``from_json`` reads what the section holds and never fails on it; ``to_json`` gives what ``from_json``
    reads back to the same answers; ``rows`` are its summary list.
    """

    KEY: ClassVar[str] = ""

    completed: bool = False
    uploaded: tuple[tuple[str, int], ...] = ()
    """Files kept from a save that failed, by field."""

    @classmethod
    def parse(
        cls, current: Self, values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
    ) -> Self:
        """The section's form (typed ``values`` and ``uploads``) read and checked; Invalid naming every problem.

        ``current`` is the answers the section holds now: its files are kept unless others are uploaded.
        """
        raise NotImplementedError

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """The answers as stored, checked or saved for later as typed; never fails on what it reads."""
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        """The answers to store, as ``from_json`` reads them back."""
        raise NotImplementedError

    def rows(self, ctx: RowContext) -> list[Row]:
        """The section's summary list, as the applicant and the case worker see it."""
        raise NotImplementedError

    def checked(self, form: Form) -> Self:
        """These answers, completed; Invalid naming every problem the form's reading found instead."""
        form.check()
        return replace(self, completed=True)

    def _common(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"completed": self.completed}
        if self.uploaded:
            doc[KEPT] = dict(self.uploaded)
        return doc

    @staticmethod
    def _common_of(doc: Mapping[str, Any]) -> dict[str, Any]:
        kept = doc.get(KEPT)
        uploaded = tuple((str(k), v) for k, v in (kept.items() if isinstance(kept, Mapping) else ()) if _int(v))
        return {"completed": doc.get("completed") is True, "uploaded": uploaded}


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def text_of(doc: Mapping[str, Any], name: str) -> str:
    """A stored answer as text ("" when absent)."""
    v = doc.get(name)
    return str(v) if v is not None else ""


def id_of(doc: Mapping[str, Any], name: str) -> int | None:
    """A stored file's, an LPA's or a body's id: a whole number (or its digits, as typed)."""
    v = doc.get(name)
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return int(v) if isinstance(v, str) and v.strip().isdigit() else None


def ids_of(doc: Mapping[str, Any], name: str) -> tuple[int, ...]:
    """Several ids (a legal agreement's LPAs): each as ``id_of`` reads it, the unreadable left out."""
    raw = doc.get(name)
    items = raw if isinstance(raw, list | tuple) else [raw] if raw is not None else []
    return tuple(i for i in (id_of({"v": x}, "v") for x in items) if i is not None)


def number_of(doc: Mapping[str, Any], name: str) -> float | None:
    """A finite number, stored as one or typed (commas allowed); None when it is not one."""
    v = doc.get(name)
    if v is None or isinstance(v, bool):
        return None
    try:
        number = float(v) if isinstance(v, int | float) else float(str(v).replace(",", ""))
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def date_of(doc: Mapping[str, Any], name: str) -> date | None:
    """A date, stored in ISO form; None when absent or not a date."""
    v = doc.get(name)
    if isinstance(v, date):
        return v
    if isinstance(v, str) and v:
        try:
            return date.fromisoformat(v)
        except ValueError:
            return None
    return None


def yes_of(doc: Mapping[str, Any], name: str) -> bool | None:
    """A yes or no answer: a bool once checked, "yes" or "no" as typed when saved for later."""
    v = doc.get(name)
    if isinstance(v, bool):
        return v
    return {"yes": True, "no": False}.get(str(v).strip()) if v is not None else None


def iso(d: date | None) -> str | None:
    """A date in the ISO form the answers store it in."""
    return d.isoformat() if d is not None else None
