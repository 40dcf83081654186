"""Configuration of the planning rules: when changes not yet in force commence.

The 2026 reforms (the 0.2 ha exemption, the end of the self-build exemption, temporary
permissions of up to 5 years) are rows of ``exemption_rules.csv`` that start or end at
``commencement:2026-phase-1``. Until a date is configured for that name, the rows are not in
force: bng applies the law as it stands. A deployment sets the date once the statutory
instrument is made (``BNG_PLANNING_COMMENCEMENTS=2026-phase-1=2026-07-31`` for the CLI, or
``--commencement`` on a command).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from .errors import ConfigError
from .tables import When


@dataclass(frozen=True)
class PlanningConfig:
    """When the dated changes in the planning tables commence (those not yet in force have no date)."""

    commencements: Mapping[str, date] = field(default_factory=lambda: MappingProxyType({}))

    def resolve(self, when: When | None) -> date | None:
        """The calendar date of a table date, or None when it names a change not (yet) commenced."""
        if when is None:
            return None
        if when.on is not None:
            return when.on
        return self.commencements.get(when.commencement or "")

    def with_commencement(self, name: str, on: date) -> PlanningConfig:
        """The configuration with one more change commenced on a day (``--commencement NAME=DATE``)."""
        return PlanningConfig(MappingProxyType({**self.commencements, name: on}))


DEFAULT = PlanningConfig()


def parse_commencements(text: str) -> PlanningConfig:
    """``name=YYYY-MM-DD`` pairs separated by commas (or spaces): e.g. ``2026-phase-1=2026-07-31``."""
    found: dict[str, date] = {}
    for part in text.replace(",", " ").split():
        name, eq, day = part.partition("=")
        if not eq or not name.strip():
            raise ConfigError(f"commencement {part!r}: expected NAME=YYYY-MM-DD, e.g. 2026-phase-1=2026-07-31")
        try:
            found[name.strip()] = date.fromisoformat(day.strip())
        except ValueError:
            raise ConfigError(f"commencement {part!r}: {day!r} is not a date such as 2026-07-31") from None
    return PlanningConfig(MappingProxyType(found))
