"""Write every result of many messy sites, digit for digit, to tell whether a change to the engine changes one.

The golden tests compare results with the workbook to 1e-9, on the sites the vectors hold. A change
meant to change no result (a refactoring, a speed-up) can be held to more: the ``repr`` of every
result, parsed site and input issue, on the test vectors, on fuzzed site files and on generated
sites full of odd inputs (unknown habitats and conditions, blank and negative sizes, retained plus
enhanced over the parcel, "30+" years, missing gain sites, repeated and dangling refs, numpy floats
and ints), in every release. Write the file before and after the change and compare::

    git archive HEAD src | tar -x -C /tmp/before        # the engine before the change
    PYTHONPATH=/tmp/before/src .venv/bin/python tools/engine_fingerprint.py /tmp/before.txt
    .venv/bin/python tools/engine_fingerprint.py /tmp/after.txt
    cmp /tmp/before.txt /tmp/after.txt

Run it from the repository root (it reads the test vectors beside the checkout, ../shared).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

import numpy as np

from bng.metric import calculate, load, parse_site, result_to_dict, site_to_dict
from bng.metric.model import (
    AreaBaseline,
    AreaCreation,
    AreaEnhancement,
    AreaRows,
    GainSite,
    HedgerowBaseline,
    HedgerowCreation,
    HedgerowEnhancement,
    HedgerowRows,
    Location,
    Project,
    Site,
    WatercourseBaseline,
    WatercourseCreation,
    WatercourseEnhancement,
    WatercourseRows,
)
from bng.metric.reference import CONDITIONS, RELEASES, Release

VECTORS = Path(__file__).resolve().parents[1].parent / "shared" / "spec" / "test-vectors"
ODD = [
    None,
    "",
    "x",
    -1,
    1.5,
    True,
    [],
    {},
    "30+",
    31,
    0,
    "Good",
    "High",
    2.0,
    "1",
    float("inf"),
    {"small": 2},
    {"huge": 1},
    {"medium": -1},
    "medium",
    "Within LPA or NCA",
    "outside",
    "No Encroachment",
    "N/A - Culvert",
    "Pending",
    "yes",
    30,
    "Ditches",
    "Culvert",
    "Native hedgerow",
    "A0",
    "1.0",
]


class Generator:
    """Sites whose inputs are mostly valid and often not: every branch of the sheets gets its turn."""

    def __init__(self, rel: Release, rng: random.Random) -> None:
        self.rel, self.rng = rel, rng
        labels = [h.label for h in rel.area_habitats.values()]
        self.labels = labels
        self.pool = rng.sample(labels, k=min(len(labels), rng.choice([3, 8, 30])))  # rows share habitats

    def pick(self, valid: list[Any], odd: list[Any], p: float = 0.85) -> Any:
        return self.rng.choice(valid) if (self.rng.random() < p or not odd) else self.rng.choice(odd)

    def size(self) -> Any:
        r = self.rng.random()
        if r < 0.55:
            return round(self.rng.uniform(0, 5), self.rng.choice([1, 2, 4]))
        if r < 0.7:
            return self.rng.choice([None, 0.0])
        if r < 0.75:
            return np.float64(round(self.rng.uniform(0, 3), 3))
        return self.rng.choice([-1.0, 1e-17, 0.30000000000000004, -0.0, 1e9, 2, 1, 0, 0.1, 0.5])

    def part(self, whole: Any) -> Any:
        if isinstance(whole, (float, int)) and self.rng.random() < 0.7:
            return self.rng.choice([0.0, round(whole * self.rng.random(), 4), whole, whole / 2])
        return self.size()

    def years(self) -> Any:
        valid = [0.0, 0.0, 0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, "30+"]
        return self.pick(valid, [None, 40.0, 0.5, "abc", 2, "Habitat already in target condition", -0.0])

    def delay(self, p: float) -> Any:
        return self.years() if self.rng.random() < p else 0.0

    def significance(self) -> Any:
        return self.pick(list(self.rel.strategic_significance), ["", "Unknown", "low"], 0.9)

    def gain_site(self, off: bool) -> Any:
        return self.pick(["G1", "G2", "g1 ", "G3"], [None, ""], 0.9) if off else None

    def srm(self, off: bool, table: Any) -> Any:
        return self.pick(list(table), [None, "", "nonsense"], 0.9) if off else None

    def condition(self, allowed: Any) -> Any:
        return self.pick(list(allowed) or list(CONDITIONS), ["", "Excellent", *CONDITIONS, "good"])

    def same_band(self, table: Any, name: str) -> str:
        found = table.get(name)
        return self.rng.choice([k for k, v in table.items() if v.band == found.band]) if found else name

    def area(self, off: bool, n: int) -> AreaRows:
        rel, r = self.rel, self.rng

        def habitat() -> Any:
            return self.pick(self.pool, ["", "Unknown - habitat", r.choice(self.labels).upper()])

        def allowed(label: str) -> Any:
            h = rel.area_habitat(label) if label else None
            return h.allowed_conditions() if h else CONDITIONS

        base = []
        for i in range(n):
            label, size = habitat(), self.size()
            base.append(
                AreaBaseline(
                    f"A{i}",
                    label,
                    size,
                    self.condition(allowed(label)),
                    self.significance(),
                    self.pick([False, False, True], [None], 0.9),
                    self.part(size),
                    self.part(size) if r.random() < 0.6 else 0.0,
                    self.pick(["No", "No", "Yes", "Pending"], [""], 0.9),
                    self.gain_site(off),
                    self.srm(off, rel.spatial_risk),
                )
            )
        creation = []
        for i in range(n if r.random() < 0.9 else r.choice([70, 130])):  # D-2's row-63 quirk needs many
            label = habitat()
            creation.append(
                AreaCreation(
                    f"C{i}",
                    label,
                    self.size(),
                    self.condition(allowed(label)),
                    self.significance(),
                    self.years(),
                    self.delay(0.5),
                    self.gain_site(off),
                    self.srm(off, rel.spatial_risk),
                )
            )
        enhancement = []
        for i, b in enumerate(base):
            if r.random() < 0.7:
                by_band = {h.label: h for h in rel.area_habitats.values()}
                label = (
                    habitat()
                    if r.random() < 0.5
                    else (b.habitat if r.random() < 0.5 else self.same_band(by_band, b.habitat))
                )
                enhancement.append(
                    AreaEnhancement(
                        f"E{i}",
                        b.ref if r.random() < 0.9 else f"A{r.randrange(n + 1)}",
                        label,
                        self.condition(allowed(label)),
                        self.significance(),
                        self.years(),
                        self.delay(0.4),
                        (b.gain_site if r.random() < 0.85 else self.gain_site(off)) if off else None,
                    )
                )
        if r.random() < 0.3:
            r.shuffle(enhancement)
        return AreaRows(tuple(base), tuple(creation), tuple(enhancement))

    def hedgerow(self, off: bool, n: int) -> HedgerowRows:
        rel, r = self.rel, self.rng
        types = rel.hedgerow_types

        def kind() -> Any:
            return self.pick(list(types), ["", "Unknown hedge"], 0.92)

        def condition(name: str) -> Any:
            return self.pick(
                list(types[name].allowed_conditions()) if name in types else ["Good"], ["", "good", "Fairly Good"]
            )

        base = []
        for i in range(n):
            name, length = kind(), self.size()
            base.append(
                HedgerowBaseline(
                    f"H{i}",
                    name,
                    length,
                    condition(name),
                    self.significance(),
                    self.part(length),
                    self.part(length) if r.random() < 0.6 else 0.0,
                    self.gain_site(off),
                    self.srm(off, rel.spatial_risk),
                )
            )
        creation = [
            HedgerowCreation(
                f"HC{i}",
                name,
                self.size(),
                condition(name),
                self.significance(),
                self.years(),
                self.delay(0.5),
                self.gain_site(off),
                self.srm(off, rel.spatial_risk),
            )
            for i, name in enumerate(kind() for _ in range(n))
        ]
        enhancement = []
        for i, b in enumerate(base):
            if r.random() < 0.7:
                name = (
                    kind()
                    if r.random() < 0.5
                    else (b.habitat if r.random() < 0.5 else self.same_band(types, b.habitat))
                )
                enhancement.append(
                    HedgerowEnhancement(
                        f"HE{i}",
                        b.ref if r.random() < 0.9 else f"H{r.randrange(n + 1)}",
                        name,
                        condition(name),
                        self.significance(),
                        self.years(),
                        self.delay(0.4),
                        (b.gain_site if r.random() < 0.85 else self.gain_site(off)) if off else None,
                    )
                )
        return HedgerowRows(tuple(base), tuple(creation), tuple(enhancement))

    def watercourse(self, off: bool, n: int) -> WatercourseRows:
        rel, r = self.rel, self.rng
        types = rel.watercourse_types

        def kind() -> Any:
            return self.pick(list(types), ["", "Unknown water"], 0.92)

        def condition(name: str) -> Any:
            return self.condition(types[name].allowed_conditions() if name in types else CONDITIONS[:5])

        def encroachments() -> tuple[Any, Any]:
            return (
                self.pick(list(rel.watercourse_encroachment), ["", "bad"], 0.9),
                self.pick(list(rel.riparian_encroachment), ["", "bad"], 0.9),
            )

        srm_table = rel.spatial_risk_watercourse
        base = []
        for i in range(n):
            name, length = kind(), self.size()
            base.append(
                WatercourseBaseline(
                    f"W{i}",
                    name,
                    length,
                    condition(name),
                    self.significance(),
                    *encroachments(),
                    self.part(length),
                    self.part(length) if r.random() < 0.6 else 0.0,
                    self.pick(["No", "No", "Yes", "Pending"], [""], 0.9),
                    self.gain_site(off),
                    self.srm(off, srm_table),
                )
            )
        creation = [
            WatercourseCreation(
                f"WC{i}",
                name,
                self.size(),
                condition(name),
                self.significance(),
                self.years(),
                self.delay(0.5),
                *encroachments(),
                self.gain_site(off),
                self.srm(off, srm_table),
            )
            for i, name in enumerate(kind() for _ in range(n))
        ]
        enhancement = []
        for i, b in enumerate(base):
            if r.random() < 0.7:
                name = (
                    kind()
                    if r.random() < 0.5
                    else (b.habitat if r.random() < 0.5 else self.same_band(types, b.habitat))
                )
                enhancement.append(
                    WatercourseEnhancement(
                        f"WE{i}",
                        b.ref if r.random() < 0.9 else f"W{r.randrange(n + 1)}",
                        name,
                        condition(name),
                        self.significance(),
                        self.years(),
                        self.delay(0.4),
                        *encroachments(),
                        (b.gain_site if r.random() < 0.85 else self.gain_site(off)) if off else None,
                    )
                )
        return WatercourseRows(tuple(base), tuple(creation), tuple(enhancement))

    def location(self, off: bool) -> Location:
        def n() -> int:
            return self.rng.choice([0, 1, 2, 3, 5, 8])

        return Location(self.area(off, n()), self.hedgerow(off, n()), self.watercourse(off, n()))

    def site(self) -> Site:
        rel, r = self.rel, self.rng
        return Site(
            project=Project(name="x", target_percent=r.choice([10.0, 10.0, 0.0, 15.0, 100.0])),
            on_site=self.location(False),
            off_site=self.location(True) if r.random() < 0.7 else Location(),
            gain_sites=(GainSite("G1", next(iter(rel.spatial_risk)), next(iter(rel.spatial_risk_watercourse))),),
            metric_release=rel.id,
        )


def fuzz(rng: random.Random, data: Any, rate: float) -> Any:
    """The site file with some values (objects and lists too) replaced by odd ones, some keys dropped."""
    if isinstance(data, dict):
        return {
            k: rng.choice(ODD) if rng.random() < rate else fuzz(rng, v, rate)
            for k, v in data.items()
            if rng.random() > 0.02
        }
    if isinstance(data, list):
        return [fuzz(rng, v, rate) for v in data] + ([rng.choice(ODD)] if rng.random() < 0.05 else [])
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the file to write")
    parser.add_argument("--sites", type=int, default=600, help="generated sites per release (default 600)")
    args = parser.parse_args()
    vectors = sorted(VECTORS.glob("*.site.json"))
    with args.out.open("w") as out:
        for rid in RELEASES:
            rel = load(rid)
            for i, path in enumerate(vectors):
                data = json.loads(path.read_text())
                data["metric_release"] = rid
                site, issues = parse_site(data)
                result = calculate(site)
                out.write(f"V {rid} {path.name} {site!r} {issues!r}\n{result!r}\n")
                out.write(json.dumps(result_to_dict(result)) + "\n" + json.dumps(site_to_dict(site)) + "\n")
                rng = random.Random(i)
                for k in range(3):
                    fuzzed, fuzz_issues = parse_site(fuzz(rng, data, 0.08))
                    out.write(f"F {rid} {path.name} {k} {fuzzed!r} {fuzz_issues!r}\n{calculate(fuzzed)!r}\n")
            for k in range(args.sites):
                rng = random.Random(f"{rid}-{k}")
                site = Generator(rel, rng).site()
                out.write(f"G {rid} {k}\n{calculate(site)!r}\n")
                written = json.loads(json.dumps(site_to_dict(site), default=float))
                again, issues = parse_site(written)
                out.write(f"R {again!r} {issues!r}\n")
                if k % 2 == 0:
                    for n in range(2):
                        fuzzed, fuzz_issues = parse_site(fuzz(rng, written, 0.12))
                        out.write(f"P {rid} {k} {n} {fuzzed!r} {fuzz_issues!r}\n")


if __name__ == "__main__":
    main()
