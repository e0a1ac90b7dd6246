"""Tracking keys: a random secret handed to whoever filed a request (on the portal or at
the front desk) so they can follow it and get its acts without an account. Only the
SHA-256 of a key is stored; a lost key is replaced, never shown again."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_access_key() -> tuple[str, str]:
    """A random key for the applicant and its SHA-256, the only thing stored."""
    key = secrets.token_urlsafe(24)
    return key, hash_key(key)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches(stored_hash: str, key: str | None) -> bool:
    """Constant-time check of a presented key against a stored hash (no hash, no match)."""
    if not key or not stored_hash:
        return False
    return hmac.compare_digest(stored_hash, hash_key(key))
