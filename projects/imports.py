"""Spreadsheets of projects read into rows for ``services.projects_import``.

The columns are the admin's import and export columns (``projects.resources.COLUMNS``), in
any order; others are ignored. Each cell is read as the widget of its column in
``ProjectResource`` reads it, as the admin's import always read it (aliases separated by
semicolons, numbers, ISO dates, an apostrophe that escaped a formula taken off), and a
cell that cannot be read is an error of its row and column. The cells a file mostly holds
(texts, plain numbers, ISO dates) take a quick path to the same value; a file's others go
through the widget itself. Files are read as a stream,
one row at a time: a file of any size takes the memory of one chunk.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import functools
import io
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from import_export import widgets

from core.exports import unescape_formula
from projects.resources import COLUMNS, AliasesWidget, DecimalNumberWidget, IntegerNumberWidget, ProjectResource
from projects.services.bulk import InvalidRow

FORMATS = ("csv", "xlsx")


class ImportFileError(Exception):
    """The file cannot be read as a table of projects at all (no row is to blame)."""


def file_format(name: str, given: str | None = None) -> str:
    file_format = (given or Path(name).suffix.lstrip(".")).lower()
    if file_format not in FORMATS:
        raise ImportFileError(
            _("Give a CSV or XLSX file (.csv or .xlsx); “%(name)s” is neither.") % {"name": Path(name).name}
        )
    return file_format


def count_rows(file, file_format: str) -> int | None:
    """About the number of data rows (blank ones included), for a progress bar; the file is rewound.

    A CSV file's lines are counted (a quoted cell over several lines counts several); a workbook says
    how many rows its sheet spans, or None."""
    try:
        if file_format == "csv":
            return max(sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b"")) - 1, 0)
        from openpyxl import load_workbook

        workbook = load_workbook(file, read_only=True, data_only=True)
        try:
            rows = workbook.active.max_row  # the sheet's stated dimensions: no row is read
        finally:
            workbook.close()
        return max(rows - 1, 0) if rows else None
    except Exception:  # noqa: BLE001  (the import itself says what is wrong with the file)
        return None
    finally:
        file.seek(0)


def read_rows(file, file_format: str) -> Iterator[dict | InvalidRow | None]:
    """Each data row of a binary file, as field values (``None`` for a blank row), or as the
    errors of its cells."""
    table = _table(file, file_format)
    try:
        yield from _values(table)
    finally:
        table.close()


def _values(table) -> Iterator[dict | InvalidRow | None]:
    header = next(table, None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    names = ["" if cell is None else str(cell).strip() for cell in header]
    columns = [(index, name) for index, name in enumerate(names) if name in COLUMNS]
    if not columns:
        raise ImportFileError(
            _("No column of the file is one the import reads (%(columns)s).") % {"columns": ", ".join(COLUMNS)}
        )
    repeated = sorted({name for _index, name in columns if names.count(name) > 1})
    if repeated:
        raise ImportFileError(_("Columns given twice: %(columns)s.") % {"columns": ", ".join(repeated)})
    readers = _cell_readers()
    columns = [(index, name, readers[name]) for index, name in columns]
    width = max(index for index, _name, _read in columns) + 1
    for cells in table:
        if all(cell is None or cell == "" for cell in cells):
            yield None
            continue
        if len(cells) < width:
            cells = [*cells, *[None] * (width - len(cells))]
        values, errors = {}, {}
        for index, name, read in columns:
            try:
                values[name] = read(unescape_formula(cells[index]))
            except (ValueError, InvalidOperation) as error:
                errors[name] = [str(error)]
        yield InvalidRow(errors) if errors else values


# A cell the quick readers take as it is: digits, with a decimal point (the widgets' own reading of it,
# whatever the language, when that language's decimal separator is a point).
DIGITS = re.compile(r"-?[0-9]{1,18}")
DECIMAL = re.compile(r"-?[0-9]{1,30}(?:\.[0-9]{1,30})?")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _cell_readers() -> dict:
    """How each column's cell is read: by its widget in ``ProjectResource`` (with its default for an empty
    cell, and its error), through a quick path for the cells a file mostly holds (a text, a plain number,
    an ISO date) that gives what the widget gives. Worked out in the language of the import (its
    separators)."""
    fields = ProjectResource().fields
    decimal_point = get_format("DECIMAL_SEPARATOR") == "."
    if settings.USE_THOUSAND_SEPARATOR:
        decimal_point = decimal_point and not set(get_format("THOUSAND_SEPARATOR")) & set("0123456789.-")
    readers = {"version": _version}
    for name in COLUMNS:
        if name == "version":
            continue
        field = fields[name]
        readers[name] = _quick_reader(field, decimal_point) or _widget_reader(field)
    return readers


def _widget_reader(field):
    column = field.column_name

    def read(value):
        return field.clean({column: value})

    return read


def _quick_reader(field, decimal_point: bool):
    widget, slow = field.widget, _widget_reader(field)
    kind = type(widget)
    if kind in (widgets.CharWidget, widgets.Widget):

        def read(value):
            return value if type(value) is str and value != "" else slow(value)

    elif kind is AliasesWidget:
        read = functools.partial(widget.clean, row=None)
    elif not decimal_point:
        return None
    elif kind is DecimalNumberWidget:

        def read(value):
            if type(value) is str and DECIMAL.fullmatch(value) or type(value) is int:
                return Decimal(value)
            return slow(value)

    elif kind is IntegerNumberWidget:

        def read(value):
            if type(value) is int:
                return value
            return int(value) if type(value) is str and DIGITS.fullmatch(value) else slow(value)

    elif kind is widgets.FloatWidget:

        def read(value):
            if type(value) is float:
                return value
            return float(value) if type(value) is str and DECIMAL.fullmatch(value) else slow(value)

    elif kind is widgets.DateWidget and widget.formats[0] == "%Y-%m-%d":

        def read(value):
            if type(value) is str and ISO_DATE.fullmatch(value):
                try:
                    return datetime.date.fromisoformat(value)
                except ValueError:
                    pass
            return slow(value)

    else:
        return None
    return read


def row_errors(errors: dict[int, dict[str, list[str]]]) -> Iterator[tuple[int, str, str]]:
    """(row, column, message) for each error, in the order of the file; the column is empty for an
    error of the row as a whole (a rule across columns)."""
    for number in sorted(errors):
        for column, messages in errors[number].items():
            for message in messages:
                yield number, "" if column == NON_FIELD_ERRORS else column, message


def _version(value) -> int | None:
    """The version an export was made at (a spreadsheet may have turned 3 into 3.0)."""
    if value is None or str(value).strip() == "":
        return None
    try:
        return int(float(value))
    except ValueError:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None


def _table(file, file_format: str) -> Iterator[list]:
    if file_format == "csv":
        # utf-8-sig: the byte-order mark of a spreadsheet's CSV (and of our exports) is no part of the header.
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        try:
            yield from csv.reader(text)
        except (UnicodeDecodeError, csv.Error) as error:
            raise ImportFileError(_("The file cannot be read as CSV in UTF-8: %(error)s") % {"error": error}) from None
        finally:
            with contextlib.suppress(ValueError):  # the file was closed first
                text.detach()
        return
    yield from _workbook_rows(file)


def _workbook_rows(file) -> Iterator[list]:
    """The first sheet's rows, read by calamine (in Rust: a 100,000-row sheet in seconds, where openpyxl
    takes minutes), with the values openpyxl gives (as the admin's import read them): whole numbers
    as ints, dates as datetimes, empty cells as None."""
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_filelike(file).get_sheet_by_index(0)
    except Exception as error:  # noqa: BLE001  (calamine raises many kinds for a file that is no workbook)
        raise ImportFileError(_("The file cannot be read as XLSX: %(error)s") % {"error": error}) from None
    for row in sheet.iter_rows():
        yield [_cell(value) for value in row]


def _cell(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return datetime.datetime.combine(value, datetime.time())
    return None if value == "" else value
