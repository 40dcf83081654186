"""A local stand-in for GOV.UK Pay, so that paying by card works offline (``./run.sh``) and in tests.

It keeps Pay's side of card payments in memory and answers in Pay's JSON: ``bng.web.views.pay_stand_in``
serves it over HTTP at ``/pay-stand-in`` with the same endpoints as Pay (``POST /v1/payments``,
``GET /v1/payments/{id}``, ``POST /v1/payments/{id}/refunds``, a Bearer key) and with its own card page,
where the payer makes the payment succeed, fail or be cancelled. :class:`LocalPay` is the in-process
adapter the service uses when no ``GOVUK_PAY_API_KEY`` is configured; it reads the same JSON through the
same parser as the production adapter.

Why in memory, not in the database: the stand-in is GOV.UK Pay's side, not ours. Keeping it out of our
schema keeps the line between what Pay holds and what we hold exactly where it is in production (the
reconciliation compares the two), and a restart simply starts a fresh sandbox, like Pay's test accounts.
"""

from __future__ import annotations

import hmac
import secrets
import string
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bng.register.core.ports import PayError, PayRefund, PayState

from .govuk_pay import payment_state, refund_state

STAND_IN_KEY = "api_test_bng_stand_in"
"""The stand-in's API key (its Bearer token): it guards no money, it only makes clients send one."""
PREFIX = "/pay-stand-in"
MAX_AMOUNT = 10_000_000  # pence, Pay's own limit on a payment
OUTCOMES = {
    "success": ("success", "", ""),
    "failed": ("failed", "P0010", "Payment method rejected"),
    "cancelled": ("cancelled", "P0030", "Payment was cancelled by the user"),
}
"""What the card page's buttons end a payment with: status, and Pay's code and message."""

Answer = tuple[int, dict[str, Any]]


def _id() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(26))


def _error(status: int, code: str, description: str, field: str = "") -> Answer:
    return status, {"code": code, "description": description} | ({"field": field} if field else {})


