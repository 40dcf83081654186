"""Demonstration data: accounts for every role and a few gain sites, dated relative to today.

They are made through the same services a person would use, so the demo exercises every rule.

Never load it into a real register: the demo accounts' password is printed for anyone to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bng.register.accounts.service import NewAccount, actor_of
from bng.register.allocations.service import Development, Request
from bng.register.core.audit import Actor
from bng.register.core.model import User
from bng.register.core.ports import SiteQuery
from bng.register.core.rules import add_months, add_years
from bng.register.core.uploads import Upload

from . import samples
from .services import Services

PASSWORD = "demo-password-2026"
ACCOUNTS = (
    ("case.worker@example.gov.uk", "Casey Worker", "case_worker", "Natural England", None),
    ("landowner@example.com", "Alex Landowner", "landowner", "Meadow Farm Partnership", None),
    ("agent@example.com", "Sam Agent", "landowner", "Green Agents Ltd", None),
    ("developer@example.com", "Dev Eloper", "developer", "Homes for All Ltd", None),
    ("lpa.officer@example.gov.uk", "Lee Officer", "lpa_officer", "Cambridge City Council", "Cambridge LPA"),
)


@dataclass(frozen=True)
class DemoSite:
    """A demo gain site: where it is (EPSG:27700), its size, its legal agreement and whose it is."""

    name: str
    easting: float
    northing: float
    hectares: float
    agreement: str  # "s106:<LPA name>" or "covenant:<responsible body>"
    owner: str
    map_file: bool = True


SITES = (
    DemoSite("Meadow Farm", 545_000, 258_000, 4.0, "s106:Cambridge LPA", "landowner@example.com"),
    DemoSite("Hill End", 400_000, 161_000, 12.0, "covenant:Natural England", "agent@example.com", map_file=False),
    DemoSite("Riverside Meadows", 393_000, 564_000, 8.5, "s106:Northumberland LPA", "landowner@example.com"),
)
QUEUED = DemoSite("Oak Lane", 623_000, 308_000, 6.0, "covenant:The Land Trust", "agent@example.com")
DRAFT = DemoSite("Windy Ridge", 292_000, 92_000, 3.0, "s106:Exeter LPA", "landowner@example.com")


def _answers(services: Services, actor: Actor, reference: str, site: DemoSite, today: date, upto: str = "") -> None:
    save = services.applications.save_section
    pdf = samples.pdf
    agent = actor.label.startswith("agent")
    applicant: dict[str, Any] = {
        "acting_as": "agent" if agent else "landowner",
        "name": "Sam Agent" if agent else "Alex Landowner",
        "organisation": "Green Agents Ltd" if agent else "",
        "email": actor.label,
        "phone": "01632 960 001",
        "client_name": f"{site.name} Estate" if agent else "",
    }
    uploads = {"authorisation_file": Upload("authorisation_file", "authorisation.pdf", pdf("Authorisation"))}
    save(actor, reference, "applicant", applicant, uploads if agent else {})
    save(
        actor,
        reference,
        "ownership",
        {"landowners": f"{site.name} Estate", "title_numbers": "CB123456"},
        {"ownership_file": Upload("ownership_file", "title-register.pdf", pdf("Register of title"))},
    )
    if site.map_file:
        ring = samples.square(site.easting, site.northing, site.hectares)
        save(
            actor,
            reference,
            "boundary",
            {"method": "map", "site_name": site.name},
            {"boundary_file": Upload("boundary_file", "boundary.geojson", samples.boundary_geojson(ring, site.name))},
        )
    else:
        save(
            actor,
            reference,
            "boundary",
            {"method": "document", "site_name": site.name, "grid_reference": f"{site.easting:.0f}, {site.northing:.0f}",
             "area_ha": str(site.hectares)},
            {"boundary_file": Upload("boundary_file", "boundary-plan.pdf", pdf(f"{site.name}: boundary plan"))},
        )  # fmt: skip
    if upto == "boundary":
        return
    save(
        actor,
        reference,
        "habitats",
        {},
        {"metric_file": Upload("metric_file", "metric.json", samples.gain_site_metric(site.name, site.hectares))},
    )
    kind, _, party = site.agreement.partition(":")
    values: dict[str, Any] = {
        "agreement_date": today - timedelta(days=30),
        "works_completion_date": add_months(today, 6),
        "secured_until": add_years(add_months(today, 6), 30),
    }
    if kind == "s106":
        lpa = next(x for x in services.register.lpas() if x.name == party)
        values |= {"agreement_type": "s106", "lpa_ids": [lpa.id]}
    else:
        body = next(b for b in services.register.responsible_bodies() if b.name == party)
        values |= {"agreement_type": "conservation_covenant", "responsible_body_id": str(body.id)}
    save(
        actor,
        reference,
        "legal-agreement",
        values,
        {"agreement_file": Upload("agreement_file", "legal-agreement.pdf", pdf(f"{site.name}: legal agreement"))},
    )
    save(
        actor,
        reference,
        "land-charge",
        {"certificate_date": today - timedelta(days=10)},
        {"land_charge_file": Upload("land_charge_file", "search.pdf", pdf("Local land charge search"))},
    )
    save(
        actor,
        reference,
        "hmmp",
        {"hmmp_in_agreement": "no"},
        {"hmmp_file": Upload("hmmp_file", "hmmp.pdf", pdf(f"{site.name}: HMMP"))},
    )
    save(actor, reference, "declarations", {"confirm": ["true", "consent", "maintain", "fee"]})


def load_demo(services: Services, today: date) -> dict[str, User]:
    """Load the demo data into an empty register; returns the demo accounts by email."""
    users: dict[str, User] = {}
    lpas = {lpa.name: lpa.id for lpa in services.register.lpas()}
    for email, name, role, organisation, lpa in ACCOUNTS:
        new = NewAccount(email, name, PASSWORD, role, organisation, lpas[lpa] if lpa else None)
        users[email] = services.accounts.create_trusted(new)
    actors = {email: actor_of(u) for email, u in users.items()}
    worker = actors["case.worker@example.gov.uk"]
    for site in SITES:
        owner = actors[site.owner]
        app = services.applications.start(owner)
        _answers(services, owner, app.reference, site, today)
        services.applications.submit(owner, app.reference)
        services.payments.record_payment(worker, app.reference, today, "bank transfer")
        services.review.accept(worker, app.reference)
    # an allocation against Meadow Farm, through the capacity ledger
    meadow = services.register.search(SiteQuery(lpa="Cambridge LPA")).items[0]
    view = services.register.site(meadow.reference)
    grassland = next(p for p in view.parcels if p.stage == "creation" and p.module == "area")
    assert grassland.id is not None
    developer = actors["developer@example.com"]

    def consent(site: str) -> Upload:
        return Upload("consent_file", "landowner-consent.pdf", samples.pdf(f"{site}: the landowner's consent"))

    services.allocations.allocate(
        developer,
        meadow.reference,
        Development(lpas["Cambridge LPA"], "26/01234/FUL", "Mill Road homes", "TL 4600 5900"),
        [Request(grassland.id, Decimal(1))],
        consent=consent("Meadow Farm"),
    )
    # and one read from the development's metric, which says "within" for a site in a neighbouring LPA
    riverside = services.register.search(SiteQuery(lpa="Northumberland LPA")).items[0].reference
    quayside = Development(lpas["Newcastle upon Tyne LPA"], "2026/0456/01/DET", "Quayside flats", "NZ 25000 64000")
    metric = samples.development_metric(riverside, area_ha=1.0, planning_reference=quayside.planning_reference)
    plan = services.allocations.plan(
        developer, riverside, quayside, metric=Upload("metric_file", "metric.json", metric)
    )
    assert plan.metric_file is not None and plan.metric_file.id is not None
    services.allocations.allocate(
        developer, riverside, quayside, metric_file_id=plan.metric_file.id, consent=consent("Riverside Meadows")
    )
    queued = services.applications.start(actors[QUEUED.owner])
    _answers(services, actors[QUEUED.owner], queued.reference, QUEUED, today)
    services.applications.submit(actors[QUEUED.owner], queued.reference)
    draft = services.applications.start(actors[DRAFT.owner])
    _answers(services, actors[DRAFT.owner], draft.reference, DRAFT, today, upto="boundary")
    return users
