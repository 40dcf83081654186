"""``bng metric check``: read a workbook, recalculate it, and give two verdicts kept apart.

``consistent``: every cached value equals our recalculation of the workbook's own inputs
(with its own target, Start!F22, and its own release's reference data). ``compliant``: every
blocking rule of :mod:`~bng.workbook.compliance` passes, judged on our recalculation: the
statutory 10 % target, the workbook's own target where it sets another, and a local target
when one is given, each with its own verdict. Exit status: 0 both hold, 1 only compliance
fails, 2 the workbook is inconsistent, 3 it could not be checked at all (not a readable
statutory workbook; the message says what the file is and what it lacks).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bng.metric import Result, Site, calculate, load, result_to_dict

from .cached import RESULT_SHEETS, read_cached
from .compliance import Check, Target, check_rules
from .consistency import Discrepancy, compare
from .package import LIMITS, Limits
from .reader import read_workbook
from .release import WorkbookRelease, is_credits_sheet

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
    targets: tuple[Target, ...] = ()

    @property
    def consistent(self) -> bool:
        """Whether every cached value equals our recalculation."""
        return not self.discrepancies

    @property
    def compliant(self) -> bool:
        """Whether every blocking rule passed."""
        return all(c.passed for c in self.checks if c.blocking)

    @property
    def exit_code(self) -> int:
        """The command's exit code: inconsistent beats not compliant, so a tampered workbook is never "only" failing."""
        if not self.consistent:
            return EXIT_INCONSISTENT
        return EXIT_OK if self.compliant else EXIT_NOT_COMPLIANT

    @property
    def release_label(self) -> str:
        """The release the figures were calculated with, as results name it (``statutory 1.0.3``)."""
        return load(self.result.metric_release).label

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON (``bng workbook check --json``)."""
        return {
            "file": self.path,
            "project_name": self.project_name,
            "workbook_release": {
                "id": self.release.id,
                "label": self.release.label,
                "title": self.release.title,
                "start_version": self.release.version,
                "identified_by": self.release.evidence,
                "notes": list(self.release.notes),
            },
            "metric_release": self.result.metric_release,
            "metric_release_label": self.release_label,
            "metric_release_title": self.result.release_title,
            "consistent": self.consistent,
            "compliant": self.compliant,
            "exit_code": self.exit_code,
            "compliance_target_percent": self.target_percent,
            "targets": [{"kind": t.kind, "percent": t.percent, "title": t.title, "met": t.met()} for t in self.targets],
            "cached_values_compared": self.compared,
            "not_compared": list(self.not_compared),
            "discrepancies": [d.to_dict() for d in self.discrepancies],
            "checks": [c.to_dict() for c in self.checks],
            "result": result_to_dict(self.result),
        }


def _with_target(site: Site, result: Result, percent: float) -> Result:
    if percent == site.project.target_percent:
        return result
    return calculate(replace(site, project=replace(site.project, target_percent=percent)))


def check_workbook(
    path: Path | str,
    target_percent: float | None = None,
    limits: Limits = LIMITS,
    release: str | None = None,
) -> CheckReport:
    """Check one workbook; raises a WorkbookError when it cannot be read at all.

    ``target_percent`` is a local target to judge the workbook on besides the statutory 10 % and
    its own; ``release`` recalculates it with another release's reference data than its own.
    """
    workbook = read_workbook(path, limits, RESULT_SHEETS, release, is_credits_sheet)
    try:
        cached = read_cached(workbook.book, workbook.layouts)
    finally:
        workbook.book.close()
    site = workbook.site
    result = calculate(site)
    comparison = compare(workbook, cached, result)
    targets = [Target("statutory", STATUTORY_TARGET_PERCENT, _with_target(site, result, STATUTORY_TARGET_PERCENT))]
    own = site.project.target_percent
    if own != STATUTORY_TARGET_PERCENT:
        targets.append(Target("workbook", own, result))
    if target_percent is not None:
        targets.append(Target("local", target_percent, _with_target(site, result, target_percent)))
    checks = check_rules(workbook, result, targets, cached.calculated)
    return CheckReport(
        path=str(workbook.path),
        project_name=site.project.name,
        release=workbook.release,
        result=result,
        target_percent=STATUTORY_TARGET_PERCENT if target_percent is None else target_percent,
        discrepancies=comparison.discrepancies,
        compared=comparison.compared,
        not_compared=comparison.not_compared,
        checks=tuple(checks),
        targets=tuple(targets),
    )
