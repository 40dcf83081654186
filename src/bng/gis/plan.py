"""Habitat plans as an LPA asks for them.

To an identified scale on A4 or A3, with a scale bar, a north arrow, the red line boundary, a
legend in habitat colours giving each habitat's size and biodiversity units, hedgerows and
watercourses as lines, trees as points, and a title block (site, planning reference, stage,
metric release, date).

The map frame is drawn at an exact scale: its width in millimetres on paper times the scale
denominator is its width on the ground. The scale is the largest standard one (1:500,
1:1,250, 1:2,500, …) at which the site fits the frame, on A4 if it fits there at 1:2,500 or
larger, else on A3; or the one given.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.patheffects as pe
import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from shapely.geometry.base import BaseGeometry

from bng.metric import MODULE_NAMES, Project, Result, calculate, load

from .errors import PlanError
from .features import StageName
from .findings import Finding
from .palette import RED_LINE, area_colour, hedgerow_colour, watercourse_colour
from .sitemap import MappedSite
from .workflow import load_maps

SCALES = (500, 1000, 1250, 2500, 5000, 10000, 25000, 50000, 100000, 250000)
PAPERS = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}  # landscape, mm
MARGIN = 10.0
PANEL = {"A4": 82.0, "A3": 105.0}
PNG_DPI = 200
HATCH = {"retained": "", "enhanced": "///", "created": ".."}
LINESTYLE: dict[str, Any] = {"retained": "-", "enhanced": (0, (6, 2, 1, 2)), "created": (0, (3, 2))}
TREE_SIZES_PT = {"Small": 3.0, "Medium": 4.0, "Large": 5.0, "Very large": 6.0}
MM = 1 / 25.4


@dataclass
class LegendEntry:
    """One line of the plan's legend: a habitat, its colour, its size and its units."""

    kind: str  # "area", "hedgerow", "watercourse", "tree"
    label: str
    colour: str
    size: float  # ha, km or number of trees
    units: float


