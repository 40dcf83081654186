"""Versioned reference data of the statutory biodiversity metric.

Each metric release is a folder of CSV files shipped with the package. The per-habitat
tables are those published in the project's shared reference data (G-1 … G-8 of the
workbook); the layout tables (``area_trading_layout.csv``, ``credit_*.csv``) were extracted
from the official workbook by ``tools/extract_layout.py``. A release is read once, checked as
it is read, and shared: everything in it is immutable.

The published CSVs drop the " ▲" that the workbook puts after texts such as
"Not Possible ▲" and "Error ▲". Formulas compare cells against exact texts ("Not Possible"
without the mark never matches "Not Possible ▲"), so the loader restores the mark where
the workbook has it; ``tests/metric/test_reference.py`` checks every restored cell against
the workbook.

Releases are listed in ``releases.csv``: each names its folder and the release it is based on.
A later release's folder holds only what changed (an overlay): a table given there replaces the
rows of its parent with the same key (its first column), column by column, and adds new ones;
``workbook_rules.csv`` replaces every row of each rule it names. So the data of release 1.0.3 is
the base tables with the 1.0.2 and 1.0.3 overlays applied in turn, and no number is copied.
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
from typing import NamedTuple

from ..errors import ReferenceDataError

CONDITIONS: tuple[str, ...] = (
    "Good",
    "Fairly Good",
    "Moderate",
    "Fairly Poor",
    "Poor",
    "Condition Assessment N/A",
    "N/A - Other",
)
BANDS: tuple[str, ...] = ("V.High", "High", "Medium", "Low", "V.Low")

Cell = float | str


@dataclass(frozen=True, slots=True)
class AreaHabitat:
    """A habitat of G-1 (with its G-5 enhancement years): band, scores, difficulties, times to target."""

    label: str
    broad: str
    type: str
    ukhab_code: str
    band: str
    score: float
    trading_rule: str
    creation_difficulty: str
    enhancement_difficulty: str
    irreplaceable: str  # "Yes", "No" or "Yes/No" (G-1 column T)
    condition_group: str
    condition_scores: Mapping[str, Cell]
    creation_years: Mapping[str, Cell]
    enhancement_years: Mapping[str, Cell]
    enhancement_years_ci: Mapping[str, Cell]  # keyed by lower-case change label (MATCH ignores case)

    def allowed_conditions(self) -> tuple[str, ...]:
        """The conditions the habitat can be in (those with a condition score)."""
        return tuple(c for c, s in self.condition_scores.items() if isinstance(s, float))


@dataclass(frozen=True, slots=True)
class HedgerowType:
    """A hedgerow type of G-6: band, score, times to target condition, difficulties, trading rule."""

    name: str
    band: str
    score: float
    creation_years: Mapping[str, Cell]  # Poor / Moderate / Good (G-6 E:I)
    condition_change_years: Mapping[str, Cell]  # "Poor - Moderate", … (G-6 K:Q)
    creation_years_ci: Mapping[str, Cell]
    condition_change_years_ci: Mapping[str, Cell]
    creation_difficulty: str
    enhancement_difficulty: str
    trading_rule: str
    condition_group: str

    def allowed_conditions(self) -> tuple[str, ...]:
        """The conditions the type can be in: Poor only for the "Hedgecond2" group."""
        return ("Poor",) if self.condition_group == "Hedgecond2" else ("Good", "Moderate", "Poor")


@dataclass(frozen=True, slots=True)
class WatercourseType:
    """A watercourse type of G-7: band, score, condition scores, difficulties, trading rule."""

    name: str
    band: str
    score: float
    creation_difficulty: str
    enhancement_difficulty: str
    trading_rule: str
    condition_scores: Mapping[str, Cell]
    irreplaceable: str
    condition_scores_ci: Mapping[str, Cell]

    def allowed_conditions(self) -> tuple[str, ...]:
        """The conditions the habitat can be in (those with a condition score)."""
        return tuple(c for c, s in self.condition_scores.items() if isinstance(s, float))


@dataclass(frozen=True, slots=True)
class TradingRow:
    """A row of "Trading Summary Area Habitats": which band a habitat is traded in."""

    band: str
    habitat: str
    display_label: str
    group: str
    medium_block: str


@dataclass(frozen=True, slots=True)
class MediumGroup:
    """A broad habitat group of "Unit shortfall calculations" rows 122-131 (credit rules 1-4)."""

    name: str
    tier: str
    medium_block: str
    surplus_sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CreditPrice:
    """The price of one statutory credit of a tier (ex VAT) from a date, and credits per unit short."""

    tier: str
    price_gbp: float
    module: str
    credits_per_unit: float
    valid_from: date


@dataclass(frozen=True, slots=True)
class WorkbookRules:
    """Texts and habitat names that the workbook's formulas test literally (workbook_rules.csv).

    Some rules are the formulas of a release: the statutory releases differ in how a few cells
    are computed (a check added to the first A-3 row in 1.0.2, the ▲ a text comparison gained in
    1.0.3 …), and each such difference is a rule here whose value the release's table sets.
    """

    irreplaceable_trading_rule: str
    tree_broad_habitat: str
    area_balance_excluded: frozenset[str]
    area_balance_tolerance_ha: float
    poor_threshold_standard_difficulty: frozenset[str]
    enhancement_only_from: Mapping[str, frozenset[str]]
    culvert_type: str
    culvert_encroachment: str
    ditch_type: str
    non_native_hedgerow: str
    hedgerow_poor_only_condition: str
    very_low_hedgerow_band: str
    very_low_hedgerow_forbidden_conditions: frozenset[str]
    enhancement_years_outside_range: frozenset[str]
    poor_threshold_row_offset_offsite: int
    poor_threshold_row_offset_type: str
    medium_offset_order: tuple[str, ...]
    a3_first_row_condition_checks: bool
    """A-3!U12 has the two "condition cannot be reduced" checks of the rows below (1.0.2 on)."""
    a3_first_row_check_data_text: str
    """The text A-3!AI12 compares the final time with (and shows)."""
    a3_check_data_text: str
    """The text A-3!AI13:AI257 compare the final time with (and show)."""
    area_not_possible_years_text: str
    """The standard-years text A-2!S, A-3!AH, D-2!S and D-3!AH turn into "Check Data"."""
    hedgerow_not_possible_years_text: str
    """The same for B-2!Q, B-3!AB, E-2!S and E-3!AB ("" where the release has no such test)."""
    b3_delay_30_plus_text: str
    """B-3!AB12 when the delay is 30+ years ("30+ ⚠" misses the multiplier lookup)."""
    hedgerow_length_error_voids_units: bool
    """B-1!N / E-1!Q show "Check data ▲" when retained + enhanced exceed the length (1.0.3 on)."""
    hedgerow_not_like_for_like_offsite: frozenset[str]
    """The distinctiveness movements E-3!O requires like-for-like for ("high - high" …)."""
    c3_trading_down_error_prefix: str
    """What C-3!Y compares the first five characters of the distinctiveness movement with."""
    watercourse_units_check_iferror: bool
    """C-3!AM6 / F-3!AQ6 (the "units less than baseline" flag) are wrapped in IFERROR (1.0.3 on)."""


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    """A release as ``releases.csv`` lists it."""

    id: str
    folder: str
    based_on: str
    version: str
    label: str
    published: str
    aliases: tuple[str, ...]
    title: str
    source: str


@dataclass(frozen=True)
class Release:
    """One release of the statutory metric: every table its formulas look up."""

    id: str
    title: str
    aliases: tuple[str, ...]
    label: str
    version: str
    area_habitats: Mapping[str, AreaHabitat]
    area_habitats_exact: Mapping[str, AreaHabitat]
    area_type_index: Mapping[str, str]
    distinctiveness_scores: Mapping[str, float]
    trading_rule_of_band: Mapping[str, str]
    condition_scores: Mapping[str, float]
    difficulty_multipliers: Mapping[str, float]
    temporal_multipliers: Mapping[Cell, float]
    strategic_significance: Mapping[str, float]
    strategic_significance_aliases: Mapping[str, str]
    spatial_risk: Mapping[str, float]
    spatial_risk_watercourse: Mapping[str, float]
    tree_areas_ha: Mapping[str, float]
    hedgerow_types: Mapping[str, HedgerowType]
    hedgerow_change: Mapping[tuple[str, str], str]
    hedgerow_distinctiveness_years: Mapping[tuple[str, str], Cell]
    watercourse_types: Mapping[str, WatercourseType]
    watercourse_encroachment: Mapping[str, float]
    riparian_encroachment: Mapping[str, float]
    watercourse_creation_years: Mapping[str, Cell]
    watercourse_distinctiveness_years: float
    watercourse_condition_years: Mapping[tuple[str, str], Cell]
    watercourse_creation_years_ci: Mapping[str, Cell]
    watercourse_condition_years_ci: Mapping[tuple[str, str], Cell]
    area_trading_layout: tuple[TradingRow, ...]
    credit_tiers: Mapping[str, str]
    medium_groups: tuple[MediumGroup, ...]
    credit_prices: tuple[CreditPrice, ...]
    rules: WorkbookRules

    def area_habitat(self, label: str) -> AreaHabitat | None:
        """A habitat by its label, letter case ignored as the workbook's lookups ignore it."""
        found = self.area_habitats_exact.get(label)
        return found if found is not None else self.area_habitats.get(label.lower())

    def area_habitat_of_type(self, habitat_type: str) -> AreaHabitat | None:
        """The habitat a type names, as the workbook finds it: MATCH on the type alone (G-1 column A).

        The sheets' "Broad habitat" column only feeds the drop-downs; the formulas identify an
        area habitat by ``INDEX('G-1 All Habitats'!B, MATCH(type, 'G-1 All Habitats'!A, 0))``.
        """
        label = self.area_type_index.get(habitat_type.strip().lower())
        return self.area_habitat(label) if label is not None else None


