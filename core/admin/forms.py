"""Form fields and widgets that make the admin's forms read like a newsroom tool.

Figures without their storage's trailing zeros, aliases one per line instead of a JSON
list, a short currency box that suggests the usual codes, and autocomplete boxes that
name the record they already hold without asking the database again.
"""

from decimal import Decimal

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.formatting import plain_number

# The currencies newsrooms most often meet in data-center announcements; any other
# three-letter ISO 4217 code can still be typed.
COMMON_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "JPY", "CNY", "CAD", "AUD", "INR")

CURRENCY_LIST_ID = "common-currencies"


class PlainDecimalField(forms.DecimalField):
    """A decimal input that shows ``700`` for a stored ``700.00``; it accepts the same input."""

    def prepare_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            return plain_number(value)  # the figure, not the column's scale
        return super().prepare_value(value)


class AliasesField(forms.Field):
    """A list of names edited as lines of text: one alias per line, blank lines ignored."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 60})
    default_help_text = _("One name per line, as the press writes it (other languages, former names, code names).")

    def __init__(self, *, encoder=None, decoder=None, **kwargs):  # what a JSONField offers its form field
        kwargs.setdefault("help_text", self.default_help_text)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        names = []
        for line in (value or "").splitlines():
            name = " ".join(line.split())
            if name and name not in names:
                names.append(name)
        return names

    def has_changed(self, initial, data):
        return list(initial or []) != self.to_python(data)


class CurrencyInput(forms.TextInput):
    """Three capital letters, with the common codes offered as suggestions (free entry stays possible)."""

    def __init__(self, attrs=None):
        defaults = {
            "size": 4,
            "maxlength": 3,
            "autocomplete": "off",
            "spellcheck": "false",
            "class": "currency-input",
            "pattern": "[A-Za-z]{3}",
        }
        super().__init__({**defaults, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        # One list for every currency box of the page: the rows an inline adds later share it.
        # Rendered here, not in a template, so it needs no template setting of the form renderer.
        attrs = {**(attrs or {}), "list": CURRENCY_LIST_ID}
        options = format_html_join("", '<option value="{}"></option>', ((code,) for code in COMMON_CURRENCIES))
        datalist = format_html('<datalist id="{}">{}</datalist>', CURRENCY_LIST_ID, options)
        return super().render(name, value, attrs, renderer) + datalist


class CurrencyField(forms.CharField):
    widget = CurrencyInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("ISO 4217 code, e.g. EUR."))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {key: value for key, value in super().widget_attrs(widget).items() if key != "maxlength"}

    def to_python(self, value):
        return super().to_python(value).upper()


class KnownChoiceAutocompleteSelect(AutocompleteSelect):
    """An autocomplete box that labels the record the row already holds from the page's query.

    Django's widget looks the selected record up again for every row it draws, one query
    per row; ``known`` (set by the form from the instance's related object) spares it.
    """

    known: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        selected = [str(item) for item in value if item not in (None, "")]
        if not self.known or not selected or any(item not in self.known for item in selected):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for item in selected:
            options.append(self.create_option(name, item, self.known[item], set(selected), len(options)))
        return [(None, options, 0)]


def label_known_choices(form):
    """Tell each autocomplete box of ``form`` the record its instance already holds."""
    for name, field in form.fields.items():
        widget = getattr(field.widget, "widget", field.widget)
        if not isinstance(widget, KnownChoiceAutocompleteSelect):
            continue
        descriptor = getattr(type(form.instance), name, None)
        if not (hasattr(descriptor, "is_cached") and descriptor.is_cached(form.instance)):
            continue
        related = getattr(form.instance, name)
        if related is not None and field.to_field_name in (None, related._meta.pk.name):
            widget.known = {str(related.pk): field.label_from_instance(related)}
