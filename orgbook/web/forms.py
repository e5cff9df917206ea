"""Form shapes only; the rules (name length, uniqueness, licences) stay in lifecycle and members."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.validators import MaxValueValidator
from django.forms.utils import pretty_name

from orgbook.errors import OrgbookError
from orgbook.implementations.models import DESCRIPTION_MAX, NAME_MAX, OrgKind
from orgbook.spaces.models import Role


def add_domain_error(form: forms.Form, exc: OrgbookError, default_field: str | None = None) -> None:
    """Show a lifecycle error next to the field it is about (`default_field` when the error names
    none), or at the top of the form."""
    field = exc.details.get("field") or default_field
    form.add_error(field if field in form.fields else None, exc.message)


def product_words(field: forms.Field, name: str = "") -> dict[str, str]:
    """Error messages that say what to do, in place of Django's ("This field is required.").
    `%(limit_value)s` and the like are filled in by Django as it raises them."""
    label = f"“{field.label or pretty_name(name)}”" if field.label or name else "this field"
    if isinstance(field, forms.FileField):
        required = "Choose a file."
    elif isinstance(field, forms.ChoiceField):
        required = f"Choose an option for {label}."
    else:
        required = f"Fill in {label}: it is needed."
    words = {
        "required": required,
        "max_length": "Shorten it to %(limit_value)d characters or fewer (it has %(show_value)d).",
        "min_length": "Make it at least %(limit_value)d characters long (it has %(show_value)d).",
        "min_value": "Give a number of %(limit_value)s or more.",
        "max_value": "Give a number of %(limit_value)s or less.",
        "invalid_choice": "Pick one of the options in the list.",
    }
    if isinstance(field, forms.IntegerField):
        words["invalid"] = "Give a whole number, like 3."
    elif isinstance(field, forms.EmailField):
        words["invalid"] = "Give an email address, like name@example.com."
    elif isinstance(field, forms.DateField):
        words["invalid"] = "Give a date, like 2026-12-31."
    elif isinstance(field, forms.TimeField):
        words["invalid"] = "Give a time of day, like 23:30."
    elif isinstance(field, forms.FileField):
        words.update(empty="The file is empty: choose another.", invalid="Choose a file from your computer.",
                     missing="Choose a file.")
    return words


def _django_defaults(field: forms.Field) -> dict[str, Any]:
    messages: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


class ProductWords:
    """Mixed into every web form (OrgbookForm; the login form, which extends Django's): each field's
    errors that are still Django's defaults, in the product's words. Messages a field declares stay."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.use_product_words()

    def use_product_words(self) -> None:
        for name, field in self.fields.items():
            defaults = _django_defaults(field)
            ours = {code: text for code, text in product_words(field, name).items()
                    if field.error_messages.get(code, defaults.get(code)) == defaults.get(code)}
            field.error_messages = {**field.error_messages, **ours}


class OrgbookForm(ProductWords, forms.Form):
    """The base of every web form. Render each field with web/_field.html (label above, help under it
    with the id Django's aria-describedby names, the error under the field)."""


class SignupForm(OrgbookForm):
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


class SpaceForm(OrgbookForm):
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    time_zone = forms.ChoiceField(
        choices=_time_zone_choices,
        help_text="Renewal dates and deletion dates are counted in this time zone.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].initial = settings.ORGBOOK_DEFAULT_TIME_ZONE


class ImplementationForm(OrgbookForm):
    # No max_length here: the lifecycle says how long is too long, in words a person understands.
    name = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"maxlength": NAME_MAX}),
        help_text="For example the business unit or the production org's name. 1 to 80 characters.",
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": DESCRIPTION_MAX}),
        help_text="Optional, up to 1,000 characters.",
    )


