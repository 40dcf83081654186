"""Classical mappings of the planning cases (``bng.register.planning.cases``) onto their tables."""

from __future__ import annotations

from typing import Any

from bng.register.planning import cases as r

from . import planning_tables as t


def map_planning_models(map_imperatively: Any) -> None:
    """Map the planning records with the register's mapper registry (called once by ``map_models``)."""
    m = map_imperatively
    m(r.PlanningCase, t.planning_case, version_id_col=t.planning_case.c.version)
    m(r.PlanningCaseEvent, t.planning_case_event)
