"""The planning side of biodiversity net gain: pure rules, like :mod:`bng.metric` (no I/O).

* :mod:`~bng.planning.exemptions`: does the biodiversity gain condition apply? (dated rule table)
* :mod:`~bng.planning.major`: major development per the DMPO; :mod:`~bng.planning.small_sites`:
  Small Sites Metric eligibility (bng calculates with the statutory metric)
* :mod:`~bng.planning.mhclg`: the result as MHCLG's planning application ``bng`` module
* :mod:`~bng.planning.hierarchy`: the gain hierarchy record and what the metric contradicts
* :mod:`~bng.planning.significance`: significant on-site enhancements per LPA profile
* :mod:`~bng.planning.validation`: validation items, verdict and the letter to the applicant
* :mod:`~bng.planning.gainplan` and :mod:`~bng.planning.determination`: the gain plan as data and
  its determination (8-week clock, no deemed discharge, phases)

The law and the LPA policies are CSV tables in ``data/`` with their sources (:mod:`~bng.planning.tables`).
Reading files, maps and workbooks is :mod:`bng.submission`'s business.
"""

from .application import Application, parse_application
from .config import DEFAULT, PlanningConfig, parse_commencements
from .exemptions import Applicability, applicability
from .major import major_development
from .tables import tables

__all__ = [
    "DEFAULT",
    "Applicability",
    "Application",
    "PlanningConfig",
    "applicability",
    "major_development",
    "parse_application",
    "parse_commencements",
    "tables",
]
