"""Passwords: Argon2id with RFC 9106's recommended costs, and a policy of length, not rules."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from bng.register.accounts.passwords import Passwords, password_problem


def test_default_hash_is_argon2id_with_strong_costs() -> None:
    stored = Passwords().hash("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$")
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 65536 and int(params["t"]) >= 3
    assert Passwords().verify(stored, "correct horse battery staple")
    assert not Passwords().verify(stored, "correct horse battery stapler")
    assert not Passwords().verify("not a hash", "x")


def test_weaker_hashes_are_marked_for_rehashing() -> None:
    weak = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)).hash("long enough password")
    assert Passwords().needs_rehash(weak)
    assert not Passwords().needs_rehash(Passwords().hash("long enough password"))


def test_policy() -> None:
    assert password_problem("short", "a@example.com") is not None
    assert password_problem("password123", "a@example.com") is not None
    assert password_problem("a@example.com", "A@example.com") is not None
    assert password_problem("four unrelated words", "a@example.com") is None


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("aaaaaaaaaa", "repeats"),
        (" " * 10, "repeats"),
        ("1owner@example.com", "email address"),
        ("Owner@Example.com!", "email address"),
        ("qwertyuiop", "commonest"),
        ("iloveyou12", "commonest"),
        ("abcdefghijk", "harder to guess"),
        ("1234567890ab", "harder to guess"),
        ("alexowner1", "your name"),  # the person's own name
        ("Alex.Owner.2026", "your name"),
        ("Biodiversity 2026!", "this service"),  # the service's own words
        ("a" * 100, "repeats"),  # judged by its first 72 characters
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, words: str) -> None:
    found = password_problem(password, "owner@example.com", "Alex Owner")
    assert found is not None and words in found, found


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "a long passphrase", "mill road homes 2026", "Tr0ub4dor&3x", "x" * 3 + "🦔 hedge 🦔 row"],
)
def test_strong_passwords_are_accepted(password: str) -> None:
    assert password_problem(password, "owner@example.com", "Alex Owner") is None


def test_the_common_list_is_shipped_data_not_a_lookup() -> None:
    """zxcvbn's list of the commonest leaked passwords comes with the package: no network at run time."""
    from bng.register.accounts.passwords import COMMONEST

    assert len(COMMONEST) == 30_000 and {"123456", "password", "qwerty", "letmein"} <= COMMONEST
