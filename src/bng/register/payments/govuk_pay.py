"""The production adapter of :class:`~bng.register.core.ports.CardPay`: GOV.UK Pay's public REST API.

Over HTTPS (https://docs.payments.service.gov.uk/api_reference/), with the service's API key as a Bearer
token. Configured by ``GOVUK_PAY_API_KEY`` and ``GOVUK_PAY_BASE_URL`` (``bng.bootstrap``).

The endpoints used: ``POST /v1/payments`` (amount in pence, reference, description, return_url: the
payment's ``payment_id`` and ``_links.next_url``), ``GET /v1/payments/{payment_id}`` (its ``state``:
status and finished; ``refund_summary.amount_available``) and ``POST /v1/payments/{payment_id}/refunds``
(amount and ``refund_amount_available``, which Pay checks against its own to refuse a refund made twice).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from bng.register.core.ports import PayError, PayRefund, PayState

PRODUCTION = "https://publicapi.payments.service.gov.uk"
TIMEOUT = 10.0  # seconds: a payer waits on each call


def payment_state(body: Any) -> PayState:
    """A payment from Pay's JSON (create or find), checked for what we rely on."""
    try:
        state = body["state"]
        links = body.get("_links") or {}
        next_url = (links.get("next_url") or {}).get("href") or ""
        summary = body.get("refund_summary") or {}
        return PayState(
            payment_id=str(body["payment_id"]),
            status=str(state["status"]),
            finished=bool(state["finished"]),
            amount=int(body["amount"]),
            reference=str(body.get("reference", "")),
            next_url=str(next_url),
            refund_available=int(summary.get("amount_available", 0)),
            message=str(state.get("message", "")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise PayError(f"GOV.UK Pay's answer is not a payment ({type(err).__name__}: {err})") from None


def refund_state(body: Any) -> PayRefund:
    """A refund from Pay's JSON, checked for what we rely on."""
    try:
        return PayRefund(str(body["refund_id"]), int(body["amount"]), str(body["status"]))
    except (KeyError, TypeError, ValueError) as err:
        raise PayError(f"GOV.UK Pay's answer is not a refund ({type(err).__name__}: {err})") from None


class GovukPay:
    """GOV.UK Pay itself; a network failure, a refusal or an answer we cannot read is a PayError."""

    def __init__(
        self, api_key: str, base_url: str = PRODUCTION, *, timeout: float = TIMEOUT, client: httpx.Client | None = None
    ) -> None:
        if not api_key:
            raise ValueError("GOV.UK Pay needs an API key (GOVUK_PAY_API_KEY)")
        self.base_url = base_url.rstrip("/")
        self._client = client or httpx.Client(timeout=timeout)
        self._headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            response = self._client.request(method, self.base_url + path, json=body, headers=self._headers)
        except httpx.HTTPError as err:
            raise PayError(f"GOV.UK Pay could not be reached ({type(err).__name__})") from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code >= 400:
            said = answer.get("description") or answer.get("code") if isinstance(answer, dict) else ""
            raise PayError(f"GOV.UK Pay refused the request ({response.status_code}: {said or 'no reason'})",
                           response.status_code)  # fmt: skip
        if answer is None:
            raise PayError(f"GOV.UK Pay's answer is not JSON ({response.status_code})", response.status_code)
        return answer

    def create(self, amount_pence: int, reference: str, description: str, return_url: str) -> PayState:
        """``POST /v1/payments``."""
        body = {"amount": amount_pence, "reference": reference, "description": description, "return_url": return_url}
        return payment_state(self._call("POST", "/v1/payments", body))

    def get(self, payment_id: str) -> PayState:
        """``GET /v1/payments/{payment_id}``."""
        return payment_state(self._call("GET", f"/v1/payments/{quote(payment_id, safe='')}"))

    def refund(self, payment_id: str, amount_pence: int, refund_amount_available: int) -> PayRefund:
        """``POST /v1/payments/{payment_id}/refunds``."""
        body = {"amount": amount_pence, "refund_amount_available": refund_amount_available}
        return refund_state(self._call("POST", f"/v1/payments/{quote(payment_id, safe='')}/refunds", body))
