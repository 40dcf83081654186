"""Golden tests: every test vector, row by row and in totals, to 1e-9 relative.

The expected values are the official Feb-2024 workbook's own formulas evaluated by
LibreOffice (see the vectors' README). New vector files are picked up by themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bng.metric import calculate, parse_site, result_to_dict
from tests.conftest import VECTORS
from tests.metric.golden import compare

CASES = sorted(VECTORS.glob("*.site.json"))


def test_vectors_are_present() -> None:
    assert len(CASES) >= 40, f"expected the shared test vectors in {VECTORS}"


@pytest.mark.parametrize("site_path", CASES, ids=lambda p: p.name.removesuffix(".site.json"))
def test_vector(site_path: Path) -> None:
    expected = json.loads(site_path.with_name(site_path.name.replace(".site.json", ".expected.json")).read_text())
    site, _issues = parse_site(json.loads(site_path.read_text()))
    actual = result_to_dict(calculate(site))
    mismatches = compare(expected, actual)
    assert not mismatches, "\n".join(mismatches[:40])


def _numpy_floats(obj: object) -> object:
    """The same site with every float a numpy.float64 (a float subclass, as shapely's areas are)."""
    import dataclasses

    import numpy as np

    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.replace(
            obj, **{f.name: _numpy_floats(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.init}
        )
    if isinstance(obj, tuple):
        return tuple(_numpy_floats(x) for x in obj)
    if type(obj) is float:
        return np.float64(obj)
    return obj


@pytest.mark.parametrize("site_path", CASES[:12], ids=lambda p: p.name.removesuffix(".site.json"))
def test_float_subclasses_give_the_same_result(site_path: Path) -> None:
    site, _issues = parse_site(json.loads(site_path.read_text()))
    plain = result_to_dict(calculate(site))
    numpy = result_to_dict(calculate(_numpy_floats(site)))  # type: ignore[arg-type]
    assert numpy == plain
    assert all(type(r["units"]) is float for r in numpy["rows"] if r["units"] is not None)


@pytest.mark.parametrize("site_path", CASES, ids=lambda p: p.name.removesuffix(".site.json"))
def test_site_file_round_trip(site_path: Path) -> None:
    """Writing a Site as a site file and reading it back calculates the same."""
    from bng.metric import site_to_dict

    site, _ = parse_site(json.loads(site_path.read_text()))
    again, _ = parse_site(json.loads(json.dumps(site_to_dict(site))))
    assert result_to_dict(calculate(again)) == result_to_dict(calculate(site))
