"""Reconcile a habitat map with a metric (a workbook or a site file): do they describe the same site?

Rows are paired by the reference the surveyor gave them: the map's Parcel Ref (or Tree Ref), the
workbook's "Habitat reference" column (its line number when that is blank), the site file's
ref. Each pair is compared field by field (habitat, condition, strategic significance, size,
and for baseline rows the retained and enhanced parts); sizes may differ by a tolerance
(workbooks are often filled in to two decimals). Totals per habitat are compared too, so a
map and a metric that disagree parcel by parcel but agree in sum, or the reverse, are seen
for what they are.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bng.metric import SIZE_UNITS, Site, parse_site

from .errors import MetricError

MAX_METRIC_BYTES = 50 * 1024 * 1024
STAGES = ("baseline", "creation", "enhancement")
MODULES = ("area", "hedgerow", "watercourse")


@dataclass(frozen=True)
class Metric:
    """A metric read for reconciliation: its site, and each row's reference as the surveyor wrote it."""

    site: Site
    labels: dict[tuple[str, str, str, str], str]  # (module, location, stage, ref) -> the surveyor's reference


def read_metric(path: Path, release: str | None = None) -> Metric:
    """A site file (.json) or a statutory metric workbook (.xlsx/.xlsm), as a Site."""
    if not path.exists():
        raise MetricError(f"{path}: the file does not exist")
    suffix = path.suffix.lower()
    if suffix == ".json":
        if path.stat().st_size > MAX_METRIC_BYTES:
            raise MetricError(f"{path}: larger than the {MAX_METRIC_BYTES:,} bytes a site file may be")
        try:
            data = json.loads(path.read_bytes())
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise MetricError(f"{path}: not a JSON site file ({err})") from None
        site, _ = parse_site(data, release)
        return Metric(site, {})
    if suffix in (".xlsx", ".xlsm"):
        return _read_workbook(path)
    raise MetricError(f"{path}: a metric is a statutory metric workbook (.xlsx, .xlsm) or a site file (.json)")


def _read_workbook(path: Path) -> Metric:
    from bng.workbook import INPUT_SHEETS, WorkbookError, read_workbook

    try:
        wb = read_workbook(path)
    except WorkbookError as err:
        raise MetricError(err.message()) from None
    try:
        where = {s.key: (s.module, s.location, s.stage) for s in INPUT_SHEETS}
        labels: dict[tuple[str, str, str, str], str] = {}
        for src in wb.sources:
            module, location, stage = where[src.key]
            if src.habitat_reference:
                labels[(module, location, stage, src.ref)] = src.habitat_reference
        return Metric(wb.site, labels)
    finally:
        wb.book.close()


@dataclass(frozen=True)
class _Row:
    module: str
    location: str
    stage: str
    label: str  # the pairing key
    habitat: str
    condition: str
    strategic_significance: str
    size: float | None
    retained: float | None = None
    enhanced: float | None = None


@dataclass(frozen=True)
class Difference:
    """A value that the map and the metric give differently for one row."""

    module: str
    location: str
    stage: str
    ref: str
    field: str
    map_value: Any
    metric_value: Any

    @property
    def shown(self) -> tuple[str, str]:
        """The map's value and the metric's as a reader sees them: "blank", four decimals or as given."""
        return _show(self.map_value), _show(self.metric_value)

    def __str__(self) -> str:
        """The difference in words, naming the row and both values."""
        where = f"{self.module} {self.location.replace('_', '-')} {self.stage} {self.ref}"
        on_map, in_metric = self.shown
        return f"{where}: {self.field} is {on_map} on the map but {in_metric} in the metric"


def _show(v: Any) -> str:
    if v is None or v == "":
        return "blank"
    if isinstance(v, float):
        return f"{v:.4f}"
    return repr(v)


@dataclass
class Reconciliation:
    """What reconciling a map with a metric found: differences, unpaired rows and totals."""

    tolerance_ha: float
    tolerance_km: float
    differences: list[Difference] = field(default_factory=list)
    only_in_map: list[tuple[str, str, str, str]] = field(default_factory=list)
    only_in_metric: list[tuple[str, str, str, str]] = field(default_factory=list)
    totals: list[Difference] = field(default_factory=list)
    compared: int = 0
    stages: tuple[str, ...] = STAGES

    @property
    def agrees(self) -> bool:
        """Whether the map and the metric agree everywhere (within the tolerances)."""
        return not (self.differences or self.only_in_map or self.only_in_metric or self.totals)

    def to_dict(self) -> dict[str, Any]:
        """The reconciliation as JSON."""

        def diff(d: Difference) -> dict[str, Any]:
            return {
                "module": d.module,
                "location": d.location,
                "stage": d.stage,
                "ref": d.ref,
                "field": d.field,
                "map": d.map_value,
                "metric": d.metric_value,
            }

        def only(k: tuple[str, str, str, str]) -> dict[str, str]:
            return dict(zip(("module", "location", "stage", "ref"), k, strict=True))

        return {
            "agrees": self.agrees,
            "tolerance_ha": self.tolerance_ha,
            "tolerance_km": self.tolerance_km,
            "stages": list(self.stages),
            "rows_compared": self.compared,
            "differences": [diff(d) for d in self.differences],
            "only_in_map": [only(k) for k in self.only_in_map],
            "only_in_metric": [only(k) for k in self.only_in_metric],
            "totals": [diff(d) for d in self.totals],
        }

    def text(self, map_name: str = "the map", metric_name: str = "the metric") -> str:
        """The reconciliation as a report for the terminal."""
        lines = [
            f"Reconciling {map_name} with {metric_name} ({self.compared} rows paired; sizes within "
            f"{self.tolerance_ha:g} ha / {self.tolerance_km:g} km)"
        ]
        if self.stages != STAGES:
            lines.append(f"  compared: {', '.join(self.stages)} rows only (the map has no post-intervention stage)")
        lines += [f"  {d}" for d in self.differences]
        lines += [
            f"  {m} {loc.replace('_', '-')} {st} {ref}: on the map, not in the metric"
            for m, loc, st, ref in self.only_in_map
        ]
        lines += [
            f"  {m} {loc.replace('_', '-')} {st} {ref}: in the metric, not on the map"
            for m, loc, st, ref in self.only_in_metric
        ]
        if self.totals:
            lines.append("  Totals by habitat:")
            lines += [
                f"    {d.module} {d.location.replace('_', '-')} {d.stage} {d.ref}: "
                f"{d.shown[0]} {SIZE_UNITS[d.module]} on the map, {d.shown[1]} {SIZE_UNITS[d.module]} in the metric"
                for d in self.totals
            ]
        lines.append("The map and the metric agree." if self.agrees else "The map and the metric DIFFER.")
        return "\n".join(lines)


