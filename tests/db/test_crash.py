"""Crash consistency: the fault test of ``benchmarks/crash.py``, small. The server and PostgreSQL are
killed with SIGKILL while clients submit documents and allocate; after both start again, everything
the server had confirmed is there and nothing is half-written."""

from __future__ import annotations

import pytest
from benchmarks.crash import run


@pytest.mark.slow
def test_kill_9_in_the_middle_loses_nothing_and_leaves_nothing_half_written() -> None:
    result = run(rounds=2, clients=4, seconds=15, log=lambda _: None, tamper=True)
    rounds = result["rounds"]
    assert [r["kill"] for r in rounds] == ["server", "postgres"]
    assert all(r["problems"] == [] for r in rounds), [(r["kill"], r["problems"]) for r in rounds]
    # the kills came in the middle of the traffic: things were confirmed before, requests were cut off
    assert sum(r["documents"] for r in rounds) > 0 and sum(r["allocations"] for r in rounds) > 0, rounds
    assert result["failures"] > 0
    # and the checks see what they look for: a file without its record, a record without its file
    tampered = result["tampered"]
    assert any("files without a record" in p for p in tampered), tampered
    assert any("file records without their file" in p for p in tampered), tampered
