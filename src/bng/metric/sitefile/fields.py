"""The site file's fields that every module's rows share, read and checked one by one.

A :class:`RowReader` reads a field of a row (a ref, a size, years, a condition …), returns what
the engine can use, and records an :class:`~bng.metric.result.InputIssue` for anything that is
not what was expected, naming the place (``on_site.area.baseline``), the row's ref and the field.
It never raises on bad content.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from .. import xl
from ..model import Years
from ..reference import Release
from ..result import InputIssue

SPATIAL_RISK_ALIASES = {
    "within lpa or nca": "Compensation inside LPA boundary or NCA of impact site",
    "neighbouring lpa or nca": "Compensation outside LPA or NCA of impact site, but in neighbouring LPA or NCA",
    "outside": "Compensation outside LPA or NCA of impact site and neighbouring LPA or NCA",
    "off-site provider": "This metric is being used by an off-site provider",
}
BESPOKE = ("Yes", "No", "Pending")


class RowReader:
    """Reads the fields of the site file's rows for one release, collecting the issues it finds."""

    def __init__(self, rel: Release) -> None:
        """A reader of the rows of a site file calculated with ``rel``."""
        self.rel = rel
        self.issues: list[InputIssue] = []

    def issue(
        self, path: str, ref: str | None, field: str | None, message: str, code: str, severity: str = "error"
    ) -> None:
        """Record a problem with the input."""
        self.issues.append(InputIssue(path, ref, field, message, code, severity))

    def rows(self, data: Mapping[str, Any], key: str, path: str) -> list[Mapping[str, Any]]:
        """The rows of one stage (``baseline`` …): a list of objects; anything else is an issue."""
        value = data.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.issue(path, None, None, f"expected a list of rows, got {type(value).__name__}", "NOT_A_LIST")
            return []
        out = []
        for i, row in enumerate(value):
            if isinstance(row, Mapping):
                out.append(row)
            else:
                self.issue(path, str(i + 1), None, "expected an object with the row's fields", "NOT_AN_OBJECT")
        return out

    def ref(self, row: Mapping[str, Any], path: str, index: int, seen: set[str]) -> str:
        """The row's ref as a text (a whole number without its .0); missing, bad and repeated refs are issues."""
        value = row.get("ref")
        if value is None or (isinstance(value, str) and not value.strip()):
            self.issue(
                path, str(index + 1), "ref", "every row needs a ref (its reference in the survey)", "MISSING_REF"
            )
            value = str(index + 1)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.issue(path, str(index + 1), "ref", f"expected a text or a number, got {value!r}", "BAD_REF")
            value = str(index + 1)
        ref = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        if ref in seen:
            self.issue(path, ref, "ref", "ref is used twice in this list; refs must be unique", "DUPLICATE_REF")
        seen.add(ref)
        return ref

    def number(
        self, row: Mapping[str, Any], field: str, path: str, ref: str, *, required: bool, default: float | None = 0.0
    ) -> float | None:
        """A size of 0 or more; ``required`` sizes must be given, others default to ``default``."""
        value = row.get(field)
        if value is None:
            if required:
                self.issue(path, ref, field, "missing; expected a number of 0 or more", "MISSING_SIZE")
            return None if required else default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.issue(path, ref, field, f"expected a number of 0 or more, got {value!r}", "NOT_A_NUMBER")
            return None
        if value < 0:
            self.issue(path, ref, field, f"expected a number of 0 or more, got {value!r}", "NEGATIVE_SIZE")
        return float(value)

    def years(self, row: Mapping[str, Any], field: str, path: str, ref: str) -> Years:
        """Whole years from 0 to 30, or "30+"; blank is 0."""
        value = row.get(field, 0)
        if value is None:
            return 0.0
        if value == "30+":
            return "30+"
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not float(value).is_integer()
            or not 0 <= value <= 30
        ):
            self.issue(path, ref, field, f'expected whole years from 0 to 30 or "30+", got {value!r}', "BAD_YEARS")
            return 0.0
        return float(value)

    def advance_delay(self, row: Mapping[str, Any], path: str, ref: str) -> tuple[Years, Years]:
        """The years created in advance and the years of delay; both at once is an issue."""
        adv = self.years(row, "advance_years", path, ref)
        delay = self.years(row, "delay_years", path, ref)
        if xl.gt(adv, 0.0) and xl.gt(delay, 0.0):
            self.issue(
                path,
                ref,
                "advance_years",
                "a habitat is either created in advance or delayed, not both: set one of advance_years "
                "and delay_years to 0",
                "ADVANCE_AND_DELAY",
            )
        return adv, delay

    def strategic_significance(self, row: Mapping[str, Any], path: str, ref: str) -> str:
        """The workbook's wording of the strategic significance ("High", "medium" … are accepted)."""
        value = row.get("strategic_significance")
        if value is None or value == "":
            self.issue(
                path,
                ref,
                "strategic_significance",
                'missing; expected "High", "Medium" or "Low"',
                "MISSING_STRATEGIC_SIGNIFICANCE",
            )
            return ""
        text = str(value).strip()
        if text in self.rel.strategic_significance:
            return text
        alias = self.rel.strategic_significance_aliases.get(text.lower())
        if alias is None:
            self.issue(
                path,
                ref,
                "strategic_significance",
                f'unknown strategic significance {value!r}; expected "High", "Medium", "Low" or the '
                "workbook's wording",
                "UNKNOWN_STRATEGIC_SIGNIFICANCE",
            )
            return text
        return alias

    def condition(self, row: Mapping[str, Any], path: str, ref: str, allowed: Sequence[str], what: str) -> str:
        """The condition as the workbook spells it, if the habitat allows it (``what`` names the habitat)."""
        value = row.get("condition")
        if value is None or value == "":
            self.issue(
                path, ref, "condition", f"missing; {what} allows {', '.join(map(repr, allowed))}", "MISSING_CONDITION"
            )
            return ""
        text = str(value).strip()
        cond = _first_same(tuple(allowed), text, False)
        if cond is not None:
            return cond
        self.issue(
            path,
            ref,
            "condition",
            f"condition {text!r} is not possible for {what}; expected one of {', '.join(map(repr, allowed))}",
            "CONDITION_NOT_ALLOWED",
        )
        return text

    def choice(
        self, row: Mapping[str, Any], field: str, path: str, ref: str, options: Sequence[str], default: str
    ) -> str:
        """One of ``options`` (case and spaces ignored); blank is ``default``."""
        value = row.get(field, default)
        if value is None:
            return default
        text = str(value).strip()
        opt = _first_same(tuple(options), text, True)
        if opt is not None:
            return opt
        self.issue(
            path,
            ref,
            field,
            f"unknown value {value!r}; expected one of {', '.join(map(repr, options))}",
            "UNKNOWN_VALUE",
        )
        return text

    def spatial_risk(self, value: Any, path: str, ref: str | None, watercourse: bool) -> str | None:
        """A gain site's spatial risk category as the workbook words it (short names accepted for areas)."""
        if value is None or value == "":
            return None
        text = " ".join(str(value).split())
        table = self.rel.spatial_risk_watercourse if watercourse else self.rel.spatial_risk
        for category in table:
            if category.lower() == text.lower():
                return category
        if not watercourse:
            alias = SPATIAL_RISK_ALIASES.get(text.lower())
            if alias:
                return alias
        field = "spatial_risk_watercourse" if watercourse else "spatial_risk"
        self.issue(
            path,
            ref,
            field,
            f"unknown spatial risk category {value!r}; expected one of {', '.join(map(repr, table))}",
            "UNKNOWN_SPATIAL_RISK",
        )
        return text

    def baseline_ref(
        self, row: Mapping[str, Any], path: str, ref: str, baseline_refs: dict[str, float | None]
    ) -> str | None:
        """The ref of the baseline row an enhancement row enhances; it must be a baseline row of the same list."""
        value = row.get("baseline_ref")
        if value is None or value == "":
            self.issue(
                path,
                ref,
                "baseline_ref",
                "missing; expected the ref of the baseline row this row enhances",
                "MISSING_BASELINE_REF",
            )
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.issue(path, ref, "baseline_ref", f"expected a text or a number, got {value!r}", "BAD_REF")
            return None
        bref = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        if bref not in baseline_refs:
            self.issue(path, ref, "baseline_ref", f"no baseline row has ref {bref!r}", "UNKNOWN_BASELINE_REF")
            return None
        return bref

    def linear_type(
        self, row: Mapping[str, Any], path: str, ref: str, table: Mapping[str, Any], what: str
    ) -> str | None:
        """A hedgerow or watercourse type of ``table`` (case ignored); ``what`` names it in the issue."""
        value = row.get("habitat")
        name = None if value is None else _first_same(tuple(table), str(value).strip(), False)
        if name is not None:
            return name
        self.issue(
            path,
            ref,
            "habitat",
            f"unknown {what} type {value!r}; expected one of {', '.join(map(repr, table))}",
            "UNKNOWN_HABITAT",
        )
        return None


@lru_cache(maxsize=1024)
def _first_same(options: tuple[str, ...], text: str, spaces: bool) -> str | None:
    """The first of ``options`` equal to ``text`` ignoring case (and, if ``spaces``, ignoring spaces too).

    Cached: a site file repeats a few texts thousands of times, and comparing each anew was a
    sixth of reading the 10,000-parcel site.
    """
    low = text.lower()
    squashed = text.replace(" ", "").lower()
    for opt in options:
        if opt.lower() == low or (spaces and opt.replace(" ", "").lower() == squashed):
            return opt
    return None
