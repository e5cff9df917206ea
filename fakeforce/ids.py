"""Salesforce ID helpers: 15 -> 18 conversion and deterministic ID minting."""

from __future__ import annotations

import hashlib
import secrets

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def to18(sf_id: str) -> str:
    """Append the 3-char case checksum (the well-known algorithm in docs/salesforce-protocols.md §0.2)."""
    if len(sf_id) == 18:
        return sf_id
    if len(sf_id) != 15:
        raise ValueError(f"not a Salesforce id: {sf_id!r}")
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(sf_id[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        suffix += _SUFFIX_ALPHABET[bits]
    return sf_id + suffix


def to15(sf_id: str) -> str:
    return sf_id[:15]


def same_id(a: str, b: str) -> bool:
    """IDs compare on their case-sensitive 15-char form (18-char forms carry the same 15 chars)."""
    return len(a) in (15, 18) and len(b) in (15, 18) and a[:15] == b[:15]


def looks_like_id(value: str) -> bool:
    return len(value) in (15, 18) and value.isalnum()


def _base62(data: bytes, length: int) -> str:
    number = int.from_bytes(data, "big")
    out = []
    for _ in range(length):
        number, rem = divmod(number, 62)
        out.append(_BASE62[rem])
    return "".join(out)


def stable_id(prefix: str, *parts: str) -> str:
    """An 18-char ID derived from its inputs, so reloading a config yields the same IDs.

    Metadata IDs depend only on (type, full name): a sandbox copied from production keeps the
    same component IDs, as on Salesforce.
    """
    digest = hashlib.sha256("\x00".join(parts).encode()).digest()
    body = prefix + "0" * 0 + _base62(digest, 15 - len(prefix))
    return to18(body)


def random_id(prefix: str) -> str:
    return to18(prefix + _base62(secrets.token_bytes(16), 15 - len(prefix)))
