"""The check's report: a table for the terminal, and HTML or PDF for the file.

Every figure shown names the metric release it was calculated with. The HTML is rendered
from ``templates/check_report.html.j2`` (Jinja, autoescaped: workbook texts are user input);
the PDF is that HTML printed by ``bng.documents.print_pdf`` (WeasyPrint, as every PDF bng makes),
imported only when a PDF is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bng.metric import MODULE_NAMES

from .check import CheckReport

if TYPE_CHECKING:
    from jinja2 import Environment

HEADLINE_ROWS: tuple[tuple[str, str], ...] = (
    ("On-site baseline", "on_site.baseline_units"),
    ("On-site post-intervention", "on_site.post_intervention_units"),
    ("Off-site baseline", "off_site.baseline_units"),
    ("Off-site post-intervention", "off_site.post_intervention_units"),
    ("SRM deductions", "off_site.srm_deduction_units"),
    ("Total net change (units)", "total_net_change_units"),
    ("Total net change (%)", "total_net_change_percent"),
    ("Unit deficit", "unit_deficit"),
)


def _get(obj: object, path: str) -> object:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def fmt(v: object, pct: bool = False) -> str:
    """A value as the report shows it (a dash for none, NO for a false flag)."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        return f"{v:,.2f}%" if pct else f"{v:,.4f}"
    return str(v)


def headline(report: CheckReport) -> list[tuple[str, list[str]]]:
    """The headline results' rows, one column per module."""
    mods = [report.result.modules[m] for m in MODULE_NAMES]
    rows = [(label, [fmt(_get(m, path), path.endswith("percent")) for m in mods]) for label, path in HEADLINE_ROWS]
    rows.append(("Target met", [fmt(m.target_met) for m in mods]))
    rows.append(("Trading rules satisfied", [fmt(m.trading_rules_satisfied) for m in mods]))
    return rows


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], max_width: int = 48) -> list[str]:
    cells = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = ["  " + line.rstrip()]
    out += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return out


def verdict_lines(report: CheckReport) -> list[str]:
    """The verdicts in words: consistent, compliant, and why not."""
    failed = [c for c in report.checks if c.blocking and not c.passed]
    blocking = [c for c in report.checks if c.blocking]
    if report.consistent:
        consistent = f"yes: all {report.compared} cached values equal our recalculation (to 1e-9)"
    elif report.discrepancies[0].code == "NOT_CALCULATED":
        consistent = "NO: the workbook holds no calculated results; open it in Excel or LibreOffice and save it"
    else:
        consistent = f"NO: {len(report.discrepancies)} of {report.compared} cached values differ from our recalculation"
    compliant = "yes: every check passes" if not failed else f"NO: {len(failed)} of {len(blocking)} checks fail"
    return [f"Consistent: {consistent}", f"Compliant:  {compliant}"]


def targets_line(report: CheckReport) -> str:
    """The targets the workbook is judged on, as the checks' heading says them."""
    return "; ".join(t.title for t in report.targets) or f"{report.target_percent:g} %"


def render_text(report: CheckReport) -> str:
    """The report as plain text for the terminal."""
    r = report.result
    out = [
        f"{report.project_name or Path(report.path).name} ({report.path})",
        f"Workbook: {report.release.title}",
    ]
    if report.release.evidence:
        out.append(f"Identified by: {report.release.evidence}")
    out.append(f"Recalculated with {report.release_label} (metric release {r.metric_release})")
    out += [f"Note: {n}" for n in report.release.notes]
    out += ["", *verdict_lines(report)]
    if report.discrepancies:
        out += ["", "Discrepancies (the workbook's cached value against ours):"]
        out += _table(
            ("Sheet", "Cell", "What", "Cached", "Ours"),
            [(d.sheet, d.cell, d.what, d.cached, d.ours) for d in report.discrepancies],
        )
    if report.not_compared:
        out += ["", "Not compared: " + "; ".join(report.not_compared)]
    out += ["", f"Checks (targets: {targets_line(report)}):"]
    for c in report.checks:
        mark = "✓" if c.passed else ("✗" if c.blocking else "!")
        note = "" if c.blocking else " [advisory]"
        out.append(f"  {mark} {c.title}{note}")
        out += [f"      {d}" for d in c.details if not c.passed or "TARGET_" in c.code]
    out += ["", f"Headline, {report.release_label} (the workbook's own target):"]
    out += _table(("", *MODULE_NAMES.values()), [(label, *vals) for label, vals in headline(report)])
    return "\n".join(out)


def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, select_autoescape  # only for HTML: the text report needs none

    return Environment(
        loader=PackageLoader("bng.workbook", "templates"),
        autoescape=select_autoescape(("html", "j2")),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: CheckReport) -> str:
    """The report as an HTML page."""
    template = _environment().get_template("check_report.html.j2")
    return template.render(
        report=report,
        verdicts=verdict_lines(report),
        targets=targets_line(report),
        headline=headline(report),
        modules=list(MODULE_NAMES.values()),
        name=report.project_name or Path(report.path).name,
    )


def write_report(report: CheckReport, out: Path) -> None:
    """Write the report as HTML, or as PDF when ``out`` ends in .pdf."""
    html = render_html(report)
    if out.suffix.lower() == ".pdf":
        from bng.documents import print_pdf  # Jinja and WeasyPrint are slow to import: only for PDFs

        out.write_bytes(print_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
