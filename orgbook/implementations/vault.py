"""Salesforce tokens encrypted at rest with MultiFernet.

Keys come from ORGBOOK_SECRET_KEYS (comma-separated Fernet keys; the first encrypts, all decrypt)
or from the data directory's `token_keys` file (one key a line), made when a key is first needed.
Rotating: put a new key first, run `orgbook rotate_token_keys`, then drop the old key.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from orgbook.env import SettingError


def _key_file() -> Path:
    return Path(settings.DATA_DIR) / "token_keys"


def _load_keys() -> list[bytes]:
    configured = os.environ.get("ORGBOOK_SECRET_KEYS", "").strip()
    if configured:
        keys = [k.strip().encode() for k in configured.split(",") if k.strip()]
    else:
        path = _key_file()
        if not path.exists():
            path.write_bytes(Fernet.generate_key() + b"\n")
            path.chmod(0o600)
        keys = [line.strip() for line in path.read_bytes().splitlines() if line.strip()]
    try:
        [Fernet(k) for k in keys]
    except ValueError:
        raise SettingError(
            "ORGBOOK_SECRET_KEYS must be Fernet keys (32 url-safe base64 bytes each), comma-separated"
        ) from None
    if not keys:
        raise SettingError("ORGBOOK_SECRET_KEYS is set but holds no key")
    return keys


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in _load_keys()])


def reset_cache() -> None:
    _fernet.cache_clear()


def encrypt(secret: str) -> bytes:
    return _fernet().encrypt(secret.encode())


def decrypt(token: bytes) -> str:
    try:
        return _fernet().decrypt(bytes(token)).decode()
    except InvalidToken:
        raise SettingError(
            "A stored Salesforce token cannot be decrypted with the configured keys "
            "(ORGBOOK_SECRET_KEYS or the data directory's token_keys). Restore the old key, "
            "or re-authorise the org."
        ) from None


def rotate(token: bytes) -> bytes:
    """Re-encrypt with the first (newest) key."""
    return _fernet().rotate(bytes(token))
