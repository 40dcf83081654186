"""Schemathesis against the API's own OpenAPI document, as its command line runs it: every operation,
with the examples, coverage and fuzzing phases, valid and invalid requests, on both databases. No answer
may be a 5xx or differ from the document (status, media type, schema, headers); an invalid request must
be refused and a valid one accepted; a method the API does not answer is a 405 with Allow.

Bounded in time (MAX_TIME a database: the coverage phase, then fuzzing until the time is up), so that
it takes about a minute and a half of one core per database."""

from __future__ import annotations

from collections import Counter
from typing import Any

import schemathesis
from flask import Flask
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from tests.db.fixtures import Register

MAX_TIME = 45  # seconds of generated requests a database
CONFIG: dict[str, Any] = {
    "max-time": MAX_TIME,
    "seed": 20261122,
    "generation": {"mode": "all", "max-examples": 30, "deterministic": True},
    "phases": {"stateful": {"enabled": False}},  # the API only reads
    "checks": {"enabled": True},
}
BEYOND_THE_DOCUMENT = frozenset({"near", "distance_km", "bbox"})
"""Parameters with rules an OpenAPI document cannot state: a grid reference's square and digits,
``distance_km`` only with ``near``, a box's minimum below its maximum and on the grid."""


def _beyond_the_document(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but a valid-looking request refused for one of those rules alone: a 400
    whose problem names only such parameters (any other refusal of valid data still fails)."""
    if failure.code != "ST202" or response.status_code != 400:
        return True
    named = {p["name"] for p in response.json().get("invalid_params", [])}
    return not (named and named <= BEYOND_THE_DOCUMENT)


def run(app: Flask) -> tuple[Counter[int], set[str], list[str]]:
    """The statuses answered, the operations called, and a line for each failure (check, request, answer)."""
    config = SchemathesisConfig.from_dict(CONFIG)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    schema.hook("filter_failure")(_beyond_the_document)
    statuses: Counter[int] = Counter()
    operations: set[str] = set()
    failures: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"error: {event}")
        if not isinstance(event, events.ScenarioFinished):
            continue
        for case_id, node in event.recorder.cases.items():
            case = node.value
            operations.add(f"{case.method} {case.operation.path}")
            answered = event.recorder.interactions.get(case_id)
            status = answered.response.status_code if answered and answered.response else 0
            statuses[status] += 1
            for check in event.recorder.checks.get(case_id, []):
                if check.failure_info is not None:
                    failures.append(
                        f"{check.failure_info.failure.code} {check.name}: {case.method} {case.path} "
                        f"query={case.query!r} -> {status}: {check.failure_info.failure.title}"
                    )
    return statuses, operations, failures


def test_the_api_keeps_to_its_document(app: Flask, register: Register) -> None:
    documented = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    statuses, operations, failures = run(app)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(sorted(set(failures))[:60])
    called = {f"{method.upper()} {path}" for path, operations_of in documented.items() for method in operations_of}
    assert called <= operations  # every operation was called
    assert not [s for s in statuses if s >= 500 or s == 0], statuses
    assert statuses[200] > 100 and statuses[400] > 100 and statuses[405] > 0, statuses  # both kinds, and methods
