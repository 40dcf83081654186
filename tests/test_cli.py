"""`bng metric calculate`: output, exit status, and bad input reported row by row (never a traceback)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bng.cli import app
from tests.conftest import ROOT, VECTORS
from tests.metric.golden import MODULE, OFF_SITE, ON_SITE

EXAMPLE = ROOT / "examples" / "riverside-farm.site.json"
runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def write(tmp_path: Path, data: Any, name: str = "site.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data))
    return p


def test_example_site_calculates_cleanly() -> None:
    result = run("metric", "calculate", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert "metric release statutory-2024" in result.output
    for words in ("Area habitats", "Hedgerows", "Watercourses", "On-site baseline", "Unit deficit", "Trading summary"):
        assert words in result.output


def test_json_result_has_the_site_file_keys() -> None:
    result = run("metric", "calculate", str(EXAMPLE), "--json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["metric_release"] == "statutory-2024"
    area = doc["modules"]["area"]
    assert set(area["on_site"]) >= set(ON_SITE)
    assert set(area["off_site"]) >= set(OFF_SITE)
    assert set(area) >= set(MODULE)
    assert set(doc["credits"]) == {"A1", "A2", "A3", "A4", "A5", "H", "W"}
    assert {"all_satisfied", "area", "hedgerow", "watercourse"} <= set(doc["trading"])
    assert doc["gain_sites"] and doc["gain_sites"][0]["gain_site"] == "BGS-010124001"
    enh = [r for r in doc["rows"] if r["stage"] == "enhancement"]
    assert enh and all("baseline_ref" in r for r in enh)
    off = [r for r in doc["rows"] if r["location"] == "off_site"]
    assert off and all("units_srm" in r and r["gain_site"] for r in off)


def test_local_target_is_used() -> None:
    result = run("metric", "calculate", str(EXAMPLE), "--json", "--target", "20")
    doc = json.loads(result.output)
    assert doc["modules"]["hedgerow"]["target_percent"] == 20.0
    required = doc["modules"]["hedgerow"]["units_required"]
    assert required == pytest.approx(doc["modules"]["hedgerow"]["on_site"]["baseline_units"] * 1.2)


def _example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return data


BAD_INPUTS = [
    (
        "unknown habitat",
        ("area", "baseline", 0, "habitat", "Grassland - Moon grass"),
        "UNKNOWN_HABITAT",
        "unknown area habitat",
    ),
    (
        "condition not allowed",
        ("area", "baseline", 1, "condition", "Good"),
        "CONDITION_NOT_ALLOWED",
        "is not possible for",
    ),
    ("negative area", ("area", "baseline", 0, "area_ha", -1.0), "NEGATIVE_SIZE", "0 or more"),
    ("missing area", ("area", "creation", 0, "area_ha", None), "MISSING_SIZE", "missing"),
    (
        "retained + enhanced larger than the baseline",
        ("area", "baseline", 0, "retained_ha", 2.2),
        "RETAINED_ENHANCED_EXCEED",
        "more than the parcel's area",
    ),
    ("advance and delay both set", ("area", "creation", 0, "advance_years", 2), "ADVANCE_AND_DELAY", "not both"),
    (
        "unknown baseline_ref",
        ("hedgerow", "enhancement", 0, "baseline_ref", "H9"),
        "UNKNOWN_BASELINE_REF",
        "no baseline row has ref 'H9'",
    ),
    (
        "condition a hedgerow does not allow",
        ("hedgerow", "baseline", 0, "condition", "Fairly Good"),
        "CONDITION_NOT_ALLOWED",
        "is not possible",
    ),
]


@pytest.mark.parametrize(("case", "change", "code", "words"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_reported_row_by_row(
    tmp_path: Path, case: str, change: tuple[str, str, int, str, Any], code: str, words: str
) -> None:
    data = _example()
    module, stage, index, field, value = change
    row = data["on_site"][module][stage][index]
    if field == "advance_years":
        row["delay_years"] = 3
    if value is None:
        row.pop(field, None)
    else:
        row[field] = value
    result = run("metric", "calculate", str(write(tmp_path, data)))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line = next(x for x in result.output.splitlines() if words in x)
    assert f"on_site.{module}.{stage}" in line and repr(row["ref"]) in line and repr(field) in line
    doc = json.loads(run("metric", "calculate", str(write(tmp_path, data, "again.json")), "--json").output)
    assert any(i["code"] == code and i["ref"] == row["ref"] and i["field"] == field for i in doc["issues"]), doc[
        "issues"
    ]


def test_workbook_row_errors_are_reported(tmp_path: Path) -> None:
    """A vector with workbook ▲ errors exits 1 and names each row's error text."""
    result = run("metric", "calculate", str(VECTORS / "pub-01-small.site.json"))
    assert result.exit_code == 1
    assert "hedgerow on-site enhancement row 'E-1': Error -both advance and delayed habitat creation ▲" in result.output
    assert "Split retained and enhanced into separate entries ▲" in result.output


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{not json", "not valid JSON at line 1"),
        (b"\xff\xfe\x00garbage", "not a UTF-8 text file"),
        (b"[1, 2, 3]", "a site file is a JSON object"),
    ],
)
def test_unreadable_files_get_a_clear_error(tmp_path: Path, content: bytes, words: str) -> None:
    p = tmp_path / "bad.json"
    p.write_bytes(content)
    result = run("metric", "calculate", str(p))
    assert result.exit_code in (1, 2)
    assert words in result.output
    assert "Traceback" not in result.output


