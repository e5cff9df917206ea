from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from orgbook.implementations import vault
from orgbook.implementations.models import OrgConnection


class Command(BaseCommand):
    help = ("Re-encrypt every stored Salesforce token with the first key of ORGBOOK_SECRET_KEYS "
            "(or the first line of the data directory's token_keys).")
    requires_migrations_checks = True  # `orgbook` migrates the embedded default first (orgbook/cli.py)

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with transaction.atomic():
            for conn in OrgConnection.objects.select_for_update().exclude(refresh_token_enc=None, access_token_enc=None):
                for field in ("refresh_token_enc", "access_token_enc"):
                    value = getattr(conn, field)
                    if value:
                        setattr(conn, field, vault.rotate(value))
                conn.save(update_fields=["refresh_token_enc", "access_token_enc"])
                count += 1
        self.stdout.write(f"Re-encrypted the tokens of {count} org connection(s).")
