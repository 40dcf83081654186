"""The application sets of the five real sites of ``shared/spec/geopackages/bng-500`` (built by
``bng.submission.samples.all_sets``: one complete, one with each defect)."""

from __future__ import annotations

import shutil
from pathlib import Path

from bng.submission.samples import MISSING_ALLOCATION, SetPaths, all_sets

from ..conftest import SHARED

BNG_500 = SHARED / "spec" / "geopackages" / "bng-500"
__all__ = ["BNG_500", "MISSING_ALLOCATION", "build_all", "copy_set"]


def build_all(root: Path) -> dict[str, SetPaths]:
    return all_sets(BNG_500, root)


def copy_set(paths: SetPaths, target: Path) -> Path:
    shutil.copytree(paths.folder, target)
    return target
