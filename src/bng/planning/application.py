"""A planning application's facts, as the planning rules need them, read from its JSON form.

``application.json`` (see docs/planning.md) holds what the application form says: the type
and dates, the development (dwellings, floorspace, site area), the facts an exemption turns
on, the statement's answers (pre-development date, degradation, irreplaceable habitat, metric
publication date), and the documents submitted with it. Parsing never raises for a user's
mistake: each problem is an :class:`FactIssue` naming the field and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

APPLICATION_TYPES: dict[str, str] = {
    "full": "Full planning permission",
    "outline": "Outline planning permission",
    "reserved-matters": "Approval of reserved matters",
    "technical-details-consent": "Technical details consent (after permission in principle)",
    "permission-in-principle": "Permission in principle",
    "s73": "Variation or removal of conditions (section 73)",
    "s73a": "Retrospective planning permission (section 73A)",
    "householder": "Householder application",
    "permitted-development": "Permitted development (granted by a development order)",
    "prior-approval": "Prior approval under a development order",
    "crown-urgent": "Urgent Crown development (section 293A)",
    "hs2": "High speed railway (HS2) development",
}

DOCUMENT_TYPES: dict[str, str] = {
    "metric": "Statutory biodiversity metric (workbook)",
    "metric-pdf": "Statutory biodiversity metric (PDF copy)",
    "baseline-map": "Baseline habitat map (GIS)",
    "post-intervention-map": "Post-intervention habitat map (GIS)",
    "baseline-plan": "Baseline habitat plan (PDF)",
    "post-intervention-plan": "Post-intervention habitat plan (PDF)",
    "irreplaceable-habitat-plan": "Irreplaceable habitat plan",
    "off-site-plan": "Off-site habitat plans",
    "biodiversity-statement": "Biodiversity Statement",
    "draft-gain-plan": "Draft biodiversity gain plan",
    "gain-plan": "Biodiversity gain plan",
    "hmmp": "Habitat management and monitoring plan (HMMP)",
    "condition-assessment": "Condition assessment sheets",
    "river-condition-assessment": "River condition assessment (MoRPh)",
    "proof-of-purchase": "Statutory biodiversity credits: proof of purchase",
    "legal-agreement": "Legal agreement (section 106 or conservation covenant)",
    "exemption-evidence": "Evidence for an exemption",
    "other": "Other document",
}

MAX_DOCUMENTS = 200


@dataclass(frozen=True, slots=True)
class FactIssue:
    """A problem with one field of application.json, named so the applicant can find it."""

    field: str
    message: str

    def __str__(self) -> str:
        """The problem as printed: the file, the field and what is wrong."""
        return f"application.json field {self.field!r}: {self.message}"


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A document named in the application, by file name, with its type."""

    file: str
    type: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Degradation:
    """Habitat degraded on or after 30 January 2020: when, the value before, and the evidence."""

    on: date | None = None
    pre_loss_value: float | None = None
    evidence: str = ""
    under_previous_permission: bool = False


@dataclass(frozen=True, slots=True)
class StepAnswer:
    """The applicant's account of one step of the gain hierarchy (and the officer's finding)."""

    followed: str = ""  # "yes", "no", "not applicable" or "" (not answered)
    evidence: str = ""
    officer_finding: str = ""  # "accepted", "not accepted" or ""
    officer_note: str = ""


