"""Template helpers for the org connection pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils import timezone

from orgbook.implementations.models import ConnectionStatus, OrgConnection
from orgbook.orgmodels.models import OrgModel
from orgbook.orgmodels.syncstate import SyncState, sync_state
from orgbook.web import breadcrumbs
from orgbook.web.breadcrumbs import Crumb

register = template.Library()

NEEDS_LOGIN = frozenset({ConnectionStatus.NEEDS_REAUTH, ConnectionStatus.DETACHED})


@register.filter
def needing_login(connections: Iterable[OrgConnection]) -> list[OrgConnection]:
    """The connections that only a new Salesforce login brings back (re-authorisation, refreshed sandbox)."""
    return [c for c in connections if c.status in NEEDS_LOGIN]


@register.simple_tag(takes_context=True)
def sync_state_of(context: Any, conn: OrgConnection) -> SyncState:
    """`{% sync_state_of c as state %}`: the view's `sync_states` (all of a page's orgs in one query,
    orgmodels.syncstate.sync_states) when it has this org, else computed for it alone."""
    known = context.get("sync_states") or {}
    return known.get(conn.pk) or sync_state(conn)


@register.simple_tag
def model_trail(model: OrgModel, type_: str = "", full_name: str = "", label: str = "", then: str = "") -> list[Crumb]:
    """`{% model_trail model c.type c.full_name c.label as crumbs %}` for web/_breadcrumbs.html."""
    return breadcrumbs.model_trail(model, type_ or "", full_name or "", label or "", then)


@register.simple_tag
def next_sync_of(conn: OrgConnection) -> Any:
    """`{% next_sync_of c as next_sync %}`: when the scheduler next queues the org's sync, or None."""
    return conn.next_scheduled_sync(timezone.now())