@dataclass
class Plan:
    """A drawn plan: its title, stage, scale and paper, the figure's frame, the legend and findings."""

    title: str
    stage: StageName
    scale: int
    paper: str
    orientation: str
    page_mm: tuple[float, float]
    frame_mm: tuple[float, float]
    extent_m: tuple[float, float]
    legend: list[LegendEntry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


# -- what to draw ----------------------------------------------------------------------------------


@dataclass
class _Shape:
    geometry: BaseGeometry
    module: str
    habitat: str
    how: str  # "retained", "enhanced", "created" (post-intervention) or "baseline"
    ref: str
    tree_size: str | None = None


def _units(result: Result) -> dict[tuple[str, str, str, str], Any]:
    return {(r.module, r.location, r.stage, r.ref): r for r in result.rows}


def _shapes_and_legend(mapped: MappedSite, result: Result, stage: StageName) -> tuple[list[_Shape], list[LegendEntry]]:
    rows = _units(result)
    shapes: list[_Shape] = []
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for location in ("on_site", "off_site"):
        loc = getattr(mapped.site, location)
        for module in ("area", "hedgerow", "watercourse"):
            mod = getattr(loc, module)
            enh = {e.baseline_ref: e for e in mod.enhancement}
            size_attr = "area_ha" if module == "area" else "length_km"
            kept_attr = "retained_ha" if module == "area" else "retained_km"
            enh_attr = "enhanced_ha" if module == "area" else "enhanced_km"
            for row in mod.baseline:
                g = mapped.geometry.get((module, location, "baseline", row.ref))
                res = rows.get((module, location, "baseline", row.ref))
                tree = row.trees[0][0] if getattr(row, "trees", None) else None
                count = sum(c for _, c in row.trees) if getattr(row, "trees", None) else None
                if stage == "baseline":
                    if g is not None and g.whole is not None and not g.part:
                        shapes.append(_Shape(g.whole, module, row.habitat, "baseline", row.ref, tree))
                    t = totals[(module, row.habitat)]
                    t[0] += count if count is not None else (getattr(row, size_attr) or 0.0)
                    t[1] += (res.units or 0.0) if res else 0.0
                    continue
                if g is not None and g.retained is not None:
                    shapes.append(_Shape(g.retained, module, row.habitat, "retained", row.ref, tree))
                if getattr(row, kept_attr):
                    t = totals[(module, row.habitat)]
                    t[0] += count if count is not None else getattr(row, kept_attr)
                    t[1] += (res.retained_units or 0.0) if res else 0.0
                e = enh.get(row.ref)
                if e is not None and getattr(row, enh_attr):
                    if g is not None and g.enhanced is not None:
                        shapes.append(_Shape(g.enhanced, module, e.habitat, "enhanced", e.ref, tree))
                    eres = rows.get((module, location, "enhancement", e.ref))
                    t = totals[(module, e.habitat)]
                    t[0] += count if count is not None else getattr(row, enh_attr)
                    t[1] += (eres.units or 0.0) if eres else 0.0
            if stage == "post-intervention":
                for row in mod.creation:
                    g = mapped.geometry.get((module, location, "creation", row.ref))
                    tree = row.trees[0][0] if getattr(row, "trees", None) else None
                    if g is not None and g.whole is not None:
                        shapes.append(_Shape(g.whole, module, row.habitat, "created", row.ref, tree))
                    res = rows.get((module, location, "creation", row.ref))
                    t = totals[(module, row.habitat)]
                    t[0] += (
                        sum(c for _, c in row.trees)
                        if getattr(row, "trees", None)
                        else (getattr(row, size_attr) or 0.0)
                    )
                    t[1] += (res.units or 0.0) if res else 0.0
    legend = []
    order = {"area": 0, "tree": 1, "hedgerow": 2, "watercourse": 3}
    for (module, habitat), (size, units) in totals.items():
        kind = "tree" if habitat.startswith("Individual trees") else module
        colour = (
            area_colour(habitat)
            if module == "area"
            else (hedgerow_colour(habitat) if module == "hedgerow" else watercourse_colour(habitat))
        )
        legend.append(LegendEntry(kind, habitat, colour, size, units))
    legend.sort(key=lambda e: (order[e.kind], e.label))
    return shapes, legend


# -- page and scale ------------------------------------------------------------------------------


def _frame(paper: str) -> tuple[tuple[float, float], tuple[float, float, float, float]]:
    """Page size (landscape) and the map frame (x, y, w, h) in mm, leaving the side panel free."""
    w, h = PAPERS[paper]
    panel = PANEL[paper]
    return (w, h), (MARGIN + 6, MARGIN + 6, w - 2 * MARGIN - panel - 10, h - 2 * MARGIN - 10)


def choose_layout(bounds: tuple[float, float, float, float], scale: int | None, paper: str | None) -> tuple[int, str]:
    """(scale, paper): the largest standard scale at which the site fits the frame."""
    width = max(bounds[2] - bounds[0], 1.0) * 1.08
    height = max(bounds[3] - bounds[1], 1.0) * 1.08
    papers = [paper.upper()] if paper else ["A4", "A3"]
    for p in papers:
        if p not in PAPERS:
            raise PlanError(f"unknown paper size {p!r}; expected A4 or A3")

    def fits(p: str, s: int) -> bool:
        _, (_, _, fw, fh) = _frame(p)
        return fw * s / 1000 >= width and fh * s / 1000 >= height

    if scale is not None:
        if scale <= 0:
            raise PlanError(f"the scale must be a positive denominator such as 1250, not {scale}")
        return scale, next((p for p in papers if fits(p, scale)), papers[-1])
    best = {p: next((s for s in SCALES if fits(p, s)), None) for p in papers}
    if all(s is None for s in best.values()):
        raise PlanError(f"the site is too large to draw at 1:{SCALES[-1]:,} on {papers[-1]}")
    a4, a3 = best.get("A4"), best.get("A3")
    if a4 is not None and (a4 <= 2500 or a3 is None or a3 >= a4):
        return a4, "A4"
    p = "A3" if a3 is not None else "A4"
    return best[p], p  # type: ignore[return-value]


def _nice(length: float) -> float:
    """A round length (1, 2 or 5 × 10^n) not more than the one given."""
    exp = 10.0 ** int(f"{length:e}".split("e")[1])
    for m in (5, 2, 1):
        if m * exp <= length:
            return float(m * exp)
    return exp / 2


# -- drawing -------------------------------------------------------------------------------------


def _patch(geom: BaseGeometry, **kw: Any) -> PathPatch | None:
    """A (multi)polygon with holes as one matplotlib patch."""
    verts: list[tuple[float, float]] = []
    codes: list[Any] = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = list(ring.coords)
            verts += xy
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY]
    if not verts:
        return None
    return PathPatch(MplPath(verts, codes), **kw)


