"""One-time submission tokens in the services, on SQLite and PostgreSQL: fifty threads confirming the same
allocation with the same token make one allocation and are all told which; a confirmation that fails
claims nothing (the same form can be corrected and sent again); a token is one person's, for one action."""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from decimal import Decimal

import pytest

from bng.register.allocations.service import Development, Request
from bng.register.core.errors import Conflict, Invalid
from bng.register.core.submissions import AlreadyDone, Once
from tests.db.fixtures import Register
from tests.db.test_concurrency import racing  # noqa: F401 (a fixture)

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)

THREADS = 50


def _grass(register: Register) -> int:
    world = register.world
    assert world is not None
    parcel = next(
        p for p in register.services.register.site(world.site).parcels if p.stage == "creation" and p.module == "area"
    )
    assert parcel.id is not None
    return parcel.id


@pytest.mark.engines("sqlite", "postgresql")  # fifty threads racing on the database
def test_fifty_threads_one_token_one_allocation(racing: Register) -> None:  # noqa: F811
    world, s = racing.world, racing.services
    assert world is not None
    grass = _grass(racing)
    development = Development(world.lpa_ids["Cambridge LPA"], "26/5/FUL", "Homes", "546000, 259000")
    token = Once(secrets.token_urlsafe(24), "allocation.confirm")
    barrier = threading.Barrier(THREADS)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def confirm() -> None:
        barrier.wait()
        try:
            made = s.allocations.allocate(
                world.actors["landowner"], world.site, development, [Request(grass, Decimal("0.01"))], once=token
            )
            result = f"made {made.reference}"
        except AlreadyDone as done:
            result = f"already {done.target}"
        except Exception as err:
            result = f"error {type(err).__name__}: {err}"
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=confirm) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    made = [k for k in outcomes if k.startswith("made ")]
    assert len(made) == 1 and outcomes[made[0]] == 1, outcomes
    reference = made[0].removeprefix("made ")
    assert outcomes[f"already {reference}"] == THREADS - 1, outcomes
    assert len(s.allocations.mine(world.actors["landowner"])) == 1


def test_a_failed_confirmation_claims_nothing(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    grass = _grass(register)
    token = Once(secrets.token_urlsafe(24), "allocation.confirm")
    wrong = Development(world.lpa_ids["Cambridge LPA"], "", "Homes", "546000, 259000")  # no planning reference
    with pytest.raises(Invalid):
        s.allocations.allocate(
            world.actors["landowner"], world.site, wrong, [Request(grass, Decimal("0.01"))], once=token
        )
    right = Development(world.lpa_ids["Cambridge LPA"], "26/6/FUL", "Homes", "546000, 259000")
    made = s.allocations.allocate(
        world.actors["landowner"], world.site, right, [Request(grass, Decimal("0.01"))], once=token
    )
    with pytest.raises(AlreadyDone) as again:
        s.allocations.allocate(
            world.actors["landowner"], world.site, right, [Request(grass, Decimal("0.01"))], once=token
        )
    assert again.value.target == made.reference
    assert s.submissions.done(world.actors["landowner"], token) == made.reference


def test_a_token_is_one_persons_for_one_action(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    token = secrets.token_urlsafe(24)
    started = s.applications.start(world.actors["landowner"], once=Once(token, "application.start"))
    with pytest.raises(Conflict):  # another person's (a token seen over a shoulder) is not theirs to replay
        s.applications.start(world.actors["other_landowner"], once=Once(token, "application.start"))
    development = Development(world.lpa_ids["Cambridge LPA"], "26/7/FUL", "Homes", "546000, 259000")
    with pytest.raises(Conflict):  # nor for another action
        s.allocations.allocate(
            world.actors["landowner"], world.site, development, [Request(_grass(register), Decimal("0.01"))],
            once=Once(token, "allocation.confirm"),
        )  # fmt: skip
    assert s.submissions.done(world.actors["other_landowner"], Once(token, "application.start")) is None
    assert s.submissions.done(world.actors["landowner"], Once(token, "application.start")) == started.reference


@pytest.mark.parametrize("token", ["", "short", "x" * 200, "../../etc", "a b c d e f g h i j k l m n o p"])
def test_a_token_that_is_no_token_is_refused(token: str) -> None:
    with pytest.raises(Invalid):
        Once(token, "allocation.confirm")
