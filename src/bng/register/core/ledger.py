"""The capacity ledger: what a gain site created or enhanced, what is allocated, what remains.

Each creation or enhancement parcel has a capacity: its size (hectares or kilometres) and its
units. An allocation takes part of a parcel's size, and the units that go with it in proportion.
Quantities are exact decimals at the ledger's precision, ``PLACES`` (six) decimal places, so that
sums are exact; ``bng.db`` stores them as whole numbers at that precision (on SQLite and PostgreSQL
alike), where a database CHECK constraint holds ``allocated <= capacity``. These rules give the
clear message first, the database makes it impossible all the same (also when two requests race).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

from .errors import Invalid, OverAllocation

PLACES = 6
"""The ledger's precision: sizes (hectares, kilometres) and units to six decimal places."""
QUANTUM = Decimal(1).scaleb(-PLACES)
ZERO = QUANTUM * 0
SELLABLE_STAGES = ("creation", "enhancement")


def quantity(value: float | Decimal | str | int) -> Decimal:
    """A size or a number of units at the ledger's precision.

    The value by its shortest decimal form (a float as ``str`` writes it), rounded half to even at the sixth
    decimal place.
    """
    return Decimal(str(value)).quantize(QUANTUM, rounding=ROUND_HALF_EVEN)


def plain(value: Decimal) -> str:
    """A quantity as a person types it into a form: no exponent, no trailing zeros ("0.5", "2")."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def shown(value: int | float | Decimal | None, places: int = 2) -> str:
    """The one rounding rule for every figure the register shows, as the metric workbook displays it.

    The exact decimal (a float by its shortest form) rounded half away from zero, with thousands separators. 97.175
    units is 97.18 on every page, whatever path it came by.
    """
    if value is None:
        return ""
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return f"{exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"


@dataclass(frozen=True, slots=True)
class Capacity:
    """One parcel's ledger line (each quantity at the ledger's precision)."""

    size: Decimal
    units: Decimal
    allocated_size: Decimal = ZERO
    allocated_units: Decimal = ZERO

    @property
    def remaining_size(self) -> Decimal:
        """Hectares or kilometres of the parcel still to allocate."""
        return self.size - self.allocated_size

    @property
    def remaining_units(self) -> Decimal:
        """Units of the parcel still to allocate."""
        return self.units - self.allocated_units

    def units_for(self, size: Decimal) -> Decimal:
        """The units that go with an allocation of ``size``: in proportion, rounded down at the ledger's precision.

        Exactly what remains when the allocation takes all that remains (so no dust is left). The product and
        quotient are worked to 60 digits, truncated, so the result is the exact quotient rounded down whatever the
        magnitudes (the stored columns hold at most 19 digits).
        """
        if size == self.remaining_size:
            return self.remaining_units
        if self.size == 0:
            return ZERO
        with localcontext(prec=60, rounding=ROUND_DOWN):
            share = (size * self.units / self.size).quantize(QUANTUM, rounding=ROUND_DOWN)
        return min(self.remaining_units, share)


def check_allocation(stage: str, capacity: Capacity, size: Decimal, what: str, unit: str) -> Decimal:
    """The units an allocation of ``size`` of a parcel takes; raises if it may not be allocated."""
    if stage not in SELLABLE_STAGES:
        raise Invalid.one("parcel", f"{what} is a baseline parcel; only created or enhanced habitat can be allocated")
    if size <= 0:
        raise Invalid.one("quantity", f"Enter a quantity of {what} greater than 0")
    if size > capacity.remaining_size:
        raise OverAllocation(
            f"Only {float(capacity.remaining_size):,.4f} {unit} of {what} remains to be allocated; "
            f"{float(size):,.4f} {unit} was asked for"
        )
    return capacity.units_for(size)
