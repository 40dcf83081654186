"""Whole numbers from a query string (page numbers, ids), bounded so the database can hold them.

``page=99999999999999999999999999`` used to reach the database as an OFFSET too large for a 64-bit
integer (a 500); a number the register can never have is now the client's mistake, said as a 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bng.register.core.errors import Invalid

MAX_PAGE = 1_000_000
"""No list of the register has a millionth page (100 items a page would be a hundred million rows)."""
MAX_ID = 2_147_483_647
"""The largest id a record can have on both databases (a 32-bit INTEGER primary key)."""
DIGITS = re.compile(r"[0-9]{1,18}")


def whole(text: str, least: int, most: int) -> int | None:
    """``text`` as a whole number from ``least`` to ``most`` (ASCII digits only), or None."""
    text = text.strip()
    if not DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if least <= value <= most else None


def page_number(args: Mapping[str, str], name: str = "page") -> int:
    """The page asked for (1 when none is); raises Invalid naming the parameter when it is no page number."""
    text = (args.get(name) or "").strip()
    if not text:
        return 1
    found = whole(text, 1, MAX_PAGE)
    if found is None:
        raise Invalid.one(name, f"{name} must be a whole number, 1 or more and at most {MAX_PAGE:,}")
    return found
