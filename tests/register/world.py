"""A small register to test against, built through the services as people would build it: an
account for every role and an application in every state, with one gain site on the register.

Built once per engine per test session into a template database; each test gets a copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bng.register import samples
from bng.register.accounts.service import NewAccount, actor_of
from bng.register.core.audit import Actor
from bng.register.core.rules import add_months, add_years
from bng.register.core.uploads import Upload
from bng.register.services import Services
from tests.credits import world as credit_world

NOW = datetime(2026, 11, 22, 10, 0, 0)
TODAY = NOW.date()
PASSWORD = "correct horse battery"
EMAILS = {
    "landowner": "owner@example.com",
    "other_landowner": "other.owner@example.com",
    "developer": "developer@example.com",
    "lpa_officer": "officer@cambridge.example.gov.uk",
    "case_worker": "case.worker@example.gov.uk",
}
ROLES = {
    "landowner": "landowner",
    "other_landowner": "landowner",
    "developer": "developer",
    "lpa_officer": "lpa_officer",
    "case_worker": "case_worker",
}


@dataclass
class World:
    """What the tests need to know about the register they were given."""

    actors: dict[str, Actor] = field(default_factory=dict)
    applications: dict[str, str] = field(default_factory=dict)  # state -> application reference
    site: str = ""  # the registered gain site's reference
    files: dict[str, int] = field(default_factory=dict)  # "owner" -> a file of the landowner's draft
    published_file: int = 0
    lpa_ids: dict[str, int] = field(default_factory=dict)
    credit_orders: dict[str, str] = field(default_factory=dict)  # "draft", "submitted", "sent" -> BNGCRD- reference


def uploads(**files: bytes) -> dict[str, Upload]:
    return {
        name: Upload(name, f"{name}.pdf" if data.startswith(b"%PDF") else name, data) for name, data in files.items()
    }


def answer_all(
    services: Services,
    who: Actor,
    reference: str,
    *,
    easting: float = 545_000,
    northing: float = 258_000,
    hectares: float = 4.0,
    lpa_id: int,
    today: date = TODAY,
    name: str = "Meadow Farm",
) -> None:
    """Answer every section correctly (a boundary square in Cambridge by default)."""
    pdf = samples.pdf("Document")
    save = services.applications.save_section
    save(
        who,
        reference,
        "applicant",
        {"acting_as": "landowner", "name": "Alex Owner", "email": who.label, "phone": "01632 960 000"},
    )
    save(who, reference, "ownership", {"landowners": "Alex Owner"}, uploads(ownership_file=pdf))
    ring = samples.square(easting, northing, hectares)
    save(
        who, reference, "boundary", {"method": "map", "site_name": name},
        {"boundary_file": Upload("boundary_file", "boundary.geojson", samples.boundary_geojson(ring))},
    )  # fmt: skip
    save(
        who, reference, "habitats", {},
        {"metric_file": Upload("metric_file", "metric.json", samples.gain_site_metric(name, hectares))},
    )  # fmt: skip
    save(
        who, reference, "legal-agreement",
        {"agreement_type": "s106", "lpa_ids": [lpa_id], "agreement_date": today - timedelta(days=20),
         "works_completion_date": add_months(today, 4), "secured_until": add_years(add_months(today, 4), 30)},
        uploads(agreement_file=samples.pdf(f"{name} agreement {easting} {northing}")),
    )  # fmt: skip
    save(who, reference, "land-charge", {"certificate_date": today - timedelta(days=5)}, uploads(land_charge_file=pdf))
    save(who, reference, "hmmp", {"hmmp_in_agreement": "yes"})
    save(who, reference, "declarations", {"confirm": ["true", "consent", "maintain", "fee"]})


def build(services: Services, *, credits: bool = True) -> World:
    """The world, made through the services; ``credits=False`` leaves out the credit orders (the in-memory
    register, tests/register/memory.py, keeps no credit records)."""
    world = World()
    lpas = {lpa.name: lpa.id for lpa in services.register.lpas(include_past=True)}
    world.lpa_ids = {k: v for k, v in lpas.items() if v is not None}
    for key, email in EMAILS.items():
        lpa = lpas["Cambridge LPA"] if ROLES[key] == "lpa_officer" else None
        user = services.accounts.create_trusted(
            NewAccount(email, key.replace("_", " ").title(), PASSWORD, ROLES[key], "", lpa)
        )
        world.actors[key] = actor_of(user)
    owner, worker = world.actors["landowner"], world.actors["case_worker"]
    cambridge = world.lpa_ids["Cambridge LPA"]
    apps = services.applications

    # a registered gain site
    registered = apps.start(owner).reference
    answer_all(services, owner, registered, lpa_id=cambridge)
    apps.submit(owner, registered)
    services.payments.record_payment(worker, registered, TODAY, "bank transfer")
    world.site = services.review.accept(worker, registered).reference
    world.applications["accepted"] = registered

    # a draft with two sections answered, a complete draft, a submitted one, one waiting for the
    # applicant, one rejected: each at its own place, so none overlaps another
    draft = apps.start(owner).reference
    apps.save_section(
        owner, draft, "applicant", {"acting_as": "landowner", "name": "Alex", "email": owner.label, "phone": "0"}
    )
    view = apps.save_section(
        owner, draft, "ownership", {"landowners": "Alex"}, uploads(ownership_file=samples.pdf("Title"))
    )
    world.applications["draft"] = draft
    world.files["owner"] = next(iter(view.files))
    for state, easting in (
        ("ready", 547_000),
        ("submitted", 549_000),
        ("information_requested", 551_000),
        ("rejected", 553_000),
    ):
        ref = apps.start(owner).reference
        answer_all(services, owner, ref, easting=easting, lpa_id=cambridge, name=f"Site {state}")
        world.applications[state] = ref
        if state == "ready":
            continue
        apps.submit(owner, ref)
        if state == "information_requested":
            services.review.request_information(worker, ref, "Please send the signed agreement")
        elif state == "rejected":
            services.review.reject(worker, ref, "The agreement is not signed")
    site_view = services.register.site(world.site)
    world.published_file = site_view.documents[0].id or 0
    if credits:
        world.credit_orders = credit_world.build(services, world.actors, world.lpa_ids, TODAY)
    return world


def to_dict(world: World) -> dict[str, Any]:
    return {
        "actors": {k: [a.user_id, a.role, a.label, a.lpa_id] for k, a in world.actors.items()},
        "applications": world.applications,
        "site": world.site,
        "files": world.files,
        "published_file": world.published_file,
        "lpa_ids": world.lpa_ids,
        "credit_orders": world.credit_orders,
    }


def record_fees(services: Services, worker: Actor, reference: str, on: date, method: str) -> None:
    """Record every fee due on an application as received on a day, each on its own (as the case page does)."""
    view = services.applications.view(worker, reference)
    for payment in view.payments:
        if view.fee_standing(payment) == "due":
            services.payments.record_payment(worker, reference, on, method, payment.reference)
