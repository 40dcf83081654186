"""The answers of an application as GOV.UK summary lists (check your answers, the case page)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from markupsafe import Markup, escape

from bng.register.allocations import combined
from bng.register.applications.habitats import MODULE_LABELS, SIZE_UNITS, UNIT_LABELS, Habitats
from bng.register.applications.sections import DECLARATIONS, SECTIONS
from bng.register.applications.service import ApplicationView
from bng.register.core.ledger import shown
from bng.register.core.model import AGREEMENT_LABELS, AgreementType

from .filters import lines, long_date


def _file(view: ApplicationView, file_id: Any) -> Markup:
    stored = view.files.get(file_id) if isinstance(file_id, int) else None
    if stored is None:
        return Markup("Not uploaded")
    href = url_for("files.download", file_id=stored.id)
    return Markup(f'<a class="govuk-link" href="{href}">{escape(stored.name)}</a> ({file_size(stored.size)})')


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:,.0f} KB"
    return f"{size / 1024 / 1024:,.1f} MB"


def _row(key: str, value: Any, change: str | None = None, label: str = "") -> dict[str, Any]:
    row: dict[str, Any] = {
        "key": {"text": key},
        "value": {"html": value if isinstance(value, Markup) else lines(value)},
    }
    if change:
        row["actions"] = {"items": [{"href": change, "text": "Change", "visuallyHiddenText": label or key.lower()}]}
    return row


def section_rows(view: ApplicationView, key: str, editable: bool) -> list[dict[str, Any]]:
    a: dict[str, Any] = view.application.answers.get(key) or {}
    change = url_for("apply.section", reference=view.application.reference, key=key, back="check") if editable else None
    rows: list[dict[str, Any]] = []
    if key == "applicant":
        rows.append(
            _row(
                "Applying as",
                "An agent for the landowner" if a.get("acting_as") == "agent" else "The landowner",
                change,
            )
        )
        if a.get("acting_as") == "agent":
            rows.append(_row("Landowner", a.get("client_name", ""), change))
            rows.append(_row("Written authorisation", _file(view, a.get("authorisation_file")), change))
        rows += [
            _row("Name", a.get("name", ""), change),
            _row("Organisation", a.get("organisation") or "None given", change),
            _row("Email address", a.get("email", ""), change),
            _row("Telephone number", a.get("phone", ""), change),
        ]
    elif key == "ownership":
        rows += [
            _row("Landowners", a.get("landowners", ""), change),
            _row("Title numbers", a.get("title_numbers") or "None given", change),
            _row("Proof of ownership", _file(view, a.get("ownership_file")), change),
        ]
    elif key == "boundary":
        rows.append(_row("Gain site name", a.get("site_name", ""), change))
        rows.append(_row("Boundary", _file(view, a.get("boundary_file")), change))
        if a.get("area_ha") is not None:
            rows.append(_row("Area", f"{shown(float(a['area_ha']), 4)} hectares", change))
            rows.append(_row("Grid reference", a.get("grid_reference", ""), change))
    elif key == "habitats":
        if a.get("habitat_baseline_map"):
            rows.append(_row("Baseline habitat map", _file(view, a.get("habitat_baseline_map")), change))
            rows.append(_row("Post-intervention habitat map", _file(view, a.get("habitat_post_map")), change))
        else:
            rows.append(_row("Metric", _file(view, a.get("metric_file")), change))
        if a.get("habitats"):
            h = Habitats.from_dict(a["habitats"])
            # the parcels' units as the register keeps them (at the ledger's precision), so these totals are
            # the gain site page's to the last figure once it is registered
            for module in MODULE_LABELS:
                base = sum(p.ledger_units for p in h.parcels if p.module == module and p.stage == "baseline")
                post = sum(p.ledger_units for p in h.parcels if p.module == module and p.stage != "baseline")
                if base or post:
                    rows.append(
                        _row(
                            MODULE_LABELS[module],
                            f"{shown(base)} units baseline, {shown(post)} units created or enhanced",
                            change,
                        )
                    )
            if h.left_out:
                rows.append(_row("Rows of the metric left out", "\n".join(h.left_out), change))
            created = [p for p in h.parcels if p.stage != "baseline"]
            rows.append(
                _row(
                    "Created and enhanced habitat",
                    Markup("<br>").join(
                        escape(f"{p.habitat}: {shown(p.size, 4)} {SIZE_UNITS[p.module]}, {p.condition} ({p.stage})")
                        for p in created
                    )
                    or "None",
                    change,
                )
            )
    elif key == "legal-agreement":
        kind = a.get("agreement_type")
        rows.append(_row("Type of agreement", AGREEMENT_LABELS.get(AgreementType(kind), "") if kind else "", change))
        if kind == AgreementType.S106:
            names = [view.lpas[i].name for i in a.get("lpa_ids", []) if i in view.lpas]
            rows.append(_row("LPAs", ", ".join(names), change))
        elif kind == AgreementType.CONSERVATION_COVENANT:
            body = view.bodies.get(a.get("responsible_body_id"))  # type: ignore[arg-type]
            rows.append(_row("Responsible body", body.name if body else "", change))
        rows += [
            _row("Date signed", long_date(a.get("agreement_date")), change),
            _row("Habitat works complete", long_date(a.get("works_completion_date")), change),
            _row("Habitat secured until", long_date(a.get("secured_until")), change),
            _row("Legal agreement", _file(view, a.get("agreement_file")), change),
        ]
    elif key == "land-charge":
        rows += [
            _row("Date of certificate", long_date(a.get("certificate_date")), change),
            _row("Certificate", _file(view, a.get("land_charge_file")), change),
        ]
    elif key == "hmmp":
        rows.append(_row("In the legal agreement", "Yes" if a.get("hmmp_in_agreement") else "No", change))
        if not a.get("hmmp_in_agreement"):
            rows.append(_row("HMMP", _file(view, a.get("hmmp_file")), change))
    elif key == "allocation":
        rows.append(_row("Allocate units to a development", "Yes" if a.get("allocate") else "No", change, "allocation"))
        if a.get("allocate"):
            lpa = view.lpas.get(a.get("lpa_id"))  # type: ignore[arg-type]
            taken = combined.units(view.application.answers)
            rows += [
                _row("Development", a.get("development_name", ""), change),
                _row("Planning reference", a.get("planning_reference", ""), change),
                _row("LPA", lpa.name if lpa else "", change),
                _row("Grid reference of the development", a.get("grid_reference", ""), change),
            ]
            if a.get("method") == "metric":
                rows.append(_row("The development's metric", _file(view, a.get("development_metric_file")), change))
            rows += [
                _row(
                    "Habitat parcels",
                    Markup("<br>").join(
                        escape(
                            f"{p.habitat} (parcel {p.ref}): {shown(size, 4)} {SIZE_UNITS[p.module]}, "
                            f"{shown(units, 4)} {UNIT_LABELS[p.module]}"
                        )
                        for p, size, units in taken
                    )
                    or "None",
                    change,
                ),
            ]
    elif key == "declarations":
        ticked = set(a.get("confirm", []))
        rows.append(
            _row(
                "Confirmed",
                Markup("<br>").join(escape(text) for k, text in DECLARATIONS if k in ticked) or "Nothing yet",
                change,
            )
        )
    return rows


def all_sections(view: ApplicationView, editable: bool) -> list[tuple[str, str, list[dict[str, Any]]]]:
    return [(s.key, s.title, section_rows(view, s.key, editable)) for s in SECTIONS]
