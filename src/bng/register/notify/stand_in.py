"""A local stand-in for GOV.UK Notify, so that e-mails can be followed offline (``./run.sh``) and in tests.

It speaks the part of Notify's REST API the register uses (https://docs.notifications.service.gov.uk/rest-api.html),
served by ``bng.web.views.notify_stand_in`` at the service's root (Notify's client joins its paths to the
host, so a prefix would be lost): ``POST /v2/notifications/email`` and ``GET /v2/notifications/{id}``, each
with Notify's ``Authorization: Bearer <JWT>`` (HS256, signed with the API key's secret, ``iss`` the service id,
``iat`` within 30 seconds of now), and Notify's error bodies (``{"status_code": …, "errors": [{"error": …,
"message": …}]}``). Its templates are the register's own (``TEMPLATES``) under their stand-in ids, so it
checks the personalisation as Notify does ("Missing personalisation: …"). Notify's documented test addresses
behave as in Notify: ``temp-fail@simulator.notify`` ends ``temporary-failure``, ``perm-fail@simulator.notify``
``permanent-failure``; any other address is ``delivered`` at once. Each e-mail is written to the log
(``bng.notify``, INFO) as it would be delivered.

:meth:`StandInNotify.fail_next` makes the next requests answer as Notify does when it fails (500, or 429 for
its rate limit): the tests use it to see the worker retry.

Like Pay's stand-in, it keeps Notify's side in memory: the register's outbox holds our side.
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import jwt

from bng.register.core.outbox import TEMPLATES

from .port import NotifyError, retryable, stand_in_template_id

STAND_IN_SERVICE_ID = "1b6b0ad5-3a2e-4a8b-9c43-5d0b1f6c9e21"
STAND_IN_SECRET = "7f0d2c4e-9b1a-4e6f-8d3c-2a5b7c9e1f40"
STAND_IN_KEY = f"bng_stand_in-{STAND_IN_SERVICE_ID}-{STAND_IN_SECRET}"
"""The stand-in's API key, in Notify's form (name, service id, secret): it guards nothing, it only makes
clients sign their requests as Notify's do."""
CLOCK_SKEW = 30  # seconds: Notify refuses a token issued further from its clock
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SIMULATED = {"temp-fail@simulator.notify": "temporary-failure", "perm-fail@simulator.notify": "permanent-failure"}
FAILURES = {500: ("Exception", "Internal server error"), 429: ("RateLimitError", "Exceeded rate limit for key type")}

Answer = tuple[int, dict[str, Any]]


def _error(status: int, error: str, message: str) -> Answer:
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _fields(text: str) -> list[str]:
    return re.findall(r"{(\w+)}", text)


