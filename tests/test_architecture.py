"""The house rules that keep the metric core pure (checked on every test run, beside import-linter)."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import bng.metric

CORE = Path(bng.metric.__file__).parent
# standard-library modules the core may use: data structures and arithmetic, no I/O
ALLOWED_STDLIB = {
    "__future__",
    "collections",
    "csv",
    "dataclasses",
    "datetime",
    "functools",
    "importlib",
    "io",
    "math",
    "types",
    "typing",
}


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(), str(path))
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.level if hasattr(node, "level") else 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((node.module or "", node.level))
    return out


def test_metric_core_imports_only_itself_and_pure_stdlib() -> None:
    bad: list[str] = []
    for path in sorted(CORE.rglob("*.py")):
        for name, level in _imports(path):
            if level > 0:
                continue  # relative: inside bng.metric
            top = name.split(".")[0]
            if name.startswith("bng.metric") or top in ALLOWED_STDLIB:
                continue
            bad.append(f"{path.relative_to(CORE.parent)} imports {name}")
    assert not bad, "the metric core must stay pure:\n" + "\n".join(bad)


def test_metric_core_does_not_open_files() -> None:
    """Reference data is read with importlib.resources; nothing in the core opens paths itself."""
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        text = path.read_text()
        for needle in ("open(", "Path(", "os.environ", "print("):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    assert not offenders, offenders


def test_allowed_stdlib_is_stdlib() -> None:
    assert ALLOWED_STDLIB.issubset(sys.stdlib_module_names)


# -- the planning rules: pure like the metric core (they may use it) ----------------------------------

PLANNING = CORE.parent / "planning"


PLANNING_STDLIB = ALLOWED_STDLIB | {"enum", "decimal", "itertools"}  # decimal: fees to the penny


def test_planning_rules_import_only_the_metric_core_and_pure_stdlib() -> None:
    bad: list[str] = []
    for path in sorted(PLANNING.rglob("*.py")):
        for name, level in _imports(path):
            if level > 0:
                continue  # relative: inside bng.planning
            top = name.split(".")[0]
            if name.startswith(("bng.metric", "bng.planning")) or top in PLANNING_STDLIB:
                continue
            bad.append(f"{path.relative_to(PLANNING.parent)} imports {name}")
    assert not bad, "the planning rules must stay pure:\n" + "\n".join(bad)


def test_planning_rules_do_not_open_files() -> None:
    """The planning tables are package resources read with importlib.resources, as the metric's are."""
    offenders = []
    for path in sorted(PLANNING.rglob("*.py")):
        text = path.read_text()
        for needle in ("open(", "Path(", "os.environ", "print("):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    assert not offenders, offenders


def test_every_planning_table_names_its_source() -> None:
    """Law as data: each table of bng.planning has a source column (and V/T/U markers where it states law)."""
    import csv

    for path in sorted((PLANNING / "data").glob("*.csv")):
        header = next(csv.reader(path.open(encoding="utf-8")))
        assert {"source", "source_url", "why"} & set(header), f"{path.name} has no source column"


# -- package faces (issue 15): outsiders import a package's __init__, never a submodule ---------------------

FACES = ("metric", "gis", "workbook", "documents", "planning", "submission", "audit")
LAZY_FACES = ("gis", "workbook", "submission", "audit")  # heavy libraries: the face imports on first use


def _submodules(package: str) -> set[str]:
    folder = Path(importlib.import_module(f"bng.{package}").__file__ or "").parent
    return {p.stem for p in folder.glob("*.py") if p.stem != "__init__"} | {
        p.parent.name for p in folder.glob("*/__init__.py")
    }


@pytest.mark.parametrize("package", FACES)
def test_every_name_of_a_face_is_there_and_none_is_a_submodule(package: str) -> None:
    """A face's name that is also a submodule's would be read as the module (import-linter, and Python
    itself once the submodule is imported), so the face names it otherwise (``planning_tables``)."""
    face = importlib.import_module(f"bng.{package}")
    for name in face.__all__:
        assert getattr(face, name) is not None, name
        assert not isinstance(getattr(face, name), types.ModuleType), name
    assert not set(face.__all__) & _submodules(package)


@pytest.mark.parametrize("package", LAZY_FACES)
def test_a_lazy_face_imports_nothing_until_asked(package: str) -> None:
    code = (
        f"import json, sys, bng.{package} as face; "
        f"print(json.dumps([sorted(m for m in sys.modules if m.startswith('bng.{package}.')), sorted(face._WHERE)]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    loaded, where = json.loads(out.stdout)
    assert loaded == []
    face = importlib.import_module(f"bng.{package}")
    assert where == sorted(face.__all__)


def test_the_module_names_are_written_once() -> None:
    """bng.metric.labels is the one table of the modules' names and units' words."""
    tables = ('"hedgerow": "Hedgerows"', '"hedgerow": "hedgerow units"', '"hedgerow": "km"')
    known: set[str] = set()  # none left (register/public/sites.py was the last, issue 15 item 5)
    src = CORE.parent
    found = {
        str(p.relative_to(src.parent))
        for p in src.rglob("*.py")
        if any(t in p.read_text() for t in tables) and p.name != "labels.py"
    }
    assert found == known
