"""Form widgets for the public pages."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe

SELECTED = " selected"


class LongSelect(forms.Select):
    """A ``<select>`` of thousands of options (the organizations of a list's filter), written in Python.

    Django renders each option through its own template, about 0.4 ms an option: 2,000
    organizations made the project list's form take most of a second. The markup is Django's
    (``name``, ``id`` and the bound field's attributes); every value and label is escaped as
    text (``html.escape``, quotes included, as Django's ``escape`` does); no option groups,
    which these lists have none of.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        final = {**self.build_attrs(self.attrs, attrs), "name": name}
        if self.allow_multiple_selected:
            final["multiple"] = True
        options = "".join(
            f'<option value="{escape(str(key))}"{SELECTED if str(key) in chosen else ""}>{escape(str(label))}</option>'
            for key, label in self.choices
        )
        return mark_safe(f"<select{flatatt(final)}>{options}</select>")  # noqa: S308 (every part escaped above)
