"""A post-intervention map linked to its baseline: retained, enhanced, created and lost, as the
standard says, checked against the files' own attributes (read here with pyogrio) and against
the figures DEFRA's service gives for the permutation pairs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyogrio
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from bng.gis.export import Record, write_geopackage
from bng.gis.features import read_features
from bng.gis.reading import read_map
from bng.gis.sitemap import build_site
from bng.gis.validate import vocabulary
from bng.gis.workflow import load_maps
from bng.metric import calculate

from ..conftest import SHARED

PERMUTATIONS = SHARED / "spec" / "geopackages" / "permutations"


def _pair(name: str) -> tuple[Path, Path]:
    return PERMUTATIONS / f"{name}-baseline.gpkg", PERMUTATIONS / f"{name}-post-intervention.gpkg"


def _layer(path: Path, layer: str) -> list[dict[str, Any]]:
    meta, _, wkb, values = pyogrio.raw.read(str(path), layer=layer)
    geoms = shapely.from_wkb(wkb)
    names = list(meta["fields"])
    return [{"geometry": g, **{n: v[i] for n, v in zip(names, values, strict=True)}} for i, g in enumerate(geoms)]


def _rows(site: Any, module: str, stage: str) -> dict[str, Any]:
    return {r.ref: r for loc in (site.on_site, site.off_site) for r in getattr(getattr(loc, module), stage)}


def _parcels(name: str, retention: str) -> tuple[Any, list[dict[str, Any]]]:
    """The pair's site, and its post-intervention parcels in this retention category (the pair has some)."""
    base, post = _pair(name)
    site = load_maps([base, post]).mapped.site
    parcels = [f for f in _layer(post, "Habitats") if f["Retention Category"] == retention]
    assert parcels
    return site, parcels


def test_retained_parcels_keep_their_whole_area() -> None:
    site, kept = _parcels("intervention/area-retained", "Retained")
    rows = _rows(site, "area", "baseline")
    for f in kept:
        row = rows[f["Parcel Ref"]]
        assert row.retained_ha == row.area_ha == pytest.approx(f["geometry"].area / 1e4, rel=1e-12)
        assert row.enhanced_ha == 0


def test_enhanced_parcels_become_enhancement_rows_of_their_baseline_parcel() -> None:
    site, enhanced = _parcels("intervention/area-enhanced", "Enhanced")
    rows, enh = _rows(site, "area", "baseline"), _rows(site, "area", "enhancement")
    for f in enhanced:
        ref = f["Parcel Ref"]
        assert rows[ref].enhanced_ha == pytest.approx(f["geometry"].area / 1e4, rel=1e-12)
        e = enh[ref]
        assert e.baseline_ref == ref
        assert e.habitat == f"{f['Proposed Broad Habitat Type']} - {f['Proposed Habitat Type']}"
        assert e.condition == f["Proposed Condition"]


def test_lost_parcels_carry_the_habitat_created_on_them() -> None:
    site, lost = _parcels("advance-delay/created-advance", "Lost")
    created = _rows(site, "area", "creation")
    for f in lost:
        row = created[f["Parcel Ref"]]
        assert row.habitat == f"{f['Proposed Broad Habitat Type']} - {f['Proposed Habitat Type']}"
        assert row.area_ha == pytest.approx(f["geometry"].area / 1e4, rel=1e-12)
        assert row.advance_years == float(f["Habitat created in advance/years"]) == 5
        assert _rows(site, "area", "baseline")[f["Parcel Ref"]].retained_ha == 0  # the ground under it is lost


@pytest.mark.parametrize("kind", ["hedgerow", "watercourse"])
def test_linear_features_retained_enhanced_created_and_lost(kind: str) -> None:
    layer = "Hedgerows" if kind == "hedgerow" else "Rivers"
    for what in ("retained", "enhanced", "created"):
        base, post = _pair(f"intervention/{kind}-{what}")
        site = load_maps([base, post]).mapped.site
        baseline, creation = _rows(site, kind, "baseline"), _rows(site, kind, "creation")
        for f in _layer(post, layer):
            km = f["geometry"].length / 1000
            rc = f["Retention Category"]
            if rc == "Retained":
                assert baseline[f["Parcel Ref"]].retained_km == pytest.approx(km, rel=1e-12)
            elif rc == "Enhanced":
                assert baseline[f["Parcel Ref"]].enhanced_km == pytest.approx(km, rel=1e-12)
                assert _rows(site, kind, "enhancement")[f["Parcel Ref"]].baseline_ref == f["Parcel Ref"]
            elif rc == "Created":
                assert creation[f["Parcel Ref"]].length_km == pytest.approx(km, rel=1e-12)
            elif rc == "Lost" and f["Parcel Ref"] in baseline:  # absence is loss
                row = baseline[f["Parcel Ref"]]
                assert row.retained_km == row.enhanced_km == 0


