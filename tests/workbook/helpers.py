"""Shared pieces of the workbook tests: the real workbooks, editing a copy's XML, comparing Sites."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bng.metric.model import Site
from bng.workbook.package import open_package
from bng.workbook.template import copy_info
from tests.conftest import SHARED

METRIC_FILES = SHARED / "spec" / "metric-files"
TEST_METRIC = METRIC_FILES / "statutory-2024-02__completed-offsite.xlsm"
TEST_METRIC_XLSX = METRIC_FILES / "statutory-2024-02__completed-offsite__macro-free.xlsx"
COMBINED = METRIC_FILES / "statutory-2024-10__combined-case-registration.xlsm"
COMPLETED = (TEST_METRIC, TEST_METRIC_XLSX, COMBINED)
METRIC_3 = (METRIC_FILES / "metric-3.0__two-rows.xlsm", METRIC_FILES / "metric-3.1__case-study.xlsm")
PRERELEASE = METRIC_FILES / "statutory-2023-11-prerelease__empty-trimmed.xlsm"
VECTORS = SHARED / "spec" / "test-vectors"
D2_NAME = "D-2 Off-Site Habitat Creation"

Edit = Callable[[bytes], bytes]


def edit_workbook(
    src: Path, dst: Path, sheets: Mapping[str, Edit] | None = None, parts: Mapping[str, Edit] | None = None
) -> Path:
    """A copy of a workbook with some sheets (by name) or parts (by zip path) rewritten."""
    by_part = dict(parts or {})
    names = open_package(src).sheets
    for sheet, fn in (sheets or {}).items():
        by_part[names[sheet]] = fn
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in by_part:
                data = by_part[info.filename](data)
            zout.writestr(copy_info(info), data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return dst


def set_value(cell: str, value: float | str) -> Edit:
    """An edit that puts a number or a text into one existing cell (its style kept, any formula gone)."""

    def edit(xml: bytes) -> bytes:
        pattern = re.compile(rb'<c r="' + cell.encode() + rb'"([^>]*?)(/>|>.*?</c>)', re.S)
        m = pattern.search(xml)
        assert m is not None, f"no cell {cell}"
        style = re.search(rb'\ss="[0-9]+"', m.group(1))
        s = style.group(0) if style else b""
        if isinstance(value, str):
            body = b' t="inlineStr"><is><t>' + value.encode() + b"</t></is></c>"
        else:
            body = b"><v>" + repr(float(value)).encode() + b"</v></c>"
        return xml[: m.start()] + b'<c r="' + cell.encode() + b'"' + s + body + xml[m.end() :]

    return edit


def cached_value(cell: str) -> Edit:
    """An edit that changes only the cached value of a formula cell (a stale or hand-edited cache)."""

    def edit(xml: bytes) -> bytes:
        pattern = re.compile(rb'(<c r="' + cell.encode() + rb'"[^>]*>.*?<v>)([^<]*)(</v>)', re.S)
        m = pattern.search(xml)
        assert m is not None, f"no cached value in {cell}"
        new = repr(float(m.group(2)) * 1.5 + 1.0).encode()
        return xml[: m.start(2)] + new + xml[m.end(2) :]

    return edit


def normalised(site: Site) -> dict[str, Any]:
    """A Site as comparable data: refs kept, enhancement rows in baseline order, tree counts dropped."""

    def row(r: object) -> dict[str, Any]:
        d: dict[str, Any] = dataclasses.asdict(r)  # type: ignore[call-overload]
        d.pop("trees", None)
        return d

    out: dict[str, Any] = {
        "project": {
            "name": site.project.name,
            "lpa": site.project.lpa,
            "planning_reference": site.project.planning_reference,
            "target_percent": site.project.target_percent,
        }
    }
    for location in ("on_site", "off_site"):
        for module in ("area", "hedgerow", "watercourse"):
            rows = getattr(getattr(site, location), module)
            order = {b.ref: i for i, b in enumerate(rows.baseline)}
            out[f"{location}.{module}"] = {
                "baseline": [row(r) for r in rows.baseline],
                "creation": [row(r) for r in rows.creation],
                "enhancement": sorted(
                    (row(r) for r in rows.enhancement), key=lambda d: order.get(d["baseline_ref"], len(order))
                ),
            }
    return out


def same(a: Any, b: Any, tol: float = 0.0) -> bool:
    """Equal data, numbers within ``tol`` relative (LibreOffice saves 15 significant digits)."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= tol * max(abs(a), abs(b), 1e-300) or a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], tol) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, tol) for x, y in zip(a, b, strict=True))
    return bool(a == b)