class DeleteForm(OrgbookForm):
    confirm = forms.CharField(
        required=False, label="Type the implementation's name to confirm",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class OrgKindForm(OrgbookForm):
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


class RenewalForm(OrgbookForm):
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


class InviteForm(OrgbookForm):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class RoleForm(OrgbookForm):
    role = forms.ChoiceField(choices=Role.choices)


class ScheduleForm(OrgbookForm):
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


class TokenForm(OrgbookForm):
    name = forms.CharField(max_length=80, help_text="What the token is for, e.g. “CI deploy script”.")
    expires_in = forms.TypedChoiceField(
        label="Expires", coerce=int, initial=90,
        choices=[(7, "In 7 days"), (30, "In 30 days"), (90, "In 90 days"), (365, "In a year"), (0, "Never")],
        help_text="After this the API refuses it; make a new one. “Never”: it works until you revoke it.",
    )


# --- documentation and explorer -------------------------------------------------------------------


class SuggestInput(forms.TextInput):
    """A text box with a list to pick from (<input list> + <datalist>): typing stays possible, and the
    list filters as you type. `options` are the values offered; `hx_url`, when given, refreshes them
    from the server as the person types (progressive: without script the first options stay)."""

    template_name = "web/widgets/suggest.html"

    def __init__(self, list_id: str, options: list[str] | None = None, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"list": list_id, "autocomplete": "off", **(attrs or {})})
        self.options = options or []

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["options"] = self.options
        return context


def known_types() -> list[str]:
    """Every metadata type Orgbook reads (a proposed component must be one), alphabetical."""
    from orgbook.metadata import REGISTRY

    return sorted([*REGISTRY.types, *REGISTRY.children], key=str.lower)


class NewReferenceModelForm(OrgbookForm):
    name = forms.CharField(max_length=80, widget=forms.TextInput(attrs={"autofocus": True}),
                           help_text="Up to 80 characters, different from the implementation's other models.")
    copy_from = forms.ChoiceField(required=False, label="Start from",
                                  help_text="An empty model gets its tree by hand or from a CSV file; a copy "
                                            "starts with the components of the model as it stands.")

    def __init__(self, *args: Any, models: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["copy_from"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Empty (build a tree by hand)"), *((str(m.pk), f"A copy of {m.name} as it stands")
                                                                 for m in models)]


class TreeNodeForm(OrgbookForm):
    name = forms.CharField(min_length=2, max_length=80, help_text="2 to 80 characters.")
    custom_id = forms.CharField(required=False, max_length=40, label="Custom id",
                                help_text="Optional, e.g. §1. Up to 40 characters.")
    parent = forms.ChoiceField(required=False, label="Under")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, rows: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "(top level)"), *((str(r["node"].pk), f"{r['node'].custom_id} {r['node'].name}".strip())
                                               for r in rows)]


class TreeImportForm(OrgbookForm):
    file = forms.FileField(label="CSV file", widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
                           help_text="At most 5 MB.")


class ProposedComponentForm(OrgbookForm):
    type = forms.CharField(max_length=120, label="Metadata type",
                           widget=SuggestInput("proposed-type-options", attrs={"placeholder": "CustomField"}),
                           help_text="Pick from the list or type it, e.g. CustomField, Flow, ApexClass.")
    full_name = forms.CharField(max_length=400, label="Full name",
                                widget=forms.TextInput(attrs={"placeholder": "Property__c.Commission__c"}),
                                help_text="The API name it will have, e.g. Property__c.Commission__c.")
    label = forms.CharField(required=False, max_length=400, help_text="Optional.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["type"].widget
        assert isinstance(widget, SuggestInput)
        widget.options = known_types()


class ManualLinkForm(OrgbookForm):
    """A link drawn by hand from the component the page shows (hidden `type`/`full_name`) to another."""

    type = forms.CharField(widget=forms.HiddenInput)
    full_name = forms.CharField(widget=forms.HiddenInput)
    # Not required: a form that leaves them out (a script's) means "uses" and this component's own model.
    direction = forms.ChoiceField(choices=[("uses", "uses"), ("used_by", "is used by")], label="This component",
                                  initial="uses", required=False)
    target_model = forms.ChoiceField(label="Other component's model", help_text="Any model of this implementation.",
                                     required=False)
    target_type = forms.CharField(max_length=120, label="Other component's type",
                                  widget=SuggestInput("link-type-options", attrs={"placeholder": "ApexClass"}),
                                  help_text="Pick from the list or type it.")
    target_full_name = forms.CharField(max_length=400, label="Other component",
                                       widget=SuggestInput("link-name-options",
                                                           attrs={"placeholder": "PropertyController"}),
                                       help_text="Its API name; suggestions follow what you type.")
    description = forms.CharField(required=False, max_length=500, help_text="Optional: why they are linked.")

    def __init__(self, *args: Any, models: list[Any], types: list[str], options_url: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "link-%s")
        super().__init__(*args, **kwargs)
        field = self.fields["target_model"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(m.pk), m.name) for m in models]
        type_widget = self.fields["target_type"].widget
        assert isinstance(type_widget, SuggestInput)
        type_widget.options = types
        # As the person types, the server's matching components replace the list (htmx; the
        # endpoint checks access to the model like every other page of it).
        self.fields["target_full_name"].widget.attrs.update({
            "hx-get": options_url, "hx-trigger": "input changed delay:250ms, focus once",
            "hx-target": "#link-name-options", "hx-swap": "innerHTML",
            "hx-include": "#link-target_type, #link-target_model"})


