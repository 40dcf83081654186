"""The doors habitats come through besides the JSON site file: the metric workbook and a GeoPackage pair.

A GeoPackage pair (DEFRA's digital metric: a baseline map and a post-intervention map) describes
the gain site's land; rows it marks off-site are taken as they are, and a pair with only on-site
rows is taken as a map of the gain site itself (the landowner's own land). Its parcels keep their
geometry, so the register can check that each lies inside the gain site's boundary.

Both readers belong to other packages (``bng.workbook``, ``bng.gis``); this module turns their
output into the register's :class:`~bng.register.applications.habitats.Habitats` and their errors into
problems that name the uploaded file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bng.metric import Site
from bng.register.core.errors import Invalid, Problem
from bng.register.core.filetypes import EXTENSIONS, FileType
from bng.register.core.geometries import ref_of

from .habitats import MODULES, SECTION, STAGES, Habitats, from_site

OFF_SITE_PROVIDER = "This metric is being used by an off-site provider"

FIELD = "metric_file"


def habitats_from_workbook(data: bytes, file_type: FileType, only: str = "") -> Habitats:
    """Habitats from the off-site sheets of a statutory metric workbook (.xlsx or .xlsm)."""
    return from_site(site_from_workbook(data, file_type), FIELD, only=only)


def site_from_workbook(data: bytes, file_type: FileType, field: str = FIELD, section: str = SECTION) -> Site:
    """The engine's Site from a statutory metric workbook; its problems name the uploaded file's field."""
    from bng.workbook import WorkbookError, read_workbook

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
MAX_MAP_PROBLEMS = 50
MAP_NAMES = ("baseline.gpkg", "post-intervention.gpkg")


def habitats_from_maps(
    baseline: bytes,
    post: bytes,
    only: str = "",
    names: tuple[str, str] = MAP_NAMES,
    keep: Callable[[Any], dict[str, Any]] | None = None,
) -> Habitats:
    """Habitats from a baseline and a post-intervention GeoPackage of DEFRA's digital metric.

    ``names`` are the files' names as the person knows them: every problem names the file it is in by
    that name. ``keep`` keeps each parcel's outline apart and says what the parcel holds of it (its
    digest and size).
    """
    from dataclasses import replace

    from bng.gis import MapError, load_maps

    label = only.strip() or "gain site"
    with tempfile.TemporaryDirectory(prefix="bng-maps-") as tmp:
        # each in a folder of its own, under its own name (two files may share one)
        paths = [Path(tmp) / str(i) / (Path(n).name or MAP_NAMES[i]) for i, n in enumerate(names)]
        for path, data in zip(paths, (baseline, post), strict=True):
            path.parent.mkdir()
            path.write_bytes(data)

        def theirs(text: str) -> str:
            return text.replace(f"{tmp}/0/", "").replace(f"{tmp}/1/", "").replace(f"{tmp}/", "")

        try:
            loaded = load_maps(paths, gain_site=label)
        except MapError as err:
            raise Invalid("The habitat maps cannot be read", _swapped(paths) or _map_error(theirs(str(err)))) from None
        errors = [f for f in loaded.findings if f.level == "error"]
        if errors:
            shown = _swapped(paths) or [
                Problem(MAP_FIELD, f"The habitat maps: {theirs(str(f))}", SECTION) for f in errors
            ]
            raise Invalid("The habitat maps break the GeoPackage standard", _at_most(shown))
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


def _map_error(text: str) -> list[Problem]:
    """A map that cannot be read, as problems: one for each fault, each carrying the first line.

    The error's first line says which file and why, each line after it one fault (the missing columns,
    …); each problem carries the first line, so none reads as cut off.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return [Problem(MAP_FIELD, "The habitat maps cannot be read", SECTION)]
    head, rest = lines[0], lines[1:]
    if not rest:
        return [Problem(MAP_FIELD, head, SECTION)]
    return _at_most([Problem(MAP_FIELD, f"{head} {line}", SECTION) for line in rest])


def _at_most(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_MAP_PROBLEMS:
        return problems
    more = len(problems) - MAX_MAP_PROBLEMS
    note = f"… and {more:,} more problems in the habitat maps: `bng gis validate` on the files lists every one"
    return [*problems[:MAX_MAP_PROBLEMS], Problem(MAP_FIELD, note, SECTION)]


def _swapped(paths: list[Path]) -> list[Problem]:
    """The baseline and the post-intervention map given the other way round, said so.

    A post-intervention map fills the "Proposed …" columns, the habitat after the works; a baseline map
    leaves them blank. Saying so beats every error that follows from reading each as the other.
    """
    from bng.gis import MapFileError, read_map
    from bng.gis import cell_text as text

    def post(path: Path) -> bool | None:
        try:
            source = read_map(path)
        except MapFileError:
            return None
        return any(
            text(v)
            for layer in source.layers.values()
            for column in layer.values
            if column.startswith("Proposed")
            for v in layer.column(column)
        )

    if post(paths[0]) is True and post(paths[1]) is False:
        return [
            Problem(
                MAP_FIELD,
                f"The baseline map you uploaded, {paths[0].name}, is a post-intervention map (its rows give the "
                f"habitat after the works), and the post-intervention map, {paths[1].name}, is a baseline "
                "map: upload each in the other's place",
                SECTION,
            )
        ]
    return []


def _as_gain_site(site: Site, label: str) -> Site:
    """A map of the gain site's own land: its rows become the gain site's (off-site) rows."""
    from dataclasses import replace

    from bng.metric import GainSite, Location

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