def test_defra_figures_for_the_net_gain_pairs() -> None:
    """DEFRA's service scored the Habitats layer of these pairs (manifest.json). Its areas are whole square
    metres, so the figures agree to the rounding of six parcels' areas (parts in a million)."""
    manifest = json.loads((PERMUTATIONS / "manifest.json").read_text())
    scored = [s for s in manifest["scenarios"] if s["gain"]]
    assert len(scored) == 2
    for s in scored:
        loaded = load_maps([PERMUTATIONS / s["files"]["baseline"], PERMUTATIONS / s["files"]["postIntervention"]])
        result = calculate(loaded.mapped.site)
        parcels = {k[3] for k, g in loaded.mapped.geometry.items() if g.layer == "Habitats"}
        rows = [r for r in result.rows if r.module == "area" and r.ref in parcels]
        baseline = sum(r.units or 0 for r in rows if r.stage == "baseline")
        post = sum(r.retained_units or 0 for r in rows if r.stage == "baseline")
        post += sum(r.units or 0 for r in rows if r.stage in ("creation", "enhancement"))
        assert baseline == pytest.approx(s["gain"]["baselineUnits"], rel=1e-5)
        assert post == pytest.approx(s["gain"]["postInterventionUnits"], rel=1e-5)
        assert result.modules["area"].target_met is s["gain"]["met"]


def test_post_intervention_map_alone_is_read_as_defra_reads_it() -> None:
    """Without a baseline map, each row's own Baseline columns are its baseline: same figures here,
    where the two files carry the same parcels."""
    base, post = _pair("net-gain/met")
    pair = calculate(load_maps([base, post]).mapped.site).modules["area"].on_site
    alone = calculate(load_maps([post]).mapped.site).modules["area"].on_site
    assert alone.baseline_units == pytest.approx(pair.baseline_units, rel=1e-12)
    assert alone.post_intervention_units == pytest.approx(pair.post_intervention_units, rel=1e-12)


# -- a parcel redrawn: the overlay measures it exactly -------------------------------------------


def _map(tmp: Path, name: str, parcels: list[tuple[Any, dict[str, Any]]]) -> Path:
    rl = shapely.box(430000, 430000, 430100, 430100)
    common = {
        "Baseline Broad Habitat Type": "Grassland",
        "Baseline Habitat Type": "Modified grassland",
        "Baseline Condition": "Poor",
        "Baseline Strategic Significance": "Low",
        "Location": "On-site",
    }
    layers = {
        "Red Line Boundary": [Record(rl, {"Site Name": "test"})],
        "Habitats": [Record(g, common | values) for g, values in parcels],
    }
    return write_geopackage(tmp / name, layers)