class ImpactDepthForm(OrgbookForm):
    depth = forms.IntegerField(min_value=1, max_value=6, initial=2, label="Impact depth",
                               widget=forms.NumberInput(attrs={"min": 1, "max": 6, "inputmode": "numeric"}),
                               help_text="How many steps of where-used to follow, 1 to 6.")

    def depth_or_default(self) -> int:
        """The depth asked for, or 2 while the form shows what is wrong with what was typed."""
        return self.cleaned_data["depth"] if self.is_valid() and self.cleaned_data.get("depth") else 2


class UploadForm(OrgbookForm):
    model = forms.CharField(max_length=80, label="Org model", widget=SuggestInput("existing-models"),
                            help_text="An existing model's name adds a version to it; a new name makes a new model.")
    kind = forms.ChoiceField(label="Kind (for a new model)", initial="reference", required=False)
    file = forms.FileField(label="Zip file", widget=forms.FileInput(attrs={"accept": ".zip"}))
    allow_removals = forms.BooleanField(
        required=False, label="Store it even if files are refused or it removes more than a quarter of the "
                              "model's components",
        help_text="Without this, such an upload fails and changes nothing, and the page lists what was refused.")

    def __init__(self, *args: Any, models: list[Any], kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["model"].widget
        assert isinstance(widget, SuggestInput)
        widget.options = [m.name for m in models]
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = kinds


class DocumentationImportForm(OrgbookForm):
    file = forms.FileField(label="CSV file", widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
                           help_text="At most 5 MB.")


class ManifestForm(OrgbookForm):
    """The manifest page's pickers: the production model to deploy to (the Space's models grouped by
    implementation) and the baseline, a date or a sandbox version. `to` stays a text value: a model of
    another Space must answer 404 from the access check, not "not a choice" from the form."""

    def __init__(self, *args: Any, groups: list[tuple[str, list[Any]]], version: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"] = forms.CharField(
            label="To", error_messages={"required": "Choose the production model to deploy to."},
            widget=forms.Select(choices=[("", "Choose the production model"), *(
                (impl, [(str(o.pk), f"{o.name} ({o.get_kind_display()})") for o in group]) for impl, group in groups)]))
        self.fields["since"] = forms.DateField(
            required=False, label="Changed since", widget=forms.DateInput(attrs={"type": "date"}),
            help_text="Leave empty to start from the sandbox's first reading.")
        self.fields["since_version"] = forms.IntegerField(
            required=False, min_value=0, max_value=version, label="or after version",
            help_text=f"A version of this model, 0 to {version}.")
        self.use_product_words()  # for the fields made here


class ConsolidateFilterForm(OrgbookForm):
    """The consolidation's filters beside its model picker (a grouped list of check boxes the page
    draws as the component's fieldset): which type, object and namespace the matrix keeps."""

    type = forms.ChoiceField(required=False, label="Type")
    object = forms.CharField(required=False, max_length=120, label="Object",
                             widget=forms.TextInput(attrs={"placeholder": "Account"}))
    namespace = forms.CharField(required=False, max_length=40, label="Namespace",
                                help_text="A package's prefix, or - for the orgs' own.")

    def __init__(self, *args: Any, types: tuple[str, ...], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "consolidate-%s")
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "Any"), *((t, t) for t in types)]  # type: ignore[attr-defined]


