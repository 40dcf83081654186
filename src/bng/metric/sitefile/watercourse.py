"""Watercourse rows of the site file: baseline, creation and enhancement, read and checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import xl
from ..model import WatercourseBaseline, WatercourseCreation, WatercourseEnhancement, WatercourseRows
from .fields import BESPOKE, RowReader


def watercourse_rows(
    reader: RowReader, data: Mapping[str, Any], path: str, gain_site: str | None, srm: str | None
) -> WatercourseRows:
    """The watercourse rows of one location (``srm`` is the gain site's catchment category)."""
    baseline_refs: dict[str, float | None] = {}
    baseline = _baseline(reader, data, path + ".baseline", gain_site, srm, baseline_refs)
    creation = _creation(reader, data, path + ".creation", gain_site, srm)
    enhancement = _enhancement(reader, data, path + ".enhancement", gain_site, baseline_refs)
    return WatercourseRows(baseline, creation, enhancement)


def _encroachments(
    reader: RowReader, row: Mapping[str, Any], path: str, ref: str, watercourse_type: str
) -> tuple[str, str]:
    """The watercourse and riparian encroachment; a culvert takes "N/A - Culvert", and only a culvert does."""
    rules = reader.rel.rules
    encroachment = reader.choice(
        row, "encroachment", path, ref, tuple(reader.rel.watercourse_encroachment), "No Encroachment"
    )
    riparian = reader.choice(
        row,
        "riparian_encroachment",
        path,
        ref,
        tuple(reader.rel.riparian_encroachment),
        "No Encroachment/ No Encroachment",
    )
    culvert = watercourse_type.lower() == rules.culvert_type.lower()
    na = rules.culvert_encroachment
    for field, value in (("encroachment", encroachment), ("riparian_encroachment", riparian)):
        if culvert and value != na:
            reader.issue(path, ref, field, f"a culvert takes {na!r}", "CULVERT_ENCROACHMENT")
        if not culvert and value == na:
            reader.issue(path, ref, field, f"{na!r} is only for culverts", "CULVERT_ENCROACHMENT")
    return encroachment, riparian


def _check_lengths(
    reader: RowReader, path: str, ref: str, length: float | None, retained: float | None, enhanced: float | None
) -> None:
    """Retained longer than the watercourse, or retained and enhanced together longer (C-1!R10's split check)."""
    if length is None:
        return
    if xl.gt(retained or 0.0, length):
        reader.issue(
            path,
            ref,
            "retained_km",
            f"retained ({retained}) is longer than the watercourse ({length} km)",
            "RETAINED_ENHANCED_EXCEED",
        )
    if xl.gt(retained, 0.0) and xl.gt(enhanced, 0.0) and xl.gt(xl.add(retained or 0.0, enhanced or 0.0), length):
        reader.issue(
            path,
            ref,
            "enhanced_km",
            "retained plus enhanced is longer than the watercourse: split retained and enhanced into separate entries",
            "RETAINED_ENHANCED_EXCEED",
        )


def _baseline(
    reader: RowReader,
    data: Mapping[str, Any],
    path: str,
    gain_site: str | None,
    srm: str | None,
    baseline_refs: dict[str, float | None],
) -> tuple[WatercourseBaseline, ...]:
    """C-1 / F-1 rows; the ref and enhanced length of each go into ``baseline_refs``."""
    types = reader.rel.watercourse_types
    out: list[WatercourseBaseline] = []
    seen: set[str] = set()
    for i, row in enumerate(reader.rows(data, "baseline", path)):
        ref = reader.ref(row, path, i, seen)
        name = reader.linear_type(row, path, ref, types, "watercourse")
        length = reader.number(row, "length_km", path, ref, required=True)
        retained = reader.number(row, "retained_km", path, ref, required=False)
        enhanced = reader.number(row, "enhanced_km", path, ref, required=False)
        if name is None:
            continue
        condition = reader.condition(row, path, ref, types[name].allowed_conditions(), repr(name))
        encroachment, riparian = _encroachments(reader, row, path, ref, name)
        _check_lengths(reader, path, ref, length, retained, enhanced)
        baseline_refs[ref] = enhanced
        significance = reader.strategic_significance(row, path, ref)
        out.append(
            WatercourseBaseline(
                ref,
                name,
                length,
                condition,
                significance,
                encroachment,
                riparian,
                retained,
                enhanced,
                reader.choice(row, "bespoke_compensation", path, ref, BESPOKE, "No"),
                gain_site,
                srm,
            )
        )
    return tuple(out)


def _creation(
    reader: RowReader, data: Mapping[str, Any], path: str, gain_site: str | None, srm: str | None
) -> tuple[WatercourseCreation, ...]:
    """C-2 / F-2 rows."""
    types = reader.rel.watercourse_types
    out: list[WatercourseCreation] = []
    seen: set[str] = set()
    for i, row in enumerate(reader.rows(data, "creation", path)):
        ref = reader.ref(row, path, i, seen)
        name = reader.linear_type(row, path, ref, types, "watercourse")
        length = reader.number(row, "length_km", path, ref, required=True)
        advance, delay = reader.advance_delay(row, path, ref)
        if name is None:
            continue
        condition = reader.condition(row, path, ref, types[name].allowed_conditions(), repr(name))
        encroachment, riparian = _encroachments(reader, row, path, ref, name)
        significance = reader.strategic_significance(row, path, ref)
        out.append(
            WatercourseCreation(
                ref, name, length, condition, significance, advance, delay, encroachment, riparian, gain_site, srm
            )
        )
    return tuple(out)


def _enhancement(
    reader: RowReader,
    data: Mapping[str, Any],
    path: str,
    gain_site: str | None,
    baseline_refs: dict[str, float | None],
) -> tuple[WatercourseEnhancement, ...]:
    """C-3 / F-3 rows, each naming the baseline row it enhances."""
    types = reader.rel.watercourse_types
    out: list[WatercourseEnhancement] = []
    seen: set[str] = set()
    for i, row in enumerate(reader.rows(data, "enhancement", path)):
        ref = reader.ref(row, path, i, seen)
        baseline_ref = reader.baseline_ref(row, path, ref, baseline_refs)
        name = reader.linear_type(row, path, ref, types, "watercourse")
        advance, delay = reader.advance_delay(row, path, ref)
        if name is None or baseline_ref is None:
            continue
        condition = reader.condition(row, path, ref, types[name].allowed_conditions(), repr(name))
        encroachment, riparian = _encroachments(reader, row, path, ref, name)
        significance = reader.strategic_significance(row, path, ref)
        out.append(
            WatercourseEnhancement(
                ref, baseline_ref, name, condition, significance, advance, delay, encroachment, riparian, gain_site
            )
        )
    return tuple(out)
