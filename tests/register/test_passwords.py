"""Passwords: Argon2id with RFC 9106's recommended costs, and a policy of length, not rules."""

from __future__ import annotations

from argon2 import PasswordHasher

from bng.register.passwords import Passwords, password_problem


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
