"""A complete draft submitted (its typed records and the register's search as evidence), or withdrawn.

The developer may withdraw an order at any time before paying.
"""

from __future__ import annotations

from datetime import date, datetime

from bng.register.core import submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound, Problem
from bng.register.core.roles import Permission
from bng.register.core.service import require, require_verified

from .amounts import TIERS
from .base import CreditService
from .drafting import OrderDraft
from .hierarchy import search_register
from .metric import MetricCredits
from .order_sections import MAX_TEXT, SECTIONS, _text, section_done
from .records import BEFORE_PAYMENT, CreditCustomer, CreditOrder, CreditOrderLine, OrderStatus


class SubmitOrder(OrderDraft):
    """The developer submits a complete draft order for the register team's due diligence checks."""

    def __call__(self, actor: Actor | None, reference: str, *, once: submissions.Once | None = None) -> CreditOrder:
        """Submit a complete draft: typed records, the register's search as evidence, then "submitted"."""
        actor = require(actor, Permission.BUY_CREDITS)
        now = self.now()
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = self._draft(uow, actor, reference)
            require_verified(uow, actor)
            a = order.answers
            missing = [s for s in SECTIONS if not section_done(a, s.key)]
            if missing:
                raise Invalid(
                    "The order is not complete",
                    [Problem(s.key, f"Complete the section: {s.title}") for s in missing],
                )
            assert order.id is not None
            metric = MetricCredits.from_dict(a["metric"]["credits"])
            sha256 = a["metric"]["sha256"]
            elsewhere = self._metric_elsewhere(uow, order, actor, sha256)
            elsewhere += self._start_sheet(uow, a["development"], metric)
            if elsewhere:
                lead = elsewhere[0].message if len(elsewhere) == 1 else "The metric cannot be used to order credits"
                raise Invalid(lead, elsewhere)
            quantities = a["quantities"]["by_tier"]
            for tier in TIERS:
                n = int(quantities.get(tier, 0))
                if n <= 0:
                    continue
                figure = metric.by_tier.get(tier)
                needed = metric.needed.get(tier)
                assert figure is not None and needed is not None  # refused when the metric was uploaded
                uow.add(CreditOrderLine(order.id, tier, float(figure), needed, n))
            customer = a["due-diligence"]
            born = customer.get("date_of_birth")
            uow.add(
                CreditCustomer(
                    order.id,
                    customer["customer_type"],
                    full_name=customer.get("full_name", ""),
                    date_of_birth=date.fromisoformat(born) if born else None,
                    nationality=customer.get("nationality", ""),
                    organisation_name=customer.get("organisation_name", ""),
                    organisation_number=customer.get("organisation_number", ""),
                )
            )
            uow.flush()
            development = a["development"]
            lpa = uow.lpas.get(int(development["lpa_id"]))
            assert lpa is not None
            evidence = search_register(uow, self._places, lpa.name, metric.losses, now)
            self._move(
                uow, order, OrderStatus.SUBMITTED, actor,
                f"Order submitted with reference {order.reference}",
                {
                    "submitted_at": now,
                    "lpa_id": lpa.id,
                    "planning_reference": development["planning_reference"],
                    "development_name": development["development_name"],
                    "purchase_order": a["purchase-order"]["purchase_order"],
                    "metric_file_id": a["metric"]["file_id"],
                    "metric_release": metric.metric_release,
                    "metric_sha256": sha256,
                    "onsite_reason": a["gain-hierarchy"]["onsite_reason"],
                    "offsite_reason": a["gain-hierarchy"]["offsite_reason"],
                    "register_search": evidence,
                    "terms_accepted_at": datetime.fromisoformat(a["terms"]["at"]),
                },
            )  # fmt: skip
            uow.commit()
            return order


class WithdrawOrder(CreditService):
    """The developer withdraws an order before paying for the credits."""

    def __call__(
        self, actor: Actor | None, reference: str, reason: str = "", *, once: submissions.Once | None = None
    ) -> CreditOrder:
        """The developer withdraws an order, at any time before paying for the credits."""
        actor = require(actor, Permission.BUY_CREDITS)
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = self._order(uow, actor, reference, for_update=True)
            if order.owner_id != actor.user_id:
                raise NotFound("No such statutory biodiversity credit order")
            if OrderStatus(order.status) not in BEFORE_PAYMENT:
                raise Conflict(
                    "The credits have been paid for, so the order cannot be withdrawn; if the development does not "
                    "go ahead, ask the register team for a refund"
                )
            text = _text({"reason": reason}, "reason", "the reason", MAX_TEXT, required=False)
            message = "Order withdrawn by the developer" + (f": {text}" if text else "")
            changes = {"ended_on": self.today(), "end_reason": text or "Withdrawn by the developer"}
            self._move(uow, order, OrderStatus.WITHDRAWN, actor, message, changes)
            uow.commit()
            return order
