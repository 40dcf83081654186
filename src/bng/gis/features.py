"""A map's rows as habitat features of one stage, with the attribute rules checked as they are read.

A *baseline* file is read through its Baseline columns; a *post-intervention* file through its
Retention Category and Proposed columns (and its Baseline columns, which retained and enhanced
rows also carry) [standard section 1]. Each row becomes a :class:`Feature` carrying both sides
as far as they are filled in; what a row lacks for its stage is a finding, and the feature is
still returned so that one fault does not hide the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from bng.metric import LocationName, Module

from .findings import Finding
from .reading import Layer, MapSource
from .standard import (
    ADVANCE,
    DELAY,
    HABITATS,
    HEDGEROWS,
    LISTED_PER_RULE,
    LOCATIONS,
    RIVERS,
    TREE_ADVANCE,
    TREE_DELAY,
    TREES,
    LayerSpec,
)
from .vocabulary import Lookup, Vocabulary, text

StageName = Literal["baseline", "post-intervention"]
STAGES: tuple[StageName, ...] = ("baseline", "post-intervention")
OUT_OF_SCOPE_BANDS = ("High", "V.High")


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a row: what the ground is at baseline, or what it is proposed to be."""

    habitat: str | None  # the metric's label (area) or type (hedgerow, watercourse)
    condition: str | None
    strategic_significance: str | None
    encroachment: str | None = None  # watercourses
    riparian: str | None = None
    tree_size: str | None = None  # trees

    @property
    def complete(self) -> bool:
        """Whether the side names its habitat, condition and strategic significance (the metric needs all three)."""
        return bool(self.habitat and self.condition and self.strategic_significance)


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature of a map, read as the metric row it stands for (baseline, proposed, or both)."""

    layer: str
    module: Module
    index: int  # row position in the layer
    fid: int
    ref: str
    geometry: BaseGeometry | None
    location: LocationName
    retention: str | None
    baseline: Side | None
    proposed: Side | None
    advance: str  # "0".."30" or "30+"
    delay: str
    spatial_risk: str | None
    count: int = 1  # trees

    @property
    def is_tree(self) -> bool:
        """Whether the feature is an individual tree (an area habitat counted, not measured)."""
        return self.layer == TREES.name


@dataclass
class Features:
    """The features of one map file read for one stage."""

    stage: StageName
    source: MapSource
    by_layer: dict[str, list[Feature]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def all(self) -> list[Feature]:
        """Every feature of every layer, layer by layer."""
        return [f for fs in self.by_layer.values() for f in fs]


def detect_stage(source: MapSource) -> StageName:
    """Baseline or post-intervention: from the file name, else from filled Retention Category cells."""
    name = source.path.name.lower()
    if "post" in name:
        return "post-intervention"
    if "baseline" in name:
        return "baseline"
    for layer in source.layers.values():
        if any(text(v) for v in layer.column("Retention Category")):
            return "post-intervention"
    return "baseline"


Issue = tuple[str, str, str]  # code, message, column: a finding before it is given its feature


@dataclass(frozen=True, slots=True)
class _Parsed:
    """What a row's cells say, apart from its ref and geometry (so equal rows are read once)."""

    retention: str | None
    location: LocationName
    baseline: Side | None
    proposed: Side | None
    advance: str
    delay: str
    spatial_risk: str | None
    count: int
    wanted: bool
    issues: tuple[Issue, ...]


Cells = Callable[[str], Any]


