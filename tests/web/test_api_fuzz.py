"""Schemathesis against the API's own OpenAPI document, as its command line runs it: every operation,
with the examples, coverage and fuzzing phases, valid and invalid requests, on both databases. No answer
may be a 5xx or differ from the document (status, media type, schema, headers); an invalid request must
be refused and a valid one accepted; a method the API does not answer is a 405 with Allow.

Bounded in time (MAX_TIME a database: the coverage phase, then fuzzing until the time is up), so that
it takes about a minute and a half of one core per database."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import schemathesis
from flask import Flask
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

from tests.db.fixtures import Register

MAX_TIME = 45  # seconds of generated requests a database
CONFIG: dict[str, Any] = {
    "max-time": MAX_TIME,
    "seed": 20261122,
    "generation": {"mode": "all", "max-examples": 30, "deterministic": True},
    "phases": {"stateful": {"enabled": False}},  # the API only reads
    "checks": {"enabled": True},
}
BEYOND_THE_DOCUMENT = frozenset({"near", "distance_km", "bbox", "file", "baseline", "post_intervention", "on", "after"})
"""Parameters with rules an OpenAPI document cannot state: a grid reference's square and digits,
``distance_km`` only with ``near``, a box's minimum below its maximum and on the grid; ``after`` the
reference of a gain site there is; an upload that
must be a metric workbook or habitat map (bytes of the right format are not one), and a date with
credit prices in force."""


def _beyond_the_document(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but a valid-looking request refused for one of those rules alone: a 400
    whose problem names only such parameters (any other refusal of valid data still fails)."""
    if failure.code != "ST202" or response.status_code != 400:
        return True
    named = {p["name"] for p in response.json().get("invalid_params", [])}
    return not (named and named <= BEYOND_THE_DOCUMENT)


def run(
    app: Flask, config_dict: dict[str, Any] = CONFIG, only: str = "", before_call: Any = None
) -> tuple[Counter[int], set[str], list[str]]:
    """The statuses answered, the operations called, and a line for each failure (check, request, answer)."""
    config = SchemathesisConfig.from_dict(config_dict)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    if only:
        schema = schema.include(path_regex=only)
    schema.hook("filter_failure")(_beyond_the_document)
    if before_call is not None:  # a global hook only: registered for this run, removed after it
        schemathesis.hook("before_call")(before_call)
    statuses: Counter[int] = Counter()
    operations: set[str] = set()
    failures: list[str] = []
    try:
        events_seen = list(from_schema(schema).execute())
    finally:
        if before_call is not None:
            GLOBAL_HOOK_DISPATCHER.unregister(before_call)
    for event in events_seen:
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


TOKEN_PATHS = "^/api/v1/(metric|maps|credits|me|lpa)/"


def test_the_token_api_keeps_to_its_document(app: Flask, register: Register) -> None:
    """The token-authenticated endpoints again, now with the token of a developer's organisation holding every
    scope a developer may give: generated uploads and fields reach the handlers, which must answer as documented
    (200, 400, 403 for the scopes a developer lacks; never a 5xx). The register's clock moves a second a call, so the
    token's window opens again before its limit (a 429 is documented, but would hide the handlers)."""
    from datetime import timedelta

    from tests.register.organisations import token

    world = register.world
    assert world is not None
    _, secret = token(register.services, world.actors["developer"], name="fuzz")

    def before_call(context: Any, case: Any, **kwargs: Any) -> None:
        register.clock.now += timedelta(seconds=1)

    config = {**CONFIG, "max-time": 30, "headers": {"Authorization": f"Bearer {secret}"}}
    # its check re-sends a request without the token through the WSGI transport with an argument werkzeug does
    # not take (schemathesis 4.32); test_api_tokens calls every endpoint without a token and with a revoked one
    config["checks"] = {"enabled": True, "ignored_auth": {"enabled": False}}
    statuses, operations, failures = run(app, config, TOKEN_PATHS, before_call)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(sorted(set(failures))[:60])
    documented = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    called = {f"{m.upper()} {path}" for path, ops in documented.items() if re.match(TOKEN_PATHS, path) for m in ops}
    assert len(called) == 10 and called <= operations, called - operations
    assert not [s for s in statuses if s >= 500 or s == 0], statuses
    assert statuses[200] > 0 and statuses[400] > 0 and statuses[403] > 0, statuses
