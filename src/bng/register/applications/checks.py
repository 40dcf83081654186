"""The checks at submission (and again at acceptance): each failure with a clear message.

Errors stop the application; warnings are shown to the case worker. The register may have
changed since a section was saved (another site registered, a month gone by), so everything is
checked again against the register as it is now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import shapely

from bng.register.core.errors import Problem
from bng.register.core.geometries import Geometries
from bng.register.core.lpas import not_current
from bng.register.core.model import AgreementType, GainSite, ResponsibleBody
from bng.register.core.places import Places
from bng.register.core.ports import UnitOfWork
from bng.register.core.rules import land_charge_rule, thirty_year_rule

from . import allocation_section
from .answers import ApplicationAnswers, uplift_problems
from .boundary import check_boundary
from .habitats import area_problems, parcels_outside
from .sections import SECTIONS, all_completed, boundary_of, done, habitats_of

OVERLAP_TOLERANCE_M2 = 1.0
"""Boundaries digitised from the same map may share an edge to within a square metre."""


def cross_section_problems(answers: Mapping[str, Any], geometries: Geometries) -> list[Problem]:
    """Checks between sections that can run as soon as both are answered (repeated at submission)."""
    b, h = boundary_of(answers, geometries), habitats_of(answers)
    if b is None or h is None:
        return []
    out = area_problems(h, b.area_ha) + allocation_section.problems(answers)
    if b.geometry is not None:
        out += parcels_outside(h, b.geometry, geometries)
    return out


@dataclass
class CheckResult:
    """The submission checks' findings: errors stop the submission, warnings are for the case worker."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the application passes: no errors (warnings do not stop it)."""
        return not self.errors


def run_checks(
    uow: UnitOfWork,
    answers: Mapping[str, Any],
    places: Places,
    on: date,
    agreement_sha256: str | None,
    exclude_site_id: int | None = None,
) -> CheckResult:
    """The checks at submission and again at acceptance (the register may have changed in between).

    Every section completed first; then the boundary, the sections agreeing, the uplift, the 30 years,
    the agreement's parties on ``on``, the land charge certificate's age, the HMMP, an agent's
    authorisation, and land already on the register (but the site ``exclude_site_id``, if given).
    """
    out = CheckResult()
    if not all_completed(answers):
        for s in SECTIONS:
            if not done(answers, s):
                out.errors.append(Problem(s.key, f"Complete the section '{s.title}'", s.key))
        return out
    b = boundary_of(answers, uow.geometries)
    assert b is not None
    if b.geometry is not None:
        out.errors += check_boundary(b.geometry, places)
    out.errors += cross_section_problems(answers, uow.geometries)
    h = habitats_of(answers)
    if h is not None:  # answers saved before the rule: checked again at submission and acceptance
        out.errors += uplift_problems(h)
    given = ApplicationAnswers.from_json(answers)
    la = given.legal_agreement
    land_charge, hm, ap = given.land_charge, given.hmmp, given.applicant
    assert la is not None and land_charge is not None and hm is not None and ap is not None  # all completed
    assert la.works_completion_date and la.secured_until and la.agreement_date and land_charge.certificate_date
    out.errors += thirty_year_rule(la.works_completion_date, la.secured_until)
    if la.kind == AgreementType.CONSERVATION_COVENANT:
        body = uow.bodies.get(la.responsible_body_id) if la.responsible_body_id is not None else None
        out.errors += _body_problems(body, la.agreement_date)
    else:  # an LPA abolished since the section was saved (or before the register knew the dates)
        for lpa in filter(None, (uow.lpas.get(i) for i in la.lpa_ids)):
            if why := not_current(lpa, on):
                out.errors.append(Problem("lpa_ids", why, "legal-agreement"))
    out.errors += land_charge_rule(land_charge.certificate_date, on)
    if not hm.hmmp_in_agreement and not hm.hmmp_file:
        out.errors.append(
            Problem("hmmp_file", "Upload the HMMP, or say that it is included in the legal agreement", "hmmp")
        )
    if ap.agent and not ap.authorisation_file:
        out.errors.append(
            Problem("authorisation_file", "Upload the landowner's written authorisation for you to act", "applicant")
        )
    errors, warnings = overlap_problems(uow, answers, agreement_sha256, exclude_site_id)
    out.errors += errors
    out.warnings += warnings
    return out


def _body_problems(body: ResponsibleBody | None, signed: date) -> list[Problem]:
    if body is None:
        return [Problem("responsible_body_id", "Select the responsible body from the list", "legal-agreement")]
    if not body.designated_at(signed):
        return [
            Problem(
                "responsible_body_id",
                f"{body.name} was not a designated responsible body when the agreement was signed",
                "legal-agreement",
            )
        ]
    return []


def same_agreement(site: GainSite, site_lpas: Sequence[int], answers: Mapping[str, Any], sha: str | None) -> bool:
    """Whether an application's legal agreement is the one a registered site is under.

    That is the same document, or the same kind of agreement signed the same day by the same LPAs or
    responsible body.
    """
    if sha and site.agreement_sha256 and sha == site.agreement_sha256:
        return True
    la = ApplicationAnswers.from_json(answers).legal_agreement
    if la is None or la.agreement_type != site.agreement_type or la.agreement_date != site.agreement_date:
        return False
    if la.kind == AgreementType.S106:
        return sorted(la.lpa_ids) == sorted(site_lpas)
    return la.responsible_body_id == site.responsible_body_id


def overlap_problems(
    uow: UnitOfWork, answers: Mapping[str, Any], sha: str | None, exclude_site_id: int | None = None
) -> tuple[list[Problem], list[Problem]]:
    """Land already on the register: an error under the same agreement, a warning under a different one.

    The same land under the same agreement is a double registration; under a different one, the case
    worker decides.
    """
    b = boundary_of(answers, uow.geometries)
    if b is None:
        return [], []
    shape = b.shape()
    errors, warnings = [], []
    for site in uow.sites.registered_near(b.bbox):
        if site.id == exclude_site_id:
            continue
        other = site.boundary if site.boundary is not None else shapely.Point(site.easting, site.northing)
        if shape.area > 0 and other.area > 0:
            overlap = shape.intersection(other).area
            if overlap <= OVERLAP_TOLERANCE_M2:
                continue
            amount = f"by {overlap / 10_000:,.4f} hectares"
        elif not shape.intersects(other.buffer(OVERLAP_TOLERANCE_M2) if other.area == 0 else other):
            continue
        else:
            amount = "at its grid reference"
        assert site.id is not None
        lpas = [lpa.id for lpa in uow.sites.agreement_lpas(site.id) if lpa.id is not None]
        if same_agreement(site, lpas, answers, sha):
            errors.append(
                Problem(
                    "boundary_file",
                    f"The boundary overlaps registered gain site {site.reference} ({site.name}) {amount}, under the "
                    "same legal agreement: the land is already on the register (double registration)",
                    "boundary",
                )
            )
        else:
            warnings.append(
                Problem(
                    "boundary_file",
                    f"The boundary overlaps registered gain site {site.reference} ({site.name}) {amount}, under a "
                    "different legal agreement: check that the same habitat is not registered twice",
                    "boundary",
                )
            )
    return errors, warnings
