"""The statutory biodiversity credit services, built together (``Services.credits``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .credit_estimates import CreditEstimates
from .credit_fulfilment import CreditFulfilment
from .credit_orders import CreditOrders
from .credit_ports import CreditUnitOfWorkFactory
from .credit_prices import CreditPrices
from .places import Places
from .ports import Clock, FileStore


@dataclass(frozen=True)
class CreditServices:
    estimates: CreditEstimates
    orders: CreditOrders
    fulfilment: CreditFulfilment
    prices: CreditPrices


def build_credit_services(
    uow: CreditUnitOfWorkFactory, clock: Clock, store: FileStore, places: Callable[[], Places]
) -> CreditServices:
    return CreditServices(
        estimates=CreditEstimates(uow, clock),
        orders=CreditOrders(uow, clock, store, places),
        fulfilment=CreditFulfilment(uow, clock, store),
        prices=CreditPrices(uow, clock),
    )
