"""The one digest the register keeps of a secret token (session, email link, invitation, API token, feed link)."""

from __future__ import annotations

import hashlib


def token_hash(token: str) -> str:
    """What the register keeps of a secret token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
