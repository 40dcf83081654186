"""Hedgerow rows of the site file: baseline, creation and enhancement, read and checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import xl
from ..model import HedgerowBaseline, HedgerowCreation, HedgerowEnhancement, HedgerowRows
from .fields import RowReader


def hedgerow_rows(
    reader: RowReader, data: Mapping[str, Any], path: str, gain_site: str | None, srm: str | None
) -> HedgerowRows:
    """The hedgerow rows of one location (``path`` is ``on_site.hedgerow`` or ``off_site[i].hedgerow``)."""
    baseline_refs: dict[str, float | None] = {}
    baseline = _baseline(reader, data, path + ".baseline", gain_site, srm, baseline_refs)
    creation = _creation(reader, data, path + ".creation", gain_site, srm)
    enhancement = _enhancement(reader, data, path + ".enhancement", gain_site, baseline_refs)
    return HedgerowRows(baseline, creation, enhancement)


def _baseline(
    reader: RowReader,
    data: Mapping[str, Any],
    path: str,
    gain_site: str | None,
    srm: str | None,
    baseline_refs: dict[str, float | None],
) -> tuple[HedgerowBaseline, ...]:
    """B-1 / E-1 rows; the ref and enhanced length of each go into ``baseline_refs``."""
    types = reader.rel.hedgerow_types
    out: list[HedgerowBaseline] = []
    seen: set[str] = set()
    for i, row in enumerate(reader.rows(data, "baseline", path)):
        ref = reader.ref(row, path, i, seen)
        name = reader.linear_type(row, path, ref, types, "hedgerow")
        length = reader.number(row, "length_km", path, ref, required=True)
        retained = reader.number(row, "retained_km", path, ref, required=False)
        enhanced = reader.number(row, "enhanced_km", path, ref, required=False)
        if length is not None and xl.gt(xl.add(retained or 0.0, enhanced or 0.0), length):
            reader.issue(
                path,
                ref,
                "retained_km",
                f"retained ({retained}) plus enhanced ({enhanced}) is more than the hedgerow's length ({length} km)",
                "RETAINED_ENHANCED_EXCEED",
            )
        if name is None:
            continue
        condition = reader.condition(row, path, ref, types[name].allowed_conditions(), repr(name))
        baseline_refs[ref] = enhanced
        significance = reader.strategic_significance(row, path, ref)
        out.append(HedgerowBaseline(ref, name, length, condition, significance, retained, enhanced, gain_site, srm))
    return tuple(out)


def _creation(
    reader: RowReader, data: Mapping[str, Any], path: str, gain_site: str | None, srm: str | None
) -> tuple[HedgerowCreation, ...]:
    """B-2 / E-2 rows."""
    types = reader.rel.hedgerow_types
    out: list[HedgerowCreation] = []
    seen: set[str] = set()
    for i, row in enumerate(reader.rows(data, "creation", path)):
        ref = reader.ref(row, path, i, seen)
        name = reader.linear_type(row, path, ref, types, "hedgerow")
        length = reader.number(row, "length_km", path, ref, required=True)
        advance, delay = reader.advance_delay(row, path, ref)
        if name is None:
            continue
        condition = reader.condition(row, path, ref, types[name].allowed_conditions(), repr(name))
        significance = reader.strategic_significance(row, path, ref)
        out.append(HedgerowCreation(ref, name, length, condition, significance, advance, delay, gain_site, srm))
    return tuple(out)


def _enhancement(
    reader: RowReader,
    data: Mapping[str, Any],
    path: str,
    gain_site: str | None,
    baseline_refs: dict[str, float | None],
) -> tuple[HedgerowEnhancement, ...]:
    """B-3 / E-3 rows, each naming the baseline row it enhances."""
    types = reader.rel.hedgerow_types
    out: list[HedgerowEnhancement] = []
    seen: set[str] = set()
    for i, row in enumerate(reader.rows(data, "enhancement", path)):
        ref = reader.ref(row, path, i, seen)
        baseline_ref = reader.baseline_ref(row, path, ref, baseline_refs)
        name = reader.linear_type(row, path, ref, types, "hedgerow")
        advance, delay = reader.advance_delay(row, path, ref)
        if name is None or baseline_ref is None:
            continue
        condition = reader.condition(row, path, ref, types[name].allowed_conditions(), repr(name))
        significance = reader.strategic_significance(row, path, ref)
        out.append(HedgerowEnhancement(ref, baseline_ref, name, condition, significance, advance, delay, gain_site))
    return tuple(out)
