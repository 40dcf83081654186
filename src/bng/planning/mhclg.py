"""The applicability result as MHCLG's planning application data specification writes it.

The specification's ``bng`` module (``specification/module/bng.schema.md``, digital-land/
planning-application-data-specification, entry-date 2025-06-16): a householder application
gives only ``bng-exempt``; full, outline, technical details consent and demolition in a
conservation area give ``bng-condition-applies`` and then either
``bng-condition-exemption-reasons`` (each an ``exemption-type`` from the ``bng-exemption-type``
codelist and a ``reason``) or ``bng-details``. The schema spells the list in the plural; the
specification's own example (bng-exempt-small-sites.json) writes ``bng-condition-exemption-reason``
and cites a "regulation 15" that does not exist: bng writes the schema's name and the real
regulation.

Exemptions with no codelist entry (the 2026 reforms; development orders and urgent Crown
development, which never come to an LPA as applications with this module) are reported as
``unmapped`` beside the module, never invented as codes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .application import Degradation
from .exemptions import Applicability
from .tables import tables

MODULE_TYPES = ("full", "outline", "technical-details-consent", "s73")
"""Application types whose form carries the bng module with bng-condition-applies (a section 73
application uses the full form's module in practice)."""


def _exemption_reasons(result: Applicability, unmapped: list[dict[str, str]]) -> list[dict[str, str]]:
    """The exemptions the codelist names; the others go to ``unmapped``."""
    reasons = []
    codelist = tables().mhclg_exemption_types
    for o in result.exemptions:
        code = o.rule.mhclg_code
        if code and code in codelist:
            reasons.append({"exemption-type": code, "reason": f"{o.rule.title}: {o.why} ({o.rule.legal_source})."})
        else:
            unmapped.append({"bng-code": o.rule.code, "title": o.rule.title, "why": o.why})
    return reasons


def _loss(degradation: Degradation) -> dict[str, Any]:
    loss: dict[str, Any] = {"supporting-evidence": degradation.evidence}
    if degradation.on:
        loss["loss-date"] = degradation.on.isoformat()
    if degradation.pre_loss_value is not None:
        loss["pre-loss-biodiversity-value"] = degradation.pre_loss_value
    return loss


def bng_module(
    result: Applicability,
    *,
    pre_development_value: float | None = None,
    metric_publication_date: date | None = None,
    irreplaceable: bool | None = None,
    irreplaceable_details: str = "",
    supporting_documents: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """``{"bng": {...}, "unmapped": [...]}``: the module, and what the codelist cannot say."""
    app = result.application
    unmapped: list[dict[str, str]] = []
    if app.application_type == "householder":
        return {"bng": {"bng-exempt": True}, "unmapped": unmapped}
    module: dict[str, Any] = {}
    if result.condition_applies is None:
        return {"bng": module, "unmapped": unmapped, "undecided": list(result.missing)}
    module["bng-condition-applies"] = result.condition_applies
    if result.condition_applies is False:
        module["bng-condition-exemption-reasons"] = _exemption_reasons(result, unmapped)
        return {"bng": module, "unmapped": unmapped}
    details: dict[str, Any] = {}
    pre_date = app.pre_development_date or app.application_date
    if pre_date is not None:
        details["pre-development-date"] = pre_date.isoformat()
    if pre_development_value is not None:
        details["pre-development-biodiversity-value"] = round(pre_development_value, 4)
    if app.pre_development_date and app.application_date and app.pre_development_date < app.application_date:
        details["earlier-date-reason"] = app.earlier_date_reason
    if app.degradation_after_2020 is not None:
        details["habitat-loss-after-2020"] = app.degradation_after_2020
        if app.degradation_after_2020 and app.degradation is not None:
            details["habitat-loss-details"] = _loss(app.degradation)
    published = app.metric_publication_date or metric_publication_date
    if published is not None:
        details["metric-publication-date"] = published.isoformat()
    found = app.irreplaceable_habitat if app.irreplaceable_habitat is not None else irreplaceable
    if found is not None:
        details["irreplaceable-habitats"] = found
        if found:
            details["irreplaceable-habitats-details"] = app.irreplaceable_details or irreplaceable_details
    if supporting_documents:
        details["supporting-documents"] = supporting_documents
    module["bng-details"] = details
    return {"bng": module, "unmapped": unmapped}