def _read_releases() -> Mapping[str, ReleaseInfo]:
    text = resources.files(__package__).joinpath("releases.csv").read_text("utf-8")
    out: dict[str, ReleaseInfo] = {}
    for r in csv.DictReader(io.StringIO(text)):
        info = ReleaseInfo(
            id=r["id"],
            folder=r["folder"],
            based_on=r["based_on"],
            version=r["version"],
            label=r["label"],
            published=r["published"],
            aliases=tuple(a.strip() for a in r["aliases"].split(";") if a.strip()),
            title=r["title"],
            source=r["source"],
        )
        if info.based_on and info.based_on not in out:
            raise ReferenceDataError(f"releases.csv: {info.id} is based on {info.based_on!r}, not listed before it")
        out[info.id] = info
    return MappingProxyType(out)


RELEASES: Mapping[str, ReleaseInfo] = _read_releases()
"""Every statutory release bng knows, oldest first (``releases.csv``)."""
DEFAULT_RELEASE = "statutory-2024"
LATEST_RELEASE = next(reversed(list(RELEASES)))


def release_id(name: str | None) -> str:
    """The canonical id of a release name or alias (``"1.0.3"``, ``"statutory 1.0.3"`` …); raises on an unknown name."""
    if not name:
        return DEFAULT_RELEASE
    wanted = " ".join(name.split()).lower()
    for rid, info in RELEASES.items():
        names = {rid, *info.aliases, info.label}
        if name in names or wanted in {" ".join(n.split()).lower() for n in names}:
            return rid
    known = ", ".join(f"{rid} ({info.label})" for rid, info in RELEASES.items())
    raise ReferenceDataError(f"unknown metric release {name!r}; known releases: {known}")


