"""Reference numbers: gain sites (``BGS-``), applications, payments and allocations.

A gain site reference is ``BGS-`` then the registration date as DDMMYY and a three-digit
number of that day (``BGS-221126001``), the form Natural England's register uses and that
metric workbooks quote. The other references are ours: a prefix and eight characters of
Crockford's base 32 (no I, L, O or U, so nothing is misread) drawn at random, so they reveal
nothing about how many applications there are.
"""

from __future__ import annotations

import re
import secrets
from datetime import date

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GAIN_SITE_PATTERN = re.compile(r"^BGS-(\d{2})(\d{2})(\d{2})(\d{3,})$")
_RANDOM_PATTERN = re.compile(r"^(APP|PAY|ALL)-([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z]{4})$")


def gain_site_reference(registered_on: date, number: int) -> str:
    """The reference of the day's ``number``-th gain site registered (from 1): ``BGS-221126001``."""
    if number < 1:
        raise ValueError("the day's number starts at 1")
    return f"BGS-{registered_on:%d%m%y}{number:03d}"


def is_gain_site_reference(text: str) -> bool:
    """Whether the text (trimmed, any case) has the form of a gain site reference."""
    return GAIN_SITE_PATTERN.match(text.strip().upper()) is not None


def _random(prefix: str) -> str:
    chars = "".join(secrets.choice(CROCKFORD) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


def application_reference() -> str:
    """A new application's reference, ``APP-`` and eight random characters."""
    return _random("APP")


def payment_reference() -> str:
    """A new fee's reference, ``PAY-`` and eight random characters (the one a payer quotes)."""
    return _random("PAY")


def allocation_reference() -> str:
    """A new allocation's reference, ``ALL-`` and eight random characters."""
    return _random("ALL")


def message_reference() -> str:
    """A new message's reference, ``MSG-`` and eight random characters."""
    return _random("MSG")


def normalise(text: str) -> str:
    """Upper case and trimmed; in the random part, O read as 0 and I or L as 1 (Crockford's rule)."""
    text = text.strip().upper()
    prefix, dash, rest = text.partition("-")
    if not dash or prefix == "BGS":
        return text
    return f"{prefix}-{rest.translate(str.maketrans('OIL', '011'))}"


def is_reference(text: str, prefix: str) -> bool:
    """Whether the text is an application's, fee's or allocation's reference with this prefix (normalised first)."""
    m = _RANDOM_PATTERN.match(text)
    return m is not None and m.group(1) == prefix
