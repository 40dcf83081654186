"""The planning side's law and policy as data: the CSV tables in ``data/``, read once and checked.

Every table carries its source (and a confidence marker: V seen in an official text, T a
third-party summary of one, U unverified), so a change in the law is a new or changed row.
Dates that depend on a commencement not yet known are written ``commencement:KEY``; the
configuration (:class:`~bng.planning.config.PlanningConfig`) says when, if ever, KEY
commenced. Nothing here opens a path: the tables are package resources.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from types import MappingProxyType

from .errors import PlanningDataError

MARKERS = frozenset({"V", "T", "U"})


@dataclass(frozen=True, slots=True)
class When:
    """A date in a rule table: a calendar date, or the commencement of a named change."""

    on: date | None = None
    commencement: str | None = None

    def __str__(self) -> str:
        """The date, or the change whose commencement it waits for."""
        if self.on is not None:
            return self.on.isoformat()
        return f"the commencement of {self.commencement}" if self.commencement else "—"


@dataclass(frozen=True, slots=True)
class ExemptionRule:
    """An exemption or transitional rule as data (``exemptions.csv``): its test, evidence and legal source."""

    code: str
    title: str
    mhclg_code: str
    legal_source: str
    test: str
    evidence: str
    effective_from: When | None
    effective_to: When | None
    judged_on: str
    marker: str
    source_url: str


@dataclass(frozen=True, slots=True)
class Parameter:
    """A named value of the rules (``parameters.csv``) with its unit, meaning and source."""

    name: str
    value: str
    unit: str
    meaning: str
    marker: str
    source: str

    def number(self) -> float:
        """The value as a number."""
        return float(self.value)

    def day(self) -> date:
        """The value as a date."""
        return date.fromisoformat(self.value)


@dataclass(frozen=True, slots=True)
class MajorLimb:
    """One limb of the DMPO's definition of major development (``dmpo_major.csv``)."""

    limb: str
    fact: str
    comparator: str
    threshold: str
    unit: str
    words: str
    marker: str
    source_url: str


@dataclass(frozen=True, slots=True)
class PriorityRule:
    """How a priority habitat is recognised in the metric (by band, label or label prefix), and why."""

    module: str
    match: str  # band, label or label_prefix
    value: str
    marker: str
    why: str


@dataclass(frozen=True, slots=True)
class IrreplaceableHabitat:
    """A kind of irreplaceable habitat (SI 2024/48's tables) and the metric labels that are it."""

    table: int
    description: str
    meaning: str
    metric_labels: tuple[str, ...]
    source_url: str


@dataclass(frozen=True, slots=True)
class ValidationItem:
    """An item of a validation list: national (DMPO art 7) or an LPA's local list."""

    list: str
    number: int
    code: str
    title: str
    check: str
    applies_when: str
    blocking: bool
    marker: str
    source: str


@dataclass(frozen=True, slots=True)
class LpaProfile:
    """An LPA's planning profile: its local target, significance profile and local validation list."""

    code: str
    name: str
    ons_code: str
    local_target_percent: float
    target_status: str
    significance_profile: str
    local_list: str
    marker: str
    source: str


@dataclass(frozen=True, slots=True)
class SignificanceTestRow:
    """One row of a significance profile's tests, with its parameter and source."""

    profile: str
    name: str
    test: str
    parameter: float | None
    marker: str
    source: str


@dataclass(frozen=True, slots=True)
class Heading:
    """An ordered heading of a document or record (hierarchy steps, gain plan contents, …)."""

    order: int
    code: str
    title: str
    detail: str
    marker: str
    source: str
    extra: str = ""


@dataclass(frozen=True, slots=True)
class SsmHabitat:
    """A habitat the small sites metric offers, as printed in its list."""

    module: str
    label: str
    band_as_printed: str
    marker: str