@dataclass(frozen=True)
class Application:
    """The facts of a planning application that the planning rules need (application.json, all optional)."""

    reference: str = ""
    lpa: str = ""
    development: str = ""
    site_address: str = ""
    applicant: str = ""
    agent: str = ""
    application_type: str = "full"
    application_date: date | None = None
    permission_date: date | None = None
    original_application_date: date | None = None
    original_permission_date: date | None = None
    residential: bool | None = None
    dwellings: int | None = None
    floorspace_m2: float | None = None
    site_area_ha: float | None = None
    minerals: bool = False
    waste: bool = False
    self_build_custom_build: bool = False
    gain_site_development: bool = False
    hs2: bool = False
    temporary_years: float | None = None
    impacted_area_m2: float | None = None
    impacted_length_m: float | None = None
    priority_habitat_impacted: bool | None = None
    protected_sites: bool | None = None
    european_protected_species: bool | None = None
    condition_applies: bool | None = None
    exemptions_claimed: tuple[str, ...] = ()
    exemption_reason: str = ""
    pre_development_date: date | None = None
    earlier_date_reason: str = ""
    degradation_after_2020: bool | None = None
    degradation: Degradation | None = None
    irreplaceable_habitat: bool | None = None
    irreplaceable_details: str = ""
    metric_publication_date: date | None = None
    metric_version: str = ""
    documents: tuple[DocumentRef, ...] = ()
    allocations: tuple[str, ...] = ()
    credit_purchases: tuple[str, ...] = ()
    hierarchy: Mapping[str, StepAnswer] = field(default_factory=dict)
    phase: str = ""  # a phased development's plan: "overall", or the phase's name ("" when not phased)
    phases: tuple[tuple[str, Mapping[str, float]], ...] = ()  # the overall plan's value per phase and module

    @property
    def is_s73(self) -> bool:
        """Whether it is a section 73 application (its chain's first dates decide the transitional rules)."""
        return self.application_type == "s73"

    def chain_application_date(self) -> date | None:
        """The date that decides the transitional rules: a section 73 chain's original application's."""
        if self.is_s73:
            return self.original_application_date
        return self.application_date

    def chain_permission_date(self) -> date | None:
        """The permission date that decides the transitional rules: a section 73 chain's original permission's."""
        return self.original_permission_date if self.is_s73 else self.permission_date


class _Reader:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.issues: list[FactIssue] = []

    def text(self, key: str, data: Mapping[str, Any] | None = None, prefix: str = "") -> str:
        v = (self.data if data is None else data).get(key)
        if v is None:
            return ""
        if not isinstance(v, str):
            self.issues.append(FactIssue(prefix + key, f"expected text, got {v!r}"))
            return ""
        return v.strip()

    def day(self, key: str, data: Mapping[str, Any] | None = None, prefix: str = "") -> date | None:
        v = (self.data if data is None else data).get(key)
        if v is None or v == "":
            return None
        if isinstance(v, str):
            try:
                return date.fromisoformat(v.strip())
            except ValueError:
                pass
        self.issues.append(FactIssue(prefix + key, f"expected a date such as 2024-05-01, got {v!r}"))
        return None

    def flag(self, key: str, default: bool | None = None) -> bool | None:
        v = self.data.get(key)
        if v is None:
            return default
        if isinstance(v, bool):
            return v
        self.issues.append(FactIssue(key, f"expected true or false, got {v!r}"))
        return default

    def boolean(self, key: str) -> bool:
        return bool(self.flag(key, False))

    def number(self, key: str, data: Mapping[str, Any] | None = None, prefix: str = "") -> float | None:
        v = (self.data if data is None else data).get(key)
        if v is None or v == "":
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or v in (float("inf"), float("-inf")):
            self.issues.append(FactIssue(prefix + key, f"expected a number, got {v!r}"))
            return None
        if v < 0:
            self.issues.append(FactIssue(prefix + key, f"expected a number of at least 0, got {v!r}"))
            return None
        return float(v)

    def whole(self, key: str) -> int | None:
        n = self.number(key)
        if n is None:
            return None
        if n != int(n):
            self.issues.append(FactIssue(key, f"expected a whole number, got {n!r}"))
            return None
        return int(n)

    def texts(self, key: str) -> tuple[str, ...]:
        v = self.data.get(key)
        if v is None:
            return ()
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self.issues.append(FactIssue(key, "expected a list of texts"))
            return ()
        return tuple(x.strip() for x in v if x.strip())


def _degradation(r: _Reader, deg: Any) -> Degradation | None:
    if isinstance(deg, dict):
        return Degradation(
            r.day("date", deg, "degradation."),
            r.number("pre_loss_value", deg, "degradation."),
            r.text("evidence", deg, "degradation."),
            bool(deg.get("under_previous_permission") is True),
        )
    if deg is not None:
        r.issues.append(FactIssue("degradation", "expected an object with date, pre_loss_value and evidence"))
    return None


