"""The reader's forms: a correction to a project, and the digest preference."""

from __future__ import annotations

import datetime
import re
import time
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from projects import attributes, choices
from projects.following.models import DigestPreference

SIGNING_SALT = "projects.following.correction"
# A form older than this is refused (sent again from a fresh page).
FORM_MAX_AGE = 24 * 3600
ValueKind = choices.ValueKind
# What a reader may correct: every attribute whose value is a number, an amount, a date or a text.
CORRECTABLE = [
    (name, label)
    for name, label in choices.ClaimAttribute.choices
    if attributes.value_kind(name) != ValueKind.ORGANIZATION and name != choices.ClaimAttribute.OTHER
]


def form_token(project_id: int) -> str:
    """Signed: which project the form is for, and when it was shown."""
    return signing.dumps({"project": project_id, "shown": int(time.time())}, salt=SIGNING_SALT)


def parse_number(text: str) -> Decimal:
    """A figure as readers write it: "1 200", "1,200", "1200.5", "1 200,5"."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(",", "")  # 1,200.5
    elif cleaned.count(",") == 1 and len(cleaned.split(",")[1]) != 3:
        cleaned = cleaned.replace(",", ".")  # 1200,5
    else:
        cleaned = cleaned.replace(",", "")  # 1,200 or 1,200,000
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise forms.ValidationError(_("Give a number, such as 120 or 1 200.")) from None
    if not number.is_finite() or number < 0 or number >= Decimal("1e19"):
        raise forms.ValidationError(_("Give a number, such as 120 or 1 200."))
    return number


def parse_date(text: str) -> tuple[datetime.date, str]:
    """A date as YYYY-MM-DD, YYYY-MM or YYYY, with its precision."""
    text = text.strip()
    for pattern, precision in (
        (r"\d{4}-\d{2}-\d{2}", choices.DatePrecision.DAY),
        (r"\d{4}-\d{2}", choices.DatePrecision.MONTH),
        (r"\d{4}", choices.DatePrecision.YEAR),
    ):
        if re.fullmatch(pattern, text):
            parts = [int(part) for part in text.split("-")] + [1, 1]
            try:
                return datetime.date(parts[0], parts[1], parts[2]), precision
            except ValueError:
                break
    raise forms.ValidationError(_("Give a date as YYYY-MM-DD, YYYY-MM or YYYY."))


class CorrectionForm(forms.Form):
    """A reader's correction: which figure, its value, and the link that says so."""

    attribute = forms.ChoiceField(label=_("What to correct"), choices=CORRECTABLE)
    value = forms.CharField(
        label=_("Correct value"),
        max_length=500,
        help_text=_("A figure (120), an amount with its currency, a date (2027-03 or 2027) or a text."),
    )
    currency = forms.CharField(
        label=_("Currency of an amount"),
        max_length=3,
        required=False,
        help_text=_("Three letters, such as EUR or USD."),
    )
    source_url = forms.URLField(
        label=_("Link to the source"),
        max_length=1000,
        assume_scheme="https",
        help_text=_("The article or document that states this value."),
    )
    note = forms.CharField(label=_("Note for the reviewers"), max_length=1000, required=False, widget=forms.Textarea)
    email = forms.EmailField(
        label=_("Your e-mail (optional)"),
        required=False,
        help_text=_("Only the reviewers see it, if they have a question."),
    )
    # Spam guard: a field people do not see, left empty, and the signed time the form was shown.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, project=None, **kwargs):
        self.project = project
        super().__init__(*args, **kwargs)
        self.fields["value"].widget.attrs["maxlength"] = "500"
        self.fields["website"].widget.attrs.update(autocomplete="off", tabindex="-1")
        if not self.is_bound and project is not None:
            self.initial["token"] = form_token(project.pk)

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(_("This field must be left empty."))
        return ""

    def clean_token(self):
        try:
            data = signing.loads(self.cleaned_data["token"], salt=SIGNING_SALT, max_age=FORM_MAX_AGE)
        except signing.BadSignature:
            raise forms.ValidationError(
                _("This form has expired or was altered; reload the page and send it again.")
            ) from None
        if not isinstance(data, dict) or data.get("project") != getattr(self.project, "pk", None):
            raise forms.ValidationError(_("This form was made for another project; reload the page."))
        if time.time() - int(data.get("shown", 0)) < settings.CORRECTION_MIN_SECONDS:
            raise forms.ValidationError(_("This form was sent too quickly; take a moment and send it again."))
        return self.cleaned_data["token"]

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        attribute, value = cleaned.get("attribute"), cleaned.get("value")
        if not attribute or value is None:
            return cleaned
        kind = attributes.value_kind(attribute)
        values: dict = {}
        try:
            if kind in (ValueKind.NUMBER, ValueKind.MONEY):
                values["value_number"] = parse_number(value)
            elif kind == ValueKind.DATE:
                values["value_date"], values["value_date_precision"] = parse_date(value)
            elif attribute == choices.ClaimAttribute.STATUS:
                values["value_text"] = _status(value)
            else:
                values["value_text"] = value.strip()
        except forms.ValidationError as error:
            self.add_error("value", error)
            return cleaned
        if kind == ValueKind.MONEY:
            currency = cleaned.get("currency", "")
            if not re.fullmatch(r"[A-Z]{3}", currency or ""):
                self.add_error("currency", _("Give the three-letter currency of the amount, such as EUR."))
                return cleaned
            values["currency"] = currency
        cleaned["values"] = values
        return cleaned


def _status(text: str) -> str:
    wanted = text.strip().casefold()
    for status, label in choices.ProjectStatus.choices:
        if wanted in (status.casefold(), str(label).casefold()):
            return status
    raise forms.ValidationError(
        _("Use one of the statuses: %(values)s.")
        % {"values": ", ".join(str(label) for _status, label in choices.ProjectStatus.choices)}
    )


class DigestForm(forms.ModelForm):
    class Meta:
        model = DigestPreference
        fields = ["frequency"]
        widgets = {"frequency": forms.RadioSelect}
