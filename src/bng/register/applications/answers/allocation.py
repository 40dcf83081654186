"""The optional allocation of a combined case (register and allocate in one application).

The development, and how much of each created or enhanced parcel it takes. Its form is checked by the
allocations area (``bng.register.allocations.combined``, through the application's port), which builds these
answers; what they hold and show is the application's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from bng.metric import SIZE_UNITS, UNIT_NAMES
from bng.register.core.ledger import PLACES, Capacity, plain, shown
from bng.register.core.summary import Row

from ..habitats import ParcelDraft
from .rows import RowContext
from .stored import SectionAnswers, id_of, text_of, yes_of

METHODS = ("parcels", "metric")


def parcel_key(module: str, stage: str, ref: str) -> str:
    """A parcel's key in the allocation's answers and its input's name: "area-creation-1"."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"{module}-{stage}-{ref}")


@dataclass(frozen=True)
class AllocationAnswers(SectionAnswers):
    """The development a combined case allocates units to, and the hectares or kilometres it takes of each parcel.

    Quantities are by ``parcel_key``: typed, or read from the development's metric (``method`` "metric", the
    metric kept as ``development_metric_file``).
    """

    KEY: ClassVar[str] = "allocation"

    allocate: bool | None = None
    lpa_id: int | None = None
    planning_reference: str = ""
    development_name: str = ""
    grid_reference: str = ""
    method: str = "parcels"
    """"parcels" or "metric"; answers from before the choice are "parcels"."""
    development_metric_file: int | None = None
    quantities: tuple[tuple[str, Decimal], ...] = ()

    @property
    def wanted(self) -> bool:
        """Whether the application also allocates units (the section completed with "yes")."""
        return self.completed and bool(self.allocate)

    @property
    def uses_metric(self) -> bool:
        """Whether the allocation is given by the development's metric (kept as a file)."""
        return self.wanted and self.method == "metric" and self.development_metric_file is not None

    def taken(self, sellable: tuple[ParcelDraft, ...]) -> list[tuple[ParcelDraft, Decimal, Decimal]]:
        """Each parcel the allocation takes, with its size and units."""
        quantities = dict(self.quantities)
        out = []
        for p in sellable:
            size = quantities.get(parcel_key(p.module, p.stage, p.ref))
            if size:
                out.append((p, size, Capacity(p.ledger_size, p.ledger_units).units_for(min(size, p.ledger_size))))
        return out

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> AllocationAnswers:
        """The allocation as the section holds it; quantities that are not numbers are not read."""
        q = doc.get("quantities")
        given = q.items() if isinstance(q, Mapping) else ()
        quantities = tuple((str(k), size) for k, v in given if (size := _quantity(v)) is not None)
        return cls(
            **cls._common_of(doc),
            allocate=yes_of(doc, "allocate"),
            lpa_id=id_of(doc, "lpa_id"),
            planning_reference=text_of(doc, "planning_reference"),
            development_name=text_of(doc, "development_name"),
            grid_reference=text_of(doc, "grid_reference"),
            method=text_of(doc, "method") or "parcels",
            development_metric_file=id_of(doc, "development_metric_file"),
            quantities=quantities,
        )

    def to_json(self) -> dict[str, Any]:
        """The allocation; a "no" keeps only what was typed before the choice changed."""
        details: dict[str, Any] = {
            "lpa_id": self.lpa_id,
            "planning_reference": self.planning_reference,
            "development_name": self.development_name,
            "grid_reference": self.grid_reference,
            "method": self.method,
            "development_metric_file": self.development_metric_file,
            "quantities": {k: plain(v) for k, v in self.quantities},
        }
        if not self.allocate:  # "no": only what was typed before the choice changed
            details = {k: v for k, v in details.items() if v not in (None, "", {}) and (k, v) != ("method", "parcels")}
        return {"allocate": self.allocate} | details | self._common()

    def rows(self, ctx: RowContext) -> list[Row]:
        """Whether units are allocated and, if so, the development and each parcel taken with its size and units."""
        rows = [Row("Allocate units to a development", "Yes" if self.allocate else "No", action="allocation")]
        if not self.allocate:
            return rows
        lpa = ctx.names.lpas.get(self.lpa_id) if self.lpa_id is not None else None
        rows += [
            Row("Development", self.development_name),
            Row("Planning reference", self.planning_reference),
            Row("LPA", lpa.name if lpa else ""),
            Row("Grid reference of the development", self.grid_reference),
        ]
        if self.method == "metric":
            rows.append(ctx.document("The development's metric", self.development_metric_file))
        taken = [
            f"{p.habitat} (parcel {p.ref}): {shown(size, 4)} {SIZE_UNITS[p.module]}, "
            f"{shown(units, 4)} {UNIT_NAMES[p.module]}"
            for p, size, units in self.taken(ctx.sellable)
        ]
        rows.append(Row("Habitat parcels", "\n".join(taken) or "None"))
        return rows


def _quantity(value: object) -> Decimal | None:
    """A stored quantity: decimal text as typed ("0.5").

    Answers saved before the register spoke in hectares and kilometres hold whole numbers at the ledger's
    precision, read as such.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value).scaleb(-PLACES)
    if isinstance(value, str):
        try:
            found = Decimal(value)
        except InvalidOperation:
            return None
        return found if found.is_finite() else None
    return None
