"""Millionths live only in ``bng.db``: everywhere else the register speaks hectares, kilometres and units
(exact Decimals at the ledger's precision). Issue 15, item 3."""

from __future__ import annotations

import re
from pathlib import Path

import bng

SRC = Path(bng.__file__).parent
STORAGE = SRC / "db"
# a quantity in millionths by name (size_micro, MICRO, to_micro, from_micro, shown(..., micro=True), the
# template filter "micro"), or the scale written out as a divisor or factor
MILLIONTHS = re.compile(r"\w+_micro\b|\bMICRO\b|\bmicro\s*=|[/*]\s*1_?000_?000\b|\|\s*micro\b")


def _hits(paths: list[Path]) -> list[str]:
    out = []
    for path in paths:
        if STORAGE in path.parents:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if MILLIONTHS.search(line):
                out.append(f"{path.relative_to(SRC.parent)}:{number}: {line.strip()}")
    return out


def test_no_millionths_outside_the_database_package() -> None:
    code = sorted(SRC.rglob("*.py"))
    templates = sorted(SRC.rglob("*.html"))
    assert len(code) > 100 and templates  # the walk found the package
    assert _hits(code + templates) == []


def test_the_check_sees_what_it_looks_for(tmp_path: Path) -> None:
    """The pattern is not one that can never match: each way millionths leaked before is caught."""
    for leak in (
        "p.size_micro",
        "from bng.register.core.ledger import MICRO",
        "to_micro(0.5)",
        "shown(x, micro=True)",
        "f'{saved[key] / 1_000_000:f}'",
        "int(value * 1000000)",
        "{{ p.units | micro }}",
    ):
        assert MILLIONTHS.search(leak), leak
    for fine in ("MAX_VERTICES_PER_MAP = 1_000_000", "now.replace(microsecond=0)", "microphone=()"):
        assert not MILLIONTHS.search(fine), fine
