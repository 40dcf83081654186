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

This is the package's face: code outside ``bng.planning`` imports from here, never from a
submodule (an import-linter contract in pyproject.toml). No name of the face is a submodule's name
(import-linter would take ``from bng.planning import tables`` for the module): ``tables()`` is
``planning_tables``, and so on.
"""

from .application import APPLICATION_TYPES, DOCUMENT_TYPES, Application, FactIssue, parse_application
from .config import DEFAULT, PlanningConfig, parse_commencements
from .determination import DECIDED, LABELS, PlanStatus, clock, move
from .errors import ConfigError, FeeError, PlanningDataError, ScheduleError, TransitionError
from .excess import MODULES, ModuleExcess
from .excess import excess as sellable_excess
from .exemptions import Applicability, applicability, long_date
from .fees import FeeQuote, quote
from .gainplan import Allocated, GainPlan, MetricRef, PhaseValue, Purchased, module_values, tier_module
from .habitats import Impact, IrreplaceableFound, impact_of, irreplaceable_in
from .hierarchy import HierarchyReview, review_hierarchy
from .major import major_development
from .mhclg import bng_module
from .monitoring_tables import MonitoringProfile
from .monitoring_tables import monitoring_tables as monitoring_rule_tables
from .parcels import baseline_totals, post_parcels
from .progress import Assessment, Observation, Status, assess
from .schedules import INSPECTION, REPORT, Due, due_dates, end_date, schedule_band
from .significance import BY_S106, Classified, SiteFacts, classify
from .small_sites import SsmEligibility, ssm_eligibility
from .tables import LpaProfile
from .tables import tables as planning_tables
from .trajectory import LADDER, Trajectory, from_parcel
from .trajectory import trajectory as parcel_trajectory
from .validation import ItemResult, Problem, Verdict, item_results, items_for, letter, verdict

__all__ = [
    "APPLICATION_TYPES",
    "BY_S106",
    "DECIDED",
    "DEFAULT",
    "DOCUMENT_TYPES",
    "INSPECTION",
    "LABELS",
    "LADDER",
    "MODULES",
    "REPORT",
    "Allocated",
    "Applicability",
    "Application",
    "Assessment",
    "Classified",
    "ConfigError",
    "Due",
    "FactIssue",
    "FeeError",
    "FeeQuote",
    "GainPlan",
    "HierarchyReview",
    "Impact",
    "IrreplaceableFound",
    "ItemResult",
    "LpaProfile",
    "MetricRef",
    "ModuleExcess",
    "MonitoringProfile",
    "Observation",
    "PhaseValue",
    "PlanStatus",
    "PlanningConfig",
    "PlanningDataError",
    "Problem",
    "Purchased",
    "ScheduleError",
    "SiteFacts",
    "SsmEligibility",
    "Status",
    "Trajectory",
    "TransitionError",
    "Verdict",
    "applicability",
    "assess",
    "baseline_totals",
    "bng_module",
    "classify",
    "clock",
    "due_dates",
    "end_date",
    "from_parcel",
    "impact_of",
    "irreplaceable_in",
    "item_results",
    "items_for",
    "letter",
    "long_date",
    "major_development",
    "module_values",
    "monitoring_rule_tables",
    "move",
    "parcel_trajectory",
    "parse_application",
    "parse_commencements",
    "planning_tables",
    "post_parcels",
    "quote",
    "review_hierarchy",
    "schedule_band",
    "sellable_excess",
    "ssm_eligibility",
    "tier_module",
    "verdict",
]
