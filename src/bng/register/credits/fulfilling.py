"""After payment: the credits allocated to the development with a proof of purchase, and the proof sent to its LPA."""

from __future__ import annotations

import hashlib

from bng.register.core import notifications, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict
from bng.register.core.model import StoredFile
from bng.register.core.ports import Clock, FileStore
from bng.register.core.roles import Permission
from bng.register.core.service import require
from bng.register.core.uploads import store_bytes

from .base import CreditService
from .casework import PROOF_KIND
from .ports import CreditUnitOfWorkFactory
from .proof import proof_pdf
from .records import CreditOrder, CreditProof, OrderStatus


class AllocateCredits(CreditService):
    """The register team allocates the paid credits and issues the proof of purchase (a PDF in the file store)."""

    def __init__(self, uow: CreditUnitOfWorkFactory, clock: Clock, store: FileStore) -> None:
        super().__init__(uow, clock)
        self._store = store

    def __call__(self, actor: Actor | None, reference: str, *, once: submissions.Once | None = None) -> CreditProof:
        """Allocate the paid credits to the development and issue the proof of purchase (a PDF)."""
        actor = require(actor, Permission.PROCESS_CREDIT_ORDERS)
        now = self.now()
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = self._order(uow, actor, reference, for_update=True)
            if order.status != OrderStatus.PAID:
                raise Conflict("Credits are allocated once the invoice has been paid, and once only")
            assert order.id is not None
            view = self._view(uow, order)
            data = proof_pdf(view, now)
            key = store_bytes(uow, self._store, data)
            digest = hashlib.sha256(data).hexdigest()
            stored = StoredFile(
                key=key,
                kind=PROOF_KIND,
                name=f"proof-of-purchase-{order.reference}.pdf",
                media_type="application/pdf",
                size=len(data),
                sha256=digest,
                uploaded_at=now,
                uploaded_by=actor.user_id,
            )
            uow.add(stored)
            uow.flush()
            assert stored.id is not None
            proof = CreditProof(order.id, now, stored.id, digest, actor.user_id)
            uow.add(proof)
            uow.flush()
            total = sum(line.quantity_hundredths for line in view.invoice_lines) / 100
            self._move(
                uow,
                order,
                OrderStatus.ALLOCATED,
                actor,
                f"{total:,.2f} credits allocated to the development; proof of purchase issued",
                {"allocated_at": now},
            )
            uow.commit()
            return proof


class SendToLpa(CreditService):
    """The register team sends the proof of purchase to the development's LPA."""

    def __call__(self, actor: Actor | None, reference: str, *, once: submissions.Once | None = None) -> CreditOrder:
        """Send the proof of purchase to the development's LPA (its officers see it from now on)."""
        actor = require(actor, Permission.PROCESS_CREDIT_ORDERS)
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = self._order(uow, actor, reference, for_update=True)
            lpa = uow.lpas.get(order.lpa_id) if order.lpa_id else None
            name = lpa.name if lpa else "the LPA"
            self._move(
                uow,
                order,
                OrderStatus.SENT_TO_LPA,
                actor,
                f"Proof of purchase sent to {name}",
                {"sent_to_lpa_on": self.today()},
            )
            notifications.proof_sent(uow, self.now(), order, lpa)
            uow.commit()
            return order