def _documents(r: _Reader, docs: Any) -> list[DocumentRef]:
    documents: list[DocumentRef] = []
    if not isinstance(docs, list):
        r.issues.append(FactIssue("documents", "expected a list of {file, type}"))
        docs = []
    for i, d in enumerate(docs[:MAX_DOCUMENTS]):
        if not isinstance(d, dict) or not isinstance(d.get("file"), str) or not d["file"].strip():
            r.issues.append(FactIssue(f"documents[{i}]", "expected an object with a file name and a type"))
            continue
        kind_of = d.get("type", "other")
        if kind_of not in DOCUMENT_TYPES:
            r.issues.append(
                FactIssue(
                    f"documents[{i}].type", f"unknown type {kind_of!r}; expected one of {', '.join(DOCUMENT_TYPES)}"
                )
            )
            kind_of = "other"
        name = d.get("name")
        documents.append(DocumentRef(d["file"].strip(), kind_of, name.strip() if isinstance(name, str) else ""))
    if len(docs) > MAX_DOCUMENTS:
        r.issues.append(FactIssue("documents", f"more than {MAX_DOCUMENTS} documents; the rest are ignored"))
    return documents


def _hierarchy(r: _Reader, h: Any) -> dict[str, StepAnswer]:
    hierarchy: dict[str, StepAnswer] = {}
    if not isinstance(h, dict):
        r.issues.append(FactIssue("hierarchy", "expected an object keyed by step"))
        return hierarchy
    for step, answer in h.items():
        if not isinstance(answer, dict):
            r.issues.append(FactIssue(f"hierarchy.{step}", "expected an object with followed and evidence"))
            continue
        followed = answer.get("followed", "")
        if followed not in ("", "yes", "no", "not applicable"):
            r.issues.append(FactIssue(f"hierarchy.{step}.followed", "expected yes, no or not applicable"))
            followed = ""
        hierarchy[str(step)] = StepAnswer(
            str(followed),
            r.text("evidence", answer, f"hierarchy.{step}."),
            r.text("officer_finding", answer, f"hierarchy.{step}."),
            r.text("officer_note", answer, f"hierarchy.{step}."),
        )
    return hierarchy


def _phases(r: _Reader, given: Any) -> list[tuple[str, dict[str, float]]]:
    phases: list[tuple[str, dict[str, float]]] = []
    if not isinstance(given, list):
        r.issues.append(
            FactIssue("phases", "expected a list of {phase, post_development: {area, hedgerow, watercourse}}")
        )
        given = []
    for i, ph in enumerate(given):
        values = ph.get("post_development") if isinstance(ph, dict) else None
        if not isinstance(ph, dict) or not isinstance(ph.get("phase"), str) or not isinstance(values, dict):
            r.issues.append(FactIssue(f"phases[{i}]", "expected {phase, post_development: {area: units, …}}"))
            continue
        clean = {}
        for module, v in values.items():
            if (
                module not in ("area", "hedgerow", "watercourse")
                or isinstance(v, bool)
                or not isinstance(v, (int, float))
            ):
                r.issues.append(
                    FactIssue(
                        f"phases[{i}].post_development.{module}", "expected units of area, hedgerow or watercourse"
                    )
                )
                continue
            clean[module] = float(v)
        phases.append((ph["phase"].strip(), clean))
    return phases


