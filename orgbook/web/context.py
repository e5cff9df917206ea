from typing import Any

from django.http import HttpRequest

from orgbook.spaces.models import Membership


def spaces(request: HttpRequest) -> dict[str, Any]:
    """The Space switcher: every Space the signed-in person belongs to."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_memberships": []}
    return {"my_memberships": list(Membership.objects.filter(user=user).select_related("space").order_by("space__name"))}
