"""The application sets, built once per test session (building one takes seconds: maps, workbook, plans)."""

from __future__ import annotations

import pytest

from bng.submission.samples import SetPaths

from .sets import build_all


@pytest.fixture(scope="session")
def sets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SetPaths]:
    return build_all(tmp_path_factory.mktemp("planning-sets"))
