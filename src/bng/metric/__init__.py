"""The statutory biodiversity metric: pure calculation, no I/O.

``calculate(site)`` turns a :class:`~bng.metric.model.Site` into a
:class:`~bng.metric.result.Result` exactly as the official workbook does, naming the metric
release whose reference data it used.

This is the package's face: code outside ``bng.metric`` imports from here, never from a
submodule (an import-linter contract in pyproject.toml). Two exceptions are declared there:
``bng.workbook`` uses the Excel semantics (:mod:`~bng.metric.xl`) and the area sheet's balance
(:mod:`~bng.metric.area`), because it reproduces the workbook cell by cell.
"""

from .credits import TIERS, CreditCost, cost, prices_on
from .engine import calculate
from .errors import ReferenceDataError, XlError
from .labels import MODULE_NAMES, SIZE_NAMES, SIZE_UNITS, UNIT_HEADINGS, UNIT_NAMES
from .messages import T
from .model import (
    MODULES,
    STAGES,
    AreaBaseline,
    AreaCreation,
    AreaEnhancement,
    AreaRows,
    GainSite,
    HedgerowBaseline,
    HedgerowCreation,
    HedgerowEnhancement,
    HedgerowRows,
    Location,
    LocationName,
    Module,
    Project,
    Site,
    Stage,
    WatercourseBaseline,
    WatercourseCreation,
    WatercourseEnhancement,
    WatercourseRows,
    Years,
)
from .reference import (
    CONDITIONS,
    DEFAULT_RELEASE,
    LATEST_RELEASE,
    RELEASES,
    AreaHabitat,
    CreditPrice,
    Release,
    load,
    release_id,
)
from .result import GainSiteResult, ModuleResult, Result, RowResult
from .sitefile import parse_site, result_to_dict, site_to_dict

__all__ = [
    "CONDITIONS",
    "DEFAULT_RELEASE",
    "LATEST_RELEASE",
    "MODULES",
    "MODULE_NAMES",
    "RELEASES",
    "SIZE_NAMES",
    "SIZE_UNITS",
    "STAGES",
    "TIERS",
    "UNIT_HEADINGS",
    "UNIT_NAMES",
    "AreaBaseline",
    "AreaCreation",
    "AreaEnhancement",
    "AreaHabitat",
    "AreaRows",
    "CreditCost",
    "CreditPrice",
    "GainSite",
    "GainSiteResult",
    "HedgerowBaseline",
    "HedgerowCreation",
    "HedgerowEnhancement",
    "HedgerowRows",
    "Location",
    "LocationName",
    "Module",
    "ModuleResult",
    "Project",
    "ReferenceDataError",
    "Release",
    "Result",
    "RowResult",
    "Site",
    "Stage",
    "T",
    "WatercourseBaseline",
    "WatercourseCreation",
    "WatercourseEnhancement",
    "WatercourseRows",
    "XlError",
    "Years",
    "calculate",
    "cost",
    "load",
    "parse_site",
    "prices_on",
    "release_id",
    "result_to_dict",
    "site_to_dict",
]
