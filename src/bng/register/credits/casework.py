"""The register team's casework on orders: the queues, one case, and the proofs of purchase.

The proofs are read by the developer, the register team and the LPA; every step of fulfilment shares a case worker's
note.
"""

from __future__ import annotations

from dataclasses import dataclass

from bng.register.core.audit import Actor
from bng.register.core.errors import Invalid, NotFound
from bng.register.core.model import Lpa, StoredFile
from bng.register.core.ports import Clock, FileStore
from bng.register.core.roles import Permission
from bng.register.core.service import require

from .base import CreditService, OrderView
from .ports import CreditUnitOfWorkFactory
from .records import CreditOrder, OrderStatus

OFFER_DAYS = 90
"""The pro forma invoice is an offer the developer accepts by paying within 90 days (terms of sale 1.2(e))."""
MAX_NOTE = 5_000
PROOF_KIND = "proof_of_purchase"
QUEUES: tuple[tuple[str, tuple[OrderStatus, ...]], ...] = (
    ("Due diligence checks", (OrderStatus.SUBMITTED,)),
    ("Invoice to issue", (OrderStatus.DUE_DILIGENCE_PASSED,)),
    ("Waiting for payment", (OrderStatus.INVOICE_ISSUED,)),
    ("Credits to allocate", (OrderStatus.PAID,)),
    ("Proof of purchase to send to the LPA", (OrderStatus.ALLOCATED,)),
    ("Done", (OrderStatus.SENT_TO_LPA,)),
    (
        "Closed",
        (OrderStatus.DUE_DILIGENCE_FAILED, OrderStatus.WITHDRAWN, OrderStatus.CANCELLED, OrderStatus.REFUNDED),
    ),
)


def _note(text: str | None, field: str, what: str, required: bool) -> str:
    value = (text or "").strip()
    if required and not value:
        raise Invalid.one(field, f"Enter {what}")
    if len(value) > MAX_NOTE:
        raise Invalid.one(field, f"{what[0].upper()}{what[1:]} must be {MAX_NOTE:,} characters or fewer")
    return value


@dataclass(frozen=True, slots=True)
class LpaProof:
    """A proof of purchase as the LPA sees it: the order, and whether it still counts."""

    order: CreditOrder
    total_credits_hundredths: int
    refunded: bool


class Casework(CreditService):
    """What the register team reads to work on orders, and who may read a proof of purchase."""

    def __init__(self, uow: CreditUnitOfWorkFactory, clock: Clock, store: FileStore) -> None:
        super().__init__(uow, clock)
        self._store = store

    def queues(self, actor: Actor | None) -> list[tuple[str, list[CreditOrder]]]:
        """The register team's queues of orders, each under its title, by the state that puts an order in it."""
        require(actor, Permission.PROCESS_CREDIT_ORDERS)
        with self._credit_uow() as uow:
            return [(title, list(uow.credits.orders_with_status(statuses))) for title, statuses in QUEUES]

    def case(self, actor: Actor | None, reference: str) -> OrderView:
        """One order as the register team works on it (register team only)."""
        actor = require(actor, Permission.PROCESS_CREDIT_ORDERS)
        with self._credit_uow() as uow:
            return self._view(uow, self._order(uow, actor, reference))

    def proof(self, actor: Actor | None, reference: str) -> tuple[StoredFile, bytes]:
        """The proof of purchase's PDF, for whoever may see the order (NotFound before it is issued)."""
        if actor is None:
            raise NotFound("No such proof of purchase")
        with self._credit_uow() as uow:
            order = self._order(uow, actor, reference)
            assert order.id is not None
            proof = uow.credits.proof(order.id)
            stored = uow.files.get(proof.file_id) if proof else None
            if stored is None:
                raise NotFound("No proof of purchase has been issued for this order")
            return stored, self._store.get(stored.key)

    def for_lpa(self, actor: Actor | None) -> tuple[Lpa, list[LpaProof]]:
        """The proofs of purchase sent to the officer's LPA, newest first (refunded ones marked)."""
        actor = require(actor, Permission.VIEW_LPA_CREDITS)
        with self._credit_uow() as uow:
            lpa = uow.lpas.get(actor.lpa_id) if actor.lpa_id is not None else None
            if lpa is None or lpa.id is None:
                raise NotFound("Your account is not linked to an LPA; ask the register team")
            out = []
            for order in uow.credits.orders_sent_to(lpa.id):
                assert order.id is not None
                total = sum(line.quantity_hundredths for line in uow.credits.lines(order.id))
                out.append(LpaProof(order, total, order.status == OrderStatus.REFUNDED))
            return lpa, out