class StandInPay:
    """Pay's payments and refunds, in memory (thread-safe: the web server answers on several threads)."""

    def __init__(self, api_key: str = STAND_IN_KEY, clock: Callable[[], datetime] | None = None) -> None:
        self.api_key = api_key
        self._clock = clock or (lambda: datetime.now(UTC))
        self._payments: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def authorised(self, header: str) -> bool:
        """Whether the ``Authorization`` header carries the stand-in's key as a Bearer token."""
        scheme, _, key = (header or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(key.encode(), self.api_key.encode())

    def _json(self, p: dict[str, Any], base: str) -> dict[str, Any]:
        refunded = sum(r["amount"] for r in p["refunds"])
        success = p["status"] == "success"
        available = p["amount"] - refunded if success else 0
        state: dict[str, Any] = {"status": p["status"], "finished": p["status"] in ("success", "failed", "cancelled")}
        if p.get("code"):
            state |= {"code": p["code"], "message": p["message"]}
        links: dict[str, Any] = {"self": {"href": f"{base}{PREFIX}/v1/payments/{p['id']}", "method": "GET"}}
        if not state["finished"]:
            links["next_url"] = {"href": f"{base}{PREFIX}/pay/{p['id']}", "method": "GET"}
        links["refunds"] = {"href": f"{base}{PREFIX}/v1/payments/{p['id']}/refunds", "method": "GET"}
        return {
            "payment_id": p["id"],
            "amount": p["amount"],
            "reference": p["reference"],
            "description": p["description"],
            "return_url": p["return_url"],
            "payment_provider": "sandbox",
            "created_date": p["created"],
            "state": state,
            "refund_summary": {
                "status": ("full" if available == 0 else "available") if success else "unavailable",
                "amount_available": available,
                "amount_submitted": refunded,
            },
            "_links": links,
        }

    def create(self, body: Any, base: str) -> Answer:
        """``POST /v1/payments``: Pay's 201 answer with the card page as ``next_url``, or its error (400, 422)."""
        if not isinstance(body, dict):
            return _error(400, "P0197", "Unable to parse JSON")
        for name in ("amount", "reference", "description", "return_url"):
            if name not in body:
                return _error(400, "P0101", f"Missing mandatory attribute: {name}", name)
        amount = body["amount"]
        if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= MAX_AMOUNT:
            return _error(422, "P0102", f"Invalid attribute value: amount. Must be 1 to {MAX_AMOUNT}", "amount")
        for name, most in (("reference", 255), ("description", 255), ("return_url", 2000)):
            value = body[name]
            if not isinstance(value, str) or not value or len(value) > most:
                return _error(422, "P0102", f"Invalid attribute value: {name}", name)
        if not body["return_url"].startswith(("https://", "http://")):
            return _error(422, "P0102", "Invalid attribute value: return_url. Must be a valid URL format", "return_url")
        p = {
            "id": _id(),
            "amount": amount,
            "reference": body["reference"],
            "description": body["description"],
            "return_url": body["return_url"],
            "created": self._clock().strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "status": "created",
            "refunds": [],
            "form_token": secrets.token_urlsafe(24),  # the card page's own anti-forgery token
        }
        with self._lock:
            self._payments[p["id"]] = p
            return 201, self._json(p, base)

    def find(self, payment_id: str, base: str) -> Answer:
        """``GET /v1/payments/{payment_id}``: the payment as Pay shows it, or Pay's 404."""
        with self._lock:
            p = self._payments.get(payment_id)
            if p is None:
                return _error(404, "P0200", "Not found")
            return 200, self._json(p, base)

    def refund(self, payment_id: str, body: Any, base: str) -> Answer:
        """``POST /v1/payments/{payment_id}/refunds``: 202, or Pay's error (412: ``refund_amount_available`` stale)."""
        names = ("amount", "refund_amount_available")
        if not isinstance(body, dict) or not all(isinstance(body.get(n), int) for n in names):
            return _error(400, "P0601", "Missing or invalid attributes: amount, refund_amount_available")
        with self._lock:
            p = self._payments.get(payment_id)
            if p is None:
                return _error(404, "P0700", "Not found")
            available = self._json(p, base)["refund_summary"]["amount_available"]
            if p["status"] != "success":
                return _error(400, "P0603", "The payment is not available for refund")
            if body["refund_amount_available"] != available:
                return _error(412, "P0604", "Refund amount available mismatch")
            if not 1 <= body["amount"] <= available:
                return _error(400, "P0604", "The refund amount is more than the amount available")
            refund = {
                "refund_id": _id(),
                "amount": body["amount"],
                "status": "success",  # a sandbox's refunds succeed at once
                "created_date": self._clock().strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "_links": {"payment": {"href": f"{base}{PREFIX}/v1/payments/{payment_id}", "method": "GET"}},
            }
            p["refunds"].append(refund)
            return 202, refund

    # -- the card page ------------------------------------------------------------------------------

    def page(self, payment_id: str) -> dict[str, Any] | None:
        """The payment for its card page (started by being seen), or None if there is none."""
        with self._lock:
            p = self._payments.get(payment_id)
            if p is None:
                return None
            if p["status"] == "created":
                p["status"] = "started"
            return dict(p)

    def finish(self, payment_id: str, outcome: str, form_token: str) -> str | None:
        """End an unfinished payment as the card page's button says; its return address.

        None: no such payment, no such outcome, or not sent from its card page. A payment already finished stays as
        it is.
        """
        with self._lock:
            p = self._payments.get(payment_id)
            if p is None or outcome not in OUTCOMES:
                return None
            if not hmac.compare_digest(form_token.encode(), str(p["form_token"]).encode()):
                return None
            if p["status"] in ("created", "started", "submitted"):
                p["status"], p["code"], p["message"] = OUTCOMES[outcome]
            return str(p["return_url"])


class LocalPay:
    """The stand-in as the service's :class:`~bng.register.core.ports.CardPay`, in process.

    ``base_url`` is where the service is reached (its card page is under it).
    """

    def __init__(self, store: StandInPay, base_url: str) -> None:
        self.store = store
        self.base_url = base_url.rstrip("/")

    def _answer(self, answer: Answer) -> dict[str, Any]:
        status, body = answer
        if status >= 400:
            raise PayError(f"GOV.UK Pay refused the request ({status}: {body.get('description', '')})", status)
        return body

    def create(self, amount_pence: int, reference: str, description: str, return_url: str) -> PayState:
        """Start a payment at the stand-in."""
        body = {"amount": amount_pence, "reference": reference, "description": description, "return_url": return_url}
        return payment_state(self._answer(self.store.create(body, self.base_url)))

    def get(self, payment_id: str) -> PayState:
        """The payment's state at the stand-in."""
        return payment_state(self._answer(self.store.find(payment_id, self.base_url)))

    def refund(self, payment_id: str, amount_pence: int, refund_amount_available: int) -> PayRefund:
        """Refund at the stand-in (its refunds succeed at once, as a sandbox's do)."""
        body = {"amount": amount_pence, "refund_amount_available": refund_amount_available}
        return refund_state(self._answer(self.store.refund(payment_id, body, self.base_url)))
