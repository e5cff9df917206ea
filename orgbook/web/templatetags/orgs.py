"""Template helpers for the org connection pages."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from orgbook.implementations.models import ConnectionStatus, OrgConnection

register = template.Library()

NEEDS_LOGIN = frozenset({ConnectionStatus.NEEDS_REAUTH, ConnectionStatus.DETACHED})


@register.filter
def needing_login(connections: Iterable[OrgConnection]) -> list[OrgConnection]:
    """The connections that only a new Salesforce login brings back (re-authorisation, refreshed sandbox)."""
    return [c for c in connections if c.status in NEEDS_LOGIN]
