"""What every section's answers have in common.

Whether they are completed, the uploads kept from a save that failed, and reading the JSON they are stored
as, whatever it holds (answers saved for later are kept as they were typed, unchecked).
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
class StoredAnswers:
    """A section's answers kept as a small JSON document, an application's or a credit order's.

    JSON is only their storage: ``from_json`` reads what the section holds and never fails on it;
    ``to_json`` gives what ``from_json`` reads back to the same answers.
    """

    KEY: ClassVar[str] = ""
    """The section's key: where its answers are kept, and its page's address."""

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """The section's answers from what it holds, whatever it holds (never fails)."""
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        """What the section holds: ``from_json`` reads it back to the same answers."""
        raise NotImplementedError


@dataclass(frozen=True)
class SectionAnswers(StoredAnswers):
    """An application section's answers, with how they are parsed from its form and shown as rows.

    ``rows`` are its summary list; answers saved for later are kept as typed, not yet ``completed``.
    """

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

    def rows(self, ctx: RowContext) -> list[Row]:
        """The section's summary list rows (check your answers, the submitted application, the case page)."""
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
    """A typed answer as stored; "" when there is none."""
    v = doc.get(name)
    return str(v) if v is not None else ""


def id_of(doc: Mapping[str, Any], name: str) -> int | None:
    """A stored file's, an LPA's or a body's id: a whole number (or its digits, as typed)."""
    v = doc.get(name)
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    return int(v) if isinstance(v, str) and v.strip().isdigit() else None


def items_of(doc: Mapping[str, Any], name: str) -> list[Any]:
    """A list answer as stored: a list's items, a single value as one item, nothing as none."""
    raw = doc.get(name)
    return list(raw) if isinstance(raw, list | tuple) else [raw] if raw is not None else []


def ids_of(doc: Mapping[str, Any], name: str) -> tuple[int, ...]:
    """Ids kept as a list (the LPAs party to an agreement); what is not an id is not read."""
    return tuple(i for i in (id_of({"v": x}, "v") for x in items_of(doc, name)) if i is not None)


def number_of(doc: Mapping[str, Any], name: str) -> float | None:
    """A number (an area in hectares, an easting), stored or as typed with its commas; None if it is not one."""
    v = doc.get(name)
    if v is None or isinstance(v, bool):
        return None
    try:
        number = float(v) if isinstance(v, int | float) else float(str(v).replace(",", ""))
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def date_of(doc: Mapping[str, Any], name: str) -> date | None:
    """A date kept as an ISO date (2026-03-05); None when there is none, or it is not a real date."""
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
    """A date as the answers keep it: an ISO date, or None."""
    return d.isoformat() if d is not None else None
