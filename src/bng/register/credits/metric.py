"""The statutory biodiversity credits a development's metric asks for, tier by tier.

The metric comes as DEFRA's workbook (.xlsx or .xlsm, read by ``bng.workbook``) or as our JSON
site file; either way it becomes a ``Site`` and the engine computes the workbook's "Unit shortfall
summary": credits per tier, twice the unit shortfall. A tier the workbook shows as "ERROR" (a
very high distinctiveness loss remains) or "Error" cannot be bought: the metric must change first.
Beside the credits we keep what the gain hierarchy page shows: on-site and off-site gains per
module, the unit deficit, and the habitats with a net loss.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bng.metric import TIERS, Site, T, calculate, parse_site
from bng.register.core.errors import Invalid, Problem
from bng.register.core.filetypes import EXTENSIONS, DocumentKind, FileType, check_upload

from .amounts import TIER_LABELS, needed_hundredths

FIELD = "metric_file"
MAX_PROBLEMS = 20
MODULES = ("area", "hedgerow", "watercourse")


@dataclass(frozen=True, slots=True)
class ModuleGains:
    """One module's line of the gain hierarchy, in the metric's units."""

    module: str
    on_site_change: float | None
    off_site_change: float | None
    units_required: float | None
    unit_deficit: float | None


@dataclass(frozen=True)
class MetricCredits:
    """What a metric says about statutory biodiversity credits."""

    metric_release: str
    release_title: str
    by_tier: dict[str, float | None]
    needed: dict[str, int | None]
    messages: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    gains: tuple[ModuleGains, ...] = ()
    losses: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    project: dict[str, str] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        """Every tier has a number (no "ERROR" or "Error" in the unit shortfall summary)."""
        return all(self.needed.get(t) is not None for t in TIERS)

    @property
    def any_needed(self) -> bool:
        """Some tier has a unit shortfall, so statutory biodiversity credits are needed."""
        return any((self.needed.get(t) or 0) > 0 for t in TIERS)

    def tier_error(self) -> str:
        """Why the credits cannot be bought from this metric as it stands ("" when they can)."""
        if self.usable:
            return ""
        if T.VERY_HIGH_LOSS_REMAINS in self.messages or T.CREDITS_ERROR in self.messages:
            return (
                "The metric still includes losses of very high distinctiveness habitat. They must be compensated "
                "within the metric or through bespoke compensation agreed with the LPA; statutory biodiversity "
                "credits cannot be bought for them"
            )
        tiers = ", ".join(TIER_LABELS[t] for t in TIERS if self.needed.get(t) is None)
        return (
            f"The metric's unit shortfall summary shows an error for {tiers}, so the credits cannot be worked out: "
            "correct the metric (its rows marked ▲) and upload it again"
        )

    def to_dict(self) -> dict[str, Any]:
        """What a draft order keeps of the metric (JSON)."""
        return {
            "metric_release": self.metric_release,
            "release_title": self.release_title,
            "by_tier": self.by_tier,
            "needed": self.needed,
            "messages": list(self.messages),
            "problems": list(self.problems),
            "gains": [asdict(g) for g in self.gains],
            "losses": {m: [[h, u] for h, u in rows] for m, rows in self.losses.items()},
            "project": self.project,
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> MetricCredits:
        """The metric's credits as stored in an order's answers (the inverse of ``to_dict``)."""
        return cls(
            metric_release=doc["metric_release"],
            release_title=doc.get("release_title", ""),
            by_tier=dict(doc["by_tier"]),
            needed=dict(doc["needed"]),
            messages=tuple(doc.get("messages", ())),
            problems=tuple(doc.get("problems", ())),
            gains=tuple(ModuleGains(**g) for g in doc.get("gains", ())),
            losses={m: [(h, float(u)) for h, u in rows] for m, rows in doc.get("losses", {}).items()},
            project=dict(doc.get("project", {})),
        )


def read_metric(filename: str, data: bytes, field_name: str = FIELD) -> tuple[Site, list[str]]:
    """The Site of an uploaded metric and the problems found while reading it (listed, not raised)."""
    checked = check_upload(DocumentKind.METRIC, filename, data, field_name)
    if checked.file_type == FileType.SITE_JSON:
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise Invalid.one(field_name, f"The site file is not valid JSON: {err}") from None
        site, issues = parse_site(doc)
        return site, [f"The site file: {issue}" for issue in issues if issue.severity == "error"]
    return _read_workbook(data, checked.file_type, field_name)


def _read_workbook(data: bytes, file_type: FileType, field_name: str) -> tuple[Site, list[str]]:
    from bng.workbook import WorkbookError, read_workbook

    with tempfile.TemporaryDirectory(prefix="bng-credits-") as tmp:
        path = Path(tmp) / f"metric{EXTENSIONS[file_type]}"
        path.write_bytes(data)
        try:
            workbook = read_workbook(path)
        except WorkbookError as err:
            lines = [Problem(field_name, f"The metric workbook: {err.problem}")]
            lines += [Problem(field_name, f"The metric workbook: {p}") for p in err.problems[:MAX_PROBLEMS]]
            raise Invalid("The metric workbook cannot be used", lines) from None
        try:
            return workbook.site, [f"The metric workbook: {issue}" for issue in workbook.issues]
        finally:
            workbook.book.close()


def credits_of(site: Site, problems: list[str] | tuple[str, ...] = ()) -> MetricCredits:
    """The engine's unit shortfall summary for a site, with the gain hierarchy's figures."""
    result = calculate(site)
    found = list(problems)
    found += [f"The metric: {issue}" for issue in result.issues if issue.severity == "error"]
    found += [  # a row's ▲ error, unless an input problem of that row already says what is wrong
        f"The metric's {row.module} {row.location.replace('_', '-')} {row.stage} row {row.ref}: {row.messages[0]}"
        for row in result.row_errors
        if not any(f"{row.location}.{row.module}.{row.stage} row {row.ref!r}" in p for p in found)
    ]
    gains = []
    for module in MODULES:
        m = result.modules[module]
        on, total = m.on_site.net_change_units, m.total_net_change_units
        off = total - on if total is not None and on is not None else None
        gains.append(ModuleGains(module, on, off, m.units_required, m.unit_deficit))
    losses = {
        module: [
            (c.habitat, c.change_units)
            for c in result.trading[module].changes
            if c.change_units is not None and c.change_units < 0
        ]
        for module in MODULES
    }
    by_tier = {t: result.credits.by_tier.get(t) for t in TIERS}
    project = {
        "name": site.project.name.strip(),
        "planning_reference": site.project.planning_reference.strip(),
        "lpa": site.project.lpa.strip(),
    }
    return MetricCredits(
        metric_release=result.metric_release,
        release_title=result.release_title,
        by_tier=by_tier,
        needed={t: needed_hundredths(v) for t, v in by_tier.items()},
        messages=result.credits.messages,
        problems=tuple(found),
        gains=tuple(gains),
        losses={m: rows for m, rows in losses.items() if rows},
        project=project,
    )


def metric_credits(filename: str, data: bytes, field_name: str = FIELD) -> MetricCredits:
    """Read an uploaded metric and work out its credits (problems are listed in the result)."""
    site, problems = read_metric(filename, data, field_name)
    return credits_of(site, problems)
