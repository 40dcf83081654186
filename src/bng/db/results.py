"""What a statement did: the rows an UPDATE or DELETE changed.

It is the one check of a conditional write (a claim, a code step, a sale) that tells whether this request,
and not a concurrent one, made the change.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def changed(result: Result[Any]) -> int:
    """Rows changed by an UPDATE or DELETE (``Session.execute`` types its result as a plain ``Result``)."""
    return cast(CursorResult[Any], result).rowcount
