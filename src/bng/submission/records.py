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
    """An allocation as the register records it: what planning validation checks an application against."""

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
    """A statutory credit purchase as the register records it, with its proof's digest."""

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
        """Whether the credits were allocated to the development (a draft or unpaid order proves nothing)."""
        return self.status in ("allocated", "sent_to_lpa")


class Records(Protocol):
    """The register's records, as the submission checks read them (``bng.register.planning.records``)."""

    available: bool

    def allocation(self, reference: str) -> AllocationRecord | None:
        """The allocation with this reference, if the register holds one."""
        ...

    def credit_purchase(self, reference: str) -> CreditPurchaseRecord | None:
        """The credit purchase with this reference (BNGCRD-…), if the register holds one."""
        ...

    def purchase_by_proof(self, sha256: str) -> CreditPurchaseRecord | None:
        """The credit purchase whose proof PDF has this SHA-256."""
        ...


class NoRecords:
    """No register to ask: nothing can be verified."""

    available = False

    def allocation(self, reference: str) -> AllocationRecord | None:
        """Nothing to find."""
        return None

    def credit_purchase(self, reference: str) -> CreditPurchaseRecord | None:
        """Nothing to find."""
        return None

    def purchase_by_proof(self, sha256: str) -> CreditPurchaseRecord | None:
        """Nothing to find."""
        return None
