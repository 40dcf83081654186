"""The validation report: text for the terminal, HTML and PDF (through :mod:`bng.documents`).

The report reads as an officer works: the verdict first, then each item of the national
minimum information and the local list with its status and the problems against it, then
every other problem, the metric's figures, the maps, the register's answers, the hierarchy
and the significant parcels, and last the letter to the applicant.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from bng.documents import render_html, render_pdf
from bng.metric import MODULE_NAMES

from .check import ValidationReport

TEMPLATE = "planning/validation_report.html.j2"
MARK = {"met": "✓", "not met": "✗", "not applicable": "–", "advisory": "!"}


def _n(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "—"
    return f"{v:,.2f} %" if pct else f"{v:,.4f}"


def render_text(r: ValidationReport) -> str:
    """The report as plain text for the terminal: the verdict, its problems and the applicability."""
    a = r.application
    out = [
        f"Validation of {r.source}",
        f"Application {a.reference or '(no reference)'} — {a.development or 'development not named'}",
        f"LPA profile: {r.lpa.name} (local target {r.lpa.local_target_percent:g} %, {r.lpa.target_status})",
        "",
        r.verdict.text(),
    ]
    if r.applicability is not None:
        out += ["", "Does the condition apply? " + r.applicability.verdict()]
    out += ["", "Items:"]
    for it in r.items:
        tag = "national" if it.item.list == "national" else it.item.list
        out.append(f"  {MARK[it.status]} [{tag} {it.item.number}] {it.item.code}: {it.item.title} — {it.status}")
        if it.evidence and it.status == "met":
            out.append(f"      evidence: {it.evidence}")
        for p in it.problems:
            out.append(f"      {p.severity}: {p}")
    loose = [p for p in r.problems if not p.item]
    if loose:
        out += ["", "Other problems:"]
        out += [f"  {p.severity}: {p} [{p.code}]" for p in loose]
    if r.metric is not None:
        m = r.metric
        out += [
            "",
            f"Metric {m.file.name}: {m.release_title}; recalculated with metric release {m.result.metric_release}",
        ]
        for k, v in m.result.modules.items():
            out.append(
                f"  {MODULE_NAMES[k]:14} baseline {_n(v.on_site.baseline_units)}  post-intervention "
                f"{_n(v.on_site.post_intervention_units)}  total net change {_n(v.total_net_change_percent, True)}"
            )
    for mp in r.maps:
        out.append(f"Map {mp.file.name} ({mp.stage}): {'valid' if mp.valid else f'{len(mp.errors)} error(s)'}")
    if r.reconciliation is not None:
        rc = r.reconciliation
        out.append(f"Maps against metric: {'agree' if rc.agrees else 'DIFFER'} ({rc.compared} parcels paired)")
    if r.register:
        out += ["", "Register:" if r.register_available else "Register (none configured: nothing verified):"]
        for c in r.register:
            mark = {True: "✓", False: "✗", None: "?"}[c.found]
            out.append(f"  {mark} {c.kind} {c.reference}: {c.detail}")
    if r.parcels:
        sig = [c for c in r.parcels if c.significant]
        out += [
            "",
            f"Significant on-site enhancements ({r.lpa.significance_profile} profile): {len(sig)} of {len(r.parcels)}",
        ]
        for cls in r.parcels:
            pp = cls.parcel
            out.append(f"  {pp.module} {pp.intervention} {pp.ref} {pp.habitat}: {cls.tier} — {cls.explanation()}")
    if r.hierarchy and r.hierarchy.contradictions:
        out += ["", "Gain hierarchy: what the metric contradicts"]
        out += [f"  {c.step}: {c.message}" for c in r.hierarchy.contradictions]
    out += ["", "Letter to the applicant:", ""]
    out += [f"  {line}" for para in r.letter for line in para.split("\n")]
    out += ["", f"Checked in {r.seconds:.2f} s"]
    return "\n".join(out)


def context(r: ValidationReport, created: datetime) -> dict[str, Any]:
    """What the report's HTML template shows."""
    a = r.application
    m = r.metric
    return {
        "title": f"Biodiversity net gain validation: {a.reference or r.source}",
        "issuer": r.lpa.name if r.lpa.code != "national" else (a.lpa or "Local planning authority"),
        "header_left": "Biodiversity net gain: validation report",
        "header_right": a.reference or "",
        "footer_left": f"Checked {r.checked_on.day} {r.checked_on:%B %Y} by bng",
        "reference": a.reference or "(no reference)",
        "development": a.development,
        "site_address": a.site_address,
        "applicant": a.applicant,
        "agent": a.agent,
        "lpa": r.lpa.name,
        "local_target": f"{r.lpa.local_target_percent:g} % ({r.lpa.target_status})",
        "valid": r.valid,
        "verdict": r.verdict.text(),
        "applicability": r.applicability.verdict() if r.applicability else "not judged: no application.json",
        "items": [
            {
                "tag": "National" if it.item.list == "national" else "Local",
                "number": it.item.number,
                "code": it.item.code,
                "title": it.item.title,
                "status": it.status,
                "mark": MARK[it.status],
                "evidence": it.evidence,
                "problems": [
                    {"severity": p.severity, "where": p.where, "message": p.message, "expected": p.expected}
                    for p in it.problems
                ],
            }
            for it in r.items
        ],
        "other_problems": [
            {"severity": p.severity, "where": p.where, "message": p.message, "expected": p.expected, "code": p.code}
            for p in r.problems
            if not p.item
        ],
        "metric": None
        if m is None
        else {
            "file": m.file.name,
            "release": m.release_title,
            "engine": m.result.metric_release,
            "rows": [
                (
                    MODULE_NAMES[k],
                    _n(v.on_site.baseline_units),
                    _n(v.on_site.post_intervention_units),
                    _n(v.total_net_change_units),
                    _n(v.total_net_change_percent, True),
                )
                for k, v in m.result.modules.items()
            ],
        },
        "maps": [
            {"file": x.file.name, "stage": x.stage, "state": "valid" if x.valid else f"{len(x.errors)} error(s)"}
            for x in r.maps
        ],
        "reconciliation": None
        if r.reconciliation is None
        else f"{'agree' if r.reconciliation.agrees else 'differ'} ({r.reconciliation.compared} parcels paired)",
        "register_available": r.register_available,
        "register": [
            {
                "kind": c.kind,
                "reference": c.reference,
                "state": {True: "confirmed", False: "NOT confirmed", None: "not verified"}[c.found],
                "detail": c.detail,
            }
            for c in r.register
        ],
        "profile": r.lpa.significance_profile,
        "parcels": [
            {
                "ref": c.parcel.ref,
                "module": c.parcel.module,
                "intervention": c.parcel.intervention,
                "habitat": c.parcel.habitat,
                "size": f"{c.parcel.size:,.4f} {c.parcel.unit}",
                "tier": c.tier,
                "why": c.explanation(),
            }
            for c in r.parcels
        ],
        "contradictions": [c.message for c in (r.hierarchy.contradictions if r.hierarchy else ())],
        "documents": [{"file": d.name, "type": d.type, "bytes": f"{d.size:,}"} for d in r.documents],
        "letter": r.letter,
        "seconds": f"{r.seconds:.2f}",
    }


def write_report(r: ValidationReport, out: Path, created: datetime | None = None) -> None:
    """The report as PDF (a name ending .pdf), HTML (.html) or JSON (.json)."""
    created = created or datetime.now()
    suffix = out.suffix.lower()
    if suffix == ".json":
        import json

        out.write_text(json.dumps(r.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
        return
    ctx = context(r, created)
    if suffix == ".pdf":
        out.write_bytes(render_pdf(TEMPLATE, ctx, title=ctx["title"], created=created))
    else:
        out.write_text(render_html(TEMPLATE, ctx), encoding="utf-8")