@dataclass(frozen=True)
class Tables:
    """The planning side's tables, read once from data/."""

    exemption_rules: tuple[ExemptionRule, ...]
    parameters: Mapping[str, Parameter]
    mhclg_exemption_types: Mapping[str, str]  # reference -> name
    major_limbs: tuple[MajorLimb, ...]
    priority_rules: tuple[PriorityRule, ...]
    irreplaceable: tuple[IrreplaceableHabitat, ...]
    national_items: tuple[ValidationItem, ...]
    local_items: Mapping[str, tuple[ValidationItem, ...]]
    lpa_profiles: Mapping[str, LpaProfile]
    significance: Mapping[str, tuple[SignificanceTestRow, ...]]
    hierarchy_steps: tuple[Heading, ...]
    gain_plan_contents: tuple[Heading, ...]
    statement_items: tuple[Heading, ...]
    hmmp_sections: tuple[Heading, ...]
    ssm_habitats: Mapping[tuple[str, str], SsmHabitat]

    def rule(self, code: str) -> ExemptionRule:
        """The exemption rule with this code."""
        for r in self.exemption_rules:
            if r.code == code:
                return r
        raise KeyError(code)

    def number(self, name: str) -> float:
        """A parameter's value as a number, by name."""
        return self.parameters[name].number()

    def day(self, name: str) -> date:
        """A parameter's value as a date, by name."""
        return self.parameters[name].day()

    def lpa(self, code: str) -> LpaProfile | None:
        """An LPA profile by its code, its ONS code or its name (letter case ignored)."""
        want = code.strip().lower()
        for p in self.lpa_profiles.values():
            if want in (p.code.lower(), p.ons_code.lower(), p.name.lower()) and want:
                return p
        return None


def _rows(name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        text = resources.files("bng.planning").joinpath("data", name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as err:
        raise PlanningDataError(f"planning table {name} is missing ({err})") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or ())]
    if missing:
        raise PlanningDataError(f"planning table {name} lacks the columns {', '.join(missing)}")
    rows = list(reader)
    for i, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            raise PlanningDataError(f"{name} line {i}: wrong number of fields")
        marker = row.get("marker")
        if marker is not None and marker not in MARKERS:
            raise PlanningDataError(f"{name} line {i}: marker {marker!r} is not one of V, T, U")
    return rows


def _when(text: str, where: str) -> When | None:
    text = text.strip()
    if not text:
        return None
    if text.startswith("commencement:"):
        key = text.removeprefix("commencement:").strip()
        if not key:
            raise PlanningDataError(f"{where}: a commencement needs a name")
        return When(commencement=key)
    try:
        return When(on=date.fromisoformat(text))
    except ValueError:
        raise PlanningDataError(f"{where}: {text!r} is neither a date nor commencement:NAME") from None


def _yes(text: str, where: str) -> bool:
    if text not in ("yes", "no"):
        raise PlanningDataError(f"{where}: expected yes or no, got {text!r}")
    return text == "yes"


def _headings(name: str, detail: str, extra: str = "") -> tuple[Heading, ...]:
    cols = ("order", "code", "title", detail, "source")
    out = []
    for r in _rows(name, cols):
        out.append(
            Heading(
                int(r["order"]), r["code"], r["title"], r[detail], r.get("marker", ""), r["source"], r.get(extra, "")
            )
        )
    if [h.order for h in out] != sorted(h.order for h in out):
        raise PlanningDataError(f"{name}: rows are not in order")
    return tuple(out)


