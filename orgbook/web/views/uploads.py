"""Upload a zip into an org model (new or existing) and follow the import's progress."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from orgbook.errors import Invalid, NotFound
from orgbook.implementations.access import get_implementation
from orgbook.orgmodels.models import ModelKind, SyncRun
from orgbook.orgmodels.services import model_for_import
from orgbook.orgmodels.uploads import save_upload
from orgbook.runs.tasks import queue_import
from orgbook.spaces.permissions import Action
from orgbook.web.base import page, signed_in_user, space_context


@page
def upload(request: HttpRequest, slug: str, impl_id: int) -> HttpResponse:
    membership, impl = get_implementation(signed_in_user(request), slug, impl_id, Action.EDIT_DOCUMENTATION)
    error = None
    if request.method == "POST":
        try:
            file = request.FILES.get("file")
            if file is None:
                raise Invalid("Choose a .zip to upload.")
            kind = request.POST.get("kind") or None
            model = model_for_import(impl, request.POST.get("model", ""), kind if kind in ModelKind.values else None)
            run = queue_import(model, save_upload(file))
        except Invalid as exc:
            error = exc.message
        else:
            return redirect(f"/uploads/s/{slug}/runs/{run.pk}/")
    context = space_context(membership, implementation=impl, error=error, models=list(impl.org_models.all()),
                            kinds=ModelKind.choices)
    return render(request, "web/uploads/upload.html", context, status=400 if error else 200)


@page
def run_status(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    run = SyncRun.objects.select_related("model__implementation__space").filter(
        pk=run_id, model__implementation__space__slug=slug).first()
    if run is None:
        raise NotFound("No such import.")
    membership, impl = get_implementation(signed_in_user(request), slug, run.model.implementation_id,
                                          Action.VIEW_CONTENT)
    template = "web/uploads/_run.html" if request.headers.get("HX-Request") else "web/uploads/run.html"
    return render(request, template, space_context(membership, implementation=impl, run=run))
