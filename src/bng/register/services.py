"""The register's services, built together (``bng.bootstrap`` gives them a database and a file store)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bng.register.access.service import Access
from bng.register.accounts.api_tokens import ApiTokens
from bng.register.accounts.organisations import Organisations
from bng.register.accounts.passwords import Passwords
from bng.register.accounts.service import Accounts
from bng.register.accounts.settings import AccountSettings
from bng.register.allocations.combined import Combined
from bng.register.allocations.service import Allocations
from bng.register.applications.review import Review
from bng.register.applications.service import Applications
from bng.register.core.audit_log import AuditLog
from bng.register.core.notifications import OutboxPage, QueuedOutbox
from bng.register.core.places import Places
from bng.register.core.ports import CardPay, Clock, FileStore, UnitOfWorkFactory
from bng.register.core.reference_data import ReferenceData
from bng.register.core.submissions import Submissions
from bng.register.credits.card import CreditCardPay
from bng.register.credits.services import CreditServices, build_credit_services
from bng.register.money.remittance import Invoices, Remittances
from bng.register.money.service import Money
from bng.register.monitoring.calendar import Calendars
from bng.register.monitoring.excess import ExcessSales
from bng.register.monitoring.lpa import LpaMonitoring
from bng.register.monitoring.service import Monitoring
from bng.register.notify.port import Notify, TemplateIds
from bng.register.notify.stand_in import LocalNotify, StandInNotify
from bng.register.notify.worker import NotifySender
from bng.register.payments.card import CardPayments
from bng.register.payments.fees import FeePayments
from bng.register.payments.stand_in import LocalPay, StandInPay
from bng.register.planning.cases import PlanningCases
from bng.register.public.open_data import OpenRegister
from bng.register.public.sites import PublicRegister


@dataclass(frozen=True)
class Services:
    """Every register service, wired to one unit of work factory, file store and clock: what the web and CLI use."""

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
    monitoring: Monitoring  # 30 years of monitoring: obligations, reports, remedial action, fees, flags
    excess: ExcessSales  # excess on-site gains sold to other developments
    calendars: Calendars  # monitoring calendars (ICS)
    lpa_monitoring: LpaMonitoring  # the LPA's dashboard, downloads and biodiversity report (s.40A)
    submissions: Submissions  # one-time submission tokens: whether a confirmation was made already
    card_payments: CardPayments  # fees paid by card through GOV.UK Pay (or its local stand-in)
    payments: FeePayments  # fees recorded as received by hand (applications, allocations) and refunds
    api_tokens: ApiTokens  # the JSON API's tokens: made, revoked, and who a call with one is
    organisations: Organisations  # organisations with verified members, which hold the API tokens
    account_settings: AccountSettings  # one's own account: passwords, email, sessions, authenticator
    access: Access  # who sees what: a landowner's allocations, an LPA's allocations and purchases, messages
    money: Money  # overpayments and part refunds the register team record, and each fee's or order's balance
    remittances: Remittances  # the register's bank details for transfers, dated
    invoices: Invoices  # invoice PDFs (credit orders, an application's fees) with the bank details
    credit_card: CreditCardPay  # a credit order's invoice paid by card through the same Pay port
    pay_stand_in: StandInPay | None = None  # the stand-in's side, served at /pay-stand-in when no Pay key is set
    outbox: OutboxPage | None = None  # the e-mails queued and sent (the staff page)
    notify_sender: NotifySender | None = None  # the worker's sender: GOV.UK Notify or its stand-in
    notify_stand_in: StandInNotify | None = None  # Notify's stand-in, served at /v2/notifications when no key is set


def build_services(
    uow: UnitOfWorkFactory,
    store: FileStore,
    clock: Clock,
    places: Callable[[], Places],
    passwords: Passwords | None = None,
    pay: CardPay | None = None,
    base_url: str = "http://127.0.0.1:8000",
    notify: Notify | None = None,
    template_ids: TemplateIds | None = None,
) -> Services:
    """``pay`` is GOV.UK Pay; without one, a stand-in (whose card page is under ``base_url``).

    ``notify`` is GOV.UK Notify (with ``template_ids``); without one, its stand-in.
    """
    allocations = Allocations(uow, clock, store, places)
    combined = Combined(allocations)  # the application's allocation section, through its port
    applications = Applications(uow, clock, store, places, combined)
    review = Review(uow, clock, store, places, applications, combined)
    stand_in = StandInPay() if pay is None else None
    accounts = Accounts(uow, clock, passwords, QueuedOutbox(uow, clock))
    remittances = Remittances(uow, clock)
    credits = build_credit_services(uow, clock, store, places)  # type: ignore[arg-type]  # uow has .credits
    payments = FeePayments(uow, clock)
    card_payments = CardPayments(uow, clock, pay or LocalPay(stand_in or StandInPay(), base_url), payments)
    credit_card = CreditCardPay(uow, clock)  # type: ignore[arg-type]  # uow has .credits
    card_payments.on_received.append(credit_card.received)
    notify_stand_in = StandInNotify() if notify is None else None
    sender = NotifySender(
        uow,
        clock,
        notify or LocalNotify(notify_stand_in or StandInNotify(), base_url),
        template_ids or TemplateIds.stand_in(),
        base_url,
    )
    return Services(
        accounts=accounts,
        applications=applications,
        review=review,
        register=PublicRegister(uow, clock),
        open_data=OpenRegister(uow, clock),
        reference=ReferenceData(uow, clock),
        allocations=allocations,
        audit=AuditLog(uow, clock),
        uow=uow,
        store=store,
        credits=credits,
        planning=PlanningCases(uow, clock, store),
        monitoring=Monitoring(uow, clock, store),
        excess=ExcessSales(uow, clock),
        calendars=Calendars(uow, clock),
        lpa_monitoring=LpaMonitoring(uow, clock),
        submissions=Submissions(uow, clock),
        card_payments=card_payments,
        payments=payments,
        pay_stand_in=stand_in,
        api_tokens=ApiTokens(uow, clock),
        organisations=Organisations(uow, clock, accounts.outbox),
        account_settings=AccountSettings(accounts),
        access=Access(uow, clock),
        money=Money(uow, clock),
        remittances=remittances,
        invoices=Invoices(uow, clock, remittances, credits.orders, applications),
        credit_card=credit_card,
        outbox=OutboxPage(uow, clock, stand_in=notify is None),
        notify_sender=sender,
        notify_stand_in=notify_stand_in,
    )
