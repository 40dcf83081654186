"""Every exception bng.planning raises, in one module: each is a ValueError (bad input to a rule)."""

from __future__ import annotations


class ConfigError(ValueError):
    """A commencement setting that cannot be read (the message says what was expected)."""


class FeeError(ValueError):
    """A fee that cannot be quoted as asked (the message says what is missing)."""


class PlanningDataError(ValueError):
    """A planning table is missing, malformed or inconsistent."""


class ScheduleError(ValueError):
    """No schedule or band for what was asked (the message says which)."""


class TransitionError(ValueError):
    """A move the determination does not allow (the message says which moves are allowed)."""
