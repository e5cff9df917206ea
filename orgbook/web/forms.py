"""Form shapes only; the rules (name length, uniqueness, licences) stay in lifecycle and members."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation

from orgbook.errors import OrgbookError
from orgbook.implementations.models import DESCRIPTION_MAX, NAME_MAX, OrgKind
from orgbook.spaces.models import Role


def add_domain_error(form: forms.Form, exc: OrgbookError) -> None:
    """Show a lifecycle error next to the field it is about, or at the top of the form."""
    field = exc.details.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


class SignupForm(forms.Form):
    # The email is also the username, which Django caps at 150 characters.
    email = forms.EmailField(max_length=150, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters, not a common password.",
    )
    # Optional; the members page shows it beside the email. Kept whole in first_name (Django's
    # get_full_name reads it), as people write their own names.
    name = forms.CharField(max_length=150, required=False, label="Your name",
                           widget=forms.TextInput(attrs={"autocomplete": "name"}),
                           help_text="Optional. The other members of your Spaces see it.")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if get_user_model().objects.filter(username__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists. Log in instead.")
        return email

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz or tz == "UTC"]


class SpaceForm(forms.Form):
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    time_zone = forms.ChoiceField(
        choices=_time_zone_choices,
        help_text="Renewal dates and deletion dates are counted in this time zone.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].initial = settings.ORGBOOK_DEFAULT_TIME_ZONE


class ImplementationForm(forms.Form):
    # No max_length here: the lifecycle says how long is too long, in words a person understands.
    name = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"maxlength": NAME_MAX}),
        help_text="For example the business unit or the production org's name. 1 to 80 characters.",
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": DESCRIPTION_MAX}),
        help_text="Optional, up to 1,000 characters.",
    )


class DeleteForm(forms.Form):
    confirm = forms.CharField(
        required=False, label="Type the implementation's name to confirm",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class OrgKindForm(forms.Form):
    kind = forms.ChoiceField(choices=OrgKind.choices, widget=forms.RadioSelect, label="What do you want to connect?")


NEW = "new"


class ConnectImplementationForm(ImplementationForm):
    implementation = forms.ChoiceField(widget=forms.RadioSelect, label="Implementation")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["implementation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [*choices, (NEW, "Create new implementation")]
        if not choices:
            self.fields["implementation"].initial = NEW


class RenewalForm(forms.Form):
    connection_licences = forms.IntegerField(min_value=0, label="Connection licences")
    effective_on = forms.DateField(
        required=False, label="Effective date", widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for today (in the Space's time zone). A later date waits until that day.",
    )
    keep = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Implementations to keep active",
        help_text="If there are fewer licences than active implementations, the ones you did not tick are "
        "suspended first, oldest activity first.",
    )

    def __init__(self, *args: Any, implementations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["keep"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(i.pk), i.name) for i in implementations]

    def keep_ids(self) -> list[int]:
        return [int(k) for k in self.cleaned_data.get("keep") or []]


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ScheduleForm(forms.Form):
    """An org's sync schedule: a daily time of day, or manual sync only (OrgConnection.set_sync_schedule)."""

    mode = forms.ChoiceField(choices=[("daily", "Every day at"), ("manual", "Manual sync only")],
                             widget=forms.RadioSelect)
    sync_time = forms.TimeField(required=False, input_formats=["%H:%M"],
                                widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == "daily" and data.get("sync_time") is None and "sync_time" not in self.errors:
            self.add_error("sync_time", "Give the time of day to sync, like 23:30.")
        return data


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What the token is for, e.g. “CI deploy script”.")
    expires_in = forms.TypedChoiceField(
        label="Expires", coerce=int, initial=90,
        choices=[(7, "In 7 days"), (30, "In 30 days"), (90, "In 90 days"), (365, "In a year"), (0, "Never")],
        help_text="After this the API refuses it; make a new one. “Never”: it works until you revoke it.",
    )
