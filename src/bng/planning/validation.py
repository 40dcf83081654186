"""Validation of an application's biodiversity information: items, problems, verdict and letter.

The items are the national minimum information (DMPO art 7 as amended by SI 2024/50: the seven
of ``national_validation_items.csv``) and the LPA's local list (``local_validation_items.csv``,
chosen by the LPA profile). Whoever reads the files (``bng.submission``) reports each problem
against an item with where it is (file, sheet, row, parcel) and what is expected; this module
turns them into each item's status, the verdict, and the letter to the applicant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from .tables import LpaProfile, ValidationItem, tables

Severity = Literal["blocking", "advisory", "info"]
Status = Literal["met", "not met", "not applicable", "advisory"]


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem found in a submission, against the validation item it fails (blocking or advisory)."""

    item: str  # the validation item's code ("" for a problem with the input that no item owns)
    code: str
    where: str
    message: str
    expected: str = ""
    severity: Severity = "blocking"

    def __str__(self) -> str:
        """The problem as printed: where, what, and what was expected."""
        where = f"{self.where}: " if self.where else ""
        exp = f" (expected: {self.expected})" if self.expected else ""
        return f"{where}{self.message}{exp}"

    def to_dict(self) -> dict[str, str]:
        """The problem as JSON."""
        return {
            "item": self.item,
            "code": self.code,
            "severity": self.severity,
            "where": self.where,
            "message": self.message,
            "expected": self.expected,
        }


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One validation item's status, with the problems and the evidence behind it."""

    item: ValidationItem
    status: Status
    problems: tuple[Problem, ...] = ()
    evidence: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The item's result as JSON."""
        return {
            "list": self.item.list,
            "number": self.item.number,
            "code": self.item.code,
            "title": self.item.title,
            "blocking": self.item.blocking,
            "status": self.status,
            "evidence": self.evidence,
            "problems": [p.to_dict() for p in self.problems],
            "source": self.item.source,
        }


def items_for(profile: LpaProfile | None) -> tuple[ValidationItem, ...]:
    """The items an application is validated against: the national list, then the LPA's local list."""
    t = tables()
    local = t.local_items.get(profile.local_list, ()) if profile and profile.local_list else ()
    return t.national_items + local


def item_results(
    items: Iterable[ValidationItem],
    problems: Iterable[Problem],
    not_applicable: Iterable[str] = (),
    evidence: dict[str, str] | None = None,
) -> tuple[ItemResult, ...]:
    """Each item's status from the problems reported against it.

    A national item is named by its code, a local item by ``list:code``.
    """
    probs = list(problems)
    skip = set(not_applicable)
    evidence = evidence or {}
    out = []
    for it in items:
        key = it.code if it.list == "national" else f"{it.list}:{it.code}"
        mine = tuple(p for p in probs if p.item == key)
        if key in skip or it.code in skip:
            out.append(ItemResult(it, "not applicable", (), evidence.get(key, "")))
            continue
        blocking = [p for p in mine if p.severity == "blocking"]
        if blocking and it.blocking:
            status: Status = "not met"
        elif blocking:
            status = "advisory"
        else:
            status = "met"
        out.append(ItemResult(it, status, mine, evidence.get(key, "")))
    return tuple(out)


@dataclass(frozen=True)
class Verdict:
    """Whether the LPA may validate: the items not met and the problems no item owns."""

    valid: bool
    missing: tuple[ItemResult, ...]
    input_problems: tuple[Problem, ...]

    def text(self) -> str:
        """The verdict in words."""
        if self.valid:
            return "VALID: every item of the national minimum information and the local list is met."
        parts = []
        if self.missing:
            names = "; ".join(f"{r.item.code} ({r.item.title})" for r in self.missing)
            parts.append(f"{len(self.missing)} item{'s' if len(self.missing) != 1 else ''} not met: {names}")
        if self.input_problems:
            codes = ", ".join(dict.fromkeys(p.code for p in self.input_problems))
            n = len(self.input_problems)
            parts.append(f"{n} other problem{'s' if n != 1 else ''} ({codes})")
        return "INVALID: " + "; and ".join(parts) + "."


def verdict(results: tuple[ItemResult, ...], problems: Iterable[Problem]) -> Verdict:
    """Valid when every item is met and no input problem blocks."""
    missing = tuple(r for r in results if r.status == "not met")
    loose = tuple(p for p in problems if not p.item and p.severity == "blocking")
    return Verdict(not missing and not loose, missing, loose)


LETTER_LISTS = 12
"""At most this many problems of one item in the letter; the report lists them all."""


def _bullets(problems: list[Problem]) -> list[str]:
    out = [f"   • {p}" for p in problems[:LETTER_LISTS]]
    if len(problems) > LETTER_LISTS:
        out.append(f"   • … and {len(problems) - LETTER_LISTS} more, listed in the validation report")
    return out


def letter(
    *,
    applicant: str,
    reference: str,
    lpa: str,
    on: date,
    result: Verdict,
    results: tuple[ItemResult, ...],
) -> list[str]:
    """The letter to the applicant, as paragraphs: what is wrong and what to send."""
    who = applicant or "Applicant"
    ref = reference or "(no planning reference given)"
    paras = [f"Dear {who},", f"Planning application {ref}: biodiversity net gain information"]
    if result.valid:
        paras.append(
            f"We have checked the biodiversity net gain information submitted with your application against the "
            f"national minimum information and {lpa or 'our'} local validation list. It is complete: no further "
            "biodiversity information is needed to validate the application."
        )
        advisories = [p for r in results for p in r.problems if p.severity != "blocking" or not r.item.blocking]
        if advisories:
            paras.append("You may wish to look at the following before the application is determined:")
            paras += [f"• {p}" for p in advisories]
    else:
        paras.append(
            "We have checked the biodiversity net gain information submitted with your application. We cannot "
            "validate the application until the following are put right:"
        )
        n = 0
        for r in result.missing:
            n += 1
            paras.append(f"{n}. {r.item.title}:")
            paras += _bullets([p for p in r.problems if p.severity == "blocking"]) or ["   • not provided"]
        if result.input_problems:
            n += 1
            paras.append(f"{n}. Other problems with the documents:")
            paras += _bullets(list(result.input_problems))
    paras.append(f"Checked on {on.day} {on:%B %Y}. Please quote the planning reference when you reply.")
    paras.append(f"Yours faithfully,\n{lpa or 'The local planning authority'}")
    return paras
