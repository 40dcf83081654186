"""Reading orders: one's own, one as its developer, the register team or its LPA sees it, and its cost today.

Also the register's search near the development, and the order's metric.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bng.register.core.audit import Actor
from bng.register.core.errors import Invalid, NotFound
from bng.register.core.model import StoredFile
from bng.register.core.places import Places
from bng.register.core.ports import Clock, FileStore
from bng.register.core.roles import Permission, can
from bng.register.core.service import require

from .amounts import TIERS
from .base import CreditService, OrderView
from .hierarchy import search_register
from .ports import CreditUnitOfWorkFactory
from .pricing import Quote, quote
from .records import CreditOrder, OrderStatus


class OrderReads(CreditService):
    """The developer's, the register team's and the LPA's reads of orders; nothing here changes an order."""

    def __init__(
        self, uow: CreditUnitOfWorkFactory, clock: Clock, store: FileStore, places: Callable[[], Places]
    ) -> None:
        super().__init__(uow, clock)
        self._store = store
        self._places = places

    def mine(self, actor: Actor | None) -> list[CreditOrder]:
        """The signed-in developer's own orders."""
        actor = require(actor, Permission.BUY_CREDITS)
        with self._credit_uow() as uow:
            return list(uow.credits.orders_of(actor.user_id))

    def view(self, actor: Actor | None, reference: str) -> OrderView:
        """An order as its developer, the register team or the LPA it was sent to sees it."""
        if actor is None:
            raise NotFound("No such statutory biodiversity credit order")
        with self._credit_uow() as uow:
            return self._view(uow, self._order(uow, actor, reference))

    def own(self, actor: Actor | None, reference: str) -> OrderView:
        """An order of the signed-in developer (NotFound for anyone else's)."""
        actor = require(actor, Permission.BUY_CREDITS)
        with self._credit_uow() as uow:
            order = self._order(uow, actor, reference)
            if order.owner_id != actor.user_id:
                raise NotFound("No such statutory biodiversity credit order")
            return self._view(uow, order)

    def estimate(self, view: OrderView) -> Quote | None:
        """What the order's quantities cost at today's prices (the invoice fixes the prices later)."""
        quantities = self.quantities(view)
        if not quantities:
            return None
        with self._credit_uow() as uow:
            prices, rates = list(uow.credits.prices()), list(uow.credits.vat_rates())
        try:
            return quote(quantities, prices, rates, self.today())
        except Invalid:
            return None

    @staticmethod
    def quantities(view: OrderView) -> dict[str, int]:
        """The credits per tier in hundredths: the order's lines once submitted, else the draft's answers."""
        if view.lines:
            return {line.tier: line.quantity_hundredths for line in view.lines}
        q = view.order.answers.get("quantities") or {}
        return {t: int(q["by_tier"][t]) for t in TIERS if int((q.get("by_tier") or {}).get(t, 0)) > 0}

    def register_search(self, view: OrderView) -> dict[str, Any] | None:
        """The register's search near the development, as it stands now (submission stores it)."""
        if view.order.register_search is not None:
            return view.order.register_search
        metric = view.metric
        if metric is None or view.lpa is None:
            return None
        with self._credit_uow() as uow:
            return search_register(uow, self._places, view.lpa.name, metric.losses, self.now())

    def metric_file(self, actor: Actor | None, reference: str) -> tuple[StoredFile, bytes]:
        """The order's metric, for its developer and the register team."""
        if actor is None:
            raise NotFound("No such file")
        with self._credit_uow() as uow:
            order = self._order(uow, actor, reference)
            if order.owner_id != actor.user_id and order.status == OrderStatus.DRAFT:
                raise NotFound("No such file")
            view = self._view(uow, order)
            if view.metric_file is None or (
                order.owner_id != actor.user_id and not can(actor.role, Permission.PROCESS_CREDIT_ORDERS)
            ):
                raise NotFound("No such file")
            return view.metric_file, self._store.get(view.metric_file.key)
