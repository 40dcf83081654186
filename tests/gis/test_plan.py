"""Habitat plans: page size, scale, scale bar, north arrow, key and title block, checked in the output."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pyogrio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from typer.testing import CliRunner

from bng.cli import app
from bng.gis.errors import PlanError
from bng.gis.plan import PAPERS, PNG_DPI, SCALES, _frame, choose_layout, draw_plan
from bng.gis.workflow import load_maps
from bng.metric import calculate

from ..conftest import SHARED

GPKGS = SHARED / "spec" / "geopackages"
BASE = GPKGS / "bng-500" / "Sunderland_24_00723_FU4-baseline.gpkg"
POST = GPKGS / "bng-500" / "Sunderland_24_00723_FU4-post-intervention.gpkg"
MM_PER_PT = 25.4 / 72


def _habitat_types_in(path: Path) -> set[str]:
    """The baseline habitat types of a map's parcels, read with pyogrio (not with bng.gis)."""
    meta, _, _, values = pyogrio.raw.read(str(path), layer="Habitats")
    return set(dict(zip(meta["fields"], values, strict=True))["Baseline Habitat Type"])


def test_baseline_plan_as_svg_has_every_part(tmp_path: Path) -> None:
    out = tmp_path / "baseline.svg"
    plan = draw_plan(BASE, out, planning_reference="24/00723/FU4", when=date(2026, 11, 22))
    svg = out.read_text()
    # page size: the SVG's width and height in points are the paper's, landscape
    width = float(re.search(r'<svg[^>]* width="([\d.]+)pt"', svg).group(1))  # type: ignore[union-attr]
    height = float(re.search(r'<svg[^>]* height="([\d.]+)pt"', svg).group(1))  # type: ignore[union-attr]
    assert (width * MM_PER_PT, height * MM_PER_PT) == pytest.approx(PAPERS[plan.paper], abs=0.5)
    assert f"Scale 1:{plan.scale:,}" in svg and f"1:{plan.scale:,} at {plan.paper} landscape" in svg
    for part in ("north-arrow", "scale-bar", "title-block", "legend"):
        assert f'id="{part}' in svg, part
    assert ">N<" in svg and "grid north" in svg
    for text in ("Baseline habitat plan", "24/00723/FU4", "22 November 2026", "statutory-2024", "Red line boundary"):
        assert text in svg, text
    types = {e.label.split(" - ", 1)[1] for e in plan.legend if e.kind == "area"}
    assert types == _habitat_types_in(BASE)
    for t in types:
        assert t[:20] in svg, t


def test_units_in_the_key_add_up_to_the_engine_totals(tmp_path: Path) -> None:
    plan = draw_plan(POST, tmp_path / "post.png", baseline=BASE, when=date(2026, 11, 22))
    result = calculate(load_maps([BASE, POST]).mapped.site)
    for module, kinds in (("area", ("area", "tree")), ("hedgerow", ("hedgerow",)), ("watercourse", ("watercourse",))):
        m = result.modules[module]
        in_key = sum(e.units for e in plan.legend if e.kind in kinds)
        total = (m.on_site.post_intervention_units or 0) + (m.off_site.post_intervention_units or 0)
        assert in_key == pytest.approx(total, rel=1e-9), module


def test_png_page_and_the_scale_of_the_frame(tmp_path: Path) -> None:
    out = tmp_path / "plan.png"
    plan = draw_plan(BASE, out, when=date(2026, 11, 22))
    w_mm, h_mm = PAPERS[plan.paper]
    with Image.open(out) as im:
        assert im.size[0] == pytest.approx(w_mm / 25.4 * PNG_DPI, abs=1)
        assert im.size[1] == pytest.approx(h_mm / 25.4 * PNG_DPI, abs=1)
    assert plan.extent_m[0] == pytest.approx(plan.frame_mm[0] * plan.scale / 1000)
    assert plan.scale in SCALES


def test_pdf_page_size_and_a_given_scale(tmp_path: Path) -> None:
    out = tmp_path / "plan.pdf"
    plan = draw_plan(BASE, out, scale=10000, paper="A4", when=date(2026, 11, 22))
    assert plan.scale == 10000 and plan.paper == "A4"
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert box is not None
    assert (float(box.group(1)) * MM_PER_PT, float(box.group(2)) * MM_PER_PT) == pytest.approx((297, 210), abs=0.5)


@settings(max_examples=60, deadline=None)
@given(st.floats(5, 30000), st.floats(5, 30000))
def test_the_chosen_scale_is_the_largest_that_fits(width: float, height: float) -> None:
    scale, paper = choose_layout((0.0, 0.0, width, height), None, None)
    _, (_, _, fw, fh) = _frame(paper)
    assert fw * scale / 1000 >= width * 1.08 and fh * scale / 1000 >= height * 1.08
    larger = [s for s in SCALES if s < scale]
    if larger:  # the next larger scale would not hold the site on this paper
        s = larger[-1]
        assert fw * s / 1000 < width * 1.08 or fh * s / 1000 < height * 1.08


def test_bad_requests_are_clear(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match=r"pdf, \.png or \.svg"):
        draw_plan(BASE, tmp_path / "plan.jpg")
    with pytest.raises(PlanError, match="A4 or A3"):
        draw_plan(BASE, tmp_path / "plan.png", paper="A0")
    result = CliRunner().invoke(app, ["gis", "plan", str(BASE), "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2 and "pdf, .png or .svg" in result.output
    assert "Traceback" not in result.output


def test_plan_command_writes_the_plan(tmp_path: Path) -> None:
    out = tmp_path / "post.pdf"
    result = CliRunner().invoke(
        app,
        [
            "gis",
            "plan",
            str(POST),
            "--baseline",
            str(BASE),
            "-o",
            str(out),
            "--planning-reference",
            "X/1",
            "--date",
            "2026-11-22",
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 10_000
    assert "Post-intervention habitat plan, scale 1:" in result.output