class CompareForm(OrgbookForm):
    """The compare page's pickers: the other model (the Space's, grouped by implementation), then,
    once there is one, which type and which differences to show."""

    def __init__(self, *args: Any, model: Any, groups: list[tuple[str, list[Any]]], other: Any = None,
                 types: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["with"] = forms.ChoiceField(
            label="With", error_messages={"required": "Choose the model to compare with."},
            choices=[("", "Choose a model"), *((impl, [(str(o.pk), f"{o.name} ({o.get_kind_display()})")
                                                        for o in group]) for impl, group in groups)])
        if other is not None:
            self.fields["type"] = forms.ChoiceField(required=False, label="Type",
                                                    choices=[("", "Any"), *((t, t) for t in types or [])])
            self.fields["kind"] = forms.ChoiceField(required=False, label="Show", choices=[
                ("", "All differences"), ("only_a", f"Only in {model.name}"), ("only_b", f"Only in {other.name}"),
                ("different", "In both, different")])
        self.use_product_words()  # for the fields made here


class AuditFilterForm(OrgbookForm):
    """The audit log's filters, with the one field component. spaces/auditlog.Filters reads the same
    query and passes over a value it cannot use; this form says so under the field."""

    person = forms.ChoiceField(required=False, label="Person")
    action = forms.ChoiceField(required=False, label="Action")
    target = forms.CharField(required=False, max_length=200, label="Target", widget=forms.TextInput(
        attrs={"type": "search", "placeholder": "Name of an implementation, org, person…"}))

    def __init__(self, *args: Any, people: list[tuple[str, str]], actions: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "audit-%s")
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Everyone"), *people]  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", "All actions"), *actions]  # type: ignore[attr-defined]
        # "from" and "to" are the query's names (and the CSV link's); "from" cannot be an attribute.
        for name, label in (("from", "From"), ("to", "To")):
            self.fields[name] = forms.DateField(required=False, label=label, widget=forms.DateInput(
                attrs={"type": "date"}, format="%Y-%m-%d"))
        self.use_product_words()  # for the fields made here


class SaveViewForm(OrgbookForm):
    """Naming the dictionary's current filters, sort and columns as one's own view."""

    name = forms.CharField(max_length=80, label="Save these filters as", strip=True,
                           error_messages={"required": "Name the view, e.g. “Fields without a description”."},
                           widget=forms.TextInput(attrs={"placeholder": "Name this view"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "view-%s")
        super().__init__(*args, **kwargs)


class ChangesFilterForm(OrgbookForm):
    """The Space's Changes feed filters, with the one field component. orgmodels/changes.ChangeFilter
    reads the same query and passes over a value it cannot use; this form says so under the field."""

    impl = forms.ChoiceField(required=False, label="Implementation")
    org = forms.ChoiceField(required=False, label="Org")
    type = forms.ChoiceField(required=False, label="Type")
    person = forms.ChoiceField(required=False, label="Changed by")
    since = forms.DateField(required=False, label="From",
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, offered: dict[str, Any], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "changes-%s")
        super().__init__(*args, **kwargs)
        choices = {
            "impl": [("", "All"), *((str(pk), name) for pk, name in offered["implementations"])],
            "org": [("", "All"), *((str(m.pk), f"{m.implementation.name} · {m.name}") for m in offered["models"])],
            "type": [("", "All"), *((t, t) for t in offered["types"])],
            "person": [("", "Anyone"), *((p, p) for p in offered["people"])],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options


class DictionaryFilterForm(OrgbookForm):
    """The dictionary's filters, each with its label above (orgmodels/grid.py's Grid reads the same
    query and passes over a value it cannot use; this form says so under the field)."""

    type = forms.ChoiceField(required=False, label="Type")
    namespace = forms.ChoiceField(required=False, label="Package")
    status = forms.ChoiceField(required=False, label="Status")
    change = forms.ChoiceField(required=False, label="Change")
    since_version = forms.IntegerField(required=False, min_value=1, label="Since version",
                                       widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}))
    changed_since = forms.DateField(required=False, label="Modified since",
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    documented = forms.ChoiceField(required=False, label="Documented",
                                   choices=[("", "Either"), ("yes", "Yes"), ("no", "No")])
    q = forms.CharField(required=False, max_length=200, label="Contains",
                        widget=forms.TextInput(attrs={"type": "search"}))

    def __init__(self, *args: Any, types: list[str], namespaces: list[str], own: str, statuses: list[str],
                 changes: list[str], version: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        choices = {
            "type": [("", "Any"), *((t, t) for t in types)],
            "namespace": [("", "Any"), (own, "This org's own"), *((n, n) for n in namespaces)],
            "status": [("", "Present and unfetched"), *((s, s) for s in statuses)],
            "change": [("", "Any"), *((c, c) for c in changes)],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options
        since = self.fields["since_version"]
        assert isinstance(since, forms.IntegerField)
        since.widget.attrs.update({"max": version, "placeholder": version})
        since.max_value = version
        since.validators.append(MaxValueValidator(version))
