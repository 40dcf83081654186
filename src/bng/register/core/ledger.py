"""The capacity ledger: what a gain site created or enhanced, what is allocated, what remains.

Each creation or enhancement parcel has a capacity: its size (hectares or kilometres) and its
units. An allocation takes part of a parcel's size, and the units that go with it in proportion.
Quantities are kept in whole millionths (``MICRO``) so that sums are exact on SQLite and
PostgreSQL alike and a database CHECK constraint can hold ``allocated <= capacity``; these rules
give the clear message first, the database makes it impossible all the same (also when two
requests race).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from .errors import Invalid, OverAllocation

MICRO = 1_000_000
SELLABLE_STAGES = ("creation", "enhancement")


def to_micro(value: float | Decimal | str) -> int:
    """A quantity in millionths, rounded half to even at the sixth decimal."""
    return int((Decimal(str(value)) * MICRO).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def from_micro(value: int) -> float:
    return value / MICRO


def shown(value: int | float | Decimal | None, places: int = 2, *, micro: bool = False) -> str:
    """The one rounding rule for every figure the register shows: the exact decimal (millionths as whole
    numbers, a float by its shortest form) rounded half away from zero, as the metric workbook displays
    it, with thousands separators. 97.175 units is 97.18 on every page, whatever path it came by."""
    if value is None:
        return ""
    exact = Decimal(value) / MICRO if micro else Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return f"{exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"


@dataclass(frozen=True, slots=True)
class Capacity:
    """One parcel's ledger line."""

    size_micro: int
    units_micro: int
    allocated_size_micro: int = 0
    allocated_units_micro: int = 0

    @property
    def remaining_size_micro(self) -> int:
        return self.size_micro - self.allocated_size_micro

    @property
    def remaining_units_micro(self) -> int:
        return self.units_micro - self.allocated_units_micro

    def units_for(self, size_micro: int) -> int:
        """The units that go with an allocation of ``size_micro``: in proportion, rounded down, and
        exactly what remains when the allocation takes all that remains (so no dust is left)."""
        if size_micro == self.remaining_size_micro:
            return self.remaining_units_micro
        if self.size_micro == 0:
            return 0
        return min(self.remaining_units_micro, size_micro * self.units_micro // self.size_micro)


def check_allocation(stage: str, capacity: Capacity, size_micro: int, what: str, unit: str) -> int:
    """The units an allocation of ``size_micro`` of a parcel takes; raises if it may not be allocated."""
    if stage not in SELLABLE_STAGES:
        raise Invalid.one("parcel", f"{what} is a baseline parcel; only created or enhanced habitat can be allocated")
    if size_micro <= 0:
        raise Invalid.one("quantity", f"Enter a quantity of {what} greater than 0")
    if size_micro > capacity.remaining_size_micro:
        raise OverAllocation(
            f"Only {from_micro(capacity.remaining_size_micro):,.4f} {unit} of {what} remains to be allocated; "
            f"{from_micro(size_micro):,.4f} {unit} was asked for"
        )
    return capacity.units_for(size_micro)
