"""The biodiversity gain hierarchy: how each step was followed, and where the metric contradicts it.

Steps (``hierarchy_steps.csv``, DMPO art 37A via the PPG): avoid then mitigate for onsite
habitat of medium or higher distinctiveness; then compensate by enhancing onsite habitat,
creating onsite habitat, allocating registered off-site gains, and last buying statutory
credits. The record holds, per step, the applicant's answer and evidence and the officer's
finding. The metric is then read for what contradicts the record: medium or higher
distinctiveness habitat lost with no account of avoiding it; credits bought while such losses
go unexplained; a step claimed that the metric does not show; off-site units at the metric's
lowest spatial risk multiplier (far from the development) with no reason given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bng.metric import Result, Site, load

from .application import Application, StepAnswer
from .habitats import score_of
from .tables import Heading, tables

MEDIUM_SCORE = 4.0  # "a score of four or more" (DMPO art 37A as restated by source 003)


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One step of the mitigation hierarchy: the applicant's answer, and whether the metric shows it used."""

    step: Heading
    answer: StepAnswer
    shown_by_metric: bool | None  # whether the metric shows this step used (None: cannot tell)

    def to_dict(self) -> dict[str, Any]:
        """The step as JSON."""
        return {
            "order": self.step.order,
            "step": self.step.code,
            "title": self.step.title,
            "evidence_asked": self.step.detail,
            "followed": self.answer.followed or None,
            "applicant_evidence": self.answer.evidence,
            "officer_finding": self.answer.officer_finding or None,
            "officer_note": self.answer.officer_note,
            "shown_by_metric": self.shown_by_metric,
        }


@dataclass(frozen=True, slots=True)
class Contradiction:
    """Where the applicant's answer and the metric disagree about a step."""

    code: str
    step: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """The contradiction as JSON."""
        return {"code": self.code, "step": self.step, "message": self.message}


