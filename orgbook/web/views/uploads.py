"""Upload a zip into an org model (new or existing) and follow the import's progress."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from orgbook.errors import Invalid, NotFound
from orgbook.implementations.access import get_implementation
from orgbook.orgmodels.models import ModelKind, SyncRun
from orgbook.orgmodels.services import discard_new_model, import_target
from orgbook.orgmodels.uploads import rejected_upload, save_upload
from orgbook.runs.tasks import queue_import
from orgbook.spaces.permissions import Action, authorize
from orgbook.web.base import page, signed_in_user, space_context
from orgbook.web.forms import UploadForm, add_domain_error


def _shown_name(name: str | None) -> str:
    """The uploaded file's own name (browsers send the name alone; some older ones a whole path)."""
    return (name or "").replace("\\", "/").rpartition("/")[2][:200] or "the uploaded zip"


@page
def upload(request: HttpRequest, slug: str, impl_id: int) -> HttpResponse:
    membership, impl = get_implementation(signed_in_user(request), slug, impl_id, Action.EDIT_DOCUMENTATION)
    models = list(impl.org_models.all())
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None, models=models,
                      kinds=ModelKind.choices, auto_id="%s")
    if posted and form.is_valid():
        run = _queue(impl, form)
        if run is not None:
            return redirect(f"/uploads/s/{slug}/runs/{run.pk}/")
    context = space_context(membership, implementation=impl, form=form)
    return render(request, "web/uploads/upload.html", context, status=400 if form.errors else 200)


def _queue(impl: Any, form: UploadForm) -> SyncRun | None:
    """Save the zip and queue its import into the model named (made for it when new); None, with the
    reason under the model's name or the file, when it is refused."""
    data = form.cleaned_data
    try:
        model, made = import_target(impl, data["model"], data["kind"] or None)
    except Invalid as exc:
        add_domain_error(form, exc, default_field="model")
        return None
    try:
        return queue_import(model, save_upload(data["file"]), name=_shown_name(data["file"].name),
                            allow_removals=data["allow_removals"], new_model=made)
    except Invalid as exc:
        if made:
            discard_new_model(model)  # a refused file (too large, not a zip) makes no model
        add_domain_error(form, exc, default_field="file")
        return None
    except Exception:
        if made:
            discard_new_model(model)
        raise


@page
def run_status(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    run = SyncRun.objects.select_related("model__implementation__space").filter(
        pk=run_id, model__implementation__space__slug=slug).first()
    if run is None:
        return _rejected(request, slug, run_id)
    membership, impl = get_implementation(signed_in_user(request), slug, run.model.implementation_id,
                                          Action.VIEW_CONTENT)
    template = "web/uploads/_run.html" if request.headers.get("HX-Request") else "web/uploads/run.html"
    return render(request, template, space_context(membership, implementation=impl, run=run))


def _rejected(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    """An upload into a new model that was rejected: the model and its run are gone (a rejected
    import creates nothing); the audit log kept why."""
    membership = authorize(signed_in_user(request), slug, Action.VIEW_CONTENT)
    record = rejected_upload(membership.space, run_id)
    if record is None:
        raise NotFound("No such import.")
    membership, impl = get_implementation(signed_in_user(request), slug, record["implementation"], Action.VIEW_CONTENT)
    rejected = {"model": record["model"], "error": record["error"], "warnings": record.get("refused", [])}
    template = "web/uploads/_run.html" if request.headers.get("HX-Request") else "web/uploads/run.html"
    return render(request, template, space_context(membership, implementation=impl, rejected=rejected))
