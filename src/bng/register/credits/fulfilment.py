"""Fulfilling an order (the register team), and the proofs of purchase an LPA receives.

submitted → due diligence passed or failed → invoice issued (an offer for 90 days, at the prices in
force that day) → paid → credits allocated, with a proof of purchase → sent to the LPA; withdrawn or
cancelled before payment; refunded after it when the development does not go ahead. Each step is
one transaction that moves the order (``CreditService._move``: checked, in its history, audited).
"""

from __future__ import annotations

from bng.register.core.ports import Clock, FileStore

from .casework import MAX_NOTE, OFFER_DAYS, PROOF_KIND, QUEUES, Casework, LpaProof
from .ending import EndOrder
from .fulfilling import AllocateCredits, SendToLpa
from .invoicing import DecideDueDiligence, IssueInvoice
from .paying import RecordOrderPayment
from .ports import CreditUnitOfWorkFactory


class CreditFulfilment:
    """The register team's use cases of an order, each built once (``credits/services.py``)."""

    def __init__(self, uow: CreditUnitOfWorkFactory, clock: Clock, store: FileStore) -> None:
        casework = Casework(uow, clock, store)
        self.queues = casework.queues
        self.case = casework.case
        self.proof = casework.proof
        self.for_lpa = casework.for_lpa
        self.decide_due_diligence = DecideDueDiligence(uow, clock)
        self.issue_invoice = IssueInvoice(uow, clock)
        self.record_payment = RecordOrderPayment(uow, clock)
        self.allocate = AllocateCredits(uow, clock, store)
        self.send_to_lpa = SendToLpa(uow, clock)
        ending = EndOrder(uow, clock)
        self.cancel = ending.cancel
        self.refund = ending.refund


__all__ = ["MAX_NOTE", "OFFER_DAYS", "PROOF_KIND", "QUEUES", "CreditFulfilment", "LpaProof"]
