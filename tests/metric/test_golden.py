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
