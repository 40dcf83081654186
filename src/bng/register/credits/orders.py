"""A developer's order for statutory biodiversity credits, from the first draft to submission.

Only a developer buying for their own development may order (GOV.UK: "You cannot use an agent or
representative to act on your behalf to buy statutory biodiversity credits"). The draft is saved
section by section; each save is one transaction and a section whose answers fail is not saved
(a metric it stored is removed). The quantities come from the metric's unit shortfall summary and
may only be raised. The gain hierarchy is part of the order: the applicant says why on-site and
registered off-site gains cannot deliver the remaining units, and submission stores what the
register's own search for off-site units near the development found.
"""

from __future__ import annotations

from collections.abc import Callable

from bng.register.core.places import Places
from bng.register.core.ports import Clock, FileStore

from .drafting import SaveSection, StartOrder
from .order_reads import OrderReads
from .order_sections import (
    MAX_TEXT,
    SECTION_BY_KEY,
    SECTIONS,
    Section,
    all_done,
    credit_order_reference,
    section_done,
)
from .placing import SubmitOrder, WithdrawOrder
from .ports import CreditUnitOfWorkFactory


class CreditOrders:
    """The developer's use cases of an order, each built once (``credits/services.py``).

    Reading, starting, saving a section, submitting, withdrawing. The register team's are in ``fulfilment.py``.
    """

    def __init__(
        self, uow: CreditUnitOfWorkFactory, clock: Clock, store: FileStore, places: Callable[[], Places]
    ) -> None:
        reads = OrderReads(uow, clock, store, places)
        self.mine = reads.mine
        self.view = reads.view
        self.own = reads.own
        self.estimate = reads.estimate
        self.quantities = reads.quantities
        self.register_search = reads.register_search
        self.metric_file = reads.metric_file
        self.start = StartOrder(uow, clock, store, places)
        self.save_section = SaveSection(uow, clock, store, places)
        self.submit = SubmitOrder(uow, clock, store, places)
        self.withdraw = WithdrawOrder(uow, clock)


__all__ = [
    "MAX_TEXT",
    "SECTIONS",
    "SECTION_BY_KEY",
    "CreditOrders",
    "Section",
    "all_done",
    "credit_order_reference",
    "section_done",
]
