"""Quantities of statutory biodiversity credits and sums of money, exactly.

Credits are bought in hundredths ("you can buy fractions of a credit, if it is rounded to 2
decimal places", GOV.UK): a quantity is a whole number of hundredths. Money is whole pence.
The workbook's figure for a tier is a float with binary noise (``7.199999999999999`` for 7.2);
we drop what lies below a billionth, then round *up* to the next hundredth, so that the credits
bought always cover the unit shortfall.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal

from bng.metric import TIERS
from bng.register.core.errors import Invalid

HUNDREDTHS = 100
NOISE = Decimal("1e-9")
MAX_CREDITS_PER_TIER = 100_000
"""Far above any real order (the largest known are tens of credits); stops typing slips of many digits."""

TIER_LABELS: dict[str, str] = {
    "A1": "Tier A1 (area habitats)",
    "A2": "Tier A2 (area habitats)",
    "A3": "Tier A3 (area habitats)",
    "A4": "Tier A4 (area habitats)",
    "A5": "Tier A5 (area habitats)",
    "H": "Tier H (hedgerows)",
    "W": "Tier W (watercourses)",
}
_QUANTITY = re.compile(r"^\d+(\.\d{1,2})?$")


def needed_hundredths(figure: float | None) -> int | None:
    """The credits to buy for a tier, in hundredths, from the workbook's figure (None stays None)."""
    if figure is None:
        return None
    if figure <= 0:
        return 0
    clean = Decimal(repr(figure)).quantize(NOISE, rounding=ROUND_HALF_EVEN)
    return int((clean * HUNDREDTHS).to_integral_value(rounding=ROUND_CEILING))


def parse_quantity(text: str | None, tier: str, field: str) -> int:
    """A typed quantity of credits ("3.76", "12", "" for none) in hundredths; Invalid naming the field."""
    cleaned = (text or "").strip().replace(",", "")
    if not cleaned:
        return 0
    label = TIER_LABELS.get(tier, f"tier {tier}")
    if not _QUANTITY.match(cleaned):
        raise Invalid.one(
            field,
            f"Enter the credits for {label} as a number with up to 2 decimal places, like 3.76 (or leave it empty)",
        )
    hundredths = int((Decimal(cleaned) * HUNDREDTHS).to_integral_value())
    if hundredths > MAX_CREDITS_PER_TIER * HUNDREDTHS:
        raise Invalid.one(field, f"The credits for {label} must be {MAX_CREDITS_PER_TIER:,} or fewer")
    return hundredths


def show_quantity(hundredths: int | None) -> str:
    """7.20 (two decimals always: that is how credits are bought), or an empty text for None."""
    if hundredths is None:
        return ""
    whole, rest = divmod(hundredths, HUNDREDTHS)
    return f"{whole:,}.{rest:02d}"


def quantity_text(hundredths: int) -> str:
    """7.2 or 12: a quantity as a person would type it back into a form."""
    whole, rest = divmod(hundredths, HUNDREDTHS)
    return str(whole) if rest == 0 else f"{whole}.{rest:02d}".rstrip("0")


def line_amount(hundredths: int, unit_price_pence: int) -> int:
    """What a quantity costs at a price per credit, in pence, rounded half up to the penny."""
    return (hundredths * unit_price_pence + HUNDREDTHS // 2) // HUNDREDTHS


def vat_amount(net_pence: int, basis_points: int) -> int:
    """VAT on a net sum at a rate in hundredths of a per cent (2000 = 20 %), rounded half up."""
    return (net_pence * basis_points + 5_000) // 10_000


def parse_pounds(text: str | None, field: str, what: str) -> int:
    """A typed sum in pounds ("42000", "£42,000.50") as pence; Invalid naming the field."""
    cleaned = (text or "").strip().replace(",", "").removeprefix("£").strip()
    if not re.match(r"^\d+(\.\d{1,2})?$", cleaned):
        raise Invalid.one(field, f"Enter {what} in pounds, like 42000 or 42000.50")
    pence = int((Decimal(cleaned) * 100).to_integral_value())
    if pence <= 0:
        raise Invalid.one(field, f"{what[0].upper()}{what[1:]} must be more than £0")
    return pence


def parse_percent(text: str | None, field: str) -> int:
    """A typed VAT rate ("20", "0", "17.5") in hundredths of a per cent; Invalid naming the field."""
    cleaned = (text or "").strip().removesuffix("%").strip()
    if not re.match(r"^\d+(\.\d{1,2})?$", cleaned):
        raise Invalid.one(field, "Enter the VAT rate as a percentage, like 20 or 0")
    basis_points = int((Decimal(cleaned) * 100).to_integral_value())
    if basis_points > 10_000:
        raise Invalid.one(field, "The VAT rate must be 100 % or less")
    return basis_points


def show_percent(basis_points: int) -> str:
    """20 % or 17.5 %."""
    whole, rest = divmod(basis_points, 100)
    return f"{whole} %" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + " %"


__all__ = [
    "TIERS",
    "TIER_LABELS",
    "line_amount",
    "needed_hundredths",
    "parse_percent",
    "parse_pounds",
    "parse_quantity",
    "quantity_text",
    "show_percent",
    "show_quantity",
    "vat_amount",
]
