"""Allocations: a development uses units from a registered gain site.

A developer, or a landowner, records that a development (its LPA, planning reference, name and where
it is) takes part of some of a gain site's habitat parcels: chosen parcel by parcel, or read from the
development's statutory metric, whose off-site rows name the gain site. ``plan`` checks everything and
says what the allocation would be (the units, the spatial risk category the register derives, what it
flags in the metric) without recording it; ``allocate`` records it, with the £45 fee due.

One path for every allocation, the journeys' and the combined case's: the gain site's row is locked,
then its parcels in id order, each line is checked against what remains (a clear message), then
stored; the database moves the parcel's and the site's totals in the same statement and refuses, with
CHECK constraints, anything beyond capacity, so two requests racing for the last units cannot both
win (``tests/db/test_concurrency.py``). Someone other than the landowner who registered the gain site
must upload the landowner's written consent.
"""

from __future__ import annotations

from collections.abc import Callable

from bng.register.core.places import Places
from bng.register.core.ports import Clock, FileStore, UnitOfWorkFactory

from .checking import AllocationChecks, PlanAllocation
from .plans import (
    MAX_NAME,
    MAX_PLANNING_REFERENCE,
    AllocationPlan,
    Development,
    PlannedLine,
    Request,
    check_development,
    metric_flags,
    risk_multiplier,
)
from .reads import AllocationReads, AllocationView
from .recording import RecordAllocation


class Allocations:
    """The allocations' use cases, each built once (``register/services.py``).

    Reading, checking (``plan``), recording (``allocate``), and, for the combined case's acceptance in
    its own unit of work, ``plan_in`` and ``record``.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, store: FileStore, places: Callable[[], Places]) -> None:
        reads = AllocationReads(uow, clock, store, places)
        self.needs_consent = reads.needs_consent
        self.mine = reads.mine
        self.view = reads.view
        self.plan = PlanAllocation(uow, clock, store, places)
        recording = RecordAllocation(uow, clock, store, places)
        self.allocate = recording
        self.plan_in = recording.plan_in
        self.record = recording.record


__all__ = [
    "MAX_NAME",
    "MAX_PLANNING_REFERENCE",
    "AllocationChecks",
    "AllocationPlan",
    "AllocationView",
    "Allocations",
    "Development",
    "PlanAllocation",
    "PlannedLine",
    "RecordAllocation",
    "Request",
    "check_development",
    "metric_flags",
    "risk_multiplier",
]