def _lines(ax: Any, geom: BaseGeometry, **kw: Any) -> None:
    for part in shapely.get_parts(geom):
        if part.geom_type in ("LineString", "LinearRing") and not part.is_empty:
            x, y = part.xy
            ax.plot(x, y, solid_capstyle="butt", **kw)


def draw(
    mapped: MappedSite,
    result: Result,
    output: Path,
    *,
    stage: StageName,
    scale: int | None = None,
    paper: str | None = None,
    when: date | None = None,
    source: str = "",
) -> Plan:
    """Draw the plan of a mapped site into output (.pdf, .png or .svg)."""
    suffix = output.suffix.lower()
    if suffix not in (".pdf", ".png", ".svg"):
        raise PlanError(f"{output}: a plan is written as .pdf, .png or .svg")
    shapes, legend = _shapes_and_legend(mapped, result, stage)
    extent_geoms = [s.geometry for s in shapes] + ([mapped.red_line] if mapped.red_line is not None else [])
    if not extent_geoms:
        raise PlanError("there is nothing to draw: the map has no red line boundary and no features")
    bounds = shapely.total_bounds(extent_geoms)
    chosen, paper_name = choose_layout(tuple(bounds), scale, paper)
    (page_w, page_h), (fx, fy, fw, fh) = _frame(paper_name)
    ground_w, ground_h = fw * chosen / 1000, fh * chosen / 1000
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    findings: list[Finding] = []

    fig = Figure(figsize=(page_w * MM, page_h * MM))
    fig.patch.set_facecolor("white")
    ax = fig.add_axes((fx / page_w, fy / page_h, fw / page_w, fh / page_h))
    ax.set_xlim(cx - ground_w / 2, cx + ground_w / 2)
    ax.set_ylim(cy - ground_h / 2, cy + ground_h / 2)
    ax.set_aspect("equal", adjustable="box", anchor="C")
    ax.set_facecolor("#fbfbf8")
    _grid_ticks(ax)
    # parcels, then lines, then trees, then the red line on top
    for s in shapes:
        if s.module == "area" and s.tree_size is None and s.geometry.geom_type in ("Polygon", "MultiPolygon"):
            how = "retained" if s.how == "baseline" else s.how
            p = _patch(
                s.geometry,
                facecolor=area_colour(s.habitat),
                edgecolor="#333333",
                linewidth=0.35,
                hatch=HATCH[how],
                hatchcolor="#00000080",
                zorder=1,
            )
            if p is not None:
                ax.add_patch(p)
                _label(ax, s, chosen)
    for s in shapes:
        if s.module in ("hedgerow", "watercourse"):
            how = "retained" if s.how == "baseline" else s.how
            colour = hedgerow_colour(s.habitat) if s.module == "hedgerow" else watercourse_colour(s.habitat)
            width = 1.6 if s.module == "hedgerow" else 1.9
            halo = [pe.Stroke(linewidth=width + 1.8, foreground="white"), pe.Normal()]
            _lines(ax, s.geometry, color=colour, linewidth=width, linestyle=LINESTYLE[how], zorder=3, path_effects=halo)
    for s in shapes:
        if s.tree_size is not None or (s.module == "area" and s.geometry.geom_type in ("Point", "MultiPoint")):
            for pt in shapely.get_parts(s.geometry):
                if pt.geom_type == "Point":
                    ax.plot(
                        pt.x,
                        pt.y,
                        marker="o",
                        markersize=TREE_SIZES_PT.get(s.tree_size or "", 4.0) * 1.4,
                        markerfacecolor=area_colour(s.habitat),
                        markeredgecolor="white" if s.how != "created" else "#ffeb3b",
                        markeredgewidth=0.8,
                        zorder=4,
                    )
    if mapped.red_line is not None:
        rl = _patch(mapped.red_line, facecolor="none", edgecolor=RED_LINE, linewidth=2.0, zorder=5)
        if rl is not None:
            ax.add_patch(rl)
    for spine in ax.spines.values():
        spine.set_linewidth(0.8)
    _scale_bar(ax, ground_w, chosen)
    _north_arrow(fig, (fx + fw - 14) / page_w, (fy + fh - 22) / page_h, page_w, page_h)

    title = "Baseline habitat plan" if stage == "baseline" else "Post-intervention habitat plan"
    orientation = "landscape"
    panel = _panel_box(paper_name, page_w, page_h)
    rel = load(result.metric_release)
    lines = _title_lines(
        mapped.site.project,
        stage,
        f"{rel.id}: statutory biodiversity metric (Feb 2024 calculation tool)",
        when or date.today(),
        f"1:{chosen:,} at {paper_name} {orientation}",
        result,
        source,
    )
    block = _title_block(fig, panel, title, lines)
    _legend(fig, legend, panel, block, stage, findings)
    output.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42, "hatch.linewidth": 0.5}):
        fig.savefig(output, dpi=PNG_DPI if suffix == ".png" else 72, metadata=_metadata(suffix, title))
    return Plan(
        title,
        stage,
        chosen,
        paper_name,
        orientation,
        (page_w, page_h),
        (fw, fh),
        (ground_w, ground_h),
        legend,
        findings,
    )


