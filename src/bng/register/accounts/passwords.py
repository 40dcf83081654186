"""Passwords: hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second recommendation).

The policy follows the NCSC's advice: length over complexity rules, no forced expiry, and refuse
what is easy to guess. "Easy to guess" is zxcvbn's estimate (Dropbox's estimator, the ``zxcvbn``
package; Wheeler, USENIX Security 2016): it knows the 30,000 commonest passwords of leaked password
sets (its ``passwords`` frequency list, shipped in the package: nothing is fetched), English words,
names, keyboard walks, repeats and sequences, and the person's own email address and name. A
password must score 3 of 4 or more (about 10^8 guesses or more), must not contain the email address,
and must not be made of the person's name, address or this service's name with digits around them.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 10
MAX_LENGTH = 256
MIN_SCORE = 3
"""zxcvbn's 0 to 4; 3 is "safely unguessable: moderate protection from an offline slow-hash attack"."""
ASSESSED = 72
"""zxcvbn reads at most this many characters (its own limit); a longer password is judged by them."""
SERVICE_WORDS = ("biodiversity", "net gain", "gain site", "register", "bng", "defra", "natural england")
"""Words anyone attacking this service would try first."""
COMMONEST = frozenset(FREQUENCY_LISTS["passwords"])


class Passwords:
    """Hash and verify; ``hasher`` is injectable so that tests can use cheaper parameters."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()

    def hash(self, password: str) -> str:
        """The password's hash to store (the password itself is never kept)."""
        return self.hasher.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        """Whether the password matches the stored hash (False for a hash that cannot be read)."""
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """The stored hash was made with weaker settings than today's: hash the password again."""
        try:
            return self.hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True


def _personal(email: str, name: str) -> list[str]:
    """The words of a person a guesser would try: the address, its parts, the name's parts."""
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    parts = re.split(r"[^a-z0-9]+", f"{local} {domain} {name.lower()}")
    return [w for w in (email, local, domain, *parts) if len(w) >= 3]


def password_problem(password: str, email: str, name: str = "") -> str | None:
    """What is wrong with a new password, or None."""
    if len(password) < MIN_LENGTH:
        return f"Your password must be at least {MIN_LENGTH} characters long"
    if len(password) > MAX_LENGTH:
        return f"Your password must be {MAX_LENGTH} characters or fewer"
    lowered = password.strip().lower()
    address = email.strip().lower()
    if address and address in lowered:
        return "Your password must not contain your email address"
    if lowered in COMMONEST:
        return "Choose a password that is harder to guess: this is one of the commonest passwords"
    personal = [*_personal(email, name), *SERVICE_WORDS]
    found = zxcvbn(password[:ASSESSED], user_inputs=personal, max_length=ASSESSED)
    if found["score"] < MIN_SCORE:
        warning = str(found["feedback"].get("warning") or "").rstrip(".")
        why = f": {warning[0].lower()}{warning[1:]}" if warning else ""
        return (
            f"Choose a password that is harder to guess{why}. A few unrelated words make a strong password; "
            "avoid your name, your email address and repeated characters"
        )
    rest = lowered
    for word in sorted(personal, key=len, reverse=True):
        rest = rest.replace(word, "")
    if len(re.sub(r"[^a-z]", "", rest)) < 4:  # "alexowner1", "Biodiversity 2026!"
        return "Choose a password that is harder to guess: not your name, your email address or this service's name"
    return None