def _rows(site: Site, labels: dict[tuple[str, str, str, str], str]) -> list[_Row]:
    out: list[_Row] = []
    for location in ("on_site", "off_site"):
        loc = getattr(site, location)
        for module in MODULES:
            rows = getattr(loc, module)
            base_label = {}
            for r in rows.baseline:
                label = labels.get((module, location, "baseline", r.ref), r.ref)
                base_label[r.ref] = label
                size = r.area_ha if module == "area" else r.length_km
                kept = (r.retained_ha, r.enhanced_ha) if module == "area" else (r.retained_km, r.enhanced_km)
                out.append(
                    _Row(
                        module,
                        location,
                        "baseline",
                        label,
                        r.habitat,
                        r.condition,
                        r.strategic_significance,
                        size,
                        *kept,
                    )
                )
            for r in rows.creation:
                label = labels.get((module, location, "creation", r.ref), r.ref)
                size = r.area_ha if module == "area" else r.length_km
                out.append(
                    _Row(module, location, "creation", label, r.habitat, r.condition, r.strategic_significance, size)
                )
            for r in rows.enhancement:  # paired by the baseline row they enhance
                label = base_label.get(r.baseline_ref, r.baseline_ref)
                out.append(
                    _Row(module, location, "enhancement", label, r.habitat, r.condition, r.strategic_significance, None)
                )
    return out


def _key(r: _Row) -> tuple[str, str, str, str]:
    return (r.module, r.location, r.stage, r.label.strip().lower())


def reconcile(
    map_site: Site,
    metric: Site | Metric,
    *,
    tolerance_ha: float = 0.01,
    tolerance_km: float = 0.01,
    stages: tuple[str, ...] = STAGES,
) -> Reconciliation:
    """Compare a Site built from a map with a metric's Site, row by row and habitat by habitat."""
    m = metric if isinstance(metric, Metric) else Metric(metric, {})
    out = Reconciliation(tolerance_ha, tolerance_km, stages=stages)
    mine = [r for r in _rows(map_site, {}) if r.stage in stages]
    theirs = [r for r in _rows(m.site, m.labels) if r.stage in stages]
    by_key: dict[tuple[str, str, str, str], _Row] = {_key(r): r for r in theirs}
    seen = set()
    baseline_only = stages == ("baseline",)
    for r in mine:
        other = by_key.get(_key(r))
        if other is None:
            out.only_in_map.append((r.module, r.location, r.stage, r.label))
            continue
        seen.add(_key(r))
        out.compared += 1
        tol = tolerance_ha if r.module == "area" else tolerance_km
        for name in ("habitat", "condition", "strategic_significance"):
            a, b = getattr(r, name), getattr(other, name)
            if (a or "").strip().lower() != (b or "").strip().lower():
                out.differences.append(Difference(r.module, r.location, r.stage, r.label, name, a, b))
        sizes = ["size"] if baseline_only else ["size", "retained", "enhanced"]
        for name in sizes:
            a, b = getattr(r, name), getattr(other, name)
            if a is None and b is None:
                continue
            if a is None or b is None or abs(a - b) > tol:
                out.differences.append(Difference(r.module, r.location, r.stage, r.label, name, a, b))
    out.only_in_metric = [(r.module, r.location, r.stage, r.label) for r in theirs if _key(r) not in seen]
    out.totals = _totals(mine, theirs, tolerance_ha, tolerance_km)
    return out


def _totals(mine: list[_Row], theirs: list[_Row], tol_ha: float, tol_km: float) -> list[Difference]:
    def sums(rows: list[_Row]) -> dict[tuple[str, str, str, str], float]:
        out: dict[tuple[str, str, str, str], float] = defaultdict(float)
        for r in rows:
            if r.size is not None:
                out[(r.module, r.location, r.stage, r.habitat)] += r.size
        return out

    a, b = sums(mine), sums(theirs)
    diffs = []
    for key in sorted(set(a) | set(b)):
        tol = tol_ha if key[0] == "area" else tol_km
        if abs(a.get(key, 0.0) - b.get(key, 0.0)) > tol:
            diffs.append(Difference(*key, "total", a.get(key, 0.0), b.get(key, 0.0)))
    return diffs
