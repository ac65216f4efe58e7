"""How a file's cells are read (``projects.imports``): the quick readers give what the widgets give."""

import datetime

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.imports import _cell_readers
from projects.resources import COLUMNS, ProjectResource

CELLS = [
    None,
    "",
    " ",
    "0",
    "-0",
    "007",
    "12",
    "-12",
    "12.50",
    "1e3",
    "1,5",
    "1 250",
    "1.234",
    "12.",
    ".5",
    "abc",
    "2024-02-29",
    "2023-02-29",
    "2024-2-9",
    "03/04/2024",
    "Campus; Le campus ;",
    "x" * 40,
    "9" * 25,
    12,
    0,
    -3,
    12.5,
    True,
    datetime.datetime(2024, 5, 1),
]


def outcome(read, cell):
    try:
        value = read(cell)
    except Exception as error:  # noqa: BLE001  (the same kind and message is what is compared)
        return ("error", type(error).__name__, str(error))
    return ("value", type(value).__name__, repr(value))


def widget_outcome(name, cell):
    field = ProjectResource().fields[name]
    return outcome(lambda value: field.clean({field.column_name: value}), cell)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("name", [name for name in COLUMNS if name != "version"])
def test_each_cell_is_read_as_its_columns_widget_reads_it(name, language):
    with translation.override(language):
        read = _cell_readers()[name]
        assert [outcome(read, cell) for cell in CELLS] == [widget_outcome(name, cell) for cell in CELLS]


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from([name for name in COLUMNS if name != "version"]),
    cell=st.one_of(st.text(alphabet="0123456789-.,e ", max_size=12), st.integers(), st.floats(allow_nan=False)),
)
def test_any_number_like_cell_is_read_as_the_widget_reads_it(name, cell):
    assert outcome(_cell_readers()[name], cell) == widget_outcome(name, cell)


# The model's field rules, worked out once per model (projects/services/rules.py) -----------


def _errors_of_clean_fields(project) -> dict:
    from django.core.exceptions import ValidationError

    try:
        project.clean_fields()
    except ValidationError as error:
        return {
            name: [(e.code, str(e.message) % (e.params or {})) for e in found]
            for name, found in error.error_dict.items()
        }
    return {}


@settings(max_examples=150, deadline=None)
@given(
    country=st.one_of(
        st.sampled_from(["FR", "DE", "fr", "XX", "", "FRA", "  ", "IE"]),
        st.text(max_size=4),
    ),
    name=st.one_of(st.just(""), st.text(min_size=1, max_size=5), st.just("x" * 300)),
)
def test_the_import_checks_a_project_s_fields_as_clean_fields_does(country, name):
    """Word for word the errors ``Model.clean_fields`` gives, and the values it leaves, for a country
    read as stored and any other field: the import checks its records by these rules."""
    from projects.models import Project
    from projects.services import rules

    quick, reference = Project(name=name, country=country), Project(name=name, country=country)
    found = {
        name: [(e.code, str(e.message) % (e.params or {})) for e in errors]
        for name, errors in rules.clean_fields(quick, set()).items()
    }
    assert found == _errors_of_clean_fields(reference)
    assert (quick.country, quick.name) == (reference.country, reference.name)