class _Reader:
    """Reads the cells of one row (by template column name) for one stage, noting each problem."""

    def __init__(self, vocab: Vocabulary, stage: StageName) -> None:
        self.vocab = vocab
        self.stage = stage
        self.pending: list[Issue] = []

    def report(self, look: Lookup, column: str) -> str | None:
        if look.code:
            self.pending.append((look.code, look.message, column))
        return look.value

    def missing(self, code: str, columns: list[str], why: str) -> None:
        verb = "is" if len(columns) == 1 else "are"
        self.pending.append((code, f"{', '.join(repr(c) for c in columns)} {verb} blank; {why}", columns[0]))

    # -- one side of one row -------------------------------------------------------------------
    def side(self, spec: LayerSpec, cell: Cells, which: str) -> Side | None:
        """Read the Baseline or Proposed columns; None when the side is not there at all."""
        w = which
        cond_col, ss_col = f"{w} Condition", f"{w} Strategic Significance"
        cond_text, ss_text = text(cell(cond_col)), text(cell(ss_col))
        ss = self.report(self.vocab.strategic_significance(ss_text), ss_col)
        if spec is HABITATS:
            broad, htype = text(cell(f"{w} Broad Habitat Type")), text(cell(f"{w} Habitat Type"))
            if broad is None and htype is None and cond_text is None:
                return None
            label = self.report(self.vocab.area_habitat(broad, htype), f"{w} Habitat Type")
            hab = self.vocab.habitat(label) if label else None
            if hab is None:
                return Side(label, None, ss)
            return Side(
                label, self.report(self.vocab.condition(cond_text, hab.allowed_conditions(), label or ""), cond_col), ss
            )
        if spec is HEDGEROWS or spec is RIVERS:
            col = f"{w} Hedge Type" if spec is HEDGEROWS else f"{w} River Type"
            raw = text(cell(col))
            look = self.vocab.hedge_type(raw) if spec is HEDGEROWS else self.vocab.river_type(raw)
            if look.value is None and look.code is None:  # blank or "To be created"
                return None
            htype = self.report(look, col)
            if htype is None:
                return Side(None, None, ss)
            table = self.vocab.rel.hedgerow_types if spec is HEDGEROWS else self.vocab.rel.watercourse_types
            cond = self.report(self.vocab.condition(cond_text, table[htype].allowed_conditions(), htype), cond_col)
            if spec is HEDGEROWS:
                return Side(htype, cond, ss)
            enc_col, rip_col = f"{w} Encroachment into Watercourse", f"{w} Encroachment into riparian zone"
            enc = self.report(self.vocab.encroachment(text(cell(enc_col))), enc_col)
            rip = self.report(self.vocab.riparian(text(cell(rip_col))), rip_col)
            return Side(htype, cond, ss, enc, rip)
        size_col, kind_col = f"{w} Tree Size", f"{w} Rural or Urban Tree"
        size_text, kind_text = text(cell(size_col)), text(cell(kind_col))
        if size_text is None and kind_text is None:
            return None
        size = self.report(self.vocab.tree_size(size_text), size_col)
        kind = self.report(self.vocab.tree_habitat(kind_text), kind_col)
        hab = self.vocab.habitat(kind) if kind else None
        cond = None
        if hab is not None:
            cond = self.report(self.vocab.condition(cond_text, hab.allowed_conditions(), kind or ""), cond_col)
        return Side(kind, cond, ss, tree_size=size)

    # -- one row -------------------------------------------------------------------------------
    def row(self, spec: LayerSpec, cell: Cells) -> _Parsed:
        self.pending = []
        vocab, stage = self.vocab, self.stage
        retention_text = text(cell("Retention Category"))
        retention = self.report(vocab.retention(retention_text), "Retention Category")
        if stage == "post-intervention" and retention is None and retention_text is None:
            self.missing(
                "MISSING_PROPOSED_DATA",
                ["Retention Category"],
                "a post-intervention row says whether the habitat is retained, enhanced, lost or created",
            )
        location: LocationName = "on_site"
        location_text = text(cell("Location"))
        if location_text is not None:
            got = LOCATIONS.get(location_text.lower().replace(" ", ""))
            if got is None:
                self.pending.append(
                    (
                        "UNKNOWN_VALUE",
                        f"unknown location {location_text!r}; expected 'On-site' or 'Off-site'",
                        "Location",
                    )
                )
            else:
                location = got  # type: ignore[assignment]
        baseline = self.side(spec, cell, "Baseline")
        lost = retention == "Lost" and spec is not HABITATS  # implied by absence: nothing is proposed
        proposed = self.side(spec, cell, "Proposed") if stage == "post-intervention" and not lost else None
        adv_col, delay_col = (TREE_ADVANCE, TREE_DELAY) if spec is TREES else (ADVANCE, DELAY)
        advance = self.report(vocab.years(cell(adv_col)), adv_col) or "0"
        delay = self.report(vocab.years(cell(delay_col)), delay_col) or "0"
        srm = None
        if location == "off_site":
            srm = self.report(
                vocab.spatial_risk(text(cell("Spatial risk category")), spec is RIVERS), "Spatial risk category"
            )
        count = 1
        if spec is TREES:
            try:
                c = cell("Count")
                count = int(c) if c is not None and float(c) > 0 else 1
            except (TypeError, ValueError):
                count = 1
        wanted = stage != "baseline" or baseline is not None or spec is HABITATS
        if wanted:
            self.stage_rules(spec, retention, baseline, proposed, advance, delay)
        return _Parsed(retention, location, baseline, proposed, advance, delay, srm, count, wanted, tuple(self.pending))

    def stage_rules(
        self,
        spec: LayerSpec,
        retention: str | None,
        baseline: Side | None,
        proposed: Side | None,
        advance: str,
        delay: str,
    ) -> None:
        """What a row must say for its stage: its baseline, what it becomes, one of advance and delay."""
        tree = spec is TREES
        kind = "tree" if tree else ("parcel" if spec is HABITATS else spec.module)
        hab_col = {
            "Habitats": "Habitat Type",
            "Hedgerows": "Hedge Type",
            "Rivers": "River Type",
            "Urban Trees": "Tree Size",
        }[spec.name]
        if self.stage == "baseline" or retention in ("Retained", "Enhanced"):
            blank = _blank_columns(baseline, "Baseline", hab_col, tree)
            if blank:
                self.missing(
                    "MISSING_BASELINE_DATA",
                    blank,
                    f"the {kind}'s baseline habitat, condition and strategic significance are needed to score it",
                )
        implied = retention == "Lost" and spec is not HABITATS
        creates = retention in ("Enhanced", "Created") or (retention == "Lost" and not implied)
        if self.stage == "post-intervention" and creates:
            blank = _blank_columns(proposed, "Proposed", hab_col, tree)
            if blank:
                what = "enhanced" if retention == "Enhanced" else "created"
                self.missing(
                    "MISSING_PROPOSED_DATA",
                    blank,
                    f"a {kind} {what} after the development needs its proposed habitat, condition and "
                    "strategic significance",
                )
            if advance != "0" and delay != "0":
                self.pending.append(
                    (
                        "ADVANCE_AND_DELAY_BOTH_SET",
                        f"both advance ({advance} years) and delay ({delay} years) are set; a habitat is either "
                        "created in advance or delayed: use one or the other, or add a row for each stage",
                        TREE_ADVANCE if tree else ADVANCE,
                    )
                )


