"""The register's services, built together (``bng.bootstrap`` gives them a database and a file store)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .accounts import Accounts
from .allocations import Allocations
from .api_tokens import ApiTokens
from .applications import Applications
from .audit_log import AuditLog
from .credit_services import CreditServices, build_credit_services
from .open_data import OpenRegister
from .passwords import Passwords
from .places import Places
from .planning_cases import PlanningCases
from .ports import Clock, FileStore, UnitOfWorkFactory
from .public import PublicRegister
from .reference_data import ReferenceData
from .review import Review
from .submissions import Submissions


@dataclass(frozen=True)
class Services:
    accounts: Accounts
    applications: Applications
    review: Review
    register: PublicRegister
    open_data: OpenRegister  # sites, parcels and allocations as open data
    reference: ReferenceData
    allocations: Allocations
    audit: AuditLog
    uow: UnitOfWorkFactory
    store: FileStore
    credits: CreditServices  # statutory biodiversity credits: estimates, orders, fulfilment, prices
    planning: PlanningCases  # gain plans submitted to LPAs: validation and determination
    submissions: Submissions  # one-time submission tokens: whether a confirmation was made already
    api_tokens: ApiTokens  # the JSON API's tokens: made, revoked, and who a call with one is


def build_services(
    uow: UnitOfWorkFactory,
    store: FileStore,
    clock: Clock,
    places: Callable[[], Places],
    passwords: Passwords | None = None,
) -> Services:
    applications = Applications(uow, clock, store, places)
    allocations = Allocations(uow, clock, store, places)
    return Services(
        accounts=Accounts(uow, clock, passwords),
        applications=applications,
        review=Review(uow, clock, store, places, applications, allocations),
        register=PublicRegister(uow, clock),
        open_data=OpenRegister(uow, clock),
        reference=ReferenceData(uow, clock),
        allocations=allocations,
        audit=AuditLog(uow, clock),
        uow=uow,
        store=store,
        credits=build_credit_services(uow, clock, store, places),  # type: ignore[arg-type]  # uow has .credits
        planning=PlanningCases(uow, clock, store),
        submissions=Submissions(uow, clock),
        api_tokens=ApiTokens(uow, clock),
    )
