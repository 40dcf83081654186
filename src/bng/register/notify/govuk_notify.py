"""The production adapter of :class:`~bng.register.notify.port.Notify`: GOV.UK Notify through its Python client.

The client is ``notifications-python-client`` (https://docs.notifications.service.gov.uk/python.html). Configured by
``NOTIFY_API_KEY`` and ``NOTIFY_BASE_URL`` (``bng.bootstrap``).

The client signs each request with a JWT made from the key (``iss``: the service id, ``iat``: now, HS256 with
the key's secret) and calls ``POST /v2/notifications/email`` (``email_address``, ``template_id``,
``personalisation``, ``reference``: the notification's ``id``) and ``GET /v2/notifications/{id}`` (its
``status``). The client is not thread-safe: calls are made one at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from .port import PRODUCTION, NotifyError, retryable

TIMEOUT = 10  # seconds: the worker waits on each call, never a request


def _said(err: APIError) -> str:
    message: Any = err.message
    if isinstance(message, list):  # Notify's {"errors": [{"error": …, "message": …}]}
        message = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in message)
    return str(message)


class GovukNotify:
    """GOV.UK Notify itself; each failure is a :class:`~.port.NotifyError` that says whether to retry."""

    def __init__(self, api_key: str, base_url: str = PRODUCTION, *, timeout: int = TIMEOUT) -> None:
        if len(api_key) < 74:  # {key name}-{service id}-{secret}: two UUIDs at the end
            raise ValueError("NOTIFY_API_KEY is not a GOV.UK Notify API key (name-service id-secret)")
        self.base_url = base_url.rstrip("/")
        self._client = NotificationsAPIClient(api_key, base_url=self.base_url, timeout=timeout)
        self._lock = threading.Lock()

    def _call(self, what: str, call: Any) -> dict[str, Any]:
        try:
            with self._lock:
                answer = call()
        except APIError as err:
            status = int(err.status_code)
            if err.response is None:  # nothing answered: the client says 503
                status = 0
            raise NotifyError(f"GOV.UK Notify: {what}: {status or 'no answer'} {_said(err)}", status,
                              retryable(status)) from None  # fmt: skip
        if not isinstance(answer, dict) or "id" not in answer:
            raise NotifyError(f"GOV.UK Notify: {what}: the answer is not a notification", 0, True)
        return answer

    def send_email(self, to: str, template_id: str, personalisation: Mapping[str, str], reference: str) -> str:
        """Send one e-mail through Notify; its id of the notification."""
        answer = self._call(
            "sending an e-mail",
            lambda: self._client.send_email_notification(
                email_address=to, template_id=template_id, personalisation=dict(personalisation), reference=reference
            ),
        )
        return str(answer["id"])

    def status(self, notification_id: str) -> str:
        """Notify's status of the notification."""
        answer = self._call("reading a notification", lambda: self._client.get_notification_by_id(notification_id))
        return str(answer.get("status", ""))
