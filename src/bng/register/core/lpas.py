"""Which LPAs may be chosen: those that are LPAs on the day (``Lpa.current``), never an abolished council.

DEFRA's list (``data/lpas.csv``) still holds the councils abolished by the 2019-2023 reorganisations;
their rows carry the day they ended and the LPA that took over their area, with the order that did
it as the source. Every list the service offers holds only current LPAs, and every service that takes
an LPA refuses one that is not current, naming its successor.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from .model import Lpa
from .rules import long_date

SECRETARY_OF_STATE = "Secretary of State"
"""On DEFRA's list for applications the Secretary of State decides: an LPA with no area of its own."""


def current(lpas: Iterable[Lpa], on: date) -> list[Lpa]:
    """The LPAs in force on a day, in the order given."""
    return [x for x in lpas if x.current(on)]


def not_current(lpa: Lpa, on: date) -> str:
    """Why an LPA cannot be chosen on a day ("" when it can)."""
    if lpa.current(on):
        return ""
    if lpa.valid_to is not None and lpa.valid_to < on:
        instead = f": its area is {lpa.successor}'s now, so select {lpa.successor}" if lpa.successor else ""
        return f"{lpa.name} was abolished on {long_date(lpa.valid_to + timedelta(days=1))}{instead}"
    assert lpa.valid_from is not None
    return f"{lpa.name} is an LPA from {long_date(lpa.valid_from)}, not yet on {long_date(on)}"
