"""Write a benchmark's section into docs/performance.md, leaving the other sections as they are."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

HEADER = """# Performance

Measured figures, each with the command that measures it and the machine it ran on. Speed is a
feature, so it is measured by benchmarks (`benchmarks/`), never asserted in timed tests. Re-run a
benchmark to refresh its section.
"""


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = os.cpu_count()
    mem = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{cpu}, {cores} cores{mem}; {platform.system()} {platform.release()}; Python {platform.python_version()}"


def write_section(path: Path, title: str, body: str) -> None:
    """Replace (or append) the ``## title`` section of the performance document."""
    text = path.read_text() if path.exists() else HEADER
    stamp = dt.date.today().isoformat()
    section = f"## {title}\n\nMeasured {stamp} on {machine()}.\n\n{body.strip()}\n"
    start = text.find(f"## {title}\n")
    if start == -1:
        text = text.rstrip() + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("" if end == -1 else text[end:])
    path.write_text(text)
