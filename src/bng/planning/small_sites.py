"""May the Small Sites Metric (SSM) be used? Eligibility only: bng calculates with the statutory metric.

The SSM calculation tool (v1.2.3 per GOV.UK, June 2026) was not found in any public source
(shared/spec/planning-side.md §2.4), so its multipliers (time to target, difficulty) and its
three-band condition scores could not be checked cell by cell. bng therefore does not
calculate with the SSM: it never invents a multiplier. Every site is calculated with the
statutory metric, which the guidance allows for any site ("use is optional: the statutory
tool can always be used instead"); this module says whether the applicant *could* have used
the SSM, which the LPA needs to know when an SSM calculation is submitted.

Criteria (CIEEM's summary of Natural England's current guidance, T; JP040 for the history):
non-major development (DMPO) and not minerals or waste; only habitats the SSM includes
(``ssm_habitats.csv``, indicative); no priority habitat except hedgerows and arable field
margins; no statutory protected sites and no European protected species; on-site only.
"""

from __future__ import annotations

from dataclasses import dataclass

from bng.metric import Site, load

from .application import Application
from .habitats import is_priority
from .major import MajorDecision, major_development
from .tables import tables

WHY_STATUTORY = (
    "bng calculates every site with the statutory biodiversity metric: the Small Sites Metric calculation tool "
    "could not be obtained, so its multipliers cannot be verified, and the statutory metric may always be used "
    "instead of it."
)
SSM_PRIORITY_EXCEPTIONS = ("hedgerow", "Cropland - Arable field margins")


@dataclass(frozen=True, slots=True)
class Criterion:
    """One criterion for using the small sites metric, and whether it is met."""

    code: str
    title: str
    met: bool | None
    detail: str


@dataclass(frozen=True)
class SsmEligibility:
    """Whether the small sites metric may be used (None: not decidable), criterion by criterion."""

    eligible: bool | None
    criteria: tuple[Criterion, ...]
    major: MajorDecision
    note: str = WHY_STATUTORY

    @property
    def failed(self) -> tuple[Criterion, ...]:
        """The criteria not met."""
        return tuple(c for c in self.criteria if c.met is False)

    def to_dict(self) -> dict[str, object]:
        """The eligibility as JSON."""
        return {
            "eligible": self.eligible,
            "criteria": [{"code": c.code, "title": c.title, "met": c.met, "detail": c.detail} for c in self.criteria],
            "note": self.note,
        }


def _rows(site: Site) -> list[tuple[str, str, str, str]]:
    """(module, stage, ref, habitat) of every on-site row."""
    out = []
    for module in ("area", "hedgerow", "watercourse"):
        rows = getattr(site.on_site, module)
        for stage in ("baseline", "creation", "enhancement"):
            out += [(module, stage, r.ref, r.habitat) for r in getattr(rows, stage)]
    return out


def ssm_eligibility(app: Application, site: Site | None = None) -> SsmEligibility:
    """Whether the application may use the small sites metric: non-major development and only its habitats."""
    major = major_development(app)
    crit: list[Criterion] = []
    non_major = major.small
    crit.append(
        Criterion("NON_MAJOR", "Non-major development (DMPO 2015 art 2(1))", non_major, "; ".join(major.reasons))
    )
    crit.append(
        Criterion(
            "NOT_MINERALS_OR_WASTE",
            "Not minerals or waste development",
            not (app.minerals or app.waste),
            "minerals or waste development" if (app.minerals or app.waste) else "neither",
        )
    )
    if site is None:
        crit.append(Criterion("SSM_HABITATS_ONLY", "Only habitats included in the SSM", None, "no metric to read"))
        crit.append(
            Criterion(
                "NO_PRIORITY_HABITAT",
                "No priority habitat (hedgerows and arable field margins excepted)",
                None,
                "no metric to read",
            )
        )
        crit.append(
            Criterion(
                "ON_SITE_ONLY", "On-site only (off-site gains need the statutory metric)", None, "no metric to read"
            )
        )
    else:
        rel = load(site.metric_release)
        ssm = tables().ssm_habitats
        outside = sorted({f"{h} ({m})" for m, _s, _r, h in _rows(site) if (m, _canon(m, h, rel)) not in ssm})
        crit.append(
            Criterion(
                "SSM_HABITATS_ONLY",
                "Only habitats included in the SSM",
                not outside,
                ("not in the SSM: " + "; ".join(outside)) if outside else "every on-site habitat is in the SSM's list",
            )
        )
        priority = sorted(
            {
                f"{r} {h}"
                for m, s, r, h in _rows(site)
                if s == "baseline" and is_priority(m, h, rel) and not _excepted(m, h)
            }
        )
        crit.append(
            Criterion(
                "NO_PRIORITY_HABITAT",
                "No priority habitat (hedgerows and arable field margins excepted)",
                not priority,
                ("priority habitat present: " + "; ".join(priority)) if priority else "none at baseline",
            )
        )
        off = site.off_site.row_count()
        crit.append(
            Criterion(
                "ON_SITE_ONLY",
                "On-site only (off-site gains need the statutory metric)",
                off == 0 and not app.allocations,
                f"{off} off-site row(s) in the metric" if off else "no off-site rows",
            )
        )
    for code, title, value in (
        ("NO_PROTECTED_SITES", "No statutory protected sites or habitats", app.protected_sites),
        ("NO_EPS", "No European protected species", app.european_protected_species),
    ):
        crit.append(
            Criterion(
                code,
                title,
                None if value is None else not value,
                "not stated" if value is None else ("present" if value else "none"),
            )
        )
    if any(c.met is False for c in crit):
        eligible: bool | None = False
    elif any(c.met is None for c in crit):
        eligible = None
    else:
        eligible = True
    return SsmEligibility(eligible, tuple(crit), major)


def _canon(module: str, habitat: str, rel: object) -> str:
    if module == "area":
        h = load().area_habitat(habitat)
        return h.label if h else habitat
    return habitat


def _excepted(module: str, habitat: str) -> bool:
    return module == "hedgerow" or habitat.startswith(SSM_PRIORITY_EXCEPTIONS[1])
