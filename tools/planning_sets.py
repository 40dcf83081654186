"""Write the six application sets of the five real bng-500 sites into a folder, to try `bng planning` on.

    .venv/bin/python tools/planning_sets.py OUT [--shared ../shared]

Then, for instance: `.venv/bin/bng planning validate OUT/complete --report complete.pdf`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bng.submission.samples import all_sets

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    for name, paths in all_sets(args.shared / "spec" / "geopackages" / "bng-500", args.out).items():
        print(f"{name:12} {paths.folder}")


if __name__ == "__main__":
    main()
