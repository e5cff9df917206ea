"""Context for the documentation panel (web/documentation/_panel.html) on any component page."""

from __future__ import annotations

from typing import Any

from orgbook.documentation import links, services
from orgbook.documentation.markup import render_note
from orgbook.implementations.access import require_active
from orgbook.orgmodels.models import Component, OrgModel
from orgbook.spaces.permissions import Action, authorize, role_allows


def panel_context(user: Any, model: OrgModel, type_: str, full_name: str) -> dict[str, Any]:
    """Everything the panel shows. Raises NotFound/ImplementationSuspended like the rest of the app."""
    implementation = model.implementation
    membership = authorize(user, implementation.space.slug, Action.VIEW_CONTENT)
    require_active(implementation)
    doc = services.find(implementation, type_, full_name)
    component = Component.objects.filter(model=model, type=type_, name_key=full_name.lower()).first()
    attrs = component.attributes if component else {}
    return {
        "documentation": doc,
        "documentation_html": render_note(doc.note) if doc else "",
        "documentation_type": type_,
        "documentation_full_name": component.full_name if component else (doc.full_name if doc else full_name),
        "documentation_model": model,
        "documentation_presence": services.presence(implementation, type_, full_name),
        "documentation_can_edit": role_allows(membership.role, Action.EDIT_DOCUMENTATION),
        "documentation_links": [links.describe(li, component) for li in links.links_of(component)] if component else [],
        "salesforce_description": (attrs or {}).get("description") or None,
        "salesforce_help_text": (attrs or {}).get("inlineHelpText") or None,
        "documentation_space": implementation.space,
        "documentation_implementation": implementation,
    }