def _metadata(suffix: str, title: str) -> dict[str, str] | None:
    if suffix == ".png":
        return {"Title": title, "Software": "bng"}
    if suffix == ".pdf":
        return {"Title": title, "Creator": "bng"}
    return {"Title": title}


def _grid_ticks(ax: Any) -> None:
    """British National Grid coordinates on the frame, every round distance."""
    x0, x1 = ax.get_xlim()
    step = _nice((x1 - x0) / 5)
    ax.set_xticks([v for v in _steps(x0, x1, step)])
    y0, y1 = ax.get_ylim()
    ax.set_yticks([v for v in _steps(y0, y1, step)])
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.tick_params(labelsize=5, length=2, width=0.5, colors="#555555", pad=1)
    for lab in ax.get_yticklabels():
        lab.set_rotation(90)
        lab.set_verticalalignment("center")


def _steps(a: float, b: float, step: float) -> list[float]:
    first = (a // step + 1) * step
    out = []
    v = first
    while v < b:
        out.append(v)
        v += step
    return out


def _label(ax: Any, s: _Shape, scale: int) -> None:
    """The parcel's ref, where the parcel is big enough on paper to hold it."""
    x0, y0, x1, y1 = s.geometry.bounds
    if min(x1 - x0, y1 - y0) * 1000 / scale < 7:
        return
    p = s.geometry.representative_point()
    ax.text(
        p.x,
        p.y,
        s.ref,
        fontsize=5.5,
        ha="center",
        va="center",
        zorder=6,
        color="#111111",
        path_effects=[pe.withStroke(linewidth=1.6, foreground="white")],
        clip_on=True,
    )


def _scale_bar(ax: Any, ground_w: float, scale: int) -> None:
    length = _nice(ground_w / 4)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    pad = (x1 - x0) * 0.03
    bx, by = x0 + pad, y0 + pad
    h = (y1 - y0) * 0.012
    box = Rectangle(
        (bx - pad * 0.4, by - pad * 0.4),
        length + pad * 1.2,
        h + pad * 1.5,
        facecolor="white",
        edgecolor="#999999",
        linewidth=0.4,
        alpha=0.9,
        zorder=7,
        gid="scale-bar",
    )
    ax.add_patch(box)
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (bx + i * length / 4, by),
                length / 4,
                h,
                facecolor="black" if i % 2 == 0 else "white",
                edgecolor="black",
                linewidth=0.5,
                zorder=8,
            )
        )
    unit, div = ("km", 1000.0) if length >= 2000 else ("m", 1.0)
    for frac in (0, 0.5, 1):
        ax.text(
            bx + frac * length,
            by + h * 1.4,
            f"{length * frac / div:g}",
            fontsize=5.5,
            ha="center",
            va="bottom",
            zorder=8,
        )
    ax.text(bx + length + pad * 0.15, by, unit, fontsize=5.5, ha="left", va="bottom", zorder=8)
    ax.text(bx, by - pad * 0.25, f"Scale 1:{scale:,}", fontsize=6, ha="left", va="top", zorder=8, weight="bold")


