"""From habitat maps to the engine's :class:`~bng.metric.model.Site`, keeping each row's geometry.

A baseline map gives the baseline rows: one per parcel, hedgerow, watercourse and tree, sized
from its geometry (trees from their size and count). A post-intervention map says what becomes
of them, feature by feature, in the guidance's words:

* **retained** and **enhanced** features are laid over the baseline: for parcels the overlay is
  geometric (each intersection piece counts for the baseline parcel under it, so a parcel
  redrawn, split or merged is still measured exactly); hedgerows, watercourses and trees are
  joined to the baseline feature with the same ref, or else to the one they run along (within
  1 m) or stand on (within 1 m). The retained and enhanced quantities are the post-intervention
  geometry's, as the issue asks: "areas and lengths come from the geometry".
* **lost** parcels carry the habitat **created** on that ground (the NE template's way), and
  **created** features are created; what a baseline feature loses is what is neither retained
  nor enhanced, as in the workbook.

The workbook allows one enhancement row per baseline row, so a baseline feature enhanced in
two ways (two post-intervention parcels proposing different habitats) is split into one
baseline row per way, each with its own area; baseline units are proportional to area, so
totals do not change.

Without a baseline map the post-intervention file is read the way DEFRA's service reads it:
each row's own Baseline columns are its baseline (:func:`baseline_from_post`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from bng.metric import (
    MODULES,
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
    Module,
    Project,
    Site,
    WatercourseBaseline,
    WatercourseCreation,
    WatercourseEnhancement,
    WatercourseRows,
    Years,
)

from .features import Feature, Features, Side, default_ref, feature_size, implied_loss
from .findings import Finding
from .standard import HABITATS, OVERLAP_M2, RED_LINE, TREES
from .validate import vocabulary
from .vocabulary import Vocabulary

DEFAULT_GAIN_SITE = "OFF-SITE"
DEFAULT_SPATIAL_RISK = "Compensation inside LPA boundary or NCA of impact site"
LINK_DISTANCE_M = 1.0
SIZE_TOLERANCE = {"area": OVERLAP_M2 / 10_000.0, "hedgerow": 0.001, "watercourse": 0.001}  # ha, km, km

RowKey = tuple[str, str, str, str]  # module, location, stage, ref


@dataclass(frozen=True, slots=True)
class RowGeometry:
    """Where a row of the Site lies: the whole feature, and for baseline rows the parts kept."""

    whole: BaseGeometry | None
    retained: BaseGeometry | None = None
    enhanced: BaseGeometry | None = None
    layer: str = ""
    fids: tuple[int, ...] = ()
    part: int = 0  # > 0: a part split off a baseline feature enhanced in more than one way


@dataclass
class MappedSite:
    """A Site with the geometry of its rows, the red line boundary and what linking found."""

    site: Site
    red_line: BaseGeometry | None
    geometry: dict[RowKey, RowGeometry] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class _Claim:
    kind: str  # "Retained" or "Enhanced"
    size: float  # ha or km
    piece: BaseGeometry | None
    post: Feature


@dataclass
class _Base:
    feature: Feature
    size: float
    claims: list[_Claim] = field(default_factory=list)


def red_line_of(features: Features) -> BaseGeometry | None:
    """The red line boundary of a map (its polygons united), or None when the map has none."""
    layer = features.source.layers.get(RED_LINE.name)
    if layer is None or not len(layer):
        return None
    geoms = [g for g in layer.geometry if g is not None and not shapely.is_empty(g)]
    if not geoms:
        return None
    return shapely.make_valid(shapely.union_all(shapely.make_valid(np.array(geoms, dtype=object))))


def baseline_from_post(post: Features) -> Features:
    """The baseline a post-intervention file implies: each row's Baseline columns (DEFRA's reading)."""
    base = Features("baseline", post.source)
    for layer, feats in post.by_layer.items():
        base.by_layer[layer] = [
            replace(f, retention=None, proposed=None)
            for f in feats
            if f.baseline is not None and f.retention != "Created"
        ]
    return base


def build_site(
    baseline: Features,
    post: Features | None = None,
    *,
    project: Project | None = None,
    gain_site: str = DEFAULT_GAIN_SITE,
    release: str | None = None,
) -> MappedSite:
    """Turn a baseline map (and the post-intervention map, if any) into a Site with geometry."""
    vocab = vocabulary(release)
    builder = _Builder(vocab, gain_site)
    red_line = red_line_of(baseline)
    if post is not None:
        post_line = red_line_of(post)
        if red_line is not None and post_line is not None:
            differ = shapely.area(shapely.symmetric_difference(red_line, post_line))
            if differ > OVERLAP_M2:
                builder.findings.append(
                    Finding(
                        "RED_LINES_DIFFER",
                        f"the baseline and post-intervention red line boundaries differ by {differ:,.1f} m²; both "
                        "files should carry the same red line boundary",
                        RED_LINE.name,
                    )
                )
    for module in MODULES:
        builder.module(module, baseline, post)
    name = project.name if project and project.name else (baseline.source.site_name or baseline.source.path.stem)
    proj = replace(project, name=name) if project else Project(name=name)
    site = Site(
        project=proj,
        on_site=builder.location("on_site"),
        off_site=builder.location("off_site"),
        gain_sites=(GainSite(gain_site),) if builder.has_off_site else (),
        metric_release=vocab.rel.id,
    )
    return MappedSite(site, red_line, builder.geometry, builder.findings)


class _Builder:
    def __init__(self, vocab: Vocabulary, gain_site: str) -> None:
        self.vocab = vocab
        self.gain_site = gain_site
        self.findings: list[Finding] = []
        self.geometry: dict[RowKey, RowGeometry] = {}
        self.rows: dict[tuple[str, Module, str], list[object]] = defaultdict(list)  # (location, module, stage)
        self.refs: dict[tuple[str, Module, str], set[str]] = defaultdict(set)
        self.has_off_site = False

    # -- helpers ---------------------------------------------------------------------------------
    def unique(self, location: str, module: Module, stage: str, ref: str) -> str:
        used = self.refs[(location, module, stage)]
        out, n = ref, 1
        while out in used:
            n += 1
            out = f"{ref} ({n})"
        used.add(out)
        return out

    def add(self, f: Feature, module: Module, stage: str, row: object, ref: str, geom: RowGeometry) -> None:
        self.rows[(f.location, module, stage)].append(row)
        self.geometry[(module, f.location, stage, ref)] = geom
        if f.location == "off_site":
            self.has_off_site = True

    def location(self, location: str) -> Location:
        def rows(module: Module, stage: str) -> tuple:  # type: ignore[type-arg]
            return tuple(self.rows.get((location, module, stage), []))

        return Location(
            AreaRows(rows("area", "baseline"), rows("area", "creation"), rows("area", "enhancement")),
            HedgerowRows(rows("hedgerow", "baseline"), rows("hedgerow", "creation"), rows("hedgerow", "enhancement")),
            WatercourseRows(
                rows("watercourse", "baseline"), rows("watercourse", "creation"), rows("watercourse", "enhancement")
            ),
        )

    # -- one module ------------------------------------------------------------------------------
    def module(self, module: Module, baseline: Features, post: Features | None) -> None:
        bases = [_Base(f, feature_size(f, self.vocab)) for f in _of(baseline, module)]
        posts = [f for f in _of(post, module)] if post is not None else []
        by_layer: dict[str, list[_Base]] = defaultdict(list)
        for b in bases:
            by_layer[b.feature.layer].append(b)
        for layer, group in by_layer.items():
            kept = [p for p in posts if p.layer == layer and p.retention in ("Retained", "Enhanced")]
            if layer == HABITATS.name:
                self.overlay(group, kept)
            else:
                self.join(group, kept, points=layer == TREES.name)
        for b in bases:
            self.baseline_rows(module, b)
        for p in posts:
            if p.retention == "Created" or (p.retention == "Lost" and not implied_loss(p)):
                self.creation_row(module, p)

    def overlay(self, bases: list[_Base], posts: list[Feature]) -> None:
        """Parcels: every piece of a retained/enhanced parcel counts for the baseline parcel under it."""
        if not bases or not posts:
            return
        bgeoms = np.array(
            [shapely.make_valid(b.feature.geometry) if b.feature.geometry is not None else None for b in bases],
            dtype=object,
        )
        pgeoms = np.array(
            [shapely.make_valid(p.geometry) if p.geometry is not None else None for p in posts], dtype=object
        )
        tree = shapely.STRtree(bgeoms)
        pi, bi = tree.query(pgeoms, predicate="intersects")
        pieces = shapely.intersection(pgeoms[pi], bgeoms[bi])
        areas = shapely.area(pieces)
        linked = np.zeros(len(posts))
        for p_idx, b_idx, piece, a in zip(pi, bi, pieces, areas, strict=True):
            if a < OVERLAP_M2:
                continue
            post = posts[p_idx]
            linked[p_idx] += a
            bases[b_idx].claims.append(_Claim(post.retention or "", float(a) / 10_000.0, piece, post))
            self.compare(bases[b_idx].feature, post)
        for p_idx, post in enumerate(posts):
            total = float(shapely.area(pgeoms[p_idx])) if pgeoms[p_idx] is not None else 0.0
            if total - linked[p_idx] > OVERLAP_M2:
                self.not_on_baseline(post, f"{total - linked[p_idx]:,.1f} m² of the parcel is on no baseline parcel")

    def join(self, bases: list[_Base], posts: list[Feature], points: bool) -> None:
        """Hedgerows, watercourses and trees: by ref, else by position (within 1 m)."""
        if not bases or not posts:
            return
        by_ref: dict[str, list[_Base]] = defaultdict(list)
        for b in bases:
            if b.feature.ref:
                by_ref[b.feature.ref].append(b)
        bgeoms = np.array([b.feature.geometry for b in bases], dtype=object)
        tree = shapely.STRtree(bgeoms)
        for post in posts:
            target: _Base | None = None
            same = by_ref.get(post.ref, []) if post.ref else []
            if len(same) == 1:
                target = same[0]
            elif post.geometry is not None:
                near = tree.query(post.geometry, predicate="dwithin", distance=LINK_DISTANCE_M)
                best, score = None, 0.0
                for j in near:
                    g = bgeoms[j]
                    if points:
                        s = 1.0 / (1.0 + float(shapely.distance(post.geometry, g)))
                    else:
                        s = float(
                            shapely.length(shapely.intersection(post.geometry, shapely.buffer(g, LINK_DISTANCE_M)))
                        )
                    if s > score:
                        best, score = bases[j], s
                if best is not None and (points or score >= 0.5 * float(shapely.length(post.geometry))):
                    target = best
            if target is None:
                self.not_on_baseline(post, "no baseline feature has its ref or lies along it (within 1 m)")
                continue
            size = target.size if points else feature_size(post, self.vocab)
            target.claims.append(_Claim(post.retention or "", size, post.geometry, post))
            self.compare(target.feature, post)

    def assumed_srm(self, f: Feature, module: Module, srm: str | None) -> str | None:
        """An off-site row needs its spatial risk category; without one, do as the site file does."""
        if srm or f.location != "off_site":
            return srm
        if module == "watercourse":  # the site file has no default catchment category either
            what = "the workbook cannot score the watercourse without its catchment category"
            chosen = None
        else:
            what = f"bng assumes {DEFAULT_SPATIAL_RISK!r}, the site file's default"
            chosen = DEFAULT_SPATIAL_RISK
        self.findings.append(
            Finding(
                "SPATIAL_RISK_MISSING",
                f"the off-site feature has no spatial risk category: {what}",
                f.layer,
                f.fid,
                f.ref or None,
                "Spatial risk category",
            )
        )
        return chosen

    def not_on_baseline(self, post: Feature, why: str) -> None:
        self.findings.append(
            Finding(
                "NOT_ON_BASELINE",
                f"a {(post.retention or 'kept').lower()} feature must lie on a baseline feature: {why}; "
                "that part is left out of the calculation",
                post.layer,
                post.fid,
                post.ref or None,
            )
        )

    def compare(self, base: Feature, post: Feature) -> None:
        """The post row's own Baseline columns should say what the baseline map says."""
        a, b = base.baseline, post.baseline
        if a is None or b is None:
            return
        diffs = [
            f"{what} {y!r} (baseline map: {x!r})"
            for what, x, y in (("habitat", a.habitat, b.habitat), ("condition", a.condition, b.condition))
            if x and y and x != y
        ]
        if diffs:
            self.findings.append(
                Finding(
                    "BASELINE_ATTRIBUTES_DIFFER",
                    f"the row's Baseline columns say {', '.join(diffs)} for baseline feature {default_ref(base)}; "
                    "bng uses the baseline map",
                    post.layer,
                    post.fid,
                    post.ref or None,
                )
            )

    # -- rows ------------------------------------------------------------------------------------
    def baseline_rows(self, module: Module, b: _Base) -> None:
        f = b.feature
        side = f.baseline or Side(None, None, None)
        retained = [c for c in b.claims if c.kind == "Retained"]
        groups: dict[tuple, list[_Claim]] = {}  # type: ignore[type-arg]
        for c in b.claims:
            if c.kind == "Enhanced":
                groups.setdefault(_proposal(c.post), []).append(c)
        kept = sum(c.size for c in b.claims)
        scale = 1.0
        if len(b.claims) == 1 and abs(kept - b.size) <= 1e-9 * b.size:
            b.claims[0].size = kept = b.size  # the same feature redrawn: floating-point noise is not a loss
        if kept > b.size > 0:
            if kept - b.size > SIZE_TOLERANCE[module] and not f.is_tree:
                self.findings.append(
                    Finding(
                        "EXCEEDS_BASELINE",
                        f"retained and enhanced parts add up to {kept:.6g} but the baseline feature "
                        f"{default_ref(f)} is {b.size:.6g} {'ha' if module == 'area' else 'km'}; bng caps them at the "
                        "baseline size",
                        f.layer,
                        f.fid,
                        f.ref or None,
                    )
                )
            scale = b.size / kept
        parts = list(groups.values()) or [[]]
        if f.is_tree and len(parts) > 1:
            parts = parts[:1]
        ref0 = default_ref(f)
        for k, group in enumerate(parts):
            enhanced = sum(c.size for c in group) * scale
            if k == 0:
                size = b.size - sum(sum(c.size for c in g) * scale for g in parts[1:])
                ret = sum(c.size for c in retained) * scale
            else:
                size, ret = enhanced, 0.0
            ref = self.unique(f.location, module, "baseline", ref0 if k == 0 else f"{ref0}/{k + 1}")
            geom = RowGeometry(
                f.geometry if k == 0 else _union([c.piece for c in group]),
                _union([c.piece for c in retained]) if k == 0 else None,
                _union([c.piece for c in group]),
                f.layer,
                (f.fid,),
                k,
            )
            srm = f.spatial_risk or next((c.post.spatial_risk for c in b.claims if c.post.spatial_risk), None)
            srm = self.assumed_srm(f, module, srm)
            row = self.baseline_row(module, f, side, ref, float(size), float(ret), float(enhanced), srm)
            self.add(f, module, "baseline", row, ref, geom)
            if group:
                self.enhancement_row(module, f, ref, group)

    def baseline_row(
        self, module: Module, f: Feature, side: Side, ref: str, size: float, ret: float, enh: float, srm: str | None
    ) -> object:
        gs = self.gain_site if f.location == "off_site" else None
        srm = srm if f.location == "off_site" else None
        hab, cond, ss = side.habitat or "", side.condition or "", side.strategic_significance or ""
        if module == "area":
            h = self.vocab.habitat(hab) if hab else None
            trees = ((side.tree_size, f.count),) if f.is_tree and side.tree_size else None
            return AreaBaseline(
                ref, hab, size, cond, ss, bool(h and h.irreplaceable == "Yes"), ret, enh, "No", gs, srm, trees
            )
        if module == "hedgerow":
            return HedgerowBaseline(ref, hab, size, cond, ss, ret, enh, gs, srm)
        return WatercourseBaseline(
            ref,
            hab,
            size,
            cond,
            ss,
            side.encroachment or "No Encroachment",
            side.riparian or "No Encroachment/ No Encroachment",
            ret,
            enh,
            "No",
            gs,
            srm,
        )

    def enhancement_row(self, module: Module, base: Feature, baseline_ref: str, group: list[_Claim]) -> None:
        post = group[0].post
        p = post.proposed or Side(None, None, None)
        refs = list(dict.fromkeys(default_ref(c.post) for c in group))
        ref = self.unique(base.location, module, "enhancement", "+".join(refs))
        gs = self.gain_site if base.location == "off_site" else None
        adv, delay = _years(post.advance), _years(post.delay)
        hab, cond, ss = p.habitat or "", p.condition or "", p.strategic_significance or ""
        row: object
        if module == "area":
            row = AreaEnhancement(ref, baseline_ref, hab, cond, ss, adv, delay, gs)
        elif module == "hedgerow":
            row = HedgerowEnhancement(ref, baseline_ref, hab, cond, ss, adv, delay, gs)
        else:
            row = WatercourseEnhancement(
                ref,
                baseline_ref,
                hab,
                cond,
                ss,
                adv,
                delay,
                p.encroachment or "No Encroachment",
                p.riparian or "No Encroachment/ No Encroachment",
                gs,
            )
        fids = tuple(c.post.fid for c in group)
        self.add(
            base,
            module,
            "enhancement",
            row,
            ref,
            RowGeometry(_union([c.piece for c in group]), layer=post.layer, fids=fids),
        )

    def creation_row(self, module: Module, p: Feature) -> None:
        side = p.proposed or Side(None, None, None)
        if not side.habitat:
            return  # reported as MISSING_PROPOSED_DATA or UNKNOWN_HABITAT; the workbook cannot place it either
        ref = self.unique(p.location, module, "creation", default_ref(p))
        gs = self.gain_site if p.location == "off_site" else None
        srm = self.assumed_srm(p, module, p.spatial_risk) if p.location == "off_site" else None
        size = feature_size(p, self.vocab, side)
        adv, delay = _years(p.advance), _years(p.delay)
        cond, ss = side.condition or "", side.strategic_significance or ""
        row: object
        if module == "area":
            trees = ((side.tree_size, p.count),) if p.is_tree and side.tree_size else None
            row = AreaCreation(ref, side.habitat, size, cond, ss, adv, delay, gs, srm, trees)
        elif module == "hedgerow":
            row = HedgerowCreation(ref, side.habitat, size, cond, ss, adv, delay, gs, srm)
        else:
            row = WatercourseCreation(
                ref,
                side.habitat,
                size,
                cond,
                ss,
                adv,
                delay,
                side.encroachment or "No Encroachment",
                side.riparian or "No Encroachment/ No Encroachment",
                gs,
                srm,
            )
        self.add(p, module, "creation", row, ref, RowGeometry(p.geometry, layer=p.layer, fids=(p.fid,)))


def _of(features: Features | None, module: Module) -> list[Feature]:
    if features is None:
        return []
    return [f for fs in features.by_layer.values() for f in fs if f.module == module]


def _proposal(f: Feature) -> tuple[object, ...]:
    p = f.proposed or Side(None, None, None)
    return (p.habitat, p.condition, p.strategic_significance, p.encroachment, p.riparian, f.advance, f.delay)


def _years(v: str) -> Years:
    return "30+" if v == "30+" else float(v)


def _union(pieces: Sequence[BaseGeometry | None]) -> BaseGeometry | None:
    got = [p for p in pieces if p is not None]
    if not got:
        return None
    return got[0] if len(got) == 1 else shapely.union_all(got)
