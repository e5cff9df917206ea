"""Salesforce tokens encrypted at rest with MultiFernet.

Keys come from ORGBOOK_SECRET_KEYS (comma-separated Fernet keys; the first encrypts, all decrypt)
or from the data directory's `token_keys` file (one key a line), made when a key is first needed,
but only while nothing is encrypted yet: a database restored without its key file holds rows that
only the old key reads, and a new file would hide that until every sync and webhook fails
(`MissingKeys` says what to restore instead; `missing_keys_check` prints it at every start).
Rotating: put a new key first, run `orgbook rotate_token_keys`, then drop the old key.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.checks import Warning, register
from django.db import DatabaseError

from orgbook.env import SettingError
from orgbook.errors import OrgbookError


def _key_file() -> Path:
    return Path(settings.DATA_DIR) / "token_keys"


class MissingKeys(SettingError, OrgbookError):
    """Rows were encrypted with a key that is no longer configured. A setting error for the commands
    (exit 2, as any), and a domain error for pages and the API, which show its message (503) instead
    of failing with a 500: connecting an org needs the key."""

    code = "token_keys_missing"
    status = 503


def _configured() -> str:
    return os.environ.get("ORGBOOK_SECRET_KEYS", "").strip()


def encrypted_rows() -> dict[str, int]:
    """What is stored encrypted, by kind: what a new key could not read."""
    # Through the app registry: the webhook model lives in a layer above this one.
    connection = apps.get_model("implementations", "OrgConnection")
    attempt = apps.get_model("implementations", "ConnectAttempt")
    webhook = apps.get_model("orgmodels", "Webhook")
    return {
        "stored Salesforce login": connection.objects.exclude(refresh_token_enc=None, access_token_enc=None).count(),
        "webhook secret": webhook.objects.count(),
        "Salesforce login in progress": attempt.objects.filter(used_at=None).count(),
    }


def missing_keys_message(path: Path, rows: dict[str, int]) -> str:
    found = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in rows.items() if n)
    were = "was" if sum(rows.values()) == 1 else "were"
    return (f"The token key file {path} is missing but {found} {were} encrypted with a key: restore token_keys "
            "from your backup (or set ORGBOOK_SECRET_KEYS) — a new key cannot read them.")


def _refuse_a_new_key_file(path: Path) -> None:
    rows = encrypted_rows()
    if any(rows.values()):
        raise MissingKeys(missing_keys_message(path, rows))


def _load_keys() -> list[bytes]:
    configured = _configured()
    if configured:
        keys = [k.strip().encode() for k in configured.split(",") if k.strip()]
    else:
        path = _key_file()
        if not path.exists():
            _refuse_a_new_key_file(path)
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


@register("security")
def missing_keys_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Every `orgbook` command (serve, worker, scheduler, check) says at start that the keys are missing,
    rather than the first sync or webhook an hour later."""
    path = _key_file()
    if _configured() or path.exists():
        return []
    try:
        rows = encrypted_rows()
    except DatabaseError:  # not migrated yet (a first `orgbook migrate`): nothing is encrypted
        return []
    if not any(rows.values()):
        return []
    return [Warning(missing_keys_message(path, rows),
                    hint="Syncs, webhooks and reconnecting stored orgs fail until the old key is back; "
                         "Orgbook will not make a new key file while these rows exist.",
                    id="orgbook.W002")]