def _north_arrow(fig: Figure, x: float, y: float, page_w: float, page_h: float) -> None:
    """Grid north (British National Grid) is up the page."""
    w, h = 6 / page_w, 12 / page_h
    left = Polygon(
        [(x, y + h), (x - w / 2, y), (x, y + h * 0.3)],
        closed=True,
        transform=fig.transFigure,
        facecolor="black",
        edgecolor="black",
        linewidth=0.6,
        gid="north-arrow",
    )
    right = Polygon(
        [(x, y + h), (x + w / 2, y), (x, y + h * 0.3)],
        closed=True,
        transform=fig.transFigure,
        facecolor="white",
        edgecolor="black",
        linewidth=0.6,
    )
    fig.patches.extend([left, right])
    fig.text(x, y + h + 1.5 / page_h, "N", ha="center", va="bottom", fontsize=10, weight="bold", gid="north-label")
    fig.text(x, y - 1.5 / page_h, "grid north", ha="center", va="top", fontsize=4.5, color="#444444")


def _panel_box(paper: str, page_w: float, page_h: float) -> tuple[float, float, float, float]:
    """The side panel (key above, title block below), in mm: x, y, w, h."""
    panel = PANEL[paper]
    return (page_w - MARGIN - panel, MARGIN, panel, page_h - 2 * MARGIN)


def _fmt_size(e: LegendEntry) -> str:
    if e.kind == "tree":
        return f"{e.size:g} tree{'s' if e.size != 1 else ''}"
    if e.kind == "area":
        return f"{e.size:,.4f} ha"
    return f"{e.size:,.3f} km"


def _legend_rows(entries: list[LegendEntry], stage: StageName) -> list[tuple[str, Any]]:
    kinds = {**MODULE_NAMES, "tree": "Individual trees"}
    rows: list[tuple[str, Any]] = []
    last = None
    for e in entries:
        if e.kind != last:
            rows.append(("section", kinds[e.kind]))
            last = e.kind
        rows.append(("entry", e))
    rows.append(("redline", None))
    if stage != "baseline":
        rows += [("section", "Intervention")] + [("how", h) for h in ("retained", "enhanced", "created")]
    return rows


def _entry_label(e: LegendEntry) -> str:
    hab = load().area_habitat(e.label) if e.kind in ("area", "tree") else None
    return e.label + (f" [{hab.ukhab_code}]" if hab else "")


def _row_height(kind: str, item: Any, line: float, wrap: int) -> float:
    if kind == "entry":
        return line * (len(textwrap.wrap(_entry_label(item), wrap)) + 1.15)
    return line * (1.2 if kind == "redline" else 1.0)


