"""The worker that sends the outbox through GOV.UK Notify.

It runs as ``bng notify send``, ``bng notify worker``, and a thread of ``bng serve``.

Each round claims up to a batch of due messages (``status = 'sending'``, this worker's name, a claim that
runs out after :data:`CLAIM_FOR`, ``attempts + 1``) in one short transaction, sends each outside any
transaction, and records what happened in another: ``sent`` with Notify's id; or, when Notify failed in a
way worth trying again (no answer, 429, 5xx), ``queued`` again with ``next_attempt_at`` pushed back
(:func:`backoff`: 30 s, 2 min, 8 min, 32 min, about 2 h, then every 6 h), until :data:`MAX_ATTEMPTS`, after
which it is ``failed``; a refusal that will not mend itself (400, 403, no template id) is ``failed`` at once.
Two workers never hold the same message (``bng.db.notification_repos``). A worker that dies after Notify
accepted a message but before recording it leaves the message ``sending``; it is sent again once its claim
runs out: Notify takes no idempotency key, so that rare case is the one duplicate the design allows.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from bng.register.core.model import OutboxMessage
from bng.register.core.notifications import notifying
from bng.register.core.ports import Clock, UnitOfWorkFactory
from bng.register.core.service import Service

from .port import Notify, NotifyError, TemplateIds

MAX_ATTEMPTS = 8
CLAIM_FOR = timedelta(minutes=5)
BATCH = 50
log = logging.getLogger("bng.notify")


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 30 s, ×4 each time, at most 6 hours."""
    return timedelta(seconds=min(30 * 4 ** max(0, attempts - 1), 6 * 3600))


def personalisation(m: OutboxMessage, base_url: str) -> dict[str, str]:
    """The message's fields for Notify, each ``…link`` path made absolute with the service's address."""
    base = base_url.rstrip("/")
    out: dict[str, str] = {}
    for k, v in (m.fields or {}).items():
        out[k] = base + v if k.endswith("link") and isinstance(v, str) and v.startswith("/") else str(v)
    return out


@dataclass
class Round:
    """What one round did (the command line prints it)."""

    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # claims that ran out before the result was recorded

    @property
    def handled(self) -> int:
        """How many messages the round took, whatever became of them (fewer than the batch: the queue is empty)."""
        return len(self.sent) + len(self.retrying) + len(self.failed) + len(self.lost)


class NotifySender(Service):
    """Sends the queued outbox through Notify, each message claimed by this worker (``name``) while it is sent."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        notify: Notify,
        ids: TemplateIds,
        base_url: str,
        name: str | None = None,
    ) -> None:
        super().__init__(uow, clock)
        self.notify = notify
        self.ids = ids
        self.base_url = base_url
        self.name = name or f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def _claim(self, limit: int) -> list[OutboxMessage]:
        now = self.now()
        with self._uow(write=True) as uow:
            taken = list(notifying(uow).notifications.claim(self.name, now, now + CLAIM_FOR, limit))
            uow.commit()
            return taken

    def _finish(self, m: OutboxMessage, values: Mapping[str, object]) -> bool:
        assert m.id is not None
        with self._uow(write=True) as uow:
            done = bool(
                notifying(uow).notifications.finish(
                    m.id, self.name, {"claimed_by": None, "claimed_until": None} | dict(values)
                )
            )
            uow.commit()
            return done

    def send_due(self, limit: int = BATCH) -> Round:
        """One round: send what is due (at most ``limit``)."""
        r = Round()
        for m in self._claim(limit):
            label = f"{m.id} {m.template} to {m.to_email}"
            try:
                notify_id = self.notify.send_email(
                    m.to_email, self.ids.of(m.template), personalisation(m, self.base_url), m.key[:100]
                )
            except NotifyError as err:
                give_up = not err.retry or m.attempts >= MAX_ATTEMPTS
                now = self.now()
                values: dict[str, object] = {"last_error": str(err)[:2000]}
                values |= (
                    {"status": "failed"}
                    if give_up
                    else {"status": "queued", "next_attempt_at": now + backoff(m.attempts)}
                )
                (r.failed if give_up else r.retrying).append(f"{label}: {err}")
                if not self._finish(m, values):
                    r.lost.append(label)
                log.warning("e-mail %s not sent (try %d): %s", label, m.attempts, err)
                continue
            if self._finish(m, {"status": "sent", "sent_at": self.now(), "notify_id": notify_id, "last_error": None}):
                r.sent.append(label)
            else:
                r.lost.append(label)
        return r

    def send_all(self, limit: int = BATCH) -> Round:
        """Rounds until nothing due is left (``bng notify send``)."""
        total = Round()
        while True:
            r = self.send_due(limit)
            for name in ("sent", "retrying", "failed", "lost"):
                getattr(total, name).extend(getattr(r, name))
            if r.handled < limit:
                return total

    def run(self, stop: threading.Event, interval: float = 5.0) -> None:
        """Send what is due every ``interval`` seconds until ``stop`` is set.

        An error (the database gone) is logged and the next round tries again: the worker never dies of one.
        """
        while not stop.is_set():
            try:
                busy = self.send_due().handled
            except Exception:
                log.exception("the e-mail worker's round failed; trying again in %s s", interval)
                busy = 0
            if not busy:
                stop.wait(interval)

    def refresh(self, limit: int = 100) -> int:
        """Ask Notify for the delivery status of sent messages not yet delivered or failed there."""
        with self._uow() as uow:
            page = notifying(uow).notifications.listing(1, limit, None, "sent")
            pending = [
                m for m in page.items if m.notify_id and m.notify_status not in ("delivered", "permanent-failure")
            ]
        changed = 0
        for m in pending:
            try:
                status = self.notify.status(m.notify_id)
            except NotifyError as err:
                log.warning("Notify's status of %s not read: %s", m.notify_id, err)
                continue
            if status != m.notify_status:
                with self._uow(write=True) as uow:
                    found = notifying(uow).notifications.get(m.id)
                    if found is not None:
                        found.notify_status = status[:40]
                    uow.commit()
                changed += 1
        return changed


def start_thread(sender: NotifySender, interval: float = 5.0) -> threading.Event:
    """Run the worker in a daemon thread (``bng serve``); set the event it returns to stop it."""
    stop = threading.Event()
    threading.Thread(target=sender.run, args=(stop, interval), name="bng-notify-worker", daemon=True).start()
    return stop
