"""Compare a result with a test vector exactly as the vectors' README says."""

from __future__ import annotations

from typing import Any

TOL = 1e-9

# a module's result keys, kept here once: the tests that compare results or check their shape import them
ON_SITE = (
    "baseline_units",
    "retained_units",
    "enhanced_baseline_units",
    "creation_units",
    "enhancement_units",
    "post_intervention_units",
    "net_change_units",
    "net_change_percent",
)
OFF_SITE = ("baseline_units", "post_intervention_units", "net_change_units", "srm_deduction_units")
MODULE = (
    "total_net_change_units",
    "total_net_change_percent",
    "target_percent",
    "unit_deficit",
    "target_met",
    "trading_rules_satisfied",
)


def same(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None or isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual or (expected == actual and type(expected) is type(actual))
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return abs(expected - actual) <= max(TOL, TOL * max(abs(expected), abs(actual)))
    return bool(expected == actual)


def row_key(r: dict[str, Any]) -> tuple[Any, ...]:
    return (r["module"], r["location"], r["stage"], r.get("gain_site"), str(r["ref"]))


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Every mismatch as 'where: expected … got …'; empty when the result matches."""
    out: list[str] = []

    def check(where: str, e: Any, a: Any) -> None:
        if not same(e, a):
            out.append(f"{where}: expected {e!r}, got {a!r}")

    for module, em in expected["modules"].items():
        am = actual["modules"][module]
        for k in ON_SITE:
            check(f"{module}.on_site.{k}", em["on_site"][k], am["on_site"][k])
        for k in OFF_SITE:
            check(f"{module}.off_site.{k}", em["off_site"][k], am["off_site"][k])
        for k in MODULE:
            check(f"{module}.{k}", em[k], am[k])
    for module, bands in expected["trading"].items():
        if module == "all_satisfied":
            check("trading.all_satisfied", bands, actual["trading"]["all_satisfied"])
            continue
        for band, e in bands.items():
            check(f"trading.{module}.{band}", e, actual["trading"][module][band])
    for tier, e in expected["credits"].items():
        check(f"credits.{tier}", e, actual["credits"][tier])
    got = {row_key(r): r for r in actual["rows"]}
    for r in expected["rows"]:
        key = row_key(r)
        a = got.get(key)
        if a is None:
            out.append(f"row {key}: missing from the result")
            continue
        check(f"row {key}.units", r["units"], a["units"])
        for k in ("retained_units", "enhanced_units"):
            if k in r:
                check(f"row {key}.{k}", r[k], a.get(k))
        if "units_srm" in r and "units_srm" in a:
            check(f"row {key}.units_srm", r["units_srm"], a["units_srm"])
    return out
