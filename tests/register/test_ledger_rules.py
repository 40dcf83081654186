"""The capacity ledger's rules: exact arithmetic, units in proportion, never more than remains."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bng.register.core.errors import Invalid, OverAllocation
from bng.register.core.ledger import MICRO, Capacity, check_allocation, from_micro, to_micro


def test_micro_rounding_is_exact_and_half_even() -> None:
    assert to_micro(1.5) == 1_500_000
    assert to_micro("0.0000005") == 0 and to_micro("0.0000015") == 2
    assert to_micro(Decimal("12.3456789")) == 12_345_679
    assert from_micro(2_500_000) == 2.5


def test_units_go_with_size_in_proportion_and_the_last_takes_the_rest() -> None:
    cap = Capacity(size_micro=3_000_000, units_micro=10_000_000)
    assert cap.units_for(1_000_000) == 3_333_333  # rounded down: never more than its share
    last = Capacity(3_000_000, 10_000_000, 2_000_000, 6_666_666)
    assert last.units_for(1_000_000) == 3_333_334  # all that remains, no dust left


def test_refusals_say_what_remains() -> None:
    cap = Capacity(2_000_000, 8_000_000, 1_500_000, 6_000_000)
    with pytest.raises(OverAllocation, match=r"Only 0\.5000 ha of parcel 1 \(Grassland\) remains"):
        check_allocation("creation", cap, 600_000, "parcel 1 (Grassland)", "ha")
    with pytest.raises(Invalid, match="baseline"):
        check_allocation("baseline", cap, 1, "parcel B", "ha")
    with pytest.raises(Invalid, match="greater than 0"):
        check_allocation("creation", cap, 0, "parcel 1", "ha")
    assert check_allocation("enhancement", cap, 500_000, "parcel 1", "ha") == 2_000_000


@given(
    size=st.integers(1, 50 * MICRO),
    units=st.integers(0, 500 * MICRO),
    asks=st.lists(st.integers(1, 10 * MICRO), min_size=1, max_size=40),
)
def test_no_sequence_of_allocations_exceeds_capacity(size: int, units: int, asks: list[int]) -> None:
    cap = Capacity(size, units)
    for ask in asks:
        try:
            taken = check_allocation("creation", cap, ask, "p", "ha")
        except OverAllocation:
            assert ask > cap.remaining_size_micro
            continue
        cap = Capacity(size, units, cap.allocated_size_micro + ask, cap.allocated_units_micro + taken)
        assert 0 <= cap.allocated_size_micro <= size
        assert 0 <= cap.allocated_units_micro <= units
    if cap.allocated_size_micro == size:
        assert cap.allocated_units_micro == units