def read_features(source: MapSource, vocab: Vocabulary, stage: StageName | None = None) -> Features:
    """Read every feature layer of a map for a stage, checking the attribute rules."""
    stage = stage or detect_stage(source)
    result = Features(stage, source)
    reader = _Reader(vocab, stage)
    for spec in (HABITATS, HEDGEROWS, RIVERS, TREES):
        layer = source.layers.get(spec.name)
        if layer is None:
            continue
        result.by_layer[spec.name] = _layer_features(reader, layer, result.findings)
    _check_refs(result)
    _check_scope(result, vocab)
    return result


def _cells(arr: np.ndarray) -> list[Any]:
    """A column as plain Python values, NaN as None (so equal rows have equal keys)."""
    if arr.dtype.kind == "f":
        return [None if v != v else v for v in arr.tolist()]
    if arr.dtype.kind in "Mm":
        return [None] * len(arr)  # dates are not read
    return list(arr.tolist())


def _layer_features(reader: _Reader, layer: Layer, out: list[Finding]) -> list[Feature]:
    spec = layer.spec
    name = spec.name
    module = spec.module
    assert module is not None
    names = [c.name for c in spec.columns if c.name in _READ_COLUMNS]
    columns = [_cells(layer.column(n)) for n in names]
    position = {n: k for k, n in enumerate(names)}
    refs = layer.column(spec.ref_column or "Parcel Ref").tolist()
    fids = layer.fids.tolist()
    cache: dict[tuple[Any, ...], _Parsed] = {}
    features: list[Feature] = []
    for i, key in enumerate(zip(*columns, strict=True) if columns else [()] * len(fids)):
        parsed = cache.get(key)
        if parsed is None:
            parsed = cache[key] = reader.row(spec, _RowCells(key, position))
        fid = fids[i]
        raw_ref = refs[i]
        if isinstance(raw_ref, bytes):  # a BLOB, not text
            out.append(
                Finding("HABITAT_REF_INVALID_CHARACTERS", "the ref is not UTF-8 text", name, fid, None, spec.ref_column)
            )
        ref = (text(raw_ref) or "")[:100]
        for code, message, column in parsed.issues:
            out.append(Finding(code, message, name, fid, ref or None, column))
        if not parsed.wanted:
            continue
        features.append(
            Feature(
                name,
                module,
                i,
                fid,
                ref,
                layer.geometry[i],
                parsed.location,
                parsed.retention,
                parsed.baseline,
                parsed.proposed,
                parsed.advance,
                parsed.delay,
                parsed.spatial_risk,
                parsed.count,
            )
        )
    return features


class _RowCells:
    """A row's cells by template column name (None for a column the layer lacks)."""

    def __init__(self, key: tuple[Any, ...], position: dict[str, int]) -> None:
        self.key, self.position = key, position

    def __call__(self, name: str) -> Any:
        k = self.position.get(name)
        return None if k is None else self.key[k]


