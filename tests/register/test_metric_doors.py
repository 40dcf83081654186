"""Habitats from real statutory metric workbooks (bng.workbook's reader), unit for unit as the workbook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shapely

from bng.register.applications.metric_doors import habitats_from_workbook
from bng.register.core.errors import Invalid
from bng.register.core.filetypes import FileType, sniff
from bng.register.core.geometries import ref_of
from bng.workbook.reader import read_workbook
from tests.register.files import enhanced_maps, retained_maps

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)

COMPLETED = "spec/metric-files/statutory-2024-02__completed-offsite.xlsm"
SHEETS = {"D": "area", "E": "hedgerow", "F": "watercourse"}
STAGES = {"1": "baseline", "2": "creation", "3": "enhancement"}


def test_a_metric_naming_two_gain_sites_asks_which(shared: Path) -> None:
    data = (shared / COMPLETED).read_bytes()
    assert sniff(data) == FileType.XLSM
    with pytest.raises(Invalid) as err:
        habitats_from_workbook(data, FileType.XLSM)
    [problem] = err.value.problems
    assert problem.field == "gain_site_label" and "2 gain sites (1, 1234)" in problem.message
    with pytest.raises(Invalid, match="names no gain site"):
        habitats_from_workbook(data, FileType.XLSM, "99")


def test_each_parcel_has_the_units_the_workbook_shows(shared: Path) -> None:
    path = shared / COMPLETED
    habitats = habitats_from_workbook(path.read_bytes(), FileType.XLSM, "1")
    assert habitats.baseline_area_ha() == pytest.approx(31.75)
    workbook = read_workbook(path)
    try:
        cached = {}
        for source in workbook.sources:
            sheet = source.sheet.split(" ")[0]  # "D-2": the off-site area habitat creation sheet
            if sheet[0] in SHEETS and isinstance(source.cached.get("units"), float):
                cached[(SHEETS[sheet[0]], STAGES[sheet[-1]], source.ref)] = source.cached["units"]
    finally:
        workbook.book.close()
    compared = 0
    for parcel in habitats.parcels:
        expected = cached.get((parcel.module, parcel.stage, parcel.ref))
        if expected is not None:
            assert parcel.units == pytest.approx(expected, rel=1e-9, abs=1e-9), parcel
            compared += 1
    assert compared >= 20


def test_a_pre_statutory_metric_is_refused_saying_why(shared: Path) -> None:
    data = (shared / "spec/metric-files/metric-3.1__case-study.xlsm").read_bytes()
    with pytest.raises(Invalid) as err:
        habitats_from_workbook(data, FileType.XLSM)
    assert "Metric 3.0/3.1" in err.value.problems[0].message and err.value.problems[0].field == "metric_file"


VALID = "spec/geopackages/valid"


def _maps(shared: Path) -> tuple[bytes, bytes]:
    base = (shared / VALID / "Baseline - complete with area refs.gpkg").read_bytes()
    post = (shared / VALID / "Post-intervention - complete.gpkg").read_bytes()
    return base, post


def test_habitats_from_a_geopackage_pair_keep_their_geometry(shared: Path) -> None:
    from bng.register.applications.metric_doors import habitats_from_maps

    kept: list[shapely.Geometry] = []
    habitats = habitats_from_maps(*_maps(shared), keep=lambda g: kept.append(g) or ref_of(g).to_dict())
    assert habitats.parcels and all(p.geometry_sha256 and p.geometry_bytes > 0 for p in habitats.parcels)
    assert {p.geometry_sha256 for p in habitats.parcels} == {ref_of(g).sha256 for g in kept}
    assert "wkt" not in json.dumps(habitats.to_dict())  # the answers hold digests, not coordinates
    assert {p.stage for p in habitats.parcels} >= {"baseline", "creation"}
    assert habitats.totals["area"]["post_intervention_units"] > 0


def test_a_broken_map_is_refused_with_the_standards_words(shared: Path) -> None:
    from bng.register.applications.metric_doors import habitats_from_maps

    base, _ = _maps(shared)
    bowtie = (shared / "spec/geopackages/spatial-problems").glob("*bow*")
    broken = next(iter(sorted(bowtie))).read_bytes()
    with pytest.raises(Invalid) as err:
        habitats_from_maps(base, broken)
    assert all(p.field == "habitat_baseline_map" for p in err.value.problems)
    assert any("[" in p.message for p in err.value.problems)  # each names the standard's rule code


def test_a_registration_with_habitat_maps_checks_parcels_against_the_boundary(shared: Path, register: Any) -> None:
    from bng.register.core.uploads import Upload

    world, s = register.world, register.services
    owner, ref = world.actors["landowner"], world.applications["draft"]
    base, post = enhanced_maps(shared)  # a gain site's maps: DEFRA's "complete" pair is a development's (a net loss)
    s.applications.save_section(
        owner,
        ref,
        "boundary",
        {"method": "map", "site_name": "Mapped"},
        {"boundary_file": Upload("boundary_file", "red-line.gpkg", base)},
    )
    s.applications.save_section(
        owner,
        ref,
        "habitats",
        {},
        {
            "habitat_baseline_map": Upload("habitat_baseline_map", "baseline.gpkg", base),
            "habitat_post_map": Upload("habitat_post_map", "post.gpkg", post),
        },
    )
    problems = s.applications.cross_checks(s.applications.view(owner, ref).application.answers)
    assert problems == []
    # the same maps against a boundary somewhere else: every parcel is outside it
    from bng.register import samples

    s.applications.save_section(
        owner,
        ref,
        "boundary",
        {"method": "map", "site_name": "Elsewhere"},
        {
            "boundary_file": Upload(
                "boundary_file", "b.json", samples.boundary_geojson(samples.square(545_000, 258_000, 1))
            )
        },
    )
    problems = s.applications.cross_checks(s.applications.view(owner, ref).application.answers)
    assert any("outside the gain site's boundary" in p.message for p in problems)


# -- issue 10: wrong data let in (item 11) and map errors (item 16) ------------------------------------


def _save_maps(register: Any, base: bytes, post: bytes, names: tuple[str, str] = ("b.gpkg", "p.gpkg")) -> Any:
    from bng.register.core.uploads import Upload

    world, s = register.world, register.services
    return s.applications.save_section(
        world.actors["landowner"],
        world.applications["draft"],
        "habitats",
        {},
        {
            "habitat_baseline_map": Upload("habitat_baseline_map", names[0], base),
            "habitat_post_map": Upload("habitat_post_map", names[1], post),
        },
    )


def test_a_gain_site_with_no_created_or_enhanced_habitat_is_refused(shared: Path, register: Any) -> None:
    """Item 11: DEFRA's valid "retained" pair (every habitat kept as it is) "passed every check"."""
    with pytest.raises(Invalid) as err:
        _save_maps(register, *retained_maps(shared))
    [problem] = err.value.problems
    assert problem.field == "habitat_baseline_map" and "no created or enhanced habitat" in problem.message
    assert "must deliver an uplift" in problem.message
    view = _save_maps(register, *enhanced_maps(shared))  # the same land with one parcel enhanced: a gain site
    assert view.application.answers["habitats"]["completed"]


