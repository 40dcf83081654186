"""What the register team records about a fee: that it was received, or that it was refunded.

One set of rules for the registration fee on a case and the allocation fee on an allocation, so that
both pages ask and answer alike. Each check raises ``Invalid`` naming the form's field.
"""

from __future__ import annotations

from datetime import date

from .errors import Invalid, Problem

METHODS = ("bank transfer", "card")
"""How a fee is paid, and how a refund is paid back."""
MAX_REFUND_REFERENCE = 100


def received(received_on: date | None, method: str, today: date) -> str:
    """Check the date a fee was received (today or before) and how it was paid (every problem at once);
    the method, tidied."""
    problems = []
    if received_on is None:
        problems.append(Problem("received_on", "Enter the date the payment was received"))
    elif received_on > today:
        problems.append(Problem("received_on", "The date the payment was received must be today or in the past"))
    method = (method or "").strip()
    if method not in METHODS:
        problems.append(Problem("method", "Select how the fee was paid"))
    if problems:
        raise Invalid(problems[0].message if len(problems) == 1 else "There is a problem", problems)
    return method


def refund(refunded_on: date | None, method: str, reference: str, today: date) -> tuple[str, str]:
    """Check a refund: the date it was paid back (today or before), how, and its reference (every
    problem at once, each naming its field); the method and the reference, tidied."""
    problems = []
    if refunded_on is None:
        problems.append(Problem("refunded_on", "Enter the date the fee was refunded"))
    elif refunded_on > today:
        problems.append(Problem("refunded_on", "The date the fee was refunded must be today or in the past"))
    method = (method or "").strip()
    if method not in METHODS:
        problems.append(Problem("refund_method", "Select how the fee was paid back"))
    reference = " ".join((reference or "").split())
    if not reference:
        problems.append(Problem("refund_reference", "Enter the refund's reference"))
    elif len(reference) > MAX_REFUND_REFERENCE:
        problems.append(
            Problem("refund_reference", f"The refund's reference must be {MAX_REFUND_REFERENCE} characters or fewer")
        )
    if problems:
        raise Invalid(problems[0].message if len(problems) == 1 else "The refund has problems", problems)
    return method, reference
