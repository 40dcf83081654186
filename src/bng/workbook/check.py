"""``bng metric check``: read a workbook, recalculate it, and give two verdicts kept apart.

``consistent``: every cached value equals our recalculation of the workbook's own inputs
(with its own target, Start!F22). ``compliant``: every blocking rule of
:mod:`~bng.workbook.compliance` passes, judged on our recalculation with the compliance
target (10 % unless configured). Exit status: 0 both hold, 1 only compliance fails, 2 the
workbook is inconsistent, 3 it could not be checked at all (not a readable statutory workbook).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bng.metric import calculate, result_to_dict
from bng.metric.result import Result

from .cached import RESULT_SHEETS, read_cached
from .compliance import Check, check_rules
from .consistency import Discrepancy, compare
from .package import LIMITS, Limits
from .reader import read_workbook
from .release import WorkbookRelease

STATUTORY_TARGET_PERCENT = 10.0
EXIT_OK, EXIT_NOT_COMPLIANT, EXIT_INCONSISTENT, EXIT_UNREADABLE = 0, 1, 2, 3


@dataclass(frozen=True)
class CheckReport:
    """Everything ``bng metric check`` says about one workbook."""

    path: str
    project_name: str
    release: WorkbookRelease
    result: Result
    target_percent: float
    discrepancies: tuple[Discrepancy, ...]
    compared: int
    not_compared: tuple[str, ...]
    checks: tuple[Check, ...]

    @property
    def consistent(self) -> bool:
        return not self.discrepancies

    @property
    def compliant(self) -> bool:
        return all(c.passed for c in self.checks if c.blocking)

    @property
    def exit_code(self) -> int:
        if not self.consistent:
            return EXIT_INCONSISTENT
        return EXIT_OK if self.compliant else EXIT_NOT_COMPLIANT

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "project_name": self.project_name,
            "workbook_release": {
                "id": self.release.id,
                "title": self.release.title,
                "start_version": self.release.version,
                "notes": list(self.release.notes),
            },
            "metric_release": self.result.metric_release,
            "metric_release_title": self.result.release_title,
            "consistent": self.consistent,
            "compliant": self.compliant,
            "exit_code": self.exit_code,
            "compliance_target_percent": self.target_percent,
            "cached_values_compared": self.compared,
            "not_compared": list(self.not_compared),
            "discrepancies": [d.to_dict() for d in self.discrepancies],
            "checks": [c.to_dict() for c in self.checks],
            "result": result_to_dict(self.result),
        }


def check_workbook(path: Path | str, target_percent: float | None = None, limits: Limits = LIMITS) -> CheckReport:
    """Check one workbook; raises a WorkbookError when it cannot be read at all."""
    workbook = read_workbook(path, limits, RESULT_SHEETS)
    try:
        cached = read_cached(workbook.book, workbook.layouts)
    finally:
        workbook.book.close()
    result = calculate(workbook.site)
    discrepancies, compared = compare(workbook, cached, result)
    target = STATUTORY_TARGET_PERCENT if target_percent is None else target_percent
    if target == workbook.site.project.target_percent:
        target_result = result
    else:
        target_site = replace(workbook.site, project=replace(workbook.site.project, target_percent=target))
        target_result = calculate(target_site)
    checks = check_rules(workbook, result, target_result)
    return CheckReport(
        path=str(workbook.path),
        project_name=workbook.site.project.name,
        release=workbook.release,
        result=result,
        target_percent=target,
        discrepancies=tuple(discrepancies),
        compared=compared,
        not_compared=tuple(cached.missing),
        checks=tuple(checks),
    )