def _legend(
    fig: Figure,
    entries: list[LegendEntry],
    panel: tuple[float, float, float, float],
    block_mm: float,
    stage: StageName,
    findings: list[Finding],
) -> None:
    """The key, in the panel above the title block: one column, or two when one does not fit."""
    px, py, pw, ph = panel
    W, H = fig.get_size_inches() / MM
    bottom = py + block_mm + 4  # mm, above the title block
    top = py + ph - 7
    fig.text(px / W, (py + ph) / H, "Key", fontsize=8, weight="bold", va="top", gid="legend")
    heading = "Habitats (after intervention)" if stage != "baseline" else "Habitats (baseline)"
    rows = [("section", heading), *_legend_rows(entries, stage)]
    # the largest font (and fewest columns) at which the key fits
    layout = None
    for columns, font in ((1, 6.0), (1, 5.5), (2, 5.5), (2, 5.0), (2, 4.5)):
        line = font * 0.55  # mm per line
        col_w = (pw - 3 * (columns - 1)) / columns
        wrap = max(16, int((col_w - 9) / (font * 0.19)))
        heights = [_row_height(k, it, line, wrap) for k, it in rows]
        if _columns_needed(heights, top - bottom) <= columns:
            layout = (columns, font, line, col_w, wrap)
            break
    if layout is None:
        layout = (2, 4.5, 4.5 * 0.55, (pw - 3) / 2, max(16, int(((pw - 3) / 2 - 9) / (4.5 * 0.19))))
    columns, font, line, col_w, wrap = layout
    column, x, y, shown = 0, px, top, 0
    total = sum(1 for k, _ in rows if k == "entry")
    for kind, item in rows:
        h = _row_height(kind, item, line, wrap)
        if y - h < bottom:
            if column + 1 < columns:
                column, x, y = column + 1, px + (col_w + 3) * (column + 1), top
            else:
                hidden = total - shown
                if hidden:
                    fig.text(
                        x / W,
                        y / H,
                        f"… and {hidden} more (listed in the site file)",
                        fontsize=font,
                        style="italic",
                        va="top",
                    )
                    findings.append(
                        Finding("LEGEND_SHORTENED", f"{hidden} habitats did not fit the plan's key", severity="warning")
                    )
                return
        _legend_row(fig, kind, item, x, y, font, line, wrap, W, H)
        shown += kind == "entry"
        y -= h


def _columns_needed(heights: list[float], avail: float) -> int:
    columns, used = 1, 0.0
    for h in heights:
        if used + h > avail:
            columns, used = columns + 1, 0.0
        used += h
    return columns


def _legend_row(
    fig: Figure, kind: str, item: Any, x: float, y: float, font: float, line: float, wrap: int, W: float, H: float
) -> None:
    """One row of the key at (x, y) mm from the page's lower left, top-aligned."""

    def swatch(height: float, **style: Any) -> None:
        """A key's 6 mm swatch, its height a share of the line, top-aligned with the row's text."""
        box = Rectangle((x / W, (y - line * 0.85) / H), 6 / W, line * height / H, transform=fig.transFigure, **style)
        fig.patches.append(box)

    if kind == "section":
        fig.text(x / W, y / H, item, fontsize=font + 0.5, weight="bold", va="top")
        return
    if kind == "redline":
        swatch(0.75, facecolor="none", edgecolor=RED_LINE, linewidth=1.6)
        fig.text((x + 8) / W, y / H, "Red line boundary", fontsize=font, va="top")
        return
    if kind == "how":
        swatch(0.75, facecolor="#dddddd", edgecolor="#333333", linewidth=0.4, hatch=HATCH[item])
        fig.lines.append(
            Line2D(
                [(x + 9) / W, (x + 17) / W],
                [(y - line * 0.45) / H] * 2,
                transform=fig.transFigure,
                color="#333333",
                linewidth=1.4,
                linestyle=LINESTYLE[item],
            )
        )
        fig.text((x + 19) / W, y / H, item.capitalize(), fontsize=font, va="top")
        return
    e: LegendEntry = item
    if e.kind == "area":
        swatch(0.8, facecolor=e.colour, edgecolor="#333333", linewidth=0.4)
    elif e.kind == "tree":
        fig.lines.append(
            Line2D(
                [(x + 3) / W],
                [(y - line * 0.45) / H],
                transform=fig.transFigure,
                marker="o",
                markersize=font * 0.8,
                markerfacecolor=e.colour,
                markeredgecolor="white",
                linestyle="none",
            )
        )
    else:
        fig.lines.append(
            Line2D(
                [x / W, (x + 6) / W],
                [(y - line * 0.45) / H] * 2,
                transform=fig.transFigure,
                color=e.colour,
                linewidth=1.8,
            )
        )
    label = textwrap.wrap(_entry_label(e), wrap)
    for i, text_line in enumerate(label):
        fig.text((x + 8) / W, (y - line * i) / H, text_line, fontsize=font, va="top")
    fig.text(
        (x + 8) / W,
        (y - line * len(label)) / H,
        f"{_fmt_size(e)} · {e.units:,.2f} units",
        fontsize=font - 0.5,
        va="top",
        color="#444444",
    )