@settings(max_examples=12, deadline=None)
@given(st.floats(5, 95), st.floats(5, 95))
def test_post_parcels_split_across_baseline_parcels_are_measured_piece_by_piece(
    tmp_path_factory: Any, split: float, cut: float
) -> None:
    """Baseline: two parcels split at x = split. After: one enhanced parcel [0, cut] and a created one [cut, 100]
    Every piece of the enhanced parcel counts for the baseline parcel
    under it, so retained + enhanced + lost is each baseline parcel's area, and the workbook's one-enhancement-
    per-baseline-row rule holds."""
    tmp = tmp_path_factory.mktemp("split")
    x0, y0 = 430000, 430000
    a = shapely.box(x0, y0, x0 + split, y0 + 100)
    b = shapely.box(x0 + split, y0, x0 + 100, y0 + 100)
    base = _map(tmp, "baseline.gpkg", [(a, {"Parcel Ref": "A"}), (b, {"Parcel Ref": "B"})])
    proposed = {
        "Proposed Broad Habitat Type": "Grassland",
        "Proposed Habitat Type": "Other neutral grassland",
        "Proposed Condition": "Moderate",
        "Proposed Strategic Significance": "Low",
    }
    e = shapely.box(x0, y0, x0 + cut, y0 + 100)
    c = shapely.box(x0 + cut, y0, x0 + 100, y0 + 100)
    post = _map(
        tmp,
        "post.gpkg",
        [
            (e, {"Parcel Ref": "E", "Retention Category": "Enhanced"} | proposed),
            (c, {"Parcel Ref": "C", "Retention Category": "Lost"} | proposed),
        ],
    )
    vocab = vocabulary()
    mapped = build_site(
        read_features(read_map(base), vocab, "baseline"), read_features(read_map(post), vocab, "post-intervention")
    )
    rows = {r.ref: r for r in mapped.site.on_site.area.baseline}
    for ref, parcel in (("A", a), ("B", b)):
        r = rows[ref]
        piece = parcel.intersection(e).area / 1e4
        expected = piece if piece * 1e4 >= 0.5 else 0.0  # pieces under 0.5 m² are slivers, not claims
        assert r.enhanced_ha == pytest.approx(expected, abs=1e-9)
        assert r.retained_ha == 0
        assert r.area_ha == pytest.approx(parcel.area / 1e4, rel=1e-12)
    enhanced = [r for r in rows.values() if r.enhanced_ha]
    assert len(mapped.site.on_site.area.enhancement) == len(enhanced)
    assert {e.baseline_ref for e in mapped.site.on_site.area.enhancement} == {r.ref for r in enhanced}
    (creation,) = mapped.site.on_site.area.creation
    assert creation.area_ha == pytest.approx(c.area / 1e4, rel=1e-12)


def test_a_parcel_enhanced_two_ways_is_split_into_two_baseline_rows(tmp_path: Path) -> None:
    """The workbook takes one enhancement row per baseline row: two proposals on one parcel make two rows
    whose areas add up to the parcel's, so its baseline units do not change."""
    x0, y0 = 430000, 430000
    whole = shapely.box(x0, y0, x0 + 100, y0 + 100)
    base = _map(tmp_path, "baseline.gpkg", [(whole, {"Parcel Ref": "A"})])

    def proposal(habitat: str) -> dict[str, Any]:
        return {
            "Proposed Broad Habitat Type": "Grassland",
            "Proposed Habitat Type": habitat,
            "Proposed Condition": "Moderate",
            "Proposed Strategic Significance": "Low",
            "Retention Category": "Enhanced",
        }

    post = _map(
        tmp_path,
        "post.gpkg",
        [
            (shapely.box(x0, y0, x0 + 30, y0 + 100), {"Parcel Ref": "E1"} | proposal("Other neutral grassland")),
            (shapely.box(x0 + 30, y0, x0 + 70, y0 + 100), {"Parcel Ref": "E2"} | proposal("Lowland meadows")),
            (shapely.box(x0 + 70, y0, x0 + 100, y0 + 100), {"Parcel Ref": "R", "Retention Category": "Retained"}),
        ],
    )
    mapped = load_maps([base, post]).mapped
    rows = {r.ref: r for r in mapped.site.on_site.area.baseline}
    assert set(rows) == {"A", "A/2"}
    assert rows["A"].area_ha + rows["A/2"].area_ha == pytest.approx(1.0, rel=1e-12)
    assert rows["A"].retained_ha == pytest.approx(0.3) and rows["A"].enhanced_ha == pytest.approx(0.3)
    assert rows["A/2"].enhanced_ha == pytest.approx(0.4) == rows["A/2"].area_ha
    enh = {e.baseline_ref: e.habitat for e in mapped.site.on_site.area.enhancement}
    assert enh == {"A": "Grassland - Other neutral grassland", "A/2": "Grassland - Lowland meadows"}
    units = calculate(mapped.site).modules["area"].on_site.baseline_units
    assert units == pytest.approx(1.0 * 2 * 1 * 1.0)  # 1 ha of Low (2) Poor (1) modified grassland