# the columns a row's reading depends on (never its ref, dates, comments or the surveyor's name)
_READ_COLUMNS = frozenset(
    {
        "Retention Category",
        "Location",
        "Spatial risk category",
        ADVANCE,
        DELAY,
        TREE_ADVANCE,
        TREE_DELAY,
        "Count",
        *(
            f"{w} {c}"
            for w in ("Baseline", "Proposed")
            for c in (
                "Broad Habitat Type",
                "Habitat Type",
                "Hedge Type",
                "River Type",
                "Condition",
                "Strategic Significance",
                "Encroachment into Watercourse",
                "Encroachment into riparian zone",
                "Tree Size",
                "Rural or Urban Tree",
            )
        ),
    }
)


def implied_loss(f: Feature) -> bool:
    """A lost hedgerow, watercourse or tree: its loss is implied by its absence [standard section 5]."""
    return f.retention == "Lost" and f.layer != HABITATS.name


def _blank_columns(side: Side | None, w: str, hab_col: str, tree: bool) -> list[str]:
    cols = [f"{w} {hab_col}", f"{w} Condition", f"{w} Strategic Significance"]
    if tree:
        cols.insert(1, f"{w} Rural or Urban Tree")
    if side is None:
        return cols
    blank = []
    if tree:
        if side.tree_size is None:
            blank.append(cols[0])
        if side.habitat is None:
            blank.append(cols[1])
    elif side.habitat is None:
        blank.append(cols[0])
    if side.condition is None:
        blank.append(f"{w} Condition")
    if side.strategic_significance is None:
        blank.append(f"{w} Strategic Significance")
    return blank


def _check_refs(result: Features) -> None:
    parcels = result.by_layer.get(HABITATS.name, [])
    seen: dict[str, list[int]] = defaultdict(list)
    for f in parcels:
        if f.ref:
            seen[f.ref].append(f.fid)
    for ref, fids in seen.items():
        if len(fids) > 1:
            result.findings.append(
                Finding(
                    "DUPLICATE_HABITAT_REF",
                    f"{len(fids)} parcels share the Parcel Ref {ref!r} (features {', '.join(map(str, fids))}); "
                    "give each parcel its own ref",
                    HABITATS.name,
                    fids[0],
                    ref,
                    "Parcel Ref",
                )
            )
    for name in (HABITATS.name, HEDGEROWS.name, RIVERS.name):
        blank = [f for f in result.by_layer.get(name, []) if not f.ref]
        for f in blank[:LISTED_PER_RULE]:
            result.findings.append(
                Finding(
                    "HABITAT_REF_MISSING",
                    f"the feature has no Parcel Ref; bng calls it {default_ref(f)!r}",
                    name,
                    f.fid,
                    None,
                    "Parcel Ref",
                )
            )


def default_ref(f: Feature) -> str:
    """The ref bng gives a feature that has none."""
    return f.ref or f"fid {f.fid}"


def _check_scope(result: Features, vocab: Vocabulary) -> None:
    """DEFRA's beta takes only V.Low, Low and Medium habitats; bng computes every band (info only)."""
    rel = vocab.rel
    hits: dict[str, list[str]] = defaultdict(list)
    for f in result.all():
        for side in (f.baseline, f.proposed):
            if side is None or side.habitat is None:
                continue
            if f.module == "area":
                hab = rel.area_habitat(side.habitat)
                band = hab.band if hab else None
            elif f.module == "hedgerow":
                band = rel.hedgerow_types[side.habitat].band
            else:
                band = rel.watercourse_types[side.habitat].band
            if band in OUT_OF_SCOPE_BANDS:
                hits[f.layer].append(f"{default_ref(f)} ({side.habitat}, {band})")
    for layer, items in hits.items():
        unique = list(dict.fromkeys(items))
        shown = "; ".join(unique[:10]) + (f"; and {len(unique) - 10} more" if len(unique) > 10 else "")
        result.findings.append(
            Finding(
                "HABITAT_DISTINCTIVENESS_NOT_IN_SCOPE",
                f"High or V.High distinctiveness habitats, which DEFRA's beta service does not take (bng calculates "
                f"them): {shown}",
                layer,
            )
        )


def feature_size(f: Feature, vocab: Vocabulary, side: Side | None = None) -> float:
    """Hectares (areas), kilometres (lines) or, for trees, the hectares the metric gives their size."""
    if f.is_tree:
        s = side or f.baseline or f.proposed
        size = s.tree_size if s else None
        return f.count * vocab.rel.tree_areas_ha[size] if size else 0.0
    if f.geometry is None:
        return 0.0
    if f.module == "area":
        return float(shapely.area(f.geometry)) / 10_000.0
    return float(shapely.length(f.geometry)) / 1_000.0
