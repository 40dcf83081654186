"""The sections of a registration application: what each asks, in which order, and where each stands.

Each section's answers are saved as they are given (save and return), as a small JSON document
in the application; a section is "Completed" once its answers pass its own checks. Each section's
answer class (``answers``) reads its form, checks it and says what it holds. The checks that span
sections (the boundary against the metric, double registration, the dates against the day of
submission) run again at submission (``checks``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bng.register.core.errors import Problem
from bng.register.core.geometries import Geometries
from bng.register.core.uploads import Upload

from . import boundary as boundary_rules
from .answers import (
    ApplicantAnswers,
    BoundaryAnswers,
    DeclarationsAnswers,
    HabitatsAnswers,
    HmmpAnswers,
    LandChargeAnswers,
    LegalAgreementAnswers,
    OwnershipAnswers,
    SectionAnswers,
)
from .fields import SectionContext as SectionContext  # the allocations area's combined case reads it here
from .habitats import Habitats

MAX_TEXT = 500
"""The most characters a typed answer may have where ``TEXT_LIMITS`` says nothing. Longer answers are
refused with a message saying so, never cut short."""
TEXT_LIMITS: dict[str, tuple[str, int]] = {
    "name": ("Your full name", 200),
    "organisation": ("The organisation's name", 200),
    "client_name": ("The landowner's name", 200),
    "email": ("The email address", 320),
    "phone": ("The telephone number", 40),
    "landowners": ("The names of the landowners", 2_000),
    "title_numbers": ("The title numbers", 500),
    "site_name": ("The gain site's name", 200),
    "development_name": ("The development's name", 200),
    "planning_reference": ("The planning reference", 100),
}
"""Each typed answer's label and its limit in characters (the database's column sizes where they are kept)."""


S = TypeVar("S", bound=SectionAnswers)
Handler = Callable[[Mapping[str, Any], Mapping[str, Any], Mapping[str, Upload], SectionContext], dict[str, Any]]
"""A section's save: the section's answers as saved, the form's values and uploads; the answers to keep
(Invalid naming every problem when they fail their checks)."""
Parse = Callable[[S, Mapping[str, Any], Mapping[str, Upload], SectionContext], S]


def stored(kind: type[S], parse: Parse[S] | None = None) -> Handler:
    """The handler of a section whose answers are ``kind``: its form parsed and kept as JSON.

    The form is parsed by ``kind.parse`` unless another ``parse`` is given.
    """
    read = parse if parse is not None else kind.parse

    def handle(
        current: Mapping[str, Any], values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
    ) -> dict[str, Any]:
        return read(kind.from_json(current), values, uploads, ctx).to_json()

    return handle


@dataclass(frozen=True)
class Section:
    """A section of the application's task list: its key, title and group, how it is saved, what it needs."""

    key: str
    title: str
    group: str
    handler: Handler | None  # None: the section's own area supplies it (``Applications.handler``)
    needs: tuple[str, ...] = ()  # sections that must be completed first
    optional: bool = False  # may be left not started; once started, it must be completed


def text_limit(name: str) -> tuple[str, int]:
    """A typed answer's label and its longest length in characters."""
    return TEXT_LIMITS.get(name, ("The answer", MAX_TEXT))


def text_problems(section: str, values: Mapping[str, Any]) -> list[Problem]:
    """Every typed answer longer than its limit, each named with its length: refused, not cut short."""
    problems = []
    for name, v in values.items():
        if not isinstance(v, str):
            continue
        n = len(v.replace("\r\n", "\n").strip())
        label, limit = text_limit(name)
        if n > limit:
            problems.append(Problem(name, f"{label} must be {limit:,} characters or fewer (it has {n:,})", section))
    return problems


def within_limits(values: Mapping[str, Any]) -> dict[str, Any]:
    """The answers with any over-long text cut to its limit, for the checks to read; never what is kept.

    The answer itself is refused; cutting it means no check repeats a megabyte of text back.
    """
    return {k: v[: text_limit(k)[1]] if isinstance(v, str) else v for k, v in values.items()}


SECTIONS: tuple[Section, ...] = (
    Section("applicant", "Applicant details", "About you", stored(ApplicantAnswers)),
    Section("ownership", "Proof of land ownership", "The land", stored(OwnershipAnswers)),
    Section("boundary", "Gain site boundary", "The land", stored(BoundaryAnswers)),
    Section("habitats", "Habitats (the statutory biodiversity metric)", "The land", stored(HabitatsAnswers)),
    Section("legal-agreement", "Legal agreement", "Legal agreement", stored(LegalAgreementAnswers)),
    Section("land-charge", "Local land charge search certificate", "Legal agreement", stored(LandChargeAnswers)),
    Section("hmmp", "Habitat management and monitoring plan (HMMP)", "Legal agreement", stored(HmmpAnswers)),
    # optional, register and allocate in one application: the allocations area's (``allocation_section``)
    Section("allocation", "Allocate units to a development", "Allocation (optional)", None, ("habitats",), True),
    Section("declarations", "Declarations", "Submit", stored(DeclarationsAnswers)),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}


def boundary_of(answers: Mapping[str, Any], geometries: Geometries) -> boundary_rules.Boundary | None:
    """The saved boundary of an application's answers, or None if not given yet."""
    return BoundaryAnswers.from_json(answers.get("boundary") or {}).boundary(geometries)


def habitats_of(answers: Mapping[str, Any]) -> Habitats | None:
    """The habitats of an application's answers, once the habitats section is completed."""
    h = HabitatsAnswers.from_json(answers.get("habitats") or {})
    return h.habitats if h.completed else None


def status(answers: Mapping[str, Any], key: str) -> str:
    """The GOV.UK task list status of a section: completed, in progress, or not yet started."""
    a = answers.get(key)
    if not a:
        return "not_started"
    return "completed" if a.get("completed") else "in_progress"


def done(answers: Mapping[str, Any], s: Section) -> bool:
    """Completed, or optional and not started."""
    now = status(answers, s.key)
    return now == "completed" or (s.optional and now == "not_started")


def all_completed(answers: Mapping[str, Any]) -> bool:
    """Whether every section is done, so that the application may be submitted."""
    return all(done(answers, s) for s in SECTIONS)


def file_ids(answers: Mapping[str, Any]) -> Sequence[int]:
    """The ids of the files the answers name (every ``*_file`` answer of every section)."""
    ids = []
    for section in answers.values():
        if isinstance(section, dict):
            ids += [v for k, v in section.items() if k.endswith("_file") and isinstance(v, int)]
    return ids
