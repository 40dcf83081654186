"""The statutory biodiversity metric: pure calculation, no I/O.

``calculate(site)`` turns a :class:`~bng.metric.model.Site` into a
:class:`~bng.metric.result.Result` exactly as the official workbook does, naming the metric
release whose reference data it used.
"""

from .engine import calculate
from .model import Site
from .reference import DEFAULT_RELEASE, Release, load
from .result import Result
from .sitefile import parse_site, result_to_dict, site_to_dict

__all__ = [
    "DEFAULT_RELEASE",
    "Release",
    "Result",
    "Site",
    "calculate",
    "load",
    "parse_site",
    "result_to_dict",
    "site_to_dict",
]