@cache
def tables() -> Tables:
    """Every planning table, read and checked once."""
    rules = tuple(
        ExemptionRule(
            r["code"],
            r["title"],
            r["mhclg_code"],
            r["legal_source"],
            r["test"],
            r["evidence"],
            _when(r["effective_from"], f"exemption_rules.csv {r['code']} effective_from"),
            _when(r["effective_to"], f"exemption_rules.csv {r['code']} effective_to"),
            r["judged_on"],
            r["marker"],
            r["source_url"],
        )
        for r in _rows(
            "exemption_rules.csv",
            ("code", "title", "mhclg_code", "legal_source", "test", "evidence", "effective_from", "effective_to"),
        )
    )
    codelist = {r["reference"]: r["name"] for r in _rows("mhclg_exemption_types.csv", ("reference", "name"))}
    for rule in rules:
        if rule.mhclg_code and rule.mhclg_code not in codelist:
            raise PlanningDataError(
                f"exemption rule {rule.code}: {rule.mhclg_code!r} is not in the bng-exemption-type list"
            )
        if rule.judged_on != "application":
            raise PlanningDataError(f"exemption rule {rule.code}: judged_on must be 'application'")
    params = {
        r["name"]: Parameter(r["name"], r["value"], r["unit"], r["meaning"], r["marker"], r["source_url"])
        for r in _rows("parameters.csv", ("name", "value", "unit", "meaning", "marker", "source_url"))
    }
    limbs = tuple(
        MajorLimb(
            r["limb"], r["fact"], r["comparator"], r["threshold"], r["unit"], r["words"], r["marker"], r["source_url"]
        )
        for r in _rows("dmpo_major.csv", ("limb", "fact", "comparator", "threshold", "words"))
    )
    priority = tuple(
        PriorityRule(r["module"], r["match"], r["value"], r["marker"], r["why"])
        for r in _rows("priority_habitats.csv", ("module", "match", "value", "priority", "why"))
        if _yes(r["priority"], "priority_habitats.csv")
    )
    irreplaceable = tuple(
        IrreplaceableHabitat(
            int(r["table"]), r["description"], r["meaning"], tuple(r["metric_labels"].split("|")), r["source_url"]
        )
        for r in _rows("irreplaceable_habitats.csv", ("table", "description", "meaning", "metric_labels"))
    )
    national = tuple(
        ValidationItem(
            "national",
            int(r["number"]),
            r["code"],
            r["title"],
            r["what_bng_checks"],
            "always",
            True,
            r["marker"],
            r["source_url"],
        )
        for r in _rows("national_validation_items.csv", ("number", "code", "title", "what_bng_checks"))
    )
    local: dict[str, list[ValidationItem]] = {}
    for r in _rows("local_validation_items.csv", ("list", "code", "title", "check", "applies_when", "blocking")):
        items = local.setdefault(r["list"], [])
        items.append(
            ValidationItem(
                r["list"],
                len(items) + 1,
                r["code"],
                r["title"],
                r["check"],
                r["applies_when"],
                _yes(r["blocking"], f"local_validation_items.csv {r['code']}"),
                r["marker"],
                r["source"],
            )
        )
    profiles = {
        r["code"]: LpaProfile(
            r["code"],
            r["name"],
            r["ons_code"],
            float(r["local_target_percent"]),
            r["target_status"],
            r["significance_profile"],
            r["local_list"],
            r["marker"],
            r["source"],
        )
        for r in _rows("lpa_profiles.csv", ("code", "name", "ons_code", "local_target_percent", "significance_profile"))
    }
    significance: dict[str, list[SignificanceTestRow]] = {}
    for r in _rows("significance_profiles.csv", ("profile", "name", "test", "parameter")):
        significance.setdefault(r["profile"], []).append(
            SignificanceTestRow(
                r["profile"],
                r["name"],
                r["test"],
                float(r["parameter"]) if r["parameter"] else None,
                r["marker"],
                r["source"],
            )
        )
    for p in profiles.values():
        if p.significance_profile not in significance:
            raise PlanningDataError(f"LPA profile {p.code}: no significance profile {p.significance_profile!r}")
        if p.local_list and p.local_list not in local:
            raise PlanningDataError(f"LPA profile {p.code}: no local validation list {p.local_list!r}")
    ssm = {
        (r["module"], r["label"]): SsmHabitat(r["module"], r["label"], r["band_as_printed"], r["marker"])
        for r in _rows("ssm_habitats.csv", ("module", "label", "band_as_printed", "marker"))
    }
    return Tables(
        exemption_rules=rules,
        parameters=MappingProxyType(params),
        mhclg_exemption_types=MappingProxyType(codelist),
        major_limbs=limbs,
        priority_rules=priority,
        irreplaceable=irreplaceable,
        national_items=national,
        local_items=MappingProxyType({k: tuple(v) for k, v in local.items()}),
        lpa_profiles=MappingProxyType(profiles),
        significance=MappingProxyType({k: tuple(v) for k, v in significance.items()}),
        hierarchy_steps=_headings("hierarchy_steps.csv", "evidence", "applies_to"),
        gain_plan_contents=_headings("gain_plan_contents.csv", "basis"),
        statement_items=_headings("statement_items.csv", "scope"),
        hmmp_sections=_headings("hmmp_sections.csv", "content"),
        ssm_habitats=MappingProxyType(ssm),
    )
