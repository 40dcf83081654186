"""Area habitat rows of the site file: baseline, creation and enhancement, read and checked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import xl
from ..model import AreaBaseline, AreaCreation, AreaEnhancement, AreaRows
from ..reference import AreaHabitat
from .fields import BESPOKE, RowReader


def area_rows(
    reader: RowReader, data: Mapping[str, Any], path: str, gain_site: str | None, srm: str | None
) -> AreaRows:
    """The area habitat rows of one location (``path`` is ``on_site.area`` or ``off_site[i].area``)."""
    baseline_refs: dict[str, float | None] = {}
    baseline = _baseline(reader, data, path + ".baseline", gain_site, srm, baseline_refs)
    creation = _creation(reader, data, path + ".creation", gain_site, srm)
    enhancement = _enhancement(reader, data, path + ".enhancement", gain_site, baseline_refs)
    return AreaRows(baseline, creation, enhancement)


def _habitat(reader: RowReader, row: Mapping[str, Any], path: str, ref: str) -> AreaHabitat | None:
    """The habitat a row names by its label ("Broad habitat - Habitat type", case ignored)."""
    value = row.get("habitat")
    habitat = reader.rel.area_habitat(str(value)) if value else None
    if habitat is None:
        reader.issue(
            path,
            ref,
            "habitat",
            f"unknown area habitat {value!r}; expected a label 'Broad habitat - Habitat type' of the "
            f"metric ({reader.rel.id}), e.g. 'Grassland - Modified grassland'",
            "UNKNOWN_HABITAT",
        )
    return habitat


def _size(
    reader: RowReader, row: Mapping[str, Any], path: str, ref: str
) -> tuple[float | None, tuple[tuple[str, int], ...] | None]:
    """The area in hectares, or individual trees counted by size (their root protection areas)."""
    trees = row.get("trees")
    if trees is None or row.get("area_ha") is not None:
        return reader.number(row, "area_ha", path, ref, required=True), None
    if not isinstance(trees, Mapping) or not trees:
        reader.issue(path, ref, "trees", 'expected counts by size, e.g. {"small": 3, "medium": 1}', "BAD_TREES")
        return None, None
    sizes = {k.lower(): (k, v) for k, v in reader.rel.tree_areas_ha.items()}
    total = 0.0
    counts: list[tuple[str, int]] = []
    for size, count in trees.items():
        known = sizes.get(str(size).lower().replace("_", " "))
        if known is None or isinstance(count, bool) or not isinstance(count, int) or count < 0:
            reader.issue(
                path,
                ref,
                "trees",
                f"bad tree count {size!r}: {count!r}; sizes are "
                f"{', '.join(reader.rel.tree_areas_ha)} with whole counts",
                "BAD_TREES",
            )
            continue
        total += count * known[1]
        counts.append((known[0], count))
    return total, tuple(counts)


def _baseline(
    reader: RowReader,
    data: Mapping[str, Any],
    path: str,
    gain_site: str | None,
    srm: str | None,
    baseline_refs: dict[str, float | None],
) -> tuple[AreaBaseline, ...]:
    """A-1 / D-1 rows; the ref and enhanced area of each go into ``baseline_refs`` for the enhancement rows."""
    out: list[AreaBaseline] = []
    seen: set[str] = set()
    for i, row in enumerate(reader.rows(data, "baseline", path)):
        ref = reader.ref(row, path, i, seen)
        habitat = _habitat(reader, row, path, ref)
        size, trees = _size(reader, row, path, ref)
        retained, enhanced = _retained_enhanced(reader, row, path, ref, size)
        irreplaceable = _irreplaceable(reader, row, path, ref)
        if habitat is None:
            continue
        label = habitat.label
        condition = reader.condition(row, path, ref, habitat.allowed_conditions(), repr(label))
        _check_irreplaceable(reader, path, ref, habitat, irreplaceable)
        baseline_refs[ref] = enhanced
        out.append(
            AreaBaseline(
                ref=ref,
                habitat=label,
                area_ha=size,
                condition=condition,
                strategic_significance=reader.strategic_significance(row, path, ref),
                irreplaceable=irreplaceable,
                retained_ha=retained,
                enhanced_ha=enhanced,
                bespoke_compensation=reader.choice(row, "bespoke_compensation", path, ref, BESPOKE, "No"),
                gain_site=gain_site,
                spatial_risk=srm,
                trees=trees,
            )
        )
    return tuple(out)


def _retained_enhanced(
    reader: RowReader, row: Mapping[str, Any], path: str, ref: str, size: float | None
) -> tuple[float | None, float | None]:
    """The hectares retained and enhanced, which together may not exceed the parcel's area."""
    retained = reader.number(row, "retained_ha", path, ref, required=False)
    enhanced = reader.number(row, "enhanced_ha", path, ref, required=False)
    if size is not None and xl.gt(xl.add(retained or 0.0, enhanced or 0.0), size):
        reader.issue(
            path,
            ref,
            "retained_ha",
            f"retained ({retained}) plus enhanced ({enhanced}) is more than the parcel's area ({size} ha)",
            "RETAINED_ENHANCED_EXCEED",
        )
    return retained, enhanced


