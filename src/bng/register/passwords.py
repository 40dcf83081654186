"""Passwords: hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second recommendation).

The policy follows the NCSC's advice: length over complexity rules, no forced expiry, and
refuse a password that is the email address or one of the commonest passwords.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 256
COMMON = frozenset(
    {
        "password123", "password1234", "qwertyuiop", "1234567890", "0123456789", "iloveyou123",
        "passw0rd123", "letmein123", "welcome123", "administrator", "biodiversity", "1q2w3e4r5t",
    }
)  # fmt: skip


class Passwords:
    """Hash and verify; ``hasher`` is injectable so that tests can use cheaper parameters."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True


def password_problem(password: str, email: str) -> str | None:
    """What is wrong with a new password, or None."""
    if len(password) < MIN_LENGTH:
        return f"Your password must be at least {MIN_LENGTH} characters long"
    if len(password) > MAX_LENGTH:
        return f"Your password must be {MAX_LENGTH} characters or fewer"
    if password.strip().lower() in COMMON or password.strip().lower() == email.strip().lower():
        return "Choose a password that is harder to guess: not your email address or a common password"
    return None
