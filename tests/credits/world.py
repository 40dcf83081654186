"""Statutory biodiversity credit orders in the test world: a complete draft, a submitted order and one
taken through every step to the LPA, all the developer's, for a development in Cambridge LPA.

Built through the services, as a developer and the register team would, from the golden test vector
that carries credits in six tiers (pub-39)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from bng.register.core.audit import Actor
from bng.register.core.uploads import Upload
from bng.register.credits.amounts import quantity_text
from bng.register.services import Services
from tests.conftest import VECTORS

METRIC = VECTORS / "pub-39-credits-tiers.site.json"


def metric_upload(path: Path = METRIC, name: str = "metric.json") -> dict[str, Upload]:
    return {"metric_file": Upload("metric_file", name, path.read_bytes())}


def development_metric(development: str, path: Path = METRIC) -> dict[str, Upload]:
    """The metric with the development's name on its Start sheet: each development has its own file (a metric
    buys credits once)."""
    doc = json.loads(path.read_text("utf-8"))
    doc["project"] = {**doc.get("project", {}), "name": development}
    return {"metric_file": Upload("metric_file", "metric.json", json.dumps(doc).encode())}


def answer_all(services: Services, developer: Actor, reference: str, lpa_id: int, **overrides: Any) -> None:
    """Answer every section of an order (the quantities exactly as the metric needs them)."""
    save = services.credits.orders.save_section
    save(
        developer,
        reference,
        "development",
        {
            "lpa_id": str(lpa_id),
            "planning_reference": "24/01234/FUL",
            "development_name": overrides.get("name", "Mill Lane, 40 homes"),
        },
    )
    name = overrides.get("name", "Mill Lane, 40 homes")
    view = save(developer, reference, "metric", {}, overrides.get("metric", development_metric(name)))
    assert view.metric is not None
    typed = {f"quantity_{t}": quantity_text(n or 0) if n else "" for t, n in view.metric.needed.items()}
    save(developer, reference, "quantities", typed | overrides.get("quantities", {}))
    save(
        developer,
        reference,
        "gain-hierarchy",
        {"onsite_reason": "The site is fully built over", "offsite_reason": "No gain site nearby sells these habitats"},
    )
    save(developer, reference, "purchase-order", {"purchase_order": "PO-4471"})
    save(
        developer,
        reference,
        "due-diligence",
        overrides.get(
            "customer",
            {
                "customer_type": "organisation",
                "organisation_name": "Mill Lane Homes Ltd",
                "organisation_number": "01234567",
            },
        ),
    )
    save(developer, reference, "terms", {"confirm": ["terms", "own_development"]})  # fmt: skip


def paid(services: Services, worker: Actor, reference: str, on: date) -> None:
    """Due diligence passed, the invoice issued and paid in full on a date."""
    f = services.credits.fulfilment
    f.decide_due_diligence(worker, reference, "passed", "")
    invoice = f.issue_invoice(worker, reference)
    f.record_payment(worker, reference, on, invoice.total_pence)


def build(services: Services, actors: dict[str, Actor], lpa_ids: dict[str, int], today: date) -> dict[str, str]:
    developer, worker = actors["developer"], actors["case_worker"]
    cambridge = lpa_ids["Cambridge LPA"]
    orders = services.credits.orders
    out: dict[str, str] = {}
    for state in ("draft", "submitted", "sent"):
        reference = orders.start(developer).reference
        answer_all(services, developer, reference, cambridge, name=f"Mill Lane ({state})")
        out[state] = reference
        if state == "draft":
            continue
        orders.submit(developer, reference)
        if state == "sent":
            paid(services, worker, reference, today)
            services.credits.fulfilment.allocate(worker, reference)
            services.credits.fulfilment.send_to_lpa(worker, reference)
    return out
