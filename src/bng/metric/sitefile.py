"""The JSON site file: parse it into a :class:`Site` (checking every row) and write results back.

Parsing never raises on bad content: it returns the site it could build and a list of
:class:`InputIssue`, each naming the place (``on_site.area.baseline``), the row's ref, the
field and what was expected. Rows with an unknown habitat cannot be placed in the workbook
and are left out of the calculation; every other problem is reported and the row is still
calculated the way the workbook would calculate it (often to an error text).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any

from . import xl
from .model import (
    AreaBaseline,
    AreaCreation,
    AreaEnhancement,
    AreaRows,
    GainSite,
    HedgerowBaseline,
    HedgerowCreation,
    HedgerowEnhancement,
    HedgerowRows,
    Location,
    Project,
    Site,
    WatercourseBaseline,
    WatercourseCreation,
    WatercourseEnhancement,
    WatercourseRows,
    Years,
)
from .reference import DEFAULT_RELEASE, ReferenceDataError, Release, load, release_id
from .result import InputIssue, Result

SPATIAL_RISK_ALIASES = {
    "within lpa or nca": "Compensation inside LPA boundary or NCA of impact site",
    "neighbouring lpa or nca": "Compensation outside LPA or NCA of impact site, but in neighbouring LPA or NCA",
    "outside": "Compensation outside LPA or NCA of impact site and neighbouring LPA or NCA",
    "off-site provider": "This metric is being used by an off-site provider",
}
DEFAULT_SPATIAL_RISK = "Compensation inside LPA boundary or NCA of impact site"
BESPOKE = ("Yes", "No", "Pending")


class _Parser:
    def __init__(self, rel: Release) -> None:
        self.rel = rel
        self.issues: list[InputIssue] = []

    # -- helpers ---------------------------------------------------------------------------
    def issue(
        self, path: str, ref: str | None, field: str | None, message: str, code: str, severity: str = "error"
    ) -> None:
        self.issues.append(InputIssue(path, ref, field, message, code, severity))

    def rows(self, data: Mapping[str, Any], key: str, path: str) -> list[Mapping[str, Any]]:
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

    def ss(self, row: Mapping[str, Any], path: str, ref: str) -> str:
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
        value = row.get("condition")
        if value is None or value == "":
            self.issue(
                path, ref, "condition", f"missing; {what} allows {', '.join(map(repr, allowed))}", "MISSING_CONDITION"
            )
            return ""
        text = str(value).strip()
        for cond in allowed:
            if cond.lower() == text.lower():
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
        value = row.get(field, default)
        if value is None:
            return default
        text = str(value).strip()
        for opt in options:
            if opt.lower() == text.lower() or opt.replace(" ", "").lower() == text.replace(" ", "").lower():
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

    # -- area ------------------------------------------------------------------------------
    def area_habitat(self, row: Mapping[str, Any], path: str, ref: str) -> str | None:
        value = row.get("habitat")
        hab = self.rel.area_habitat(str(value)) if value else None
        if hab is None:
            self.issue(
                path,
                ref,
                "habitat",
                f"unknown area habitat {value!r}; expected a label 'Broad habitat - Habitat type' of the "
                f"metric ({self.rel.id}), e.g. 'Grassland - Modified grassland'",
                "UNKNOWN_HABITAT",
            )
            return None
        return hab.label

    def area_size(
        self, row: Mapping[str, Any], path: str, ref: str
    ) -> tuple[float | None, tuple[tuple[str, int], ...] | None]:
        trees = row.get("trees")
        if trees is not None and row.get("area_ha") is None:
            if not isinstance(trees, Mapping) or not trees:
                self.issue(path, ref, "trees", 'expected counts by size, e.g. {"small": 3, "medium": 1}', "BAD_TREES")
                return None, None
            sizes = {k.lower(): (k, v) for k, v in self.rel.tree_areas_ha.items()}
            total = 0.0
            counts: list[tuple[str, int]] = []
            for size, count in trees.items():
                known = sizes.get(str(size).lower().replace("_", " "))
                if known is None or isinstance(count, bool) or not isinstance(count, int) or count < 0:
                    self.issue(
                        path,
                        ref,
                        "trees",
                        f"bad tree count {size!r}: {count!r}; sizes are "
                        f"{', '.join(self.rel.tree_areas_ha)} with whole counts",
                        "BAD_TREES",
                    )
                    continue
                total += count * known[1]
                counts.append((known[0], count))
            return total, tuple(counts)
        return self.number(row, "area_ha", path, ref, required=True), None

    def area_rows(
        self,
        data: Mapping[str, Any],
        path: str,
        gain_site: str | None,
        srm: str | None,
        baseline_refs: dict[str, float | None],
    ) -> AreaRows:
        base: list[AreaBaseline] = []
        seen: set[str] = set()
        for i, row in enumerate(self.rows(data, "baseline", path + ".baseline")):
            p = path + ".baseline"
            ref = self.ref(row, p, i, seen)
            label = self.area_habitat(row, p, ref)
            size, trees = self.area_size(row, p, ref)
            retained = self.number(row, "retained_ha", p, ref, required=False)
            enhanced = self.number(row, "enhanced_ha", p, ref, required=False)
            if size is not None and xl.gt(xl.add(retained or 0.0, enhanced or 0.0), size):
                self.issue(
                    p,
                    ref,
                    "retained_ha",
                    f"retained ({retained}) plus enhanced ({enhanced}) is more than the parcel's area ({size} ha)",
                    "RETAINED_ENHANCED_EXCEED",
                )
            irr = row.get("irreplaceable", False)
            if irr is not None and not isinstance(irr, bool):
                self.issue(p, ref, "irreplaceable", f"expected true or false, got {irr!r}", "NOT_A_BOOLEAN")
                irr = False
            if label is None:
                continue
            hab = self.rel.area_habitat(label)
            assert hab is not None
            cond = self.condition(row, p, ref, hab.allowed_conditions(), repr(label))
            if hab.irreplaceable == "Yes" and irr is False:
                self.issue(
                    p, ref, "irreplaceable", f"{label!r} is always an irreplaceable habitat", "MUST_BE_IRREPLACEABLE"
                )
            if hab.irreplaceable == "No" and irr is True:
                self.issue(
                    p, ref, "irreplaceable", f"{label!r} cannot be an irreplaceable habitat", "CANNOT_BE_IRREPLACEABLE"
                )
            baseline_refs[ref] = enhanced
            base.append(
                AreaBaseline(
                    ref=ref,
                    habitat=label,
                    area_ha=size,
                    condition=cond,
                    strategic_significance=self.ss(row, p, ref),
                    irreplaceable=irr,
                    retained_ha=retained,
                    enhanced_ha=enhanced,
                    bespoke_compensation=self.choice(row, "bespoke_compensation", p, ref, BESPOKE, "No"),
                    gain_site=gain_site,
                    spatial_risk=srm,
                    trees=trees,
                )
            )
        creation: list[AreaCreation] = []
        seen = set()
        for i, row in enumerate(self.rows(data, "creation", path + ".creation")):
            p = path + ".creation"
            ref = self.ref(row, p, i, seen)
            label = self.area_habitat(row, p, ref)
            size, trees = self.area_size(row, p, ref)
            adv, delay = self.advance_delay(row, p, ref)
            if label is None:
                continue
            hab = self.rel.area_habitat(label)
            assert hab is not None
            cond = self.condition(row, p, ref, hab.allowed_conditions(), repr(label))
            creation.append(
                AreaCreation(
                    ref=ref,
                    habitat=label,
                    area_ha=size,
                    condition=cond,
                    strategic_significance=self.ss(row, p, ref),
                    advance_years=adv,
                    delay_years=delay,
                    gain_site=gain_site,
                    spatial_risk=srm,
                    trees=trees,
                )
            )
        enhancement: list[AreaEnhancement] = []
        seen = set()
        for i, row in enumerate(self.rows(data, "enhancement", path + ".enhancement")):
            p = path + ".enhancement"
            ref = self.ref(row, p, i, seen)
            bref = self.baseline_ref(row, p, ref, baseline_refs)
            label = self.area_habitat(row, p, ref)
            adv, delay = self.advance_delay(row, p, ref)
            if label is None or bref is None:
                continue
            hab = self.rel.area_habitat(label)
            assert hab is not None
            cond = self.condition(row, p, ref, hab.allowed_conditions(), repr(label))
            enhancement.append(
                AreaEnhancement(
                    ref=ref,
                    baseline_ref=bref,
                    habitat=label,
                    condition=cond,
                    strategic_significance=self.ss(row, p, ref),
                    advance_years=adv,
                    delay_years=delay,
                    gain_site=gain_site,
                )
            )
        return AreaRows(tuple(base), tuple(creation), tuple(enhancement))

    def baseline_ref(
        self, row: Mapping[str, Any], path: str, ref: str, baseline_refs: dict[str, float | None]
    ) -> str | None:
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

    # -- hedgerows -------------------------------------------------------------------------
    def linear_type(
        self, row: Mapping[str, Any], path: str, ref: str, table: Mapping[str, Any], what: str
    ) -> str | None:
        value = row.get("habitat")
        for name in table:
            if value is not None and name.lower() == str(value).strip().lower():
                return name
        self.issue(
            path,
            ref,
            "habitat",
            f"unknown {what} type {value!r}; expected one of {', '.join(map(repr, table))}",
            "UNKNOWN_HABITAT",
        )
        return None

    def hedgerow_rows(self, data: Mapping[str, Any], path: str, gain_site: str | None, srm: str | None) -> HedgerowRows:
        types = self.rel.hedgerow_types
        refs: dict[str, float | None] = {}
        base: list[HedgerowBaseline] = []
        seen: set[str] = set()
        for i, row in enumerate(self.rows(data, "baseline", path + ".baseline")):
            p = path + ".baseline"
            ref = self.ref(row, p, i, seen)
            name = self.linear_type(row, p, ref, types, "hedgerow")
            length = self.number(row, "length_km", p, ref, required=True)
            retained = self.number(row, "retained_km", p, ref, required=False)
            enhanced = self.number(row, "enhanced_km", p, ref, required=False)
            if length is not None and xl.gt(xl.add(retained or 0.0, enhanced or 0.0), length):
                self.issue(
                    p,
                    ref,
                    "retained_km",
                    f"retained ({retained}) plus enhanced ({enhanced}) is more "
                    f"than the hedgerow's length ({length} km)",
                    "RETAINED_ENHANCED_EXCEED",
                )
            if name is None:
                continue
            cond = self.condition(row, p, ref, types[name].allowed_conditions(), repr(name))
            refs[ref] = enhanced
            base.append(
                HedgerowBaseline(ref, name, length, cond, self.ss(row, p, ref), retained, enhanced, gain_site, srm)
            )
        creation: list[HedgerowCreation] = []
        seen = set()
        for i, row in enumerate(self.rows(data, "creation", path + ".creation")):
            p = path + ".creation"
            ref = self.ref(row, p, i, seen)
            name = self.linear_type(row, p, ref, types, "hedgerow")
            length = self.number(row, "length_km", p, ref, required=True)
            adv, delay = self.advance_delay(row, p, ref)
            if name is None:
                continue
            cond = self.condition(row, p, ref, types[name].allowed_conditions(), repr(name))
            creation.append(HedgerowCreation(ref, name, length, cond, self.ss(row, p, ref), adv, delay, gain_site, srm))
        enhancement: list[HedgerowEnhancement] = []
        seen = set()
        for i, row in enumerate(self.rows(data, "enhancement", path + ".enhancement")):
            p = path + ".enhancement"
            ref = self.ref(row, p, i, seen)
            bref = self.baseline_ref(row, p, ref, refs)
            name = self.linear_type(row, p, ref, types, "hedgerow")
            adv, delay = self.advance_delay(row, p, ref)
            if name is None or bref is None:
                continue
            cond = self.condition(row, p, ref, types[name].allowed_conditions(), repr(name))
            enhancement.append(HedgerowEnhancement(ref, bref, name, cond, self.ss(row, p, ref), adv, delay, gain_site))
        return HedgerowRows(tuple(base), tuple(creation), tuple(enhancement))

    # -- watercourses ----------------------------------------------------------------------
    def encroachments(self, row: Mapping[str, Any], path: str, ref: str, wtype: str) -> tuple[str, str]:
        rules = self.rel.rules
        enc = self.choice(row, "encroachment", path, ref, tuple(self.rel.watercourse_encroachment), "No Encroachment")
        rip = self.choice(
            row,
            "riparian_encroachment",
            path,
            ref,
            tuple(self.rel.riparian_encroachment),
            "No Encroachment/ No Encroachment",
        )
        culvert = wtype.lower() == rules.culvert_type.lower()
        na = rules.culvert_encroachment
        for field, value in (("encroachment", enc), ("riparian_encroachment", rip)):
            if culvert and value != na:
                self.issue(path, ref, field, f"a culvert takes {na!r}", "CULVERT_ENCROACHMENT")
            if not culvert and value == na:
                self.issue(path, ref, field, f"{na!r} is only for culverts", "CULVERT_ENCROACHMENT")
        return enc, rip

    def watercourse_rows(
        self, data: Mapping[str, Any], path: str, gain_site: str | None, srm: str | None
    ) -> WatercourseRows:
        types = self.rel.watercourse_types
        refs: dict[str, float | None] = {}
        base: list[WatercourseBaseline] = []
        seen: set[str] = set()
        for i, row in enumerate(self.rows(data, "baseline", path + ".baseline")):
            p = path + ".baseline"
            ref = self.ref(row, p, i, seen)
            name = self.linear_type(row, p, ref, types, "watercourse")
            length = self.number(row, "length_km", p, ref, required=True)
            retained = self.number(row, "retained_km", p, ref, required=False)
            enhanced = self.number(row, "enhanced_km", p, ref, required=False)
            if name is None:
                continue
            cond = self.condition(row, p, ref, types[name].allowed_conditions(), repr(name))
            enc, rip = self.encroachments(row, p, ref, name)
            if length is not None and xl.gt(retained or 0.0, length):
                self.issue(
                    p,
                    ref,
                    "retained_km",
                    f"retained ({retained}) is longer than the watercourse ({length} km)",
                    "RETAINED_ENHANCED_EXCEED",
                )
            if (
                length is not None
                and xl.gt(retained, 0.0)
                and xl.gt(enhanced, 0.0)
                and xl.gt(xl.add(retained or 0.0, enhanced or 0.0), length)
            ):
                self.issue(
                    p,
                    ref,
                    "enhanced_km",
                    "retained plus enhanced is longer than the watercourse: split "
                    "retained and enhanced into separate entries",
                    "RETAINED_ENHANCED_EXCEED",
                )
            refs[ref] = enhanced
            base.append(
                WatercourseBaseline(
                    ref,
                    name,
                    length,
                    cond,
                    self.ss(row, p, ref),
                    enc,
                    rip,
                    retained,
                    enhanced,
                    self.choice(row, "bespoke_compensation", p, ref, BESPOKE, "No"),
                    gain_site,
                    srm,
                )
            )
        creation: list[WatercourseCreation] = []
        seen = set()
        for i, row in enumerate(self.rows(data, "creation", path + ".creation")):
            p = path + ".creation"
            ref = self.ref(row, p, i, seen)
            name = self.linear_type(row, p, ref, types, "watercourse")
            length = self.number(row, "length_km", p, ref, required=True)
            adv, delay = self.advance_delay(row, p, ref)
            if name is None:
                continue
            cond = self.condition(row, p, ref, types[name].allowed_conditions(), repr(name))
            enc, rip = self.encroachments(row, p, ref, name)
            creation.append(
                WatercourseCreation(ref, name, length, cond, self.ss(row, p, ref), adv, delay, enc, rip, gain_site, srm)
            )
        enhancement: list[WatercourseEnhancement] = []
        seen = set()
        for i, row in enumerate(self.rows(data, "enhancement", path + ".enhancement")):
            p = path + ".enhancement"
            ref = self.ref(row, p, i, seen)
            bref = self.baseline_ref(row, p, ref, refs)
            name = self.linear_type(row, p, ref, types, "watercourse")
            adv, delay = self.advance_delay(row, p, ref)
            if name is None or bref is None:
                continue
            cond = self.condition(row, p, ref, types[name].allowed_conditions(), repr(name))
            enc, rip = self.encroachments(row, p, ref, name)
            enhancement.append(
                WatercourseEnhancement(ref, bref, name, cond, self.ss(row, p, ref), adv, delay, enc, rip, gain_site)
            )
        return WatercourseRows(tuple(base), tuple(creation), tuple(enhancement))

    # -- site ------------------------------------------------------------------------------
    def project(self, data: Any) -> Project:
        if data is None:
            return Project()
        if not isinstance(data, Mapping):
            self.issue("project", None, None, "expected an object", "NOT_AN_OBJECT")
            return Project()
        target = data.get("target_percent", 10)
        if target is None:
            target = 10
        if isinstance(target, bool) or not isinstance(target, (int, float)) or not 0 <= target <= 1000:
            self.issue(
                "project", None, "target_percent", f"expected a percentage such as 10, got {target!r}", "BAD_TARGET"
            )
            target = 10
        known = {"name", "planning_reference", "lpa", "target_percent"}
        details = tuple((str(k), str(v)) for k, v in data.items() if k not in known and v is not None)
        return Project(
            name=str(data.get("name") or ""),
            planning_reference=str(data.get("planning_reference") or ""),
            lpa=str(data.get("lpa") or ""),
            target_percent=float(target),
            details=details,
        )

    def location(
        self, data: Any, path: str, gain_site: str | None = None, srm: str | None = None, srm_w: str | None = None
    ) -> Location:
        if data is None:
            return Location()
        if not isinstance(data, Mapping):
            self.issue(path, None, None, "expected an object with area, hedgerow and watercourse", "NOT_AN_OBJECT")
            return Location()
        refs: dict[str, float | None] = {}
        area = self.area_rows(data.get("area") or {}, path + ".area", gain_site, srm, refs)
        hedge = self.hedgerow_rows(data.get("hedgerow") or {}, path + ".hedgerow", gain_site, srm)
        water = self.watercourse_rows(data.get("watercourse") or {}, path + ".watercourse", gain_site, srm_w)
        return Location(area, hedge, water)

    def site(self, data: Any) -> Site:
        if not isinstance(data, Mapping):
            self.issue("", None, None, "a site file is a JSON object", "NOT_AN_OBJECT")
            return Site()
        project = self.project(data.get("project"))
        on_site = self.location(data.get("on_site"), "on_site")
        gain_sites: list[GainSite] = []
        parts: list[Location] = []
        off = data.get("off_site") or []
        if not isinstance(off, list):
            self.issue("off_site", None, None, "expected a list of gain sites", "NOT_A_LIST")
            off = []
        for i, gs in enumerate(off):
            path = f"off_site[{i}]"
            if not isinstance(gs, Mapping):
                self.issue(path, None, None, "expected an object describing a gain site", "NOT_AN_OBJECT")
                continue
            ref = gs.get("gain_site")
            if not ref:
                self.issue(
                    path,
                    None,
                    "gain_site",
                    "missing; expected the gain site's register reference (e.g. BGS-010124001)",
                    "MISSING_GAIN_SITE",
                )
                ref = ""
            srm = self.spatial_risk(gs.get("spatial_risk"), path, None, False) or DEFAULT_SPATIAL_RISK
            srm_w = self.spatial_risk(gs.get("spatial_risk_watercourse"), path, None, True)
            water = gs.get("watercourse") or {}
            if srm_w is None and isinstance(water, Mapping) and (water.get("baseline") or water.get("creation")):
                self.issue(
                    path,
                    None,
                    "spatial_risk_watercourse",
                    "a gain site with watercourse rows needs its catchment category, e.g. 'Within waterbody catchment'",
                    "MISSING_SPATIAL_RISK",
                )
            gain_sites.append(GainSite(str(ref), srm, srm_w))
            parts.append(self.location(gs, path, str(ref), srm, srm_w))
        off_site = Location(
            AreaRows(
                *(tuple(r for p in parts for r in getattr(p.area, s)) for s in ("baseline", "creation", "enhancement"))
            ),
            HedgerowRows(
                *(
                    tuple(r for p in parts for r in getattr(p.hedgerow, s))
                    for s in ("baseline", "creation", "enhancement")
                )
            ),
            WatercourseRows(
                *(
                    tuple(r for p in parts for r in getattr(p.watercourse, s))
                    for s in ("baseline", "creation", "enhancement")
                )
            ),
        )
        return Site(project, on_site, off_site, tuple(gain_sites), self.rel.id)


def parse_site(data: Any, release: str | None = None) -> tuple[Site, list[InputIssue]]:
    """Build a Site from a decoded site file; never raises on bad content."""
    name = release
    if name is None and isinstance(data, Mapping):
        name = data.get("metric_release")
    issues: list[InputIssue] = []
    try:
        rid = release_id(str(name) if name else None)
    except ReferenceDataError as err:
        issues.append(InputIssue("metric_release", None, "metric_release", str(err), "UNKNOWN_RELEASE"))
        rid = DEFAULT_RELEASE
    parser = _Parser(load(rid))
    site = parser.site(data)
    return site, issues + parser.issues


# -- writing ---------------------------------------------------------------------------------

# Site → site file. parse_site(site_to_dict(site)) calculates exactly as ``site`` does: off-site
# rows are grouped into one gain-site entry per gain site, module, spatial-risk category and
# stage (the site file gives the category per gain site, the workbook and the maps per row), and
# enhancement rows go into the entry of the baseline row they enhance.

_NOT_IN_ROWS = ("gain_site", "spatial_risk", "trees")  # given per gain site, or as "trees" below


def _row_dict(row: Any) -> dict[str, Any]:
    """The row's fields carry the site file's names; trees are given by size in place of area_ha."""
    out: dict[str, Any] = {}
    for f in fields(row):
        if f.name in _NOT_IN_ROWS:
            continue
        value = getattr(row, f.name)
        if f.name in ("advance_years", "delay_years") and value is None:
            value = 0.0
        out[f.name] = value
    trees = getattr(row, "trees", None)
    if trees:
        del out["area_ha"]
        out["trees"] = {size: count for size, count in trees}
    return out


def _module_rows(rows: Any) -> dict[str, list[dict[str, Any]]]:
    return {stage: [_row_dict(r) for r in getattr(rows, stage)] for stage in ("baseline", "creation", "enhancement")}


def _location_dict(loc: Location) -> dict[str, Any]:
    return {
        "area": _module_rows(loc.area),
        "hedgerow": _module_rows(loc.hedgerow),
        "watercourse": _module_rows(loc.watercourse),
    }


def _off_site_list(site: Site) -> list[dict[str, Any]]:
    """One entry per gain site, module, spatial-risk category and stage, in order of first appearance.

    So a module's first baseline row and first creation row (whose category the gain-site
    summary shows) stay first; enhancement rows go with their baseline row.
    """
    entries: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def entry(gs: str | None, srm: str | None, module: str, kind: str = "baseline") -> dict[str, Any]:
        key = (gs or "", module, srm or "", kind)
        if key not in entries:
            e: dict[str, Any] = {"gain_site": gs or ""}
            e["spatial_risk_watercourse" if module == "watercourse" else "spatial_risk"] = srm
            e[module] = {"baseline": [], "creation": [], "enhancement": []}
            entries[key] = e
        return entries[key]

    off = site.off_site
    for module in ("area", "hedgerow", "watercourse"):
        rows = getattr(off, module)
        home: dict[tuple[str, str], dict[str, Any]] = {}
        for r in rows.baseline:
            e = entry(r.gain_site, r.spatial_risk, module)
            e[module]["baseline"].append(_row_dict(r))
            home[(r.gain_site or "", r.ref)] = e
        for r in rows.creation:
            entry(r.gain_site, r.spatial_risk, module, "creation")[module]["creation"].append(_row_dict(r))
        for r in rows.enhancement:
            e = home.get((r.gain_site or "", r.baseline_ref)) or entry(r.gain_site, None, module)
            e[module]["enhancement"].append(_row_dict(r))
    return list(entries.values())


def site_to_dict(site: Site) -> dict[str, Any]:
    """The site file of a Site (``bng metric calculate`` reads it back)."""
    project: dict[str, Any] = {
        "name": site.project.name,
        "planning_reference": site.project.planning_reference,
        "lpa": site.project.lpa,
        "target_percent": site.project.target_percent,
    }
    project.update(dict(site.project.details))
    return {
        "metric_release": site.metric_release,
        "project": project,
        "on_site": _location_dict(site.on_site),
        "off_site": _off_site_list(site),
    }


def _module_dict(m: Any) -> dict[str, Any]:
    on, off = m.on_site, m.off_site
    return {
        "on_site": {
            "baseline_units": on.baseline_units,
            "retained_units": on.retained_units,
            "enhanced_baseline_units": on.enhanced_baseline_units,
            "creation_units": on.creation_units,
            "enhancement_units": on.enhancement_units,
            "post_intervention_units": on.post_intervention_units,
            "net_change_units": on.net_change_units,
            "net_change_percent": on.net_change_percent,
            **({"vhdh_bespoke_units": on.vhdh_bespoke_units} if m.module != "hedgerow" else {}),
        },
        "off_site": {
            "baseline_units": off.baseline_units,
            "post_intervention_units": off.post_intervention_units,
            "net_change_units": off.net_change_units,
            "srm_deduction_units": off.srm_deduction_units,
            "baseline_units_srm": off.baseline_units_srm,
            "post_intervention_units_srm": off.post_intervention_units_srm,
            "net_change_percent": off.net_change_percent,
            "change_with_srm_units": off.change_with_srm_units,
        },
        "combined_net_change_units": m.combined_net_change_units,
        "total_net_change_units": m.total_net_change_units,
        "total_net_change_percent": m.total_net_change_percent,
        "target_percent": m.target_percent,
        "units_required": m.units_required,
        "target_met": m.target_met,
        "unit_deficit": m.unit_deficit,
        "trading_rules_satisfied": m.trading_rules_satisfied,
        "messages": list(m.messages),
    }


def result_to_dict(result: Result) -> dict[str, Any]:
    """The result in the site file's result format (site-file.md), with the release named."""
    rows = []
    for r in result.rows:
        row: dict[str, Any] = {"module": r.module, "location": r.location, "stage": r.stage}
        if r.gain_site is not None:
            row["gain_site"] = r.gain_site
        row["ref"] = r.ref
        if r.baseline_ref is not None:
            row["baseline_ref"] = r.baseline_ref
        row["units"] = r.units
        if r.stage == "baseline":
            row["retained_units"] = r.retained_units
            row["enhanced_units"] = r.enhanced_units
        if r.location == "off_site":
            row["units_srm"] = r.units_srm
        row["codes"] = list(r.codes)
        row["messages"] = list(r.messages)
        rows.append(row)
    trading: dict[str, Any] = {}
    for module, t in result.trading.items():
        trading[module] = {b.band: b.satisfied for b in t.bands}
    trading["all_satisfied"] = result.trading_all_satisfied
    return {
        "metric_release": result.metric_release,
        "metric_release_title": result.release_title,
        "modules": {name: _module_dict(m) for name, m in result.modules.items()},
        "rows": rows,
        "gain_sites": [
            {
                "gain_site": g.gain_site,
                "module": g.module,
                "baseline_units": g.baseline_units,
                "baseline_units_srm": g.baseline_units_srm,
                "retained_units": g.retained_units,
                "retained_units_srm": g.retained_units_srm,
                "enhanced_units": g.enhanced_units,
                "enhanced_units_srm": g.enhanced_units_srm,
                "created_units": g.created_units,
                "created_units_srm": g.created_units_srm,
                "change_units": g.change_units,
                "spatial_risk_multiplier": g.spatial_risk_multiplier,
                "change_post_srm_units": g.change_post_srm_units,
                "codes": list(g.codes),
                "messages": list(g.messages),
            }
            for g in result.gain_sites
        ],
        "trading": trading,
        "trading_summary": {
            module: [
                {
                    "band": b.band,
                    "rule": b.rule,
                    "satisfied": b.satisfied,
                    "verdict": b.verdict,
                    "shortfall_units": b.shortfall_units,
                    "failing": [{"habitat": f.habitat, "change_units": f.change_units} for f in b.failing],
                }
                for b in t.bands
            ]
            for module, t in result.trading.items()
        },
        "credits": dict(result.credits.by_tier),
        "credits_messages": list(result.credits.messages),
        "issues": [
            {
                "path": i.path,
                "ref": i.ref,
                "field": i.field,
                "code": i.code,
                "severity": i.severity,
                "message": i.message,
            }
            for i in result.issues
        ],
    }
