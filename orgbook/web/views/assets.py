"""Files browsers ask for at fixed addresses, answered from Orgbook's own static files."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe

FAVICON = "orgbook/favicon.svg"


@require_safe
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers fetch /favicon.ico for what has no <link rel="icon"> (a JSON answer, an export):
    send them to the SVG every page links to, rather than a 404 in every server log."""
    return HttpResponseRedirect(static(FAVICON))