def _title_block(
    fig: Figure,
    panel: tuple[float, float, float, float],
    title: str,
    lines: list[tuple[str, str]],
) -> float:
    """The title block at the foot of the panel; returns its height in mm."""
    px, py, pw, _ = panel
    W, H = fig.get_size_inches() / MM
    wrap = max(24, int((pw - 33) / 1.32))
    wrapped = [(label, textwrap.wrap(value, wrap) or ["—"]) for label, value in lines]
    bh = 3 + 6.5 + sum(3.1 * len(v) + 0.9 for _, v in wrapped) + 3
    bx, by, bw = px, py, pw
    fig.patches.append(
        Rectangle(
            (bx / W, by / H),
            bw / W,
            bh / H,
            transform=fig.transFigure,
            facecolor="white",
            edgecolor="black",
            linewidth=0.8,
            gid="title-block",
        )
    )
    x, y = bx + 3, by + bh - 3
    fig.text(x / W, y / H, title, fontsize=10, weight="bold", va="top")
    y -= 6.5
    for label, values in wrapped:
        fig.text(x / W, y / H, label, fontsize=6, weight="bold", va="top", color="#333333")
        for i, v in enumerate(values):
            fig.text((x + 27) / W, (y - 3.1 * i) / H, v, fontsize=6, va="top")
        y -= 3.1 * len(values) + 0.9
    fig.text((bx + bw - 2) / W, (by + 1.2) / H, "drawn by bng", fontsize=4.5, ha="right", va="bottom", color="#777777")
    return bh


def _title_lines(
    project: Project, stage: StageName, metric: str, when: date, scale_text: str, result: Result, source: str
) -> list[tuple[str, str]]:
    mods = result.modules
    field = "baseline_units" if stage == "baseline" else "post_intervention_units"
    units = [getattr(mods[m].on_site, field) for m in ("area", "hedgerow", "watercourse")]
    kinds = ("habitat", "hedgerow", "watercourse")
    return [
        ("Site", project.name or "—"),
        ("Planning reference", project.planning_reference or "—"),
        ("Stage", "Baseline" if stage == "baseline" else "Post-intervention"),
        ("Metric", metric),
        ("Date", when.strftime("%-d %B %Y")),
        ("Scale", scale_text),
        ("Map", "EPSG:27700 British National Grid" + (f"; {source}" if source else "")),
        (
            "On-site units",
            " · ".join(f"{u:,.2f} {k}" if u is not None else f"— {k}" for u, k in zip(units, kinds, strict=True)),
        ),
    ]


# -- from map files --------------------------------------------------------------------------------


def draw_plan(
    map_file: Path,
    output: Path,
    *,
    baseline: Path | None = None,
    scale: int | None = None,
    paper: str | None = None,
    planning_reference: str = "",
    when: date | None = None,
    stage: StageName | None = None,
    release: str | None = None,
) -> Plan:
    """Draw the plan of a map file.

    The baseline plan of a baseline map, the post-intervention plan of a post-intervention map (scored
    against ``baseline`` when given, else against its own Baseline columns).
    """
    project = Project(planning_reference=planning_reference)
    if baseline is not None:
        loaded = load_maps([baseline, map_file], project, release=release)
        drawn_stage: StageName = "post-intervention"
    else:
        loaded = load_maps([map_file], project, release=release, stage=stage)
        drawn_stage = loaded.features[0].stage
    result = calculate(loaded.mapped.site)
    plan = draw(
        loaded.mapped, result, output, stage=drawn_stage, scale=scale, paper=paper, when=when, source=map_file.name
    )
    plan.findings = [f for f in loaded.findings if f.level != "info"] + plan.findings
    return plan