@dataclass(frozen=True)
class HierarchyReview:
    """The mitigation hierarchy as the application states it, checked against the metric."""

    steps: tuple[StepRecord, ...]
    contradictions: tuple[Contradiction, ...]
    medium_plus_lost_units: float
    medium_plus_lost: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The review as JSON."""
        return {
            "steps": [s.to_dict() for s in self.steps],
            "contradictions": [c.to_dict() for c in self.contradictions],
            "medium_or_higher_units_lost": self.medium_plus_lost_units,
            "medium_or_higher_parcels_lost": list(self.medium_plus_lost),
        }


def _justified(a: StepAnswer) -> bool:
    return a.followed in ("yes", "not applicable") and bool(a.evidence.strip())


def review_hierarchy(app: Application, site: Site | None, result: Result | None) -> HierarchyReview:
    """Each step's answer beside what the metric shows, the contradictions, and medium or higher habitat lost."""
    steps = tables().hierarchy_steps
    answers = {s.code: app.hierarchy.get(s.code, StepAnswer()) for s in steps}
    shown: dict[str, bool | None] = dict.fromkeys(answers)
    lost_units = 0.0
    lost: list[str] = []
    contradictions: list[Contradiction] = []
    credits_used = bool(app.credit_purchases) or answers["credits"].followed == "yes"
    if site is not None and result is not None:
        rel = load(site.metric_release)
        rows = {(r.module, r.stage, r.ref): r for r in result.rows if r.location == "on_site"}
        for module in ("area", "hedgerow", "watercourse"):
            for b in getattr(site.on_site, module).baseline:
                size = (b.area_ha if module == "area" else b.length_km) or 0.0
                kept = (
                    ((b.retained_ha or 0.0) + (b.enhanced_ha or 0.0))
                    if module == "area"
                    else ((b.retained_km or 0.0) + (b.enhanced_km or 0.0))
                )
                score = score_of(module, b.habitat, rel)
                res = rows.get((module, "baseline", b.ref))
                if score is not None and score >= MEDIUM_SCORE and size - kept > 1e-9 and res and res.units:
                    share = (size - kept) / size if size else 0.0
                    lost_units += (res.units or 0.0) * share
                    lost.append(f"{module} {b.ref} ({b.habitat})")
        on = site.on_site
        shown["avoid-mitigate"] = None
        shown["enhance-onsite"] = bool(on.area.enhancement or on.hedgerow.enhancement or on.watercourse.enhancement)
        shown["create-onsite"] = bool(on.area.creation or on.hedgerow.creation or on.watercourse.creation)
        shown["offsite"] = site.off_site.row_count() > 0 or bool(app.allocations)
        shown["credits"] = bool(app.credit_purchases) or None
        if lost and not _justified(answers["avoid-mitigate"]):
            contradictions.append(
                Contradiction(
                    "MEDIUM_PLUS_LOST_UNEXPLAINED",
                    "avoid-mitigate",
                    f"{lost_units:.2f} units of medium or higher distinctiveness habitat are lost on site "
                    f"({'; '.join(lost)}) with no account of how the loss was avoided or mitigated",
                )
            )
            if credits_used:
                contradictions.append(
                    Contradiction(
                        "CREDITS_WITH_UNEXPLAINED_LOSS",
                        "credits",
                        "statutory credits are bought while on-site habitat of medium or higher distinctiveness "
                        "is lost with no justification: credits are the last step, after avoiding and mitigating "
                        "that loss",
                    )
                )
        for code, label in (
            ("enhance-onsite", "on-site enhancement"),
            ("create-onsite", "on-site habitat creation"),
            ("offsite", "registered off-site gains"),
        ):
            if answers[code].followed == "yes" and shown[code] is False:
                contradictions.append(
                    Contradiction(
                        "STEP_NOT_IN_METRIC", code, f"the applicant says {label} is used; the metric shows none"
                    )
                )
        if shown["offsite"] and answers["offsite"].followed in ("", "no"):
            contradictions.append(
                Contradiction(
                    "OFFSITE_UNEXPLAINED",
                    "offsite",
                    "the metric uses off-site gains but the record does not say why on-site gains could not "
                    "deliver them",
                )
            )
        far = _far_offsite(site)
        if far and not answers["offsite"].evidence.strip():
            contradictions.append(
                Contradiction(
                    "OFFSITE_FAR",
                    "offsite",
                    "off-site units at the metric's lowest spatial risk multiplier (outside the LPA or NCA of the "
                    f"development and its neighbours): {', '.join(far)}; no reason is given why a nearer gain site "
                    "could not be used",
                )
            )
    if credits_used and answers["offsite"].followed in ("", "no") and not answers["offsite"].evidence.strip():
        contradictions.append(
            Contradiction(
                "CREDITS_BEFORE_OFFSITE",
                "credits",
                "statutory credits are bought but the record gives no reason why registered off-site gains "
                "could not be used (credits are a last resort)",
            )
        )
    records = tuple(StepRecord(s, answers[s.code], shown[s.code]) for s in steps)
    return HierarchyReview(records, tuple(contradictions), lost_units, tuple(lost))


def _far_offsite(site: Site) -> list[str]:
    rel = load(site.metric_release)
    lowest_area = min(rel.spatial_risk.values()) if rel.spatial_risk else None
    lowest_water = min(rel.spatial_risk_watercourse.values()) if rel.spatial_risk_watercourse else None
    out: list[str] = []
    for module in ("area", "hedgerow", "watercourse"):
        rows = getattr(site.off_site, module)
        lowest = lowest_water if module == "watercourse" else lowest_area
        table = rel.spatial_risk_watercourse if module == "watercourse" else rel.spatial_risk
        for stage in ("baseline", "creation"):
            for r in getattr(rows, stage):
                risk = getattr(r, "spatial_risk", None)
                if risk and lowest is not None and table.get(risk) == lowest and lowest < 1:
                    out.append(f"{r.gain_site or 'gain site'} {module} {r.ref}")
    return sorted(set(out))
