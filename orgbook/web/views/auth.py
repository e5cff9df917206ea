"""Sign up, log in, log out, the home redirect and creating a Space."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from orgbook.errors import Forbidden, OrgbookError
from orgbook.implementations import lifecycle
from orgbook.spaces import members, verification
from orgbook.spaces.models import Invitation, Membership
from orgbook.spaces.permissions import may_create_space
from orgbook.web.base import page
from orgbook.web.base import signed_in_user as _user
from orgbook.web.forms import ProductWords, SignupForm, SpaceForm, add_domain_error, product_words


class EmailAuthenticationForm(ProductWords, AuthenticationForm):
    """Usernames are email addresses, stored lower-case at sign-up."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email"
        self.fields["username"].error_messages["required"] = product_words(self.fields["username"])["required"]
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})

    def clean_username(self) -> str:
        return str(self.cleaned_data.get("username", "")).strip().lower()


def sign_in_name(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account a sign-in attempt is for, as django-axes counts attempts (AXES_USERNAME_CALLABLE):
    lower-cased like `EmailAuthenticationForm`, so "Ana@X" and "ana@x" are one account's attempts."""
    given = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(given).strip().lower()


class OrgbookLoginView(LoginView):
    template_name = "web/auth/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def _invitation_in(next_url: str) -> Invitation | None:
    """The pending invitation a sign-up is on its way to (`next` is its link), if any."""
    match = re.fullmatch(r"/invitations/([^/]+)/", next_url)
    return members.pending_invitation(match.group(1)) if match else None


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    invitation = _invitation_in(_safe_next(request))
    if settings.ORGBOOK_SIGNUP != "open" and invitation is None:
        # Accounts by invitation only (ORGBOOK_SIGNUP): say so, and how to get one.
        return render(request, "web/auth/signup_closed.html", status=403)
    form = SignupForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid() and settings.ORGBOOK_SIGNUP != "open":
        assert invitation is not None
        if form.cleaned_data["email"] != invitation.email:
            form.add_error("email", f"This invitation is for {invitation.email}: sign up with that address, "
                                    "or ask a Space admin to invite the address you use.")
    if request.method == "POST" and form.is_valid():
        email, password = form.cleaned_data["email"], form.cleaned_data["password"]
        user = get_user_model().objects.create_user(username=email, email=email, password=password,
                                                    first_name=form.cleaned_data["name"].strip())
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Orgbook. Your account is ready.")
        if invitation is None or invitation.email != email:
            # Not on the way from an invitation's link for this address: typing an invited address
            # proves nothing, so its invitations wait for the verification link sent to it.
            waiting = verification.on_signup(user)
            if waiting:
                messages.info(request, f"{email} is invited to {', '.join(sorted({i.space.name for i in waiting}))}. "
                                       "We sent a link to that address: follow it to confirm the address is "
                                       "yours and join.")
        return redirect(_safe_next(request))
    return render(request, "web/auth/signup.html", {"form": form, "next": _safe_next(request)})


def verify_email(request: HttpRequest, signed: str) -> HttpResponse:
    """The link of a verification email (spaces/verification.py): joins the address's invitations."""
    try:
        user, joined = verification.confirm(signed)
    except OrgbookError as exc:
        return render(request, "web/auth/verified.html", {"problem": exc.message}, status=410)
    return render(request, "web/auth/verified.html", {"account": user, "joined": joined,
                                                      "signed_in_as_other": request.user.is_authenticated
                                                      and request.user.pk != user.pk})


@page
def home(request: HttpRequest) -> HttpResponse:
    first = Membership.objects.filter(user=_user(request)).select_related("space").order_by("space__name").first()
    if first is None:
        return render(request, "web/spaces/first.html",
                      {"form": SpaceForm(), "may_create": may_create_space(request.user)})
    return redirect("implementations", slug=first.space.slug)


@page
def create_space(request: HttpRequest) -> HttpResponse:
    if not may_create_space(request.user):
        raise Forbidden("Spaces on this Orgbook are created by its administrators. Ask a Space admin to "
                        "invite you to theirs, or the administrator to create one for you.")
    form = SpaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            space = lifecycle.create_space(
                form.cleaned_data["name"], request.user, time_zone=form.cleaned_data["time_zone"]
            )
        except OrgbookError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                f"{space.name} is ready: a {settings.ORGBOOK_TRIAL_DAYS}-day trial with one connection licence, and a first implementation "
                "to connect your orgs to.",
            )
            return redirect("implementations", slug=space.slug)
    return render(request, "web/spaces/create.html", {"form": form})
