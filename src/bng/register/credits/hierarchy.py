"""The gain hierarchy, made visible: are there registered off-site units near the development?

Statutory biodiversity credits are a last resort, after on-site gains and registered off-site
gains. An order therefore keeps, as evidence, what the register's own search found when it was
submitted: gain sites in the development's LPA and in the LPAs that border it (the metric's
"inside" and "neighbouring" spatial risk categories), with created or enhanced habitat of the
kind the development loses and units of that module still to allocate, and how many units of the
matching habitat remain. It is a search for candidates, not a trading-rules check: the applicant's
justification says why they cannot be used. The work is bounded: at most ``MAX_LISTED`` sites are
listed (and each query's full count kept), whatever the size of the register.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from bng.register.core.ledger import QUANTUM, SELLABLE_STAGES
from bng.register.core.model import GainSite
from bng.register.core.places import Places
from bng.register.core.ports import SiteQuery, UnitOfWork

MAX_LISTED = 50
MIN_UNITS = float(QUANTUM)
"""A millionth of a unit, the ledger's own grain (``ledger.QUANTUM``): a site with nothing left to allocate
in the module is no candidate."""
HEDGEROW_TERM = "hedgerow"


def search_terms(losses: Mapping[str, Iterable[tuple[str, float]]]) -> list[dict[str, Any]]:
    """What to search the register for: the broad habitat of each area habitat lost, "hedgerow", each watercourse.

    Each search comes with the losses it stands for (a watercourse search is by the type lost).
    """
    terms: dict[tuple[str, str], list[str]] = {}
    for module, rows in losses.items():
        for habitat, _units in rows:
            if module == "area":
                term = habitat.split(" - ")[0].strip()
            elif module == "hedgerow":
                term = HEDGEROW_TERM
            else:
                term = habitat.strip()
            terms.setdefault((module, term), []).append(habitat)
    return [{"module": m, "term": t, "for_losses": sorted(set(h))} for (m, t), h in terms.items()]


def _matches(habitat: str, term: str) -> bool:
    return term.lower() in habitat.lower()


def search_register(
    uow: UnitOfWork,
    places: Callable[[], Places],
    lpa_name: str,
    losses: Mapping[str, Iterable[tuple[str, float]]],
    now: datetime,
) -> dict[str, Any]:
    """Search the register near the development for each habitat lost; the evidence as a JSON document."""
    neighbours = sorted(places().areas["lpa"].neighbours(lpa_name)) if lpa_name else []
    searches = search_terms(losses)
    found: dict[str, dict[str, Any]] = {}
    counts: list[dict[str, Any]] = []
    more = False  # a site found but not listed
    for where, names in (("in the development's LPA", [lpa_name]), ("in a neighbouring LPA", neighbours)):
        for name in names:
            for s in searches:
                query = SiteQuery(lpa=name, habitat=s["term"], min_units=MIN_UNITS, units_module=s["module"],
                                  per_page=MAX_LISTED)  # fmt: skip
                page = uow.sites.search(query)
                counts.append({"lpa": name, "term": s["term"], "sites": page.total})
                more = more or page.total > len(page.items)
                for site in page.items:
                    entry = found.get(site.reference)
                    if entry is None:
                        if len(found) >= MAX_LISTED:
                            more = True  # counted, not listed: the evidence keeps the first MAX_LISTED sites
                            continue
                        entry = found[site.reference] = {
                            "reference": site.reference, "name": site.name, "lpa": site.lpa_name, "where": where,
                            "matches": [], "remaining_units": 0.0,
                        }  # fmt: skip
                    if all(m["term"] != s["term"] for m in entry["matches"]):
                        match = _match(uow, site, s)
                        entry["matches"].append(match)
                        entry["remaining_units"] = round(entry["remaining_units"] + match["remaining_units"], 6)
    listed = sorted(found.values(), key=lambda f: (-f["remaining_units"], f["reference"]))
    return {
        "searched_at": now.isoformat(),
        "lpa": lpa_name,
        "neighbouring_lpas": neighbours,
        "searches": searches,
        "counts": counts,
        "found": listed,
        "found_total": len(listed),
        "more_than_listed": more,
    }


def _match(uow: UnitOfWork, site: GainSite, search: dict[str, Any]) -> dict[str, Any]:
    """A gain site's created and enhanced parcels of the searched habitat, and their units not yet allocated."""
    assert site.id is not None
    module = search["module"]
    habitats: set[str] = set()
    remaining = Decimal(0)
    for p in uow.sites.parcels(site.id):
        if p.stage in SELLABLE_STAGES and p.module == module and _matches(p.habitat, search["term"]):
            habitats.add(p.habitat)
            remaining += p.units - p.allocated_units
    return {
        "module": module,
        "term": search["term"],
        "habitats": sorted(habitats),
        "remaining_units": float(remaining),
    }
