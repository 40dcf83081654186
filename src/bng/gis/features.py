"""A map's rows as habitat features of one stage, with the attribute rules checked as they are read.

A *baseline* file is read through its Baseline columns; a *post-intervention* file through its
Retention Category and Proposed columns (and its Baseline columns, which retained and enhanced
rows also carry) [standard section 1]. Each row becomes a :class:`Feature` carrying both sides
as far as they are filled in; what a row lacks for its stage is a finding, and the feature is
still returned so that one fault does not hide the others.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from bng.metric.model import LocationName, Module

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
        return bool(self.habitat and self.condition and self.strategic_significance)


@dataclass(frozen=True, slots=True)
class Feature:
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
        return self.layer == TREES.name


@dataclass
class Features:
    """The features of one map file read for one stage."""

    stage: StageName
    source: MapSource
    by_layer: dict[str, list[Feature]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def all(self) -> list[Feature]:
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


class _Reader:
    def __init__(self, vocab: Vocabulary, stage: StageName, out: list[Finding]) -> None:
        self.vocab = vocab
        self.stage = stage
        self.out = out

    def report(self, look: Lookup, layer: str, fid: int, ref: str, column: str) -> str | None:
        if look.code:
            self.out.append(Finding(look.code, look.message, layer, fid, ref or None, column))
        return look.value

    def missing(self, code: str, layer: str, fid: int, ref: str, columns: list[str], why: str) -> None:
        self.out.append(
            Finding(
                code,
                f"{', '.join(repr(c) for c in columns)} {'is' if len(columns) == 1 else 'are'} blank; {why}",
                layer,
                fid,
                ref or None,
                columns[0],
            )
        )

    # -- one side of one row -------------------------------------------------------------------
    def side(self, layer: Layer, i: int, fid: int, ref: str, which: str) -> Side | None:
        """Read the Baseline or Proposed columns of row i; None when the side is not there at all."""
        spec = layer.spec
        name = spec.name
        w = which  # "Baseline" or "Proposed"
        cond_col, ss_col = f"{w} Condition", f"{w} Strategic Significance"
        cond_text, ss_text = text(layer.column(cond_col)[i]), text(layer.column(ss_col)[i])
        ss = self.report(self.vocab.strategic_significance(ss_text), name, fid, ref, ss_col)
        if spec is HABITATS:
            broad = text(layer.column(f"{w} Broad Habitat Type")[i])
            htype = text(layer.column(f"{w} Habitat Type")[i])
            if broad is None and htype is None and cond_text is None:
                return None
            label = self.report(self.vocab.area_habitat(broad, htype), name, fid, ref, f"{w} Habitat Type")
            hab = self.vocab.habitat(label) if label else None
            allowed = hab.allowed_conditions() if hab else ()
            cond = (
                self.report(self.vocab.condition(cond_text, allowed, label or ""), name, fid, ref, cond_col)
                if hab
                else None
            )
            return Side(label, cond, ss)
        if spec is HEDGEROWS or spec is RIVERS:
            col = f"{w} Hedge Type" if spec is HEDGEROWS else f"{w} River Type"
            raw = text(layer.column(col)[i])
            look = self.vocab.hedge_type(raw) if spec is HEDGEROWS else self.vocab.river_type(raw)
            if look.value is None and look.code is None:  # blank or "To be created"
                return None
            htype = self.report(look, name, fid, ref, col)
            if htype is None:
                return Side(None, None, ss)
            table = self.vocab.rel.hedgerow_types if spec is HEDGEROWS else self.vocab.rel.watercourse_types
            allowed = table[htype].allowed_conditions()
            cond = self.report(self.vocab.condition(cond_text, allowed, htype), name, fid, ref, cond_col)
            if spec is HEDGEROWS:
                return Side(htype, cond, ss)
            enc_col = f"{w} Encroachment into Watercourse"
            rip_col = f"{w} Encroachment into riparian zone"
            enc = self.report(self.vocab.encroachment(text(layer.column(enc_col)[i])), name, fid, ref, enc_col)
            rip = self.report(self.vocab.riparian(text(layer.column(rip_col)[i])), name, fid, ref, rip_col)
            return Side(htype, cond, ss, enc, rip)
        # trees
        size_col, kind_col = f"{w} Tree Size", f"{w} Rural or Urban Tree"
        size_text, kind_text = text(layer.column(size_col)[i]), text(layer.column(kind_col)[i])
        if size_text is None and kind_text is None:
            return None
        size = self.report(self.vocab.tree_size(size_text), name, fid, ref, size_col)
        kind = self.report(self.vocab.tree_habitat(kind_text), name, fid, ref, kind_col)
        hab = self.vocab.habitat(kind) if kind else None
        cond = None
        if hab is not None:
            cond = self.report(
                self.vocab.condition(cond_text, hab.allowed_conditions(), kind or ""), name, fid, ref, cond_col
            )
        return Side(kind, cond, ss, tree_size=size)


def read_features(source: MapSource, vocab: Vocabulary, stage: StageName | None = None) -> Features:
    """Read every feature layer of a map for a stage, checking the attribute rules."""
    stage = stage or detect_stage(source)
    result = Features(stage, source)
    reader = _Reader(vocab, stage, result.findings)
    for spec in (HABITATS, HEDGEROWS, RIVERS, TREES):
        layer = source.layers.get(spec.name)
        if layer is None:
            continue
        result.by_layer[spec.name] = _layer_features(reader, layer)
    _check_refs(result)
    _check_scope(result, vocab)
    return result


def _layer_features(reader: _Reader, layer: Layer) -> list[Feature]:
    spec = layer.spec
    name = spec.name
    module = spec.module
    assert module is not None
    stage = reader.stage
    out = reader.out
    vocab = reader.vocab
    refs = layer.column(spec.ref_column or "Parcel Ref")
    retention_col = layer.column("Retention Category")
    location_col = layer.column("Location")
    srm_col = layer.column("Spatial risk category")
    adv_col = layer.column(TREE_ADVANCE if spec is TREES else ADVANCE)
    delay_col = layer.column(TREE_DELAY if spec is TREES else DELAY)
    count_col = layer.column("Count") if spec is TREES else None
    features: list[Feature] = []
    for i, fid_value in enumerate(layer.fids):
        fid = int(fid_value)
        raw_ref = refs[i]
        if isinstance(raw_ref, bytes):  # a BLOB, not text
            out.append(
                Finding("HABITAT_REF_INVALID_CHARACTERS", "the ref is not UTF-8 text", name, fid, None, spec.ref_column)
            )
        ref = (text(raw_ref) or "")[:100]
        retention = reader.report(vocab.retention(text(retention_col[i])), name, fid, ref, "Retention Category")
        if stage == "post-intervention" and retention is None and text(retention_col[i]) is None:
            reader.missing(
                "MISSING_PROPOSED_DATA",
                name,
                fid,
                ref,
                ["Retention Category"],
                "a post-intervention row says whether the habitat is retained, enhanced, lost or created",
            )
        location_text = text(location_col[i])
        location: LocationName = "on_site"
        if location_text is not None:
            got = LOCATIONS.get(location_text.lower().replace(" ", ""))
            if got is None:
                out.append(
                    Finding(
                        "UNKNOWN_VALUE",
                        f"unknown location {location_text!r}; expected 'On-site' or 'Off-site'",
                        name,
                        fid,
                        ref or None,
                        "Location",
                    )
                )
            else:
                location = got  # type: ignore[assignment]
        baseline = reader.side(layer, i, fid, ref, "Baseline")
        lost = retention == "Lost" and spec is not HABITATS  # implied by absence: nothing is proposed
        proposed = reader.side(layer, i, fid, ref, "Proposed") if stage == "post-intervention" and not lost else None
        advance = (
            reader.report(vocab.years(adv_col[i]), name, fid, ref, TREE_ADVANCE if spec is TREES else ADVANCE) or "0"
        )
        delay = reader.report(vocab.years(delay_col[i]), name, fid, ref, TREE_DELAY if spec is TREES else DELAY) or "0"
        srm = None
        if location == "off_site":
            srm = reader.report(
                vocab.spatial_risk(text(srm_col[i]), spec is RIVERS), name, fid, ref, "Spatial risk category"
            )
        count = 1
        if count_col is not None:
            c = count_col[i]
            try:
                count = int(c) if c is not None and float(c) > 0 else 1
            except (TypeError, ValueError):
                count = 1
        feature = Feature(
            name,
            module,
            i,
            fid,
            ref,
            layer.geometry[i],
            location,
            retention,
            baseline,
            proposed,
            advance,
            delay,
            srm,
            count,
        )
        if not _wanted(feature, stage):
            continue
        _check_stage(reader, feature, stage)
        features.append(feature)
    return features


def _wanted(f: Feature, stage: StageName) -> bool:
    """A baseline file's rows that are only there to be created (linear "To be created", new trees) are skipped."""
    if stage == "baseline":
        return f.baseline is not None or f.layer == HABITATS.name
    return True


