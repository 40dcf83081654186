"""The statutory biodiversity credit services, built together (``Services.credits``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bng.register.core.places import Places
from bng.register.core.ports import Clock, FileStore

from .estimates import CreditEstimates
from .fulfilment import CreditFulfilment
from .orders import CreditOrders
from .ports import CreditUnitOfWorkFactory
from .prices import CreditPrices


@dataclass(frozen=True)
class CreditServices:
    """The credit sale's services, as the web and the CLI use them."""

    estimates: CreditEstimates
    orders: CreditOrders
    fulfilment: CreditFulfilment
    prices: CreditPrices


def build_credit_services(
    uow: CreditUnitOfWorkFactory, clock: Clock, store: FileStore, places: Callable[[], Places]
) -> CreditServices:
    """Wire the credit services to one unit of work, clock, file store and place names."""
    return CreditServices(
        estimates=CreditEstimates(uow, clock),
        orders=CreditOrders(uow, clock, store, places),
        fulfilment=CreditFulfilment(uow, clock, store),
        prices=CreditPrices(uow, clock),
    )
