"""The optional second factor of staff accounts: a time-based one-time password (TOTP, RFC 6238), by ``pyotp``.

HMAC-SHA1, six digits, 30-second steps, as every authenticator app reads an ``otpauth://`` URI.

A code is accepted for its own step and the one either side (a phone's clock may be a little out), and
only for a step later than the last code the account used: a code seen over a shoulder, or sent twice,
is refused within its 90 seconds of life.
"""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime

import pyotp

ISSUER = "Biodiversity gain sites register"
STEP_SECONDS = 30
DRIFT_STEPS = 1
CODE = re.compile(r"\d{6}")


def new_secret() -> str:
    """160 random bits in base32 (RFC 4226's recommended key length)."""
    return pyotp.random_base32(32)


def uri(secret: str, email: str) -> str:
    """The ``otpauth://totp/…`` URI an authenticator app reads (typed in, or from a QR code of it)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def step_of(at: datetime) -> int:
    """The 30-second step of a naive UTC time."""
    return int(at.replace(tzinfo=UTC).timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    """The code for one 30-second step (what the authenticator app shows then)."""
    return pyotp.TOTP(secret).generate_otp(step)


def matching_step(secret: str, code: str, at: datetime, after: int | None) -> int | None:
    """The step whose code this is (within the drift allowed), if later than ``after``; else None."""
    code = re.sub(r"\s", "", code)
    if not CODE.fullmatch(code):
        return None
    now = step_of(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code) and (after is None or step > after):
            return step
    return None