def test_a_metric_with_no_net_gain_is_refused(shared: Path, register: Any) -> None:
    """DEFRA's "complete" pair is a development's: it loses units in every module, so it is no gain site."""
    with pytest.raises(Invalid) as err:
        _save_maps(register, *_maps(shared))
    assert ["no net gain in any module" in p.message for p in err.value.problems] == [True]


def test_a_gain_site_saved_before_the_uplift_rule_fails_at_submission(shared: Path, register: Any) -> None:
    from bng.register.applications.checks import run_checks
    from bng.register.applications.metric_doors import habitats_from_maps
    from bng.register.core.places import places

    world, s = register.world, register.services
    answers = dict(s.applications.view(world.actors["landowner"], world.applications["ready"]).application.answers)
    with register.database() as uow:
        # as a save before the rule kept it: the parcels' outlines stored apart, as every save stores them
        retained = habitats_from_maps(*retained_maps(shared), keep=lambda g: uow.geometries.keep(g).to_dict())
        answers["habitats"] = answers["habitats"] | {"habitats": retained.to_dict()}
        result = run_checks(uow, answers, places(), register.clock().date(), None)
    assert any("no created or enhanced habitat" in p.message for p in result.errors)


def test_a_schema_error_names_the_users_file_and_every_missing_column(shared: Path) -> None:
    """Item 16: the message stopped at "nothing can be read from it:" and named the file baseline.gpkg."""
    from bng.register.applications.metric_doors import habitats_from_maps

    broken = shared / "spec/geopackages/invalid-schema/Baseline - missing columns in Habitats.gpkg"
    _, post = _maps(shared)
    with pytest.raises(Invalid) as err:
        habitats_from_maps(broken.read_bytes(), post, names=(broken.name, "Post-intervention - complete.gpkg"))
    messages = [p.message for p in err.value.problems]
    assert len(messages) >= 2  # one problem for each missing column, each whole
    for message in messages:
        assert message.startswith("Baseline - missing columns in Habitats.gpkg: the map does not follow the standard")
        assert "is missing" in message and "baseline.gpkg" not in message
    for column in ("'Baseline Condition'", "'Baseline Distinctiveness'"):
        assert any(column in m for m in messages)


def test_every_map_problem_names_the_users_file(shared: Path) -> None:
    from bng.register.applications.metric_doors import habitats_from_maps

    problems = shared / "spec/geopackages/attribute-problems"
    base = problems / "Baseline - duplicate habitat ref.gpkg"
    post = problems / "Post-intervention - missing proposed habitat data.gpkg"
    with pytest.raises(Invalid) as err:
        habitats_from_maps(base.read_bytes(), post.read_bytes(), names=(base.name, post.name))
    messages = [p.message for p in err.value.problems]
    assert any(base.name in m for m in messages) and any(post.name in m for m in messages)
    assert not any("baseline.gpkg" in m or "post-intervention.gpkg" in m for m in messages)


def test_swapped_maps_are_recognised(shared: Path, register: Any) -> None:
    """Item 16: the post-intervention map given as the baseline, and the baseline as the post-intervention
    map, gave five errors about blank proposed habitats; now one message says what happened."""
    base, post = enhanced_maps(shared)
    with pytest.raises(Invalid) as err:
        _save_maps(register, post, base, ("after the works.gpkg", "before.gpkg"))
    [problem] = err.value.problems
    assert "The baseline map you uploaded, after the works.gpkg, is a post-intervention map" in problem.message
    assert "before.gpkg, is a baseline map: upload each in the other's place" in problem.message