def _irreplaceable(reader: RowReader, row: Mapping[str, Any], path: str, ref: str) -> bool | None:
    """Whether the parcel is irreplaceable habitat: true, false, or null (not confirmed, A-1!G11 blank)."""
    irreplaceable = row.get("irreplaceable", False)
    if irreplaceable is not None and not isinstance(irreplaceable, bool):
        reader.issue(path, ref, "irreplaceable", f"expected true or false, got {irreplaceable!r}", "NOT_A_BOOLEAN")
        return False
    return irreplaceable


def _check_irreplaceable(
    reader: RowReader, path: str, ref: str, habitat: AreaHabitat, irreplaceable: bool | None
) -> None:
    """An irreplaceability the habitat cannot have is an issue (the workbook shows it in A-1!I11)."""
    label = habitat.label
    if habitat.irreplaceable == "Yes" and irreplaceable is False:
        reader.issue(
            path, ref, "irreplaceable", f"{label!r} is always an irreplaceable habitat", "MUST_BE_IRREPLACEABLE"
        )
    if habitat.irreplaceable == "No" and irreplaceable is True:
        reader.issue(
            path, ref, "irreplaceable", f"{label!r} cannot be an irreplaceable habitat", "CANNOT_BE_IRREPLACEABLE"
        )


def _creation(
    reader: RowReader, data: Mapping[str, Any], path: str, gain_site: str | None, srm: str | None
) -> tuple[AreaCreation, ...]:
    """A-2 / D-2 rows."""
    out: list[AreaCreation] = []
    seen: set[str] = set()
    for i, row in enumerate(reader.rows(data, "creation", path)):
        ref = reader.ref(row, path, i, seen)
        habitat = _habitat(reader, row, path, ref)
        size, trees = _size(reader, row, path, ref)
        advance, delay = reader.advance_delay(row, path, ref)
        if habitat is None:
            continue
        label = habitat.label
        condition = reader.condition(row, path, ref, habitat.allowed_conditions(), repr(label))
        out.append(
            AreaCreation(
                ref=ref,
                habitat=label,
                area_ha=size,
                condition=condition,
                strategic_significance=reader.strategic_significance(row, path, ref),
                advance_years=advance,
                delay_years=delay,
                gain_site=gain_site,
                spatial_risk=srm,
                trees=trees,
            )
        )
    return tuple(out)


def _enhancement(
    reader: RowReader,
    data: Mapping[str, Any],
    path: str,
    gain_site: str | None,
    baseline_refs: dict[str, float | None],
) -> tuple[AreaEnhancement, ...]:
    """A-3 / D-3 rows, each naming the baseline row it enhances."""
    out: list[AreaEnhancement] = []
    seen: set[str] = set()
    for i, row in enumerate(reader.rows(data, "enhancement", path)):
        ref = reader.ref(row, path, i, seen)
        baseline_ref = reader.baseline_ref(row, path, ref, baseline_refs)
        habitat = _habitat(reader, row, path, ref)
        advance, delay = reader.advance_delay(row, path, ref)
        if habitat is None or baseline_ref is None:
            continue
        label = habitat.label
        condition = reader.condition(row, path, ref, habitat.allowed_conditions(), repr(label))
        out.append(
            AreaEnhancement(
                ref=ref,
                baseline_ref=baseline_ref,
                habitat=label,
                condition=condition,
                strategic_significance=reader.strategic_significance(row, path, ref),
                advance_years=advance,
                delay_years=delay,
                gain_site=gain_site,
            )
        )
    return tuple(out)