def test_missing_and_oversized_files(tmp_path: Path) -> None:
    result = run("metric", "calculate", str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "cannot read the file" in result.output
    big = tmp_path / "big.json"
    with big.open("wb") as f:
        f.truncate(60 * 1024 * 1024)  # sparse: refused by its size before it is read
    result = run("metric", "calculate", str(big))
    assert result.exit_code == 2 and "larger than" in result.output


def test_bad_types_everywhere_do_not_crash(tmp_path: Path) -> None:
    """Wrong JSON types in every field give issues, not tracebacks."""
    data = _example()
    for stage in ("baseline", "creation", "enhancement"):
        for row in data["on_site"]["area"][stage]:
            for key in list(row):
                broken = copy.deepcopy(data)
                target = broken["on_site"]["area"][stage][data["on_site"]["area"][stage].index(row)]
                target[key] = {"nested": [1, 2]}
                result = runner.invoke(app, ["metric", "calculate", str(write(tmp_path, broken))])
                assert result.exception is None or isinstance(result.exception, SystemExit), (stage, key)
                assert result.exit_code == 1, (stage, key, result.output)


def test_installed_command_runs() -> None:
    exe = Path(sys.executable).with_name("bng")
    done = subprocess.run([str(exe), "metric", "calculate", str(EXAMPLE)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "Riverside Farm" in done.stdout


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaves(v, (*path, k))] or [path]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))] or [path]
    return [path]


@pytest.mark.parametrize("junk", [{"nested": [1, 2]}, None, -5, "", True, [1]])
def test_any_field_of_any_kind_never_crashes(tmp_path: Path, junk: Any) -> None:
    data = _example()
    for path in _leaves(data):
        broken = copy.deepcopy(data)
        node = broken
        for key in path[:-1]:
            node = node[key]
        if path:
            node[path[-1]] = junk
        result = runner.invoke(app, ["metric", "calculate", str(write(tmp_path, broken))])
        assert result.exit_code in (0, 1), (path, junk, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (path, junk)


def test_credits_are_priced_on_a_date() -> None:
    result = run("metric", "calculate", str(VECTORS / "pub-39-credits-tiers.site.json"), "--price-date", "2026-11-22")
    assert "Statutory credits needed (2 per unit short): A1 24.28" in result.output
    assert "cost at prices in force on 2026-11-22: £3,199,120 ex VAT" in result.output
    bad = run("metric", "calculate", str(EXAMPLE), "--price-date", "soon")
    assert bad.exit_code == 2 and "is not a date" in bad.output


def test_the_stand_ins_e_mails_are_shown_once_on_the_console(capfd: pytest.CaptureFixture[str]) -> None:
    """waitress's serve() gives the root logger a handler; Notify's log is shown by its own, once."""
    import logging

    from bng import cli

    notify, root = logging.getLogger("bng.notify"), logging.getLogger()
    saved = (notify.handlers[:], notify.propagate, notify.level, root.handlers[:])
    try:
        logging.basicConfig()  # as waitress.serve() does
        cli._show_notify_log()
        cli._show_notify_log()  # shown twice (serve, then a worker command in the same process): one handler
        notify.info("email to applicant@example.com: Your application was submitted")
        err = capfd.readouterr().err
        assert err.count("Your application was submitted") == 1, err
    finally:
        notify.handlers[:], notify.propagate, root.handlers[:] = saved[0], saved[1], saved[3]
        notify.setLevel(saved[2])
