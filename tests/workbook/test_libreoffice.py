"""The round trip: export → recalculate in LibreOffice → read back → our engine's numbers to 1e-9.

Each exported workbook is recalculated by real LibreOffice (Debian's libreoffice-calc, which
test.sh installs), forced until two passes agree, saved, read back with our reader, and
compared: every cached value with our recalculation (the ``consistent`` verdict) and every
figure with the test vector's expected result, both to 1e-9. LibreOffice loads the 42-sheet
workbook in 30-60 s, so by default eight vectors run, chosen to cover every module on- and
off-site, one to four gain sites, every spatial-risk and catchment category, a gain site with
a loss, irreplaceable habitat, advance/delay/30+, trees and every credit tier; they run as
two batches, one LibreOffice process each, in parallel under pytest-xdist (about 4 minutes).
``BNG_LIBREOFFICE_ALL=1`` runs all 40 vectors (about 20 minutes on two cores).
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from bng.metric import parse_site, result_to_dict
from bng.workbook.check import check_workbook
from bng.workbook.package import open_package
from bng.workbook.reader import read_workbook
from bng.workbook.writer import export_site
from tests.metric.golden import compare
from tests.workbook.helpers import VECTORS, normalised, same
from tests.workbook.libreoffice import SUMMARY, libreoffice_copy, recalculate, soffice

DEFAULT = (
    ("pub-20-medium", "pub-32-gain-site-loss", "pub-36-irreplaceable", "pub-37-advance-delay"),
    ("pub-21-offsite", "pub-29-srm-categories", "pub-30-catchment-categories", "pub-40-trees"),
)
ALL = sorted(p.name.removesuffix(".site.json") for p in VECTORS.glob("*.site.json"))
BATCHES = (tuple(ALL[0::2]), tuple(ALL[1::2])) if os.environ.get("BNG_LIBREOFFICE_ALL") else DEFAULT


@pytest.mark.slow
@pytest.mark.parametrize("batch", BATCHES, ids=("batch-1", "batch-2"))
def test_round_trip_through_libreoffice(tmp_path: Path, batch: tuple[str, ...]) -> None:
    if soffice() is None:
        pytest.fail("LibreOffice is not installed: test.sh installs Debian's libreoffice-calc")
    sites, pairs = {}, []
    for name in batch:
        site, _ = parse_site(json.loads((VECTORS / f"{name}.site.json").read_text()))
        exported = tmp_path / f"{name}.xlsm"
        export_site(site, exported)
        copy = tmp_path / f"{name}-libreoffice.xlsm"
        libreoffice_copy(exported, copy)
        sites[name] = (site, exported)
        pairs.append((copy, tmp_path / f"{name}.xlsx"))
    passes = recalculate(pairs, tmp_path, timeout=300 + 240 * len(pairs))
    failures: list[str] = []
    for name, (_, out) in zip(batch, pairs, strict=True):
        site, exported = sites[name]
        n, agreed = passes.get(out, (0, False))
        if not agreed:
            failures.append(f"{name}: LibreOffice's passes never agreed ({n} passes)")
            continue
        report = check_workbook(out)
        failures += [f"{name}: {d}" for d in report.discrepancies]
        if report.compared < 80:
            failures.append(f"{name}: only {report.compared} cached values compared")
        expected = json.loads((VECTORS / f"{name}.expected.json").read_text())
        failures += [f"{name}: {m}" for m in compare(expected, result_to_dict(report.result))]
        back = read_workbook(out)
        back.book.close()
        if not same(normalised(back.site), normalised(site), 1e-14):
            failures.append(f"{name}: the site read back differs from the site written")
        # the replacement formulas are the test's own: what users get keeps DEFRA's
        part = open_package(exported).sheets[SUMMARY]
        with zipfile.ZipFile(exported) as z:
            if b"_xlfn.UNIQUE" not in z.read(part):
                failures.append(f"{name}: the exported workbook lost its UNIQUE/FILTER formulas")
    assert not failures, "\n".join(failures)
