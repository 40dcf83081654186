"""The CLI starts at once: what each command path imports, checked in a fresh interpreter.

``bng --help`` and ``import bng.cli`` import typer and the standard library only; ``bng metric
calculate`` never imports the GIS stack, the workbook reader or the web and database side; and so on.
The timings themselves are measured by benchmarks/bench_startup.py, never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bng import cli
from tests.conftest import ROOT, SHARED

EXAMPLE = ROOT / "examples" / "riverside-farm.site.json"
COMPLETED = SHARED / "spec" / "metric-files" / "statutory-2024-02__completed-offsite.xlsm"

GIS = {"pyogrio", "pyproj", "shapely", "numpy", "matplotlib"}
DOCUMENTS = {"weasyprint", "jinja2"}
DATABASE_AND_WEB = {"sqlalchemy", "alembic", "psycopg", "flask", "werkzeug", "waitress"}
DISTRIBUTED = {"dask", "distributed", "pyarrow"}
# typer coerces parameters through pydantic from 0.29 on, and formats help with rich when asked to
SLOW_CLI = {"pydantic", "rich"}
HEAVY = GIS | DOCUMENTS | DATABASE_AND_WEB | DISTRIBUTED | SLOW_CLI

HARNESS = """
import json, sys
sys.argv = ["bng", *json.loads(sys.argv[1])]
try:
    from bng.cli import main
    main()
except SystemExit:
    pass
finally:
    sys.stdout.flush()
    with open(OUT, "w") as f:
        json.dump(sorted(sys.modules), f)
"""


def imported(tmp_path: Path, *args: str) -> set[str]:
    """Top-level packages (and bng modules) a whole ``bng ARGS`` process has imported when it ends."""
    out = tmp_path / "modules.json"
    code = HARNESS.replace("OUT", repr(str(out)))
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(list(args))], capture_output=True, text=True, timeout=300
    )
    assert out.exists(), done.stderr
    names = json.loads(out.read_text())
    return {n.split(".")[0] for n in names} | {n for n in names if n.startswith("bng.")}


def test_importing_the_cli_pulls_in_nothing_heavy(tmp_path: Path) -> None:
    out = tmp_path / "modules.json"
    code = f"import json, sys, bng.cli; json.dump(sorted(sys.modules), open({str(out)!r}, 'w'))"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    names = set(json.loads(out.read_text()))
    tops = {n.split(".")[0] for n in names}
    assert not tops & (HEAVY | {"python_calamine", "openpyxl"}), sorted(tops & HEAVY)
    assert not {n for n in names if n.startswith(("bng.metric", "bng.workbook", "bng.gis", "bng.audit"))}


def test_help_lists_every_command_without_importing_them(tmp_path: Path) -> None:
    mods = imported(tmp_path, "--help")
    assert not mods & HEAVY, sorted(mods & HEAVY)
    assert not {m for m in mods if m.startswith(("bng.metric", "bng.workbook", "bng.gis", "bng.audit"))}


def test_metric_calculate_never_imports_maps_workbooks_or_the_register(tmp_path: Path) -> None:
    mods = imported(tmp_path, "metric", "calculate", str(EXAMPLE))
    assert "bng.metric.engine" in mods  # the command really ran
    assert not mods & HEAVY, sorted(mods & HEAVY)
    assert "python_calamine" not in mods
    assert not {m for m in mods if m.startswith(("bng.workbook", "bng.gis", "bng.db", "bng.web", "bng.register"))}


def test_metric_check_imports_the_reader_but_not_maps_documents_or_the_register(tmp_path: Path) -> None:
    mods = imported(tmp_path, "metric", "check", str(COMPLETED))
    assert "bng.workbook.check" in mods and "python_calamine" in mods
    assert not mods & HEAVY, sorted(mods & HEAVY)
    assert not {m for m in mods if m.startswith(("bng.gis", "bng.db", "bng.web", "bng.register"))}


def test_audit_help_does_not_start_dask(tmp_path: Path) -> None:
    mods = imported(tmp_path, "audit", "--help")
    assert "bng.audit.cli" in mods
    assert not mods & HEAVY, sorted(mods & HEAVY)


GROUPS = [(cli.COMMANDS, []), (cli.METRIC_COMMANDS, ["metric"])]


@pytest.mark.parametrize(("commands", "prefix"), GROUPS, ids=["bng", "bng metric"])
def test_each_lazy_command_loads_and_lists_its_own_help(commands: dict[str, cli.Lazy], prefix: list[str]) -> None:
    runner = CliRunner()
    for name, lazy in commands.items():
        result = runner.invoke(cli.app, [*prefix, name, "--help"])
        assert result.exit_code == 0, result.output
        own = " ".join(result.output.split("\n\n")[1].split())  # the paragraph after the usage line
        assert own.startswith(lazy.help.rstrip(".")), (name, own, lazy.help)


def test_a_mistyped_command_is_suggested_from_the_lazy_ones_too() -> None:
    result = CliRunner().invoke(cli.app, ["metric", "chek"])
    assert result.exit_code == 2
    assert "check" in result.output
