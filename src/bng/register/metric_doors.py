"""The doors habitats come through besides the JSON site file: the metric workbook and a GeoPackage pair.

A GeoPackage pair (DEFRA's digital metric: a baseline map and a post-intervention map) describes
the gain site's land; rows it marks off-site are taken as they are, and a pair with only on-site
rows is taken as a map of the gain site itself (the landowner's own land). Its parcels keep their
geometry, so the register can check that each lies inside the gain site's boundary.

Both readers belong to other packages (``bng.workbook``, ``bng.gis``); this module turns their
output into the register's :class:`~bng.register.habitats.Habitats` and their errors into
problems that name the uploaded file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bng.metric import Site

from .errors import Invalid, Problem
from .filetypes import EXTENSIONS, FileType
from .geometries import ref_of
from .habitats import MODULES, SECTION, STAGES, Habitats, from_site

OFF_SITE_PROVIDER = "This metric is being used by an off-site provider"

FIELD = "metric_file"


def habitats_from_workbook(data: bytes, file_type: FileType, only: str = "") -> Habitats:
    """Habitats from the off-site sheets of a statutory metric workbook (.xlsx or .xlsm)."""
    return from_site(site_from_workbook(data, file_type), FIELD, only=only)


def site_from_workbook(data: bytes, file_type: FileType, field: str = FIELD, section: str = SECTION) -> Site:
    """The engine's Site from a statutory metric workbook; its problems name the uploaded file's field."""
    from bng.workbook.errors import WorkbookError
    from bng.workbook.reader import read_workbook

    with tempfile.TemporaryDirectory(prefix="bng-metric-") as tmp:
        path = Path(tmp) / f"metric{EXTENSIONS[file_type]}"
        path.write_bytes(data)
        try:
            workbook = read_workbook(path)
        except WorkbookError as err:
            lines = [Problem(field, f"The metric workbook: {err.problem}", section)]
            lines += [Problem(field, f"The metric workbook: {p}", section) for p in err.problems[:20]]
            raise Invalid("The metric workbook cannot be used", lines) from None
        try:
            problems = [
                Problem(field, f"The metric workbook: {issue}", section)
                for issue in workbook.issues
                if str(getattr(issue, "code", "")).upper().startswith("ERR") or "off-site" in issue.sheet.lower()
            ]
            if problems:
                raise Invalid("The metric workbook has problems on its off-site sheets", problems)
            return workbook.site
        finally:
            close = getattr(workbook, "close", None) or getattr(workbook.book, "close", None)
            if close is not None:
                close()


MAP_FIELD = "habitat_baseline_map"
MAX_MAP_PROBLEMS = 20


def habitats_from_maps(
    baseline: bytes, post: bytes, only: str = "", keep: Callable[[Any], dict[str, Any]] | None = None
) -> Habitats:
    """Habitats from a baseline and a post-intervention GeoPackage of DEFRA's digital metric; ``keep``
    keeps each parcel's outline apart and says what the parcel holds of it (its digest and size)."""
    from dataclasses import replace

    from bng.gis.workflow import MapError, load_maps

    label = only.strip() or "gain site"
    with tempfile.TemporaryDirectory(prefix="bng-maps-") as tmp:
        paths = [Path(tmp) / "baseline.gpkg", Path(tmp) / "post-intervention.gpkg"]
        paths[0].write_bytes(baseline)
        paths[1].write_bytes(post)
        try:
            loaded = load_maps(paths, gain_site=label)
        except MapError as err:
            text = str(err).replace(tmp + "/", "")
            raise Invalid(
                "The habitat maps cannot be read",
                [
                    Problem(MAP_FIELD, line.strip(), SECTION)
                    for line in text.splitlines()[:MAX_MAP_PROBLEMS]
                    if line.strip()
                ],
            ) from None
        errors = [f for f in loaded.findings if f.level == "error"]
        if errors:
            shown = [Problem(MAP_FIELD, f"The habitat maps: {str(f).replace(tmp + '/', '')}", SECTION) for f in errors]
            raise Invalid("The habitat maps break the GeoPackage standard", shown[:MAX_MAP_PROBLEMS])
    mapped = loaded.mapped
    site, location = mapped.site, "off_site"
    if site.off_site.row_count() == 0:
        site, location = _as_gain_site(site, label), "on_site"
    geometries = {
        (module, stage, ref): keep(geom.whole) if keep is not None else ref_of(geom.whole).to_dict()
        for (module, loc, stage, ref), geom in mapped.geometry.items()
        if loc == location and geom.whole is not None
    }
    return replace(from_site(site, MAP_FIELD, geometries, only=""), gain_site_label=label if only else "")


def _as_gain_site(site: Site, label: str) -> Site:
    """A map of the gain site's own land: its rows become the gain site's (off-site) rows."""
    from dataclasses import replace

    from bng.metric.model import GainSite, Location

    def mark(rows: tuple[Any, ...]) -> tuple[Any, ...]:
        out = []
        for r in rows:
            changes: dict[str, Any] = {"gain_site": label}
            if hasattr(r, "spatial_risk"):
                changes["spatial_risk"] = OFF_SITE_PROVIDER
            out.append(replace(r, **changes))
        return tuple(out)

    on = site.on_site
    off = Location(
        **{m: replace(getattr(on, m), **{s: mark(getattr(getattr(on, m), s)) for s in STAGES}) for m in MODULES}
    )
    return replace(site, on_site=Location(), off_site=off, gain_sites=(GainSite(label, OFF_SITE_PROVIDER),))
