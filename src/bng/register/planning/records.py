"""The register's answers to a planning validation: its allocations and credit purchases, as records.

Implements :class:`bng.submission.records.Records` over the register's own unit of work, read
only. A proof of purchase is recognised by its SHA-256 against the proofs the register issued
(``CreditProof.sha256``): a file edited after issue, or issued for another order, is not one.
"""

from __future__ import annotations

from typing import Any

from bng.register.core.ports import UnitOfWorkFactory
from bng.register.credits.records import WITH_PROOF, CreditOrder, OrderStatus
from bng.submission import AllocationRecord, CreditPurchaseRecord


class RegisterRecords:
    """The register as the records a planning validation checks allocations and proofs of purchase against."""

    available = True

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def allocation(self, reference: str) -> AllocationRecord | None:
        """The allocation with this reference: its gain site, LPA, development and units by module."""
        with self._uow() as uow:
            found = uow.ledger.allocation(reference.strip().upper())
            if found is None or found.id is None:
                return None
            site = uow.sites.get(found.gain_site_id)
            lpa = uow.lpas.get(found.lpa_id)
            units: dict[str, float] = {}
            for line in uow.ledger.lines(found.id):
                parcel = uow.ledger.parcel(line.parcel_id)
                if parcel is not None:
                    units[parcel.module] = units.get(parcel.module, 0.0) + float(line.units)
            return AllocationRecord(
                reference=found.reference,
                gain_site=site.reference if site else "",
                planning_reference=found.planning_reference,
                development_name=found.development_name,
                lpa_name=lpa.name if lpa else "",
                lpa_ons_code=(lpa.ons_code or "") if lpa else "",
                units=units,
                spatial_risk=found.spatial_risk,
            )

    def _record(self, uow: Any, order: CreditOrder) -> CreditPurchaseRecord:
        assert order.id is not None
        lpa = uow.lpas.get(order.lpa_id) if order.lpa_id is not None else None
        proof = uow.credits.proof(order.id)
        credits = {line.tier: line.quantity_hundredths / 100 for line in uow.credits.lines(order.id)}
        return CreditPurchaseRecord(
            reference=order.reference,
            status=str(order.status),
            planning_reference=order.planning_reference,
            development_name=order.development_name,
            lpa_name=lpa.name if lpa else "",
            lpa_ons_code=(lpa.ons_code or "") if lpa else "",
            credits=credits,
            proof_sha256=proof.sha256 if proof else "",
        )

    def credit_purchase(self, reference: str) -> CreditPurchaseRecord | None:
        """The statutory credit order with this reference, with its credits by tier and its proof's hash."""
        with self._uow() as uow:
            order = uow.credits.order(reference.strip().upper())  # type: ignore[attr-defined]
            return None if order is None else self._record(uow, order)

    def purchase_by_proof(self, sha256: str) -> CreditPurchaseRecord | None:
        """The credit order whose issued proof of purchase has this SHA-256 (refunded orders included)."""
        with self._uow() as uow:
            statuses = [str(s) for s in (*WITH_PROOF, OrderStatus.REFUNDED)]
            for order in uow.credits.orders_with_status(statuses):  # type: ignore[attr-defined]
                proof = uow.credits.proof(order.id)  # type: ignore[attr-defined]
                if proof is not None and proof.sha256 == sha256:
                    return self._record(uow, order)
        return None
