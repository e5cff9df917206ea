"""Personal access tokens for scripts and the CLI: made here, shown once, revocable."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from orgbook.errors import NotFound
from orgbook.spaces.models import PersonalAccessToken
from orgbook.web.base import page
from orgbook.web.base import signed_in_user as _user
from orgbook.web.forms import TokenForm


@page
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    raw, made = None, None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                made, raw = PersonalAccessToken.issue(_user(request), form.cleaned_data["name"],
                                                      days=form.cleaned_data["expires_in"] or None)
        except IntegrityError:
            form.add_error("name", "You already have a token with this name. Choose another name.")
        else:
            form = TokenForm()
    listed = PersonalAccessToken.objects.filter(user=_user(request)).order_by("revoked_at", "-created_at")
    context = {"form": form, "raw_token": raw, "new_token": made, "tokens": list(listed), "now": timezone.now()}
    return render(request, "web/account/tokens.html", context, status=400 if form.errors else 200)


@page
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = PersonalAccessToken.objects.filter(user=_user(request), pk=token_id, revoked_at=None).first()
    if token is None:
        raise NotFound("No such token, or it is already revoked.")
    if request.method == "POST":
        token.revoke()
        messages.success(request, f"Token {token.name} revoked. Scripts using it stop working now.")
    return redirect("tokens")