def parse_application(data: Any) -> tuple[Application, list[FactIssue]]:
    """The application's facts from its JSON (a dict), with every problem found."""
    if not isinstance(data, dict):
        return Application(), [FactIssue("(file)", "expected a JSON object of the application's facts")]
    r = _Reader(data)
    kind = r.text("application_type") or "full"
    if kind not in APPLICATION_TYPES:
        r.issues.append(
            FactIssue("application_type", f"unknown type {kind!r}; expected one of {', '.join(APPLICATION_TYPES)}")
        )
    degradation = _degradation(r, data.get("degradation"))
    documents = _documents(r, data.get("documents", []))
    hierarchy = _hierarchy(r, data.get("hierarchy", {}))
    phases = _phases(r, data.get("phases", []))
    app = Application(
        reference=r.text("reference"),
        lpa=r.text("lpa"),
        development=r.text("development"),
        site_address=r.text("site_address"),
        applicant=r.text("applicant"),
        agent=r.text("agent"),
        application_type=kind if kind in APPLICATION_TYPES else "full",
        application_date=r.day("application_date"),
        permission_date=r.day("permission_date"),
        original_application_date=r.day("original_application_date"),
        original_permission_date=r.day("original_permission_date"),
        residential=r.flag("residential"),
        dwellings=r.whole("dwellings"),
        floorspace_m2=r.number("floorspace_m2"),
        site_area_ha=r.number("site_area_ha"),
        minerals=r.boolean("minerals"),
        waste=r.boolean("waste"),
        self_build_custom_build=r.boolean("self_build_custom_build"),
        gain_site_development=r.boolean("gain_site_development"),
        hs2=r.boolean("hs2") or kind == "hs2",
        temporary_years=r.number("temporary_years"),
        impacted_area_m2=r.number("impacted_area_m2"),
        impacted_length_m=r.number("impacted_length_m"),
        priority_habitat_impacted=r.flag("priority_habitat_impacted"),
        protected_sites=r.flag("protected_sites"),
        european_protected_species=r.flag("european_protected_species"),
        condition_applies=r.flag("condition_applies"),
        exemptions_claimed=r.texts("exemptions_claimed"),
        exemption_reason=r.text("exemption_reason"),
        pre_development_date=r.day("pre_development_date"),
        earlier_date_reason=r.text("earlier_date_reason"),
        degradation_after_2020=r.flag("degradation_after_2020"),
        degradation=degradation,
        irreplaceable_habitat=r.flag("irreplaceable_habitat"),
        irreplaceable_details=r.text("irreplaceable_details"),
        metric_publication_date=r.day("metric_publication_date"),
        metric_version=r.text("metric_version"),
        documents=tuple(documents),
        allocations=r.texts("allocations"),
        credit_purchases=r.texts("credit_purchases"),
        hierarchy=hierarchy,
        phase=r.text("phase"),
        phases=tuple(phases),
    )
    if app.is_s73 and app.original_application_date is None:
        r.issues.append(
            FactIssue(
                "original_application_date", "a section 73 application needs the date of the original application"
            )
        )
    return app, r.issues


def application_to_dict(app: Application) -> dict[str, Any]:
    """The facts back as JSON (the same keys :func:`parse_application` reads)."""

    def d(v: date | None) -> str | None:
        return v.isoformat() if v else None

    out: dict[str, Any] = {
        "reference": app.reference,
        "lpa": app.lpa,
        "development": app.development,
        "site_address": app.site_address,
        "applicant": app.applicant,
        "agent": app.agent,
        "application_type": app.application_type,
        "application_date": d(app.application_date),
        "permission_date": d(app.permission_date),
        "original_application_date": d(app.original_application_date),
        "original_permission_date": d(app.original_permission_date),
        "residential": app.residential,
        "dwellings": app.dwellings,
        "floorspace_m2": app.floorspace_m2,
        "site_area_ha": app.site_area_ha,
        "minerals": app.minerals,
        "waste": app.waste,
        "self_build_custom_build": app.self_build_custom_build,
        "gain_site_development": app.gain_site_development,
        "hs2": app.hs2,
        "temporary_years": app.temporary_years,
        "impacted_area_m2": app.impacted_area_m2,
        "impacted_length_m": app.impacted_length_m,
        "priority_habitat_impacted": app.priority_habitat_impacted,
        "protected_sites": app.protected_sites,
        "european_protected_species": app.european_protected_species,
        "condition_applies": app.condition_applies,
        "exemptions_claimed": list(app.exemptions_claimed),
        "exemption_reason": app.exemption_reason,
        "pre_development_date": d(app.pre_development_date),
        "earlier_date_reason": app.earlier_date_reason,
        "degradation_after_2020": app.degradation_after_2020,
        "irreplaceable_habitat": app.irreplaceable_habitat,
        "irreplaceable_details": app.irreplaceable_details,
        "metric_publication_date": d(app.metric_publication_date),
        "metric_version": app.metric_version,
        "documents": [{"file": x.file, "type": x.type, "name": x.name} for x in app.documents],
        "allocations": list(app.allocations),
        "credit_purchases": list(app.credit_purchases),
        "hierarchy": {
            k: {
                "followed": s.followed,
                "evidence": s.evidence,
                "officer_finding": s.officer_finding,
                "officer_note": s.officer_note,
            }
            for k, s in app.hierarchy.items()
        },
    }
    if app.phase:
        out["phase"] = app.phase
    if app.phases:
        out["phases"] = [{"phase": p, "post_development": dict(v)} for p, v in app.phases]
    if app.degradation is not None:
        out["degradation"] = {
            "date": d(app.degradation.on),
            "pre_loss_value": app.degradation.pre_loss_value,
            "evidence": app.degradation.evidence,
            "under_previous_permission": app.degradation.under_previous_permission,
        }
    return {k: v for k, v in out.items() if v is not None and v != "" and v != [] and v != {}}