class StandInNotify:
    """Notify's notifications, in memory (thread-safe: the web server answers on several threads)."""

    def __init__(self, api_key: str = STAND_IN_KEY, clock: Callable[[], datetime] | None = None) -> None:
        self.service_id, self.secret = api_key[-73:-37], api_key[-36:]
        self._clock = clock or (lambda: datetime.now(UTC))
        self._notifications: dict[str, dict[str, Any]] = {}
        self._templates = {stand_in_template_id(name): name for name in TEMPLATES}
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self.log = logging.getLogger("bng.notify")

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        """Answer the next ``count`` requests as Notify does when it fails (500) or limits (429)."""
        with self._lock:
            self._failures.extend([status] * count)

    @property
    def sent(self) -> list[dict[str, Any]]:
        """Copies of every notification sent, in the order they were sent."""
        with self._lock:
            return [dict(n) for n in self._notifications.values()]

    def refused(self, header: str, now: float | None = None) -> Answer | None:
        """Notify's 403 for a request whose token is missing or wrong; None if it is right."""
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        try:
            claims = jwt.decode(
                token, self.secret, algorithms=["HS256"], options={"verify_iat": False, "require": ["iss", "iat"]}
            )
        except jwt.PyJWTError:
            return _error(403, "AuthError", "Invalid token: signature, api token not found")
        if not hmac.compare_digest(str(claims["iss"]).encode(), self.service_id.encode()):
            return _error(403, "AuthError", "Invalid token: service not found")
        if not isinstance(claims["iat"], int) or abs((now or time.time()) - claims["iat"]) > CLOCK_SKEW:
            return _error(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
        return None

    def _failure(self) -> Answer | None:
        with self._lock:
            status = self._failures.pop(0) if self._failures else None
        return _error(status, *FAILURES.get(status, FAILURES[500])) if status else None

    def send_email(self, body: Any, base: str) -> Answer:
        """``POST /v2/notifications/email``: Notify's 201 answer, or its error (400 for a bad body)."""
        failed = self._failure()
        if failed:
            return failed
        if not isinstance(body, dict):
            return _error(400, "BadRequestError", "Invalid JSON supplied in POST data")
        for name in ("email_address", "template_id"):
            if not isinstance(body.get(name), str) or not body[name]:
                return _error(400, "ValidationError", f"{name} is a required property")
        to, template_id = body["email_address"], body["template_id"]
        if not EMAIL.match(to):
            return _error(400, "ValidationError", "email_address Not a valid email address")
        try:
            template_id = str(uuid.UUID(template_id))
        except ValueError:
            return _error(400, "ValidationError", "template_id is not a valid UUID")
        template = self._templates.get(template_id)
        if template is None:
            return _error(400, "BadRequestError", "Template not found")
        given = body.get("personalisation") or {}
        if not isinstance(given, dict):
            return _error(400, "ValidationError", "personalisation {} is not of type object")
        subject_text, body_text = TEMPLATES[template]
        missing = [f for f in dict.fromkeys(_fields(subject_text) + _fields(body_text)) if f not in given]
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        values = {k: str(v) for k, v in given.items()}
        subject, text = subject_text.format(**values), body_text.format(**values)
        now = self._clock()
        n = {
            "id": str(uuid.uuid4()),
            "reference": body.get("reference"),
            "email_address": to,
            "template_id": template_id,
            "template": template,
            "subject": subject,
            "body": text,
            "created_at": _stamp(now),
            "status": SIMULATED.get(to.lower(), "delivered"),
        }
        with self._lock:
            self._notifications[n["id"]] = n
        self.log.info("email to %s: %s\n%s", to, subject, text)
        return 201, {
            "id": n["id"],
            "reference": n["reference"],
            "content": {
                "subject": subject,
                "body": text,
                "from_email": "biodiversity.gain.sites.register@notifications.service.gov.uk",
                "one_click_unsubscribe_url": None,
            },
            "uri": f"{base}/v2/notifications/{n['id']}",
            "template": {
                "id": template_id,
                "version": 1,
                "uri": f"{base}/services/{self.service_id}/templates/{template_id}",
            },
            "scheduled_for": None,
        }

    def find(self, notification_id: str, base: str) -> Answer:
        """``GET /v2/notifications/{id}``: the notification as Notify shows it, or Notify's 404."""
        failed = self._failure()
        if failed:
            return failed
        with self._lock:
            n = self._notifications.get(notification_id)
        if n is None:
            return _error(404, "NoResultFound", "No result found")
        finished = n["created_at"] if n["status"] != "sending" else None
        return 200, {
            "id": n["id"],
            "reference": n["reference"],
            "email_address": n["email_address"],
            "phone_number": None,
            "type": "email",
            "status": n["status"],
            "template": {"id": n["template_id"], "version": 1, "uri": f"{base}/v2/template/{n['template_id']}"},
            "body": n["body"],
            "subject": n["subject"],
            "created_at": n["created_at"],
            "created_by_name": None,
            "sent_at": n["created_at"],
            "completed_at": finished,
        }


class LocalNotify:
    """The stand-in as the worker's :class:`~bng.register.notify.port.Notify`, in process (no network).

    For the service run without a key, whose stand-in it is.
    """

    def __init__(self, store: StandInNotify, base_url: str = "") -> None:
        self.store = store
        self.base_url = base_url.rstrip("/")

    def _answer(self, answer: Answer) -> dict[str, Any]:
        status, body = answer
        if status >= 400:
            said = "; ".join(e.get("message", "") for e in body.get("errors", []))
            raise NotifyError(f"GOV.UK Notify (stand-in): {status} {said}", status, retryable(status))
        return body

    def send_email(self, to: str, template_id: str, personalisation: Any, reference: str) -> str:
        """Send one e-mail to the stand-in; its id of the notification."""
        body = {"email_address": to, "template_id": template_id, "personalisation": dict(personalisation)}
        body["reference"] = reference
        return str(self._answer(self.store.send_email(body, self.base_url))["id"])

    def status(self, notification_id: str) -> str:
        """The stand-in's status of the notification."""
        return str(self._answer(self.store.find(notification_id, self.base_url)).get("status", ""))
