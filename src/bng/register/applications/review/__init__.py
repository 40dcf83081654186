"""The register team's side: the queue, further information, accept or reject, amendments and removals.

Amendments and removals are of registered gain sites; one use case to a module. :class:`Review` puts
them together for the pages (``services().review.accept(...)``); fees received and refunded are the
payments service's (``bng.register.payments.fees``).
"""

from __future__ import annotations

from collections.abc import Callable

from bng.register.applications.allocation_section import CombinedCase
from bng.register.applications.service import Applications
from bng.register.core.places import Places
from bng.register.core.ports import Clock, FileStore, UnitOfWorkFactory

from .acceptance import Accept
from .cases import ReviewCases
from .changes import Amend, Remove
from .common import MAX_REASON, PUBLISHABLE, QUEUE
from .information import RequestInformation
from .rejection import Reject


class Review:
    """The review's use cases, each built once (``register/services.py``)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        store: FileStore,
        places: Callable[[], Places],
        applications: Applications,
        combined: CombinedCase,
    ) -> None:
        cases = ReviewCases(uow, clock, applications)
        self.queue = cases.queue
        self.decided = cases.decided
        self.case = cases.case
        self.request_information = RequestInformation(uow, clock)
        self.reject = Reject(uow, clock)
        self.accept = Accept(uow, clock, store, places, applications, combined)
        self.amend = Amend(uow, clock)
        self.remove = Remove(uow, clock)


__all__ = [
    "MAX_REASON",
    "PUBLISHABLE",
    "QUEUE",
    "Accept",
    "Amend",
    "Reject",
    "Remove",
    "RequestInformation",
    "Review",
    "ReviewCases",
]
