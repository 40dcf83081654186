"""An order ended by the register team: cancelled before payment, or refunded after it.

A refund is for a development that does not go ahead; its proof of purchase then stops counting.
"""

from __future__ import annotations

from bng.register.core import submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict
from bng.register.core.roles import Permission
from bng.register.core.service import require

from .base import CreditService
from .casework import _note
from .records import BEFORE_PAYMENT, PAID_STATES, CreditOrder, OrderStatus


class EndOrder(CreditService):
    """The register team ends an order: cancelled before payment, refunded after it."""

    def cancel(
        self, actor: Actor | None, reference: str, reason: str, *, once: submissions.Once | None = None
    ) -> CreditOrder:
        """Cancel an order before payment (an expired invoice, a request the developer made another way)."""
        actor = require(actor, Permission.PROCESS_CREDIT_ORDERS)
        text = _note(reason, "reason", "why the order is cancelled (the developer sees this)", required=True)
        return self._end(
            actor, reference, OrderStatus.CANCELLED, text, f"Order cancelled by the register team: {text}",
            BEFORE_PAYMENT, "A paid order cannot be cancelled; refund it if the development does not go ahead",
            once=once,
        )  # fmt: skip

    def refund(
        self, actor: Actor | None, reference: str, reason: str, *, once: submissions.Once | None = None
    ) -> CreditOrder:
        """Refund a paid order because the development does not go ahead; its proof of purchase stops counting."""
        actor = require(actor, Permission.PROCESS_CREDIT_ORDERS)
        text = _note(reason, "reason", "why the development does not go ahead", required=True)
        return self._end(
            actor, reference, OrderStatus.REFUNDED, text, f"Refunded because the development does not go ahead: {text}",
            PAID_STATES, "Only a paid order is refunded; cancel an order that has not been paid",
            once=once,
        )  # fmt: skip

    def _end(
        self,
        actor: Actor,
        reference: str,
        to: OrderStatus,
        reason: str,
        message: str,
        allowed: frozenset[OrderStatus],
        refused: str,
        *,
        once: submissions.Once | None = None,
    ) -> CreditOrder:
        """Cancelling and refunding end an order alike: only from the states that allow it (else ``refused``).

        Dated today, with the team's reason kept on the order.
        """
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = self._order(uow, actor, reference, for_update=True)
            if OrderStatus(order.status) not in allowed:
                raise Conflict(refused)
            self._move(uow, order, to, actor, message, {"ended_on": self.today(), "end_reason": reason})
            uow.commit()
            return order
