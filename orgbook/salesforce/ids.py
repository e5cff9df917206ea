"""Salesforce record IDs: 15-char case-sensitive vs 18-char case-insensitive (docs/salesforce-protocols.md §0.2)."""

from __future__ import annotations

_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def to_18(sf_id: str) -> str:
    """Return the 18-char form of a 15- or 18-char ID.

    An 18-char ID is returned with its checksum recomputed from the first 15 chars, so IDs that
    differ only in the case of the suffix compare equal after normalisation.
    """
    sf_id = sf_id.strip()
    if len(sf_id) not in (15, 18) or not sf_id.isalnum() or not sf_id.isascii():
        raise ValueError(f"not a Salesforce ID: {sf_id!r}")
    base = sf_id[:15]
    return base + "".join(_chunk_char(base[i : i + 5]) for i in (0, 5, 10))


def _chunk_char(chunk: str) -> str:
    # Bit i (0..4, left to right in the chunk) is set when char i is an uppercase letter.
    bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
    return _CHECKSUM_ALPHABET[bits]


def to_15(sf_id: str) -> str:
    """The case-sensitive 15-char form (some Tooling fields and SOAP URLs use it)."""
    return to_18(sf_id)[:15]


def same_id(a: str | None, b: str | None) -> bool:
    """True when both are valid IDs naming the same record."""
    if not a or not b:
        return False
    try:
        return to_18(a) == to_18(b)
    except ValueError:
        return False