def implied_loss(f: Feature) -> bool:
    """A lost hedgerow, watercourse or tree: its loss is implied by its absence [standard section 5]."""
    return f.retention == "Lost" and f.layer != HABITATS.name


def _check_stage(reader: _Reader, f: Feature, stage: StageName) -> None:
    name, fid, ref = f.layer, f.fid, f.ref
    kind = "tree" if f.is_tree else ("parcel" if f.module == "area" else f.module)
    hab_col = {
        "Habitats": "Habitat Type",
        "Hedgerows": "Hedge Type",
        "Rivers": "River Type",
        "Urban Trees": "Tree Size",
    }[name]
    if stage == "baseline" or f.retention in ("Retained", "Enhanced"):
        b = f.baseline
        blank = _blank_columns(b, "Baseline", hab_col, f.is_tree)
        if blank:
            reader.missing(
                "MISSING_BASELINE_DATA",
                name,
                fid,
                ref,
                blank,
                f"the {kind}'s baseline habitat, condition and strategic significance are needed to score it",
            )
    creates = f.retention in ("Enhanced", "Created") or (f.retention == "Lost" and not implied_loss(f))
    if stage == "post-intervention" and creates:
        blank = _blank_columns(f.proposed, "Proposed", hab_col, f.is_tree)
        if blank:
            what = "enhanced" if f.retention == "Enhanced" else "created"
            reader.missing(
                "MISSING_PROPOSED_DATA",
                name,
                fid,
                ref,
                blank,
                f"a {kind} {what} after the development needs its proposed habitat, condition and "
                "strategic significance",
            )
    if stage == "post-intervention" and creates and f.advance != "0" and f.delay != "0":
        reader.out.append(
            Finding(
                "ADVANCE_AND_DELAY_BOTH_SET",
                f"both advance ({f.advance} years) and delay ({f.delay} years) are set; a habitat is either created "
                "in advance or delayed: use one or the other, or add a row for each stage",
                name,
                fid,
                ref or None,
                ADVANCE if not f.is_tree else TREE_ADVANCE,
            )
        )


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


def sizes(features: list[Feature]) -> np.ndarray:
    """Vectorised geometric size in m² or m (not tree areas)."""
    geoms = np.array([f.geometry for f in features], dtype=object)
    if not len(geoms):
        return np.zeros(0)
    return shapely.area(geoms) if features[0].module == "area" else shapely.length(geoms)
