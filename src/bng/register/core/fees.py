"""The register's fees, with the dates they apply from (fees change; past ones must still be known).

Amounts are whole pence: £639 to register a gain site and £45 to record an allocation of units
from a registered site (Natural England's published fees, unchanged since the register opened in
early 2024 as far as the public sources consulted show; a change is a new row with its date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class FeePurpose(StrEnum):
    """What a fee is paid for: registering a gain site, or recording an allocation from one."""

    REGISTRATION = "registration"
    ALLOCATION = "allocation"


@dataclass(frozen=True, slots=True)
class Fee:
    """A fee in pence, in force from a date until the next row of the same purpose."""

    purpose: FeePurpose
    amount_pence: int
    valid_from: date


FEES: tuple[Fee, ...] = (
    Fee(FeePurpose.REGISTRATION, 63_900, date(2024, 1, 1)),
    Fee(FeePurpose.ALLOCATION, 4_500, date(2024, 1, 1)),
)


def fee(purpose: FeePurpose | str, on: date) -> int:
    """The fee in pence in force on a date; raises ValueError before the register opened."""
    current = [f for f in FEES if f.purpose == purpose and f.valid_from <= on]
    if not current:
        raise ValueError(f"no {purpose} fee was in force on {on.isoformat()}")
    return max(current, key=lambda f: f.valid_from).amount_pence


def pounds(pence: int) -> str:
    """£639 or £639.50 (whole pounds without pence, as GOV.UK writes them)."""
    whole, rest = divmod(pence, 100)
    return f"£{whole:,}" if rest == 0 else f"£{whole:,}.{rest:02d}"
