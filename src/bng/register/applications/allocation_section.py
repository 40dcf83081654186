"""The optional "allocation" section of a registration application, as the application sees it.

Registering a gain site and allocating from it in one application is the combined case.

What its answers say (whether the application also allocates, and how much of each created or
enhanced parcel), checked against the application's own habitats, is the application's. Checking
the development, reading its metric, showing the case worker the spatial risk and recording the
allocation on acceptance are the allocations area's (``combined``): the application reaches them
through :class:`CombinedCase`, a port wired in ``services``, so that it imports nothing above it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Protocol

from bng.register.core.audit import Actor
from bng.register.core.errors import Invalid, OverAllocation, Problem
from bng.register.core.ledger import Capacity, check_allocation
from bng.register.core.model import Allocation, Application, GainSite
from bng.register.core.places import Places
from bng.register.core.ports import FileStore, UnitOfWork
from bng.register.core.uploads import Upload

from .answers import AllocationAnswers, ApplicationAnswers
from .answers import parcel_key as parcel_key  # the combined case and the allocation form key parcels by it
from .fields import SectionContext
from .habitats import SIZE_UNITS, ParcelDraft

SECTION = "allocation"
FIELD = "parcel-{}"
METRIC_FIELD = "development_metric_file"


class CombinedCase(Protocol):
    """What the application asks of the allocations area for its allocation section."""

    def section(
        self, current: AllocationAnswers, values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
    ) -> AllocationAnswers:
        """The section's form read and checked: "no", or the development and the quantities."""
        ...

    def preview(self, uow: UnitOfWork, places: Places, app: Application, files: FileStore) -> Any:
        """What the case worker sees of the allocation before accepting; None if the application allocates nothing.

        It is the allocations area's ``combined.Preview``.
        """
        ...

    def record(
        self, uow: UnitOfWork, actor: Actor, app: Application, site: GainSite, files: FileStore
    ) -> Allocation | None:
        """On acceptance, in its unit of work: the allocation recorded against the new gain site."""
        ...


def sellable(answers: Mapping[str, Any]) -> list[ParcelDraft]:
    """The created and enhanced parcels of the application's habitats, in the metric's order."""
    return list(ApplicationAnswers.from_json(answers).sellable)


def allocation(answers: Mapping[str, Any]) -> AllocationAnswers:
    """The application's allocation section (every answer at its default when not started)."""
    return AllocationAnswers.from_json(answers.get(SECTION) or {})


def wanted(answers: Mapping[str, Any]) -> bool:
    """Whether the application also allocates units (its allocation section completed with "yes")."""
    return allocation(answers).wanted


def what(p: ParcelDraft) -> str:
    """A parcel as a problem names it: "parcel 1 (Other neutral grassland)"."""
    return f"parcel {p.ref} ({p.habitat})"


def line_problems(answers: Mapping[str, Any], quantities: Mapping[str, Decimal]) -> list[Problem]:
    """The quantities against the application's habitats as they are now (that section may have changed since).

    Each parcel must still be there, created or enhanced, and big enough.
    """
    parcels = {parcel_key(p.module, p.stage, p.ref): p for p in sellable(answers)}
    problems = []
    if not quantities:
        problems.append(Problem("parcels", "Enter how much of at least one habitat parcel to allocate", SECTION))
    for key, size in quantities.items():
        p = parcels.get(key)
        if p is None:
            problems.append(
                Problem(
                    "parcels",
                    f"The habitats no longer include the parcel {key} this allocation takes: change the allocation",
                    SECTION,
                )
            )
            continue
        try:
            check_allocation(p.stage, Capacity(p.ledger_size, p.ledger_units), size, what(p), SIZE_UNITS[p.module])
        except (Invalid, OverAllocation) as err:
            problems += [Problem(FIELD.format(key), q.message, SECTION) for q in err.problems]
    return problems


def problems(answers: Mapping[str, Any]) -> list[Problem]:
    """The allocation against the habitats as they are now (a check between sections)."""
    a = allocation(answers)
    return line_problems(answers, dict(a.quantities)) if a.wanted else []


def uses_metric(answers: Mapping[str, Any]) -> bool:
    """Whether the application's allocation is given by the development's metric (kept as a file)."""
    return allocation(answers).uses_metric