def load(name: str | None = None) -> Release:
    """Read and check one release (cached: each release is read once per process)."""
    return _load(release_id(name))


@cache
def _load(rid: str) -> Release:
    chain: list[ReleaseInfo] = []
    info: ReleaseInfo | None = RELEASES[rid]
    while info is not None:
        chain.insert(0, info)
        info = RELEASES.get(info.based_on) if info.based_on else None
    return _Loader(RELEASES[rid], tuple(i.folder for i in chain)).build()


def _ci(mapping: Mapping[str, Cell]) -> Mapping[str, Cell]:
    """The same lookup keyed by lower-case text: the workbook's MATCH and VLOOKUP ignore case."""
    return MappingProxyType({k.lower(): v for k, v in mapping.items()})


def _number(text: str) -> float:
    return float(text)


def _cell(text: str, mark: bool = True) -> Cell:
    """A lookup cell: a number, or a text with the workbook's ▲ restored."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    if text in ("30+", "N/A") or not mark:
        return text
    return text + " ▲"


def _yes(rid: str, rule: str, value: str) -> bool:
    if value.lower() not in ("yes", "no"):
        raise ReferenceDataError(f"{rid}: workbook rule {rule} must be yes or no, not {value!r}")
    return value.lower() == "yes"


class _WatercourseTables(NamedTuple):
    """The G-7 tables as read: types, encroachment multipliers, times to target condition."""

    types: dict[str, WatercourseType]
    encroachment: dict[str, float]
    riparian: dict[str, float]
    creation_years: dict[str, Cell]
    distinctiveness_years: float
    condition_years: dict[tuple[str, str], Cell]


class _Loader:
    def __init__(self, info: ReleaseInfo, folders: tuple[str, ...]) -> None:
        self.info = info
        self.rid = info.id
        self.folders = folders  # the base release's folder first, this release's last

    def _read(self, folder: str, name: str) -> list[dict[str, str]] | None:
        try:
            text = resources.files(__package__).joinpath(folder, name).read_text("utf-8")
        except FileNotFoundError:
            return None
        return list(csv.DictReader(io.StringIO(text)))

    def rows(self, name: str) -> list[dict[str, str]]:
        """A table with every overlay of the release's line applied, in order."""
        base = self._read(self.folders[0], name)
        if base is None:
            raise ReferenceDataError(f"{self.rid}: reference table {name} is missing")
        for folder in self.folders[1:]:
            overlay = self._read(folder, name)
            if overlay is not None:
                base = self._overlay(folder, name, base, overlay)
        return base

    def _overlay(
        self, folder: str, name: str, base: list[dict[str, str]], overlay: list[dict[str, str]]
    ) -> list[dict[str, str]]:
        if not base or not overlay:
            return base + overlay
        key = next(iter(base[0]))
        if name == "workbook_rules.csv":  # a rule given replaces every row of that rule
            replaced = {r[key] for r in overlay}
            return [r for r in base if r[key] not in replaced] + overlay
        if next(iter(overlay[0])) != key:
            raise ReferenceDataError(f"{folder}/{name}: an overlay must start with the key column {key!r}")
        columns = set(base[0])
        out = [dict(r) for r in base]
        index = {r[key]: r for r in out}
        for r in overlay:
            unknown = set(r) - columns - {"source"}
            if unknown:
                raise ReferenceDataError(f"{folder}/{name}: unknown columns {sorted(unknown)}")
            target = index.get(r[key])
            if target is None:
                if set(r) - {"source"} != columns:
                    raise ReferenceDataError(f"{folder}/{name}: new row {r[key]!r} must give every column")
                out.append({c: r[c] for c in base[0]})
                index[r[key]] = out[-1]
            else:
                target.update({c: v for c, v in r.items() if c in columns})
        return out

    def matrix(self, name: str) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for row in self.rows(name):
            items = list(row.items())
            base = items[0][1]
            for col, value in items[1:]:
                if col != "metric_release":
                    out[(base, col)] = value
        return out

    def workbook_rules(self) -> WorkbookRules:
        single: dict[str, str] = {}
        many: dict[str, set[str]] = {}
        ordered: dict[str, list[str]] = {}
        for r in self.rows("workbook_rules.csv"):
            single.setdefault(r["rule"], r["value"])
            many.setdefault(r["rule"], set()).add(r["value"].lower())
            ordered.setdefault(r["rule"], []).append(r["value"])
        only_from = {
            rule.split(":", 1)[1].lower(): frozenset(values)
            for rule, values in many.items()
            if rule.startswith("enhancement_only_from:")
        }
        rid = self.rid
        try:
            return WorkbookRules(
                irreplaceable_trading_rule=single["irreplaceable_trading_rule"],
                tree_broad_habitat=single["tree_broad_habitat"],
                area_balance_excluded=frozenset(many["area_balance_excluded"]),
                area_balance_tolerance_ha=_number(single["area_balance_tolerance_ha"]),
                poor_threshold_standard_difficulty=frozenset(many["poor_threshold_standard_difficulty"]),
                enhancement_only_from=MappingProxyType(only_from),
                culvert_type=single["culvert_type"],
                culvert_encroachment=single["culvert_encroachment"],
                ditch_type=single["ditch_type"],
                non_native_hedgerow=single["non_native_hedgerow"],
                hedgerow_poor_only_condition=single["hedgerow_poor_only_condition"],
                very_low_hedgerow_band=single["very_low_hedgerow_band"],
                very_low_hedgerow_forbidden_conditions=frozenset(many["very_low_hedgerow_forbidden_condition"]),
                enhancement_years_outside_range=frozenset(many["enhancement_years_outside_range"]),
                poor_threshold_row_offset_offsite=int(single["poor_threshold_row_offset_offsite"]),
                poor_threshold_row_offset_type=single["poor_threshold_row_offset_type"],
                medium_offset_order=tuple(ordered["medium_offset_order"]),
                a3_first_row_condition_checks=_yes(
                    rid, "a3_first_row_condition_checks", single["a3_first_row_condition_checks"]
                ),
                a3_first_row_check_data_text=single["a3_first_row_check_data_text"],
                a3_check_data_text=single["a3_check_data_text"],
                area_not_possible_years_text=single["area_not_possible_years_text"],
                hedgerow_not_possible_years_text=single["hedgerow_not_possible_years_text"],
                b3_delay_30_plus_text=single["b3_delay_30_plus_text"],
                hedgerow_length_error_voids_units=_yes(
                    rid, "hedgerow_length_error_voids_units", single["hedgerow_length_error_voids_units"]
                ),
                hedgerow_not_like_for_like_offsite=frozenset(many["hedgerow_not_like_for_like_offsite"]),
                c3_trading_down_error_prefix=single["c3_trading_down_error_prefix"],
                watercourse_units_check_iferror=_yes(
                    rid, "watercourse_units_check_iferror", single["watercourse_units_check_iferror"]
                ),
            )
        except KeyError as missing:
            raise ReferenceDataError(f"{rid}: workbook_rules.csv lacks rule {missing}") from None

    def build(self) -> Release:
        """The release: every table read, overlaid and checked against the others."""
        habitats, type_index = self.area_habitats()
        dist, rule_of_band = self.distinctiveness(habitats)
        ss, ss_alias, srm, srm_w = self.strategic_and_spatial()
        hedges, change, hedge_years = self.hedgerows()
        water = self.watercourses()
        layout, tiers, groups, prices = self.layout_and_credit_tables(habitats)
        return Release(
            rules=self.workbook_rules(),
            id=self.rid,
            title=self.info.title,
            aliases=self.info.aliases,
            label=self.info.label,
            version=self.info.version,
            area_habitats=MappingProxyType(habitats),
            area_habitats_exact=MappingProxyType({h.label: h for h in habitats.values()}),
            area_type_index=MappingProxyType(type_index),
            distinctiveness_scores=MappingProxyType(dist),
            trading_rule_of_band=MappingProxyType(rule_of_band),
            condition_scores=MappingProxyType(
                {r["condition"]: _number(r["score"]) for r in self.rows("condition_scores.csv")}
            ),
            difficulty_multipliers=MappingProxyType(
                {r["difficulty"]: _number(r["multiplier"]) for r in self.rows("difficulty_multipliers.csv")}
            ),
            temporal_multipliers=MappingProxyType(self.temporal()),
            strategic_significance=MappingProxyType(ss),
            strategic_significance_aliases=MappingProxyType(ss_alias),
            spatial_risk=MappingProxyType(srm),
            spatial_risk_watercourse=MappingProxyType(srm_w),
            tree_areas_ha=MappingProxyType(
                {r["tree_size"]: _number(r["rpa_area_ha"]) for r in self.rows("individual_trees.csv")}
            ),
            hedgerow_types=MappingProxyType(hedges),
            hedgerow_change=MappingProxyType(change),
            hedgerow_distinctiveness_years=MappingProxyType(hedge_years),
            watercourse_types=MappingProxyType(water.types),
            watercourse_encroachment=MappingProxyType(water.encroachment),
            riparian_encroachment=MappingProxyType(water.riparian),
            watercourse_creation_years=MappingProxyType(water.creation_years),
            watercourse_distinctiveness_years=water.distinctiveness_years,
            watercourse_condition_years=MappingProxyType(water.condition_years),
            watercourse_creation_years_ci=_ci(water.creation_years),
            watercourse_condition_years_ci=MappingProxyType(
                {(a.lower(), b.lower()): v for (a, b), v in water.condition_years.items()}
            ),
            area_trading_layout=layout,
            credit_tiers=MappingProxyType(tiers),
            medium_groups=tuple(groups.values()),
            credit_prices=prices,
        )

    def area_habitats(self) -> tuple[dict[str, AreaHabitat], dict[str, str]]:
        """G-1 (with the G-5 enhancement years): habitats by lower-case label, and labels by habitat type."""
        enh_rows = {r["habitat_label"]: r for r in self.rows("area_enhancement_years.csv")}
        habitats: dict[str, AreaHabitat] = {}
        type_index: dict[str, str] = {}
        for r in self.rows("area_habitats.csv"):
            label = r["habitat_label"]
            if label.lower() in habitats:
                raise ReferenceDataError(f"{self.rid}: area habitat {label!r} listed twice")
            if r["distinctiveness_band"] not in BANDS:
                raise ReferenceDataError(f"{self.rid}: {label!r} has unknown band {r['distinctiveness_band']!r}")
            enh = enh_rows.get(label)
            if enh is None:
                raise ReferenceDataError(f"{self.rid}: no enhancement years for {label!r}")
            enhancement_years = {k: _cell(v) for k, v in enh.items() if k not in ("habitat_label", "metric_release")}
            habitats[label.lower()] = AreaHabitat(
                label=label,
                broad=r["broad_habitat"],
                type=r["habitat_type"],
                ukhab_code=r["ukhab_code"],
                band=r["distinctiveness_band"],
                score=_number(r["distinctiveness_score"]),
                trading_rule=r["trading_rule"],
                creation_difficulty=r["creation_difficulty"],
                enhancement_difficulty=r["enhancement_difficulty"],
                irreplaceable=r["irreplaceable"],
                condition_group=r["condition_group"],
                condition_scores=MappingProxyType({c: _cell(r[f"condition_score_{c}"]) for c in CONDITIONS}),
                creation_years=MappingProxyType({c: _cell(r[f"creation_years_{c}"]) for c in CONDITIONS}),
                enhancement_years=MappingProxyType(enhancement_years),
                enhancement_years_ci=_ci(enhancement_years),
            )
            type_index.setdefault(r["habitat_type"].lower(), label)
        return habitats, type_index

    def distinctiveness(self, habitats: Mapping[str, AreaHabitat]) -> tuple[dict[str, float], dict[str, str]]:
        """G-1!V:X: the score and the required action of each band; every habitat's score must agree."""
        rows = self.rows("distinctiveness_scores.csv")
        dist = {r["band"]: _number(r["score"]) for r in rows}
        rule_of_band = {r["band"]: r["suggested_action_area"] for r in rows}
        for h in habitats.values():
            if dist.get(h.band) != h.score:
                raise ReferenceDataError(f"{self.rid}: {h.label!r} score disagrees with its band")
        return dist, rule_of_band

    def strategic_and_spatial(
        self,
    ) -> tuple[dict[str, float], dict[str, str], dict[str, float], dict[str, float]]:
        """G-3 / G-7: strategic significance (and its short names), spatial risk of areas and of watercourses."""
        ss: dict[str, float] = {}
        ss_alias: dict[str, str] = {}
        for r in self.rows("strategic_significance.csv"):
            ss[r["description"]] = _number(r["multiplier"])
            ss_alias[r["category"].split()[0].lower()] = r["description"]
            ss_alias[r["category"].strip().lower()] = r["description"]
        water = self.rows("watercourse_strategic_and_spatial.csv")
        wss = {r["description"]: _number(r["multiplier"]) for r in water if r["table"] == "strategic_significance"}
        if wss != ss:
            raise ReferenceDataError(f"{self.rid}: watercourse strategic significance differs from area")
        srm = {r["category"]: _number(r["multiplier"]) for r in self.rows("spatial_risk.csv")}
        srm_w = {r["description"]: _number(r["multiplier"]) for r in water if r["table"] == "spatial_risk"}
        return ss, ss_alias, srm, srm_w

    def temporal(self) -> dict[Cell, float]:
        """G-4: the temporal multiplier of each final time to target condition (years, or "30+")."""
        temporal: dict[Cell, float] = {}
        for r in self.rows("temporal_multipliers.csv"):
            if r["multiplier"] in ("N/A", ""):
                continue
            key: Cell = r["years"] if r["years"] == "30+" else _number(r["years"])
            temporal[key] = _number(r["multiplier"])
        return temporal

    def hedgerows(
        self,
    ) -> tuple[dict[str, HedgerowType], dict[tuple[str, str], str], dict[tuple[str, str], Cell]]:
        """G-6: hedgerow types, the distinctiveness movement of each change of type, and its years."""
        hedges: dict[str, HedgerowType] = {}
        for r in self.rows("hedgerow_types.csv"):
            creation = {c: _cell(r[f"creation_years_{c}"]) for c in ("Poor", "Moderate", "Good")}
            changes = {
                k.replace("-", " - "): _cell(r[f"enh_condition_years_{k}"])
                for k in ("Poor-Moderate", "Poor-Good", "Moderate-Good")
            }
            hedges[r["hedgerow_type"]] = HedgerowType(
                name=r["hedgerow_type"],
                band=r["distinctiveness_band"],
                score=_number(r["distinctiveness_score"]),
                creation_years=MappingProxyType(creation),
                condition_change_years=MappingProxyType(changes),
                creation_years_ci=_ci(creation),
                condition_change_years_ci=_ci(changes),
                creation_difficulty=r["creation_difficulty"],
                enhancement_difficulty=r["enhancement_difficulty"],
                trading_rule=r["trading_rule"],
                condition_group=r["condition_group"],
            )
        change = {
            k: v if v.startswith(tuple(BANDS)) else v + " ▲"
            for k, v in self.matrix("hedgerow_enhancement_change_matrix.csv").items()
        }
        years = {k: _cell(v) for k, v in self.matrix("hedgerow_enhancement_distinctiveness_years.csv").items()}
        return hedges, change, years

    def watercourses(self) -> _WatercourseTables:
        """G-7: watercourse types, encroachment multipliers and times to target condition."""
        waters: dict[str, WatercourseType] = {}
        for r in self.rows("watercourse_types.csv"):
            scores = {c: _cell(r[f"cond_score_{c}"]) for c in CONDITIONS[:5]}
            waters[r["watercourse_type"]] = WatercourseType(
                name=r["watercourse_type"],
                band=r["distinctiveness_band"],
                score=_number(r["distinctiveness_score"]),
                creation_difficulty=r["creation_difficulty"],
                enhancement_difficulty=r["enhancement_difficulty"],
                trading_rule=r["trading_rule"],
                condition_scores=MappingProxyType(scores),
                irreplaceable=r["irreplaceable"],
                condition_scores_ci=_ci(scores),
            )
        encroachment = self.rows("watercourse_encroachment.csv")
        enc = {r["band"]: _number(r["multiplier"]) for r in encroachment if r["type"] == "watercourse_encroachment"}
        rip = {
            r["band"]: _number(r["multiplier"]) for r in encroachment if r["type"] == "riparian_encroachment_both_banks"
        }
        w_create: dict[str, Cell] = {}
        w_dist_years = 0.0
        w_cond: dict[tuple[str, str], Cell] = {}
        for r in self.rows("watercourse_time_to_target.csv"):
            if r["table"].startswith("creation"):
                w_create[r["key"]] = _cell(r["years"])
            elif r["table"].startswith("enhancement_through_distinctiveness"):
                w_dist_years = _number(r["years"])
            else:
                base, proposed = (s.strip() for s in r["key"].split("->"))
                w_cond[(base, proposed)] = _cell(r["years"])
        return _WatercourseTables(waters, enc, rip, w_create, w_dist_years, w_cond)

    def layout_and_credit_tables(
        self, habitats: Mapping[str, AreaHabitat]
    ) -> tuple[tuple[TradingRow, ...], dict[str, str], dict[str, MediumGroup], tuple[CreditPrice, ...]]:
        """The area trading layout and the credit tables, each habitat they name checked against G-1."""
        layout = tuple(
            TradingRow(r["band"], r["habitat_label"], r["display_label"], r["group"], r["medium_block"])
            for r in self.rows("area_trading_layout.csv")
        )
        tiers = {r["habitat_label"]: r["tier"] for r in self.rows("credit_tiers.csv")}
        groups: dict[str, MediumGroup] = {}
        for r in self.rows("credit_medium_groups.csv"):
            g = groups.get(r["group"])
            sources = (g.surplus_sources if g else ()) + ((r["surplus_source"],) if r["surplus_source"] else ())
            groups[r["group"]] = MediumGroup(r["group"], r["tier"], r["medium_block"], sources)
        prices = tuple(
            CreditPrice(
                tier=r["tier"],
                price_gbp=_number(r["price_gbp_per_credit_ex_vat"]),
                module=r["module"],
                credits_per_unit=_number(r["credits_per_unit_shortfall"]),
                valid_from=date.fromisoformat(r["valid_from"]),
            )
            for r in self.rows("credit_prices.csv")
        )
        for row in layout:
            if row.habitat.lower() not in habitats:
                raise ReferenceDataError(f"{self.rid}: trading layout names unknown habitat {row.habitat!r}")
        for label in list(tiers) + [s for g in groups.values() for s in g.surplus_sources]:
            if label.lower() not in habitats:
                raise ReferenceDataError(f"{self.rid}: credit table names unknown habitat {label!r}")
        return layout, tiers, groups, prices
