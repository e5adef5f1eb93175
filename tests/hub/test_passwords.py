"""Argon2 password hashing: right password verifies, anything else is False, never raises."""

from __future__ import annotations

from argon2 import PasswordHasher

from cp2hub.passwords import hash_password, needs_rehash, verify_password


def test_hash_verifies_and_is_salted():
    first, second = hash_password("demo1234"), hash_password("demo1234")
    assert first.startswith("$argon2id$")
    assert first != second  # a fresh salt each time
    assert verify_password(first, "demo1234")
    assert verify_password(second, "demo1234")


def test_mismatch_and_garbage_are_false_not_errors():
    stored = hash_password("demo1234")
    assert not verify_password(stored, "demo12345")
    assert not verify_password(stored, "")
    assert not verify_password("not a hash", "demo1234")
    assert not verify_password("", "demo1234")
    assert not verify_password(None, "demo1234")  # no such account: still a full check


def test_needs_rehash_for_weaker_parameters():
    assert not needs_rehash(hash_password("x"))
    assert needs_rehash(PasswordHasher(time_cost=1, memory_cost=8192).hash("x"))
    assert needs_rehash("not a hash")
