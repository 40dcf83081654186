"""The audit's report: one row per item as CSV and Parquet, and an HTML summary with charts.

The rows are the journal's, in the order the items were found, so a resumed audit's report is the
same as an uninterrupted one's. The summary's charts are SVG drawn by matplotlib into the page (no
files beside it, nothing fetched); file names and messages are user input, so the page is rendered
by Jinja with autoescaping.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bng.metric import MODULE_NAMES

from .task import COLUMNS, MODULES

CSV_NAME, PARQUET_NAME, HTML_NAME = "audit.csv", "audit.parquet", "summary.html"


def write_csv(rows: Sequence[dict[str, Any]], path: Path) -> None:
    """The rows as CSV, one per item, every column in the order of ``COLUMNS`` (blank for none)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in COLUMNS})


def write_parquet(rows: Sequence[dict[str, Any]], path: Path) -> None:
    """The rows as Parquet, typed by ``COLUMNS``, for analysis in pandas or DuckDB."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types: dict[str, pa.DataType] = {"str": pa.string(), "bool": pa.bool_(), "int": pa.int64(), "float": pa.float64()}
    schema = pa.schema([(name, types[kind]) for name, kind in COLUMNS.items()])
    clean = [{k: _typed(row.get(k), COLUMNS[k]) for k in COLUMNS} for row in rows]
    pq.write_table(pa.Table.from_pylist(clean, schema=schema), path)


def _typed(v: Any, kind: str) -> Any:
    if v is None:
        return None
    if kind == "float":
        return float(v)
    if kind == "int":
        return int(v)
    if kind == "bool":
        return bool(v)
    return str(v)


def verdict(row: dict[str, Any]) -> str:
    """The one-word outcome the summary counts."""
    if row.get("status") != "checked":
        return "could not be checked"
    if row.get("consistent") is False:
        return "inconsistent"
    return "compliant" if row.get("compliant") else "not compliant"


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The figures of the HTML summary: per module the deficits and median change, checks failed, errors."""
    checked = [r for r in rows if r.get("status") == "checked"]
    modules = []
    for m in MODULES:
        deficits = [r[f"{m}_unit_deficit"] for r in checked if (r.get(f"{m}_unit_deficit") or 0) > 0]
        changes = [r[f"{m}_net_change_percent"] for r in checked if r.get(f"{m}_net_change_percent") is not None]
        modules.append(
            {
                "name": MODULE_NAMES[m],
                "with_deficit": len(deficits),
                "deficit_units": sum(deficits),
                "median_change": _median(changes),
                "trading_failed": sum(1 for r in checked if r.get(f"{m}_trading_satisfied") is False),
            }
        )
    return {
        "items": len(rows),
        "workbooks": sum(1 for r in rows if r.get("kind") == "workbook"),
        "maps": sum(1 for r in rows if r.get("kind") == "maps"),
        "verdicts": Counter(verdict(r) for r in rows),
        "errors": Counter(r.get("error_code") or "error" for r in rows if r.get("status") != "checked"),
        "failed_checks": Counter(c for r in checked for c in (r.get("failed_checks") or "").split("; ") if c),
        "releases": Counter(r.get("workbook_release") or r.get("metric_release") or "—" for r in checked),
        "modules": modules,
        "credits": sum(r.get("credits_needed") or 0 for r in checked),
        "cpu_seconds": sum(r.get("seconds") or 0 for r in rows),
    }


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def _svg(fig: Any) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight")
    text = out.getvalue()
    return text[text.find("<svg") :]


def charts(rows: Sequence[dict[str, Any]], summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(title, inline SVG) for each chart of the summary."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 9, "svg.fonttype": "none", "svg.hashsalt": "bng-audit"})
    out: list[tuple[str, str]] = []

    def bars(title: str, counts: Counter[str], colour: str = "#1d70b8", top: int = 12) -> None:
        if not counts:
            return
        items = counts.most_common(top)[::-1]
        fig, ax = plt.subplots(figsize=(7, 0.35 * len(items) + 0.8))
        ax.barh([k for k, _ in items], [v for _, v in items], color=colour)
        for i, (_, v) in enumerate(items):
            ax.text(v, i, f" {v:,}", va="center")
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_xlabel("files")
        out.append((title, _svg(fig)))
        plt.close(fig)

    bars("Outcome", summary["verdicts"])
    for m in MODULES:
        values = [r[f"{m}_net_change_percent"] for r in rows if r.get(f"{m}_net_change_percent") is not None]
        values = [min(max(v, -100.0), 300.0) for v in values if math.isfinite(v)]
        if not values:
            continue
        fig, ax = plt.subplots(figsize=(7, 2.6))
        ax.hist(values, bins=40, color="#00703c")
        ax.axvline(10, color="#d4351c", linestyle="--", linewidth=1)
        ax.set_xlabel("total net change, % (clipped to -100…300; dashed: the statutory 10 %)")
        ax.set_ylabel("files")
        ax.spines[["top", "right"]].set_visible(False)
        out.append((f"{MODULE_NAMES[m]}: net change", _svg(fig)))
        plt.close(fig)
    bars("Rules failed (compliance checks and map errors)", summary["failed_checks"], "#f47738")
    bars("Why files could not be checked", summary["errors"], "#d4351c")
    bars("Releases", summary["releases"], "#4c2c92")
    return out


def write_html(
    rows: Sequence[dict[str, Any]], path: Path, *, title: str, complete: bool, sources: Sequence[str]
) -> None:
    """The HTML summary a person reads first: counts, charts and the items that could not be checked."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    summary = summarise(rows)
    env = Environment(
        loader=PackageLoader("bng.audit", "templates"),
        autoescape=select_autoescape(("html", "j2")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from markupsafe import Markup

    html = env.get_template("summary.html.j2").render(
        title=title,
        complete=complete,
        sources=sources,
        when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        summary=summary,
        charts=[(t, Markup(svg)) for t, svg in charts(rows, summary)],
        errors=[r for r in rows if r.get("status") != "checked"][:200],
        verdict_order=["compliant", "not compliant", "inconsistent", "could not be checked"],
    )
    path.write_text(html, encoding="utf-8")


def write_reports(
    rows: Sequence[dict[str, Any]], folder: Path, *, complete: bool, sources: Sequence[str]
) -> list[Path]:
    """Write the CSV, Parquet and HTML reports into ``folder``; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / CSV_NAME, folder / PARQUET_NAME, folder / HTML_NAME]
    write_csv(rows, paths[0])
    write_parquet(rows, paths[1])
    write_html(rows, paths[2], title="Biodiversity metric audit", complete=complete, sources=sources)
    return paths
