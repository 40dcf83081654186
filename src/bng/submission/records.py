"""What the validation asks of the register: allocations and credit purchases, as records.

The register implements :class:`Records` over its own unit of work
(``bng.register.planning.records.RegisterRecords``); a validation with no register (no
database configured) uses :class:`NoRecords`, and every reference is then reported as not
verified rather than assumed good.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class AllocationRecord:
    reference: str
    gain_site: str
    planning_reference: str
    development_name: str
    lpa_name: str
    lpa_ons_code: str
    units: dict[str, float] = field(default_factory=dict)  # module -> units allocated
    spatial_risk: str = ""


@dataclass(frozen=True)
class CreditPurchaseRecord:
    reference: str
    status: str
    planning_reference: str
    development_name: str
    lpa_name: str
    lpa_ons_code: str
    credits: dict[str, float] = field(default_factory=dict)  # tier -> credits allocated
    proof_sha256: str = ""

    @property
    def allocated(self) -> bool:
        return self.status in ("allocated", "sent_to_lpa")


class Records(Protocol):
    available: bool

    def allocation(self, reference: str) -> AllocationRecord | None: ...
    def credit_purchase(self, reference: str) -> CreditPurchaseRecord | None: ...
    def purchase_by_proof(self, sha256: str) -> CreditPurchaseRecord | None: ...


class NoRecords:
    """No register to ask: nothing can be verified."""

    available = False

    def allocation(self, reference: str) -> AllocationRecord | None:
        return None

    def credit_purchase(self, reference: str) -> CreditPurchaseRecord | None:
        return None

    def purchase_by_proof(self, sha256: str) -> CreditPurchaseRecord | None:
        return None
