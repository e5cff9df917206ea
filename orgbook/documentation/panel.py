"""Context for the documentation panel (web/documentation/_panel.html) on any component page."""

from __future__ import annotations

from typing import Any

from orgbook.documentation import links, services
from orgbook.documentation.markup import render_note
from orgbook.documentation.models import ManualLink
from orgbook.implementations.access import require_active
from orgbook.orgmodels.models import Component, OrgModel
from orgbook.spaces.models import Membership
from orgbook.spaces.permissions import Action, authorize, role_allows


def panel_context(user: Any, model: OrgModel, type_: str, full_name: str, *, membership: Membership | None = None,
                  component: Component | None = None, component_links: list[ManualLink] | None = None) -> dict[str, Any]:
    """Everything the panel shows. Raises NotFound/ImplementationSuspended like the rest of the app.

    A page that already checked `membership` for this user and loaded the component and its links
    passes them in (the component page: each query costs a request about a millisecond of CPU)."""
    implementation = model.implementation
    if membership is None or membership.user_id != user.pk or membership.space_id != implementation.space_id:
        membership = authorize(user, implementation.space.slug, Action.VIEW_CONTENT)
    require_active(implementation)
    doc = services.find(implementation, type_, full_name)
    if component is None:
        component = Component.objects.filter(model=model, type=type_, name_key=full_name.lower()).first()
    if component is not None and component_links is None:
        component_links = list(links.links_of(component))
    attrs = component.attributes if component else {}
    return {
        "documentation": doc,
        "documentation_html": render_note(doc.note) if doc else "",
        "documentation_type": type_,
        "documentation_full_name": component.full_name if component else (doc.full_name if doc else full_name),
        "documentation_model": model,
        "documentation_presence": services.presence(implementation, type_, full_name),
        "documentation_can_edit": role_allows(membership.role, Action.EDIT_DOCUMENTATION),
        "documentation_links": [links.describe(li, component) for li in component_links or []],
        "salesforce_description": (attrs or {}).get("description") or None,
        "salesforce_help_text": (attrs or {}).get("inlineHelpText") or None,
        "documentation_space": implementation.space,
        "documentation_implementation": implementation,
    }
