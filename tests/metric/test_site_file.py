"""Reading a site file never raises on bad content: every odd value becomes an issue, the rest is read."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bng.metric import calculate, parse_site
from tests.conftest import VECTORS

SITE = json.loads((VECTORS / "pub-24-offsite.site.json").read_text())
JUNK = [-5, 1.5, True, "x", [1], ["baseline"]]


@pytest.mark.parametrize("junk", JUNK, ids=repr)
@pytest.mark.parametrize("module", ["area", "hedgerow", "watercourse"])
def test_a_module_that_is_not_an_object_is_an_issue(module: str, junk: Any) -> None:
    data = copy.deepcopy(SITE)
    data["on_site"][module] = junk
    data["off_site"][0][module] = junk
    site, issues = parse_site(data)
    found = [(i.path, i.code) for i in issues if i.code == "NOT_AN_OBJECT"]
    assert found == [(f"on_site.{module}", "NOT_AN_OBJECT"), (f"off_site[0].{module}", "NOT_AN_OBJECT")]
    assert getattr(site.on_site, module).baseline == ()
    clean, _ = parse_site(SITE)
    for other in {"area", "hedgerow", "watercourse"} - {module}:  # the other modules are still read
        assert getattr(site.on_site, other) == getattr(clean.on_site, other)
    calculate(site)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 40) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _nodes(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the file, objects and lists as well as leaves."""
    out = [path]
    if isinstance(node, dict):
        out += [p for k, v in node.items() for p in _nodes(v, (*path, k))]
    elif isinstance(node, list):
        out += [p for i, v in enumerate(node) for p in _nodes(v, (*path, i))]
    return out


NODES = _nodes(SITE)[1:]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(NODES), JSON)
def test_any_value_anywhere_never_raises(path: tuple[Any, ...], junk: Any) -> None:
    data = copy.deepcopy(SITE)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = junk
    site, _issues = parse_site(data)
    calculate(site)
