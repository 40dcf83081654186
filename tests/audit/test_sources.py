"""Finding what to audit: workbooks, map pairs, zips, and what is left aside."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bng.audit.errors import SourceError
from bng.audit.sources import find_items, pair_maps


def test_maps_pair_by_name_in_both_of_the_standards_spellings() -> None:
    names = [
        "a/X-post-intervention.gpkg",
        "a/X-baseline.gpkg",
        "a/Baseline - complete.gpkg",
        "a/Post-intervention - complete.gpkg",
        "a/Post_Intervention - other.gpkg",
        "a/lone.gpkg",
        "b/X-baseline.gpkg",
    ]
    assert pair_maps(names) == [
        ("a/Baseline - complete.gpkg", "a/Post-intervention - complete.gpkg"),
        ("a/Post_Intervention - other.gpkg",),
        ("a/X-baseline.gpkg", "a/X-post-intervention.gpkg"),
        ("a/lone.gpkg",),
        ("b/X-baseline.gpkg",),  # another folder: not a partner
    ]


def test_two_baselines_for_one_post_intervention_map_are_not_guessed_at() -> None:
    names = ["s-baseline.gpkg", "s_baseline.gpkg", "s-post-intervention.gpkg"]
    assert sorted(pair_maps(names)) == [(n,) for n in sorted(names)]


def test_folders_and_zips(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.xlsm").write_bytes(b"x")
    (tmp_path / "~$one.xlsm").write_bytes(b"lock")  # Excel's lock file
    (tmp_path / ".hidden.xlsx").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("n")
    (tmp_path / "m-baseline.gpkg").write_bytes(b"g")
    (tmp_path / "m-post-intervention.gpkg").write_bytes(b"g")
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as z:
        z.writestr("in/two.xlsx", b"y")
        z.writestr("in/p-baseline.gpkg", b"g")
        z.writestr("in/p-post-intervention.gpkg", b"g")
        z.writestr("inner.zip", b"PK")
        z.writestr("__MACOSX/in/._two.xlsx", b"junk")
        z.writestr("readme.md", b"r")
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    found = find_items([tmp_path, tmp_path / "sub"])  # the sub-folder twice: audited once
    kinds = {i.key.replace(str(tmp_path), ""): i.kind for i in found.items}
    assert kinds == {
        "/sub/one.xlsm": "workbook",
        "/m-baseline.gpkg + /m-post-intervention.gpkg": "maps",
        "/bundle.zip!in/two.xlsx": "workbook",
        "/bundle.zip!in/p-baseline.gpkg + in/p-post-intervention.gpkg": "maps",
        "/bundle.zip!inner.zip": "unopened",
        "/broken.zip": "unopened",
    }
    assert found.skipped == 2  # notes.txt, readme.md
    member = next(i for i in found.items if i.key.endswith("two.xlsx"))
    assert member.members == ("in/two.xlsx",) and member.files == (str(tmp_path / "bundle.zip"),)


def test_fingerprint_changes_with_the_file(tmp_path: Path) -> None:
    f = tmp_path / "a.xlsx"
    f.write_bytes(b"one")
    before = find_items([f]).items[0].fingerprint
    f.write_bytes(b"three")
    assert find_items([f]).items[0].fingerprint != before


def test_a_missing_source_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file or folder"):
        find_items([tmp_path / "nowhere"])
