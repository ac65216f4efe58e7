"""The published data in machine formats: tables of projects, organizations, claims and sources,
their Frictionless table schemas, and the data package that lists them.

Every table is read through ``projects.selectors.PUBLIC``, what anonymous readers see: no draft
project and no claim that is not accepted, nor anything standing on one. Cells are machine
values, never the display formatter's: a figure is a number ("700", not "700.00" nor "700 MW"),
a date is ISO 8601 at its precision ("2025-02" for a month, with the precision in its own
column), a list is its items joined by "; ". Each table describes its columns from the models'
own verbose names and help texts, so the schema and the admin's forms say the same thing.

A table is read as values, never as model instances: one query reads the columns' fields, in
chunks of ``CHUNK_ROWS`` through a database cursor, and what a row needs from other tables (a
project's roles, claims and grid connections, an organization's roles) is one more query per
table, sorted the same way and read alongside (``_Grouped``). A download runs the same few
queries for one row as for 100,000, and a row costs no query and no model instance.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import functools
import io
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from types import NoneType, SimpleNamespace
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast, Collate
from django.urls import reverse
from django.utils import translation
from django_countries.fields import CountryField

from core.exports import FORMULA_STARTS, escape_formula
from core.formatting import partial_date_key, plain_number
from projects import choices, power, staleness
from projects.models import Claim, GridConnection, Organization, Project, ProjectRole, Source
from projects.selectors import PUBLIC, project_list

CHUNK_ROWS = 2000
LIST_SEPARATOR = "; "
ISO_PARTIAL_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
CONNECTION_STATUSES = tuple(choices.ConnectionStatus.values)  # in the lifecycle's order


# Columns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, Table Schema type and how to read it off a record."""

    name: str
    type: str
    get: Callable  # of the record, a dictionary of the fields the columns read
    title: str = ""
    description: str = ""
    unit: str = ""
    enum: tuple[str, ...] = ()
    format: str = ""
    pattern: str = ""
    required: bool = False
    # the record's fields the column reads: names, or (name, expression) for a value the query computes
    reads: tuple = ()
    field: str = ""  # the one field whose value the column is, as it is read

    def schema(self) -> dict:
        entry = {"name": self.name, "type": self.type}
        if self.format:
            entry["format"] = self.format
        if self.title:
            entry["title"] = self.title
        description = self.description
        if self.unit:
            description = f"{description} Unit: {self.unit}.".strip()
        if description:
            entry["description"] = description
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.pattern:
            constraints["pattern"] = self.pattern
        if constraints:
            entry["constraints"] = constraints
        return entry


FIELD_TYPES = {
    "BooleanField": "boolean",
    "DateField": "date",
    "DateTimeField": "datetime",
    "DecimalField": "number",
    "FloatField": "number",
    "PositiveIntegerField": "integer",
    "PositiveSmallIntegerField": "integer",
    "IntegerField": "integer",
    "BigAutoField": "integer",
    "AutoField": "integer",
}


def _sentence(text) -> str:
    text = str(text or "").strip()
    return text if not text or text.endswith((".", "?", "!")) else f"{text}."


def field_column(model, field_name: str, *, name: str = "", get: Callable | None = None, **overrides) -> Column:
    """A column described by the model field's own verbose name, help text and choices."""
    model_field = model._meta.get_field(field_name)
    kind = model_field.get_internal_type()
    column_type = FIELD_TYPES.get(kind, "string")
    extra = {}
    if kind == "URLField":
        extra["format"] = "uri"
    if model_field.choices and kind == "CharField" and field_name not in ("country", "language"):
        extra["enum"] = tuple(str(value) for value, _label in model_field.flatchoices if value != "")
        labels = ", ".join(f"{value} ({label})" for value, label in model_field.flatchoices if value != "")
        extra["description"] = f"{_sentence(model_field.help_text)} Values: {labels}.".strip()
    else:
        extra["description"] = _sentence(model_field.help_text)
    if isinstance(model_field, CountryField):
        extra["description"] = f"{extra['description']} ISO 3166-1 alpha-2 code.".strip()
        extra["pattern"] = "^([A-Z]{2})?$"
        get = get or (lambda record: record[field_name] or "")
    attributes = {
        "name": name or field_name,
        "type": column_type,
        "get": get or operator.itemgetter(field_name),
        "field": "" if get else field_name,
        "title": str(model_field.verbose_name).capitalize(),
        "reads": (field_name,),
        **extra,
    }
    return Column(**{**attributes, **overrides})


def partial_date_column(model, field_name: str, precision_field: str) -> Column:
    """A date written at its precision: "2025", "2025-02" or "2025-02-14"."""
    base = field_column(model, field_name)
    return Column(
        name=field_name,
        type="string",
        get=lambda record: partial_date_key(record[field_name], record[precision_field] or "day"),
        title=base.title,
        description=f"{base.description} ISO 8601 at its precision (YYYY, YYYY-MM or YYYY-MM-DD); "
        f"the precision is in {precision_field}.".strip(),
        pattern=ISO_PARTIAL_DATE,
        reads=(field_name, precision_field),
    )


def list_column(model, field_name: str, **overrides) -> Column:
    """A list (a JSON array) as its items joined by "; ", read as the JSON text and parsed by orjson
    (a fifth of the time of the field's own parsing, for every row)."""
    text = f"{field_name}_json"
    return field_column(
        model,
        field_name,
        type="string",
        get=lambda record: _joined_json(record[text]),
        reads=((text, Cast(field_name, TextField())),),
        **overrides,
    )


def aliases_column(model) -> Column:
    return list_column(model, "aliases", description="Other names, separated by “; ”.")


def _joined(items: Iterable) -> str:
    return LIST_SEPARATOR.join([str(item) for item in items if item])


def _joined_json(text: str | None) -> str:
    return _joined(orjson.loads(text)) if text and text != "[]" else ""


# Tables ------------------------------------------------------------------------------------


@dataclass
class Table:
    """A resource of the data package: its columns and the records they are read from."""

    name: str
    title: str
    description: str
    columns: list[Column]
    records: Callable[[Selection, tuple[str, ...]], Iterator[dict]]
    primary_key: str = ""
    foreign_keys: list[dict] = field(default_factory=list)
    # the column holding the slug of the project a row is of, when a row is the same whatever the
    # filter (a filtered table is then the whole table's rows of the chosen projects)
    project_column: str = ""

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @functools.cached_property
    def reads(self) -> tuple:
        """The fields the columns read, each once: the only ones the query asks for."""
        return tuple(dict.fromkeys(name for column in self.columns for name in column.reads))

    def schema(self) -> dict:
        schema = {"fields": [column.schema() for column in self.columns], "missingValues": [""]}
        if self.primary_key:
            schema["primaryKey"] = [self.primary_key]
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        return schema

    def rows(self, selection: Selection, cells: Cells | None = None) -> Iterator[Sequence]:
        """Each record as its list of machine values, or of cells as ``cells`` writes them.

        The columns that are a field as it is read (most of them) are taken from the record in one
        call and written as cells by one comprehension, the others one call each: a row of 45
        cells costs a few calls, not 90."""
        if cells is None:
            getters = [column.get for column in self.columns]
            for record in self.records(selection, self.reads):
                yield [get(record) for get in getters]
            return
        fields = [column for column in self.columns if column.field]
        others = [column for column in self.columns if not column.field]
        fields_of = operator.itemgetter(*(column.field for column in fields))
        getters = [cells.column(column) for column in others]
        # the row is the fields' cells then the others', put back in the columns' order
        position = {id(column): index for index, column in enumerate(fields + others)}
        in_order = operator.itemgetter(*(position[id(column)] for column in self.columns))
        values = cells.values
        for record in self.records(selection, self.reads):
            row = values(fields_of(record))
            row.extend([get(record) for get in getters])
            yield in_order(row)


@dataclass(frozen=True)
class Selection:
    """The public projects a download is made of, and the filter that chose them."""

    projects: QuerySet
    filter_params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def everything(cls) -> Selection:
        return cls(PUBLIC.projects(project_list()))

    @property
    def filtered(self) -> bool:
        return bool(self.filter_params)

    @property
    def query_string(self) -> str:
        return urlencode(self.filter_params)

    def describe(self) -> str:
        """The filter in words a file can carry: "country=FR&status=planning", or "none"."""
        return self.query_string or "none (every published project)"

    def of_projects(self, queryset: QuerySet, path: str = "project") -> QuerySet:
        """``queryset``'s records of the chosen projects: a filter only when the selection has one
        (the visibility rule of the records' own queryset leaves the drafts out)."""
        return queryset.filter(**{f"{path}__in": self.projects}) if self.filtered else queryset


def _in_code_point_order(name: str):
    """``name`` sorted as Python compares texts (code points), whatever the database's collation:
    a table and the rows it is read alongside with (``_Grouped``) meet in the same order."""
    if connection.vendor == "postgresql":
        return Collate(F(name), "C")
    return F(name)  # SQLite compares texts byte by byte, which is code point order in UTF-8


class _Grouped:
    """Rows sorted by a key, read alongside a table sorted by the same key: ``take(key)`` gives
    that key's rows, in one pass over both. A key read from neither side is skipped (a row
    written between the two queries)."""

    def __init__(self, rows: Iterable[tuple]):
        self._rows = iter(rows)
        self._next = next(self._rows, None)

    def take(self, key: str) -> list:
        found = []
        while self._next is not None and self._next[0] < key:
            self._next = next(self._rows, None)
        while self._next is not None and self._next[0] == key:
            found.append(self._next[1:])
            self._next = next(self._rows, None)
        return found


def _read(queryset: QuerySet, *fields: str) -> Iterator[tuple]:
    return queryset.values_list(*fields).iterator(chunk_size=CHUNK_ROWS)


def _records(queryset: QuerySet, reads: tuple) -> Iterator[dict]:
    """The queryset's rows as dictionaries of what the columns read, through a database cursor."""
    names = [name for name in reads if isinstance(name, str)]
    expressions = dict(name for name in reads if not isinstance(name, str))
    return queryset.values(*names, **expressions).iterator(chunk_size=CHUNK_ROWS)


def _project_records(selection: Selection, reads: tuple[str, ...]) -> Iterator[dict]:
    """Each public project as its fields, with its public roles, claims and connections."""
    roles = _Grouped(
        _read(
            selection.of_projects(PUBLIC.parts(ProjectRole.objects.all())).order_by(
                _in_code_point_order("project__slug"), "role", "organization__name", "id"
            ),
            "project__slug",
            "role",
            "organization__slug",
            "organization__name",
            "source__url",
        )
    )
    claims = _Grouped(
        _read(
            selection.of_projects(PUBLIC.claims(Claim.objects.filter(source__isnull=False, project__isnull=False)))
            .order_by(_in_code_point_order("project__slug"), "source__published_on", "source_id")
            .annotate(source_url=F("source__url"), source_published_on=F("source__published_on")),
            "project__slug",
            *POWER_CLAIM_FIELDS,
        )
    )
    connections = _Grouped(
        _read(
            selection.of_projects(PUBLIC.parts(GridConnection.objects.all())).order_by(
                _in_code_point_order("project__slug")
            ),
            "project__slug",
            "status",
        )
    )
    for record in _records(selection.projects.order_by(_in_code_point_order("slug")), reads):
        slug = record["slug"]
        record["roles"] = roles.take(slug)
        record["claims"] = [_claim_fact(values) for values in claims.take(slug)]
        record["connections"] = [status for (status,) in connections.take(slug)]
        yield record


# What the project columns read of a claim: its power fact, its date and its source.
POWER_CLAIM_FIELDS = (
    "id",
    "attribute",
    "value_kind",
    "value_number",
    "value_number_max",
    "value_date",
    "bound",
    "scope",
    "value_text",
    "value_key",
    "status",
    "is_headline",
    "as_of",
    "source_id",
    "source_url",
    "source_published_on",
)


def _claim_fact(values: tuple) -> SimpleNamespace:
    """A claim read as values, with the attributes ``power`` and ``staleness`` read off a claim."""
    claim = SimpleNamespace(**dict(zip(POWER_CLAIM_FIELDS, values, strict=True)))
    claim.pk = claim.id
    claim.source = SimpleNamespace(url=claim.source_url, published_on=claim.source_published_on)
    return claim


@functools.cache
def _no_power_facts() -> dict[str, power.PowerFact]:
    return {fact.name: fact for fact in power.facts_of([], include_empty=True)}


def _power(project: dict) -> dict[str, power.PowerFact]:
    """The project's power facts, read once per row from its public claims."""
    if not project["claims"]:
        return _no_power_facts()
    facts = project.get("_power_facts")
    if facts is None:
        facts = project["_power_facts"] = {
            fact.name: fact for fact in power.facts_of(project["claims"], include_empty=True)
        }
    return facts


def _last_reported(project: dict):
    """``last_reported_on`` from the project's public claims: no aggregate per row."""
    if staleness.LAST_REPORTED not in project:
        project[staleness.LAST_REPORTED] = staleness.last_reported_from(project["claims"], project["announced_on"])
    return project[staleness.LAST_REPORTED]


def _headline(project: dict, attribute: str):
    return _power(project)[attribute].headline


def _power_values(project: dict, attribute: str) -> str:
    return _joined(_power(project)[attribute].values) if project["claims"] else ""


def _headline_number(attribute: str) -> Callable:
    def get(project: dict):
        if not project["claims"]:
            return None
        claim = _headline(project, attribute)
        return claim.value_number if claim is not None else None

    return get


def _power_columns() -> list[Column]:
    A = choices.ClaimAttribute
    grid = _headline_number(A.GRID_POWER_MW)
    return [
        Column(
            name="grid_power_mw",
            type="number",
            title="Grid power requested or contracted (MW)",
            description="The power asked of or agreed with the grid operator, from the headline accepted claim "
            "(for a range, its lower end; see grid_power_bound).",
            unit="megawatts",
            get=grid,
        ),
        Column(
            name="grid_power_mw_max",
            type="number",
            title="Grid power, upper end (MW)",
            description="For a range (“100 to 150 MW”), its upper end.",
            unit="megawatts",
            get=lambda p: getattr(_headline(p, A.GRID_POWER_MW), "value_number_max", None) if p["claims"] else None,
        ),
        Column(
            name="grid_power_bound",
            type="string",
            title="Grid power bound",
            description="Whether the grid power is exact, a minimum (at_least), a maximum (at_most) or a range.",
            enum=tuple(choices.ClaimBound.values),
            get=lambda p: getattr(_headline(p, A.GRID_POWER_MW), "bound", "") if p["claims"] else "",
        ),
        Column(
            name="grid_connection_status",
            type="string",
            title="Grid connection status",
            description="The statuses of the project's grid connections (planned, requested, agreed, "
            "under_construction, connected, unknown), separated by “; ”.",
            get=lambda p: (
                _joined(status for status in CONNECTION_STATUSES if status in p["connections"])
                if p["connections"]
                else ""
            ),
        ),
        Column(
            name="energy_sources",
            type="string",
            title="Energy sources or supply contracts",
            description="Every accepted claim of energy source or supply contract (solar, wind, PPA...), "
            "separated by “; ”.",
            get=lambda p: _power_values(p, A.ENERGY_SOURCE),
        ),
        Column(
            name="cooling",
            type="string",
            title="Cooling",
            description="Every accepted claim of cooling (free cooling, liquid cooling, seawater...), "
            "separated by “; ”.",
            get=lambda p: _power_values(p, A.COOLING),
        ),
        Column(
            name="water_use_m3",
            type="number",
            title="Water use (m³ a year)",
            description="Water the site uses, from the headline accepted claim (for a range, its lower end).",
            unit="cubic metres a year",
            get=_headline_number(A.WATER_USE_M3),
        ),
        Column(
            name="pue",
            type="number",
            title="Power usage effectiveness (PUE)",
            description="Total power over the IT equipment's, from the headline accepted claim.",
            unit="a ratio, no unit",
            get=_headline_number(A.PUE),
        ),
    ]


def _staleness_columns() -> list[Column]:
    labels = ", ".join(f"{value} ({label})" for value, label in staleness.InferredStatus.choices)
    return [
        Column(
            name="last_reported_on",
            type="date",
            title="Last reported on",
            description="The latest date a source reported on the project: an accepted claim's as-of date (else its "
            "source's publication date), or the announcement date.",
            get=_last_reported,
            reads=("announced_on",),
        ),
        Column(
            name="inferred_status",
            type="string",
            title="Inferred status",
            description="What a quiet press implies, beside the recorded status (never changing it): an announced, "
            "planning or permitted project last reported on two years ago or more is shelved, four years or more "
            f"cancelled. Values: {labels}; empty otherwise.",
            enum=tuple(staleness.InferredStatus.values),
            get=lambda p: staleness.inferred_status(p["status"], _last_reported(p)) or "",
            reads=("status", "announced_on"),
        ),
    ]


def _project_source_urls(project: dict) -> str:
    """The URLs of the sources of the project's claims, then of its roles, each once."""
    if not project["claims"] and not any(url for *_role, url in project["roles"]):
        return ""
    urls = dict.fromkeys(claim.source_url for claim in project["claims"] if claim.source_url)
    urls.update(dict.fromkeys(url for _role, _slug, _name, url in project["roles"] if url))
    return _joined(urls)


@functools.cache
def _project_path_template() -> str:
    return reverse("projects:detail", kwargs={"slug": "__slug__"})


def _project_path(slug: str) -> str:
    """``Project.get_absolute_url()`` without resolving the URL again for every row."""
    return _project_path_template().replace("__slug__", slug)


def _public_url(path: str) -> str:
    return f"{settings.DATA_SITE_URL.rstrip('/')}{path}" if settings.DATA_SITE_URL else path


PROJECTS = Table(
    name="projects",
    title="Projects",
    description=(
        "One row per published data-center project, with its headline figures (each from an accepted claim "
        "or typed by an editor), the organizations and their roles, and the URLs of the sources behind it."
    ),
    primary_key="slug",
    project_column="slug",
    columns=[
        field_column(Project, "slug", required=True),
        field_column(Project, "name", required=True),
        aliases_column(Project),
        field_column(Project, "kind"),
        field_column(Project, "status"),
        field_column(Project, "country"),
        field_column(Project, "region"),
        field_column(Project, "municipality"),
        field_column(Project, "address"),
        field_column(Project, "latitude", unit="degrees north, WGS 84"),
        field_column(Project, "longitude", unit="degrees east, WGS 84"),
        field_column(Project, "location_precision"),
        field_column(Project, "site_area_ha", unit="hectares"),
        field_column(Project, "floor_area_m2", unit="square metres"),
        field_column(Project, "former_use"),
        field_column(Project, "capacity_mw", unit="megawatts"),
        field_column(Project, "capacity_basis"),
        field_column(Project, "investment_amount", unit="the currency in investment_currency"),
        field_column(Project, "investment_currency"),
        field_column(Project, "investment_year"),
        field_column(Project, "jobs_permanent", unit="jobs"),
        field_column(Project, "jobs_construction", unit="jobs"),
        partial_date_column(Project, "announced_on", "announced_precision"),
        field_column(Project, "announced_precision"),
        field_column(Project, "operational_year"),
        field_column(Project, "last_verified_on"),
        field_column(Project, "conflict_count"),
        *_staleness_columns(),
        *_power_columns(),
        list_column(
            Project,
            "typed_by_hand",
            description="Attributes whose figure was typed by an editor rather than taken from an accepted claim, "
            "separated by “; ”.",
        ),
        Column(
            name="organizations",
            type="string",
            title="Organizations",
            description="The organizations and their roles, as “name (role)”, separated by “; ”; "
            "“undisclosed” is a party whose name has not been made public.",
            get=lambda p: _joined(f"{name or 'undisclosed'} ({role})" for role, _slug, name, _url in p["roles"]),
        ),
        Column(
            name="organization_roles",
            type="string",
            title="Organization roles",
            description="The same roles as “organization slug:role” (the slug of the organizations table), "
            "separated by “; ”.",
            get=lambda p: _joined(f"{slug or 'undisclosed'}:{role}" for role, slug, _name, _url in p["roles"]),
        ),
        Column(
            name="source_urls",
            type="string",
            title="Source URLs",
            description="The URLs of the sources of the project's accepted claims and roles, oldest first, "
            "separated by “; ”.",
            get=_project_source_urls,
        ),
        field_column(Project, "last_updated", description="When the record was last edited."),
        Column(
            name="page_url",
            type="string",
            format="uri" if settings.DATA_SITE_URL else "default",
            title="Page",
            description="The project's page on the tracker, with every figure and its sources.",
            get=lambda p: _public_url(_project_path(p["slug"])),
            reads=("slug",),
        ),
    ],
    records=_project_records,
)


def _organization_records(selection: Selection, reads: tuple[str, ...]) -> Iterator[dict]:
    """Each organization as its fields, with its roles in public projects; for a filter, only the
    organizations with a role in the chosen projects."""
    organizations = Organization.objects.all()
    roles = selection.of_projects(PUBLIC.parts(ProjectRole.objects.all()))
    if selection.filtered:
        organizations = organizations.filter(Exists(roles.filter(organization=OuterRef("pk"))))
    project_roles = _Grouped(
        _read(
            roles.filter(organization__isnull=False).order_by(
                _in_code_point_order("organization__slug"), _in_code_point_order("project__slug"), "role"
            ),
            "organization__slug",
            "project__slug",
            "role",
        )
    )
    for record in _records(organizations.order_by(_in_code_point_order("slug")), reads):
        record["roles"] = project_roles.take(record["slug"])
        yield record


ORGANIZATIONS = Table(
    name="organizations",
    title="Organizations",
    description="Companies, authorities and grid operators, with the roles they hold in published projects.",
    primary_key="slug",
    columns=[
        field_column(Organization, "slug", required=True),
        field_column(Organization, "name", required=True),
        aliases_column(Organization),
        field_column(Organization, "kind"),
        field_column(Organization, "country"),
        field_column(Organization, "website"),
        Column(
            name="project_roles",
            type="string",
            title="Project roles",
            description="The organization's roles in published projects, as “project slug:role”, separated by “; ”.",
            get=lambda o: _joined(f"{project}:{role}" for project, role in o["roles"]),
        ),
    ],
    records=_organization_records,
)


def _claims(selection: Selection) -> QuerySet[Claim]:
    claims = PUBLIC.claims()
    if selection.filtered:
        claims = claims.filter(project__in=selection.projects)
    else:
        claims = claims.filter(Q(project__isnull=True) | Q(project__in=selection.projects))
    return claims


def _claim_records(selection: Selection, reads: tuple[str, ...]) -> Iterator[dict]:
    claims = _claims(selection).order_by(_in_code_point_order("project__slug"), "attribute", "as_of", "id")
    return _records(claims, reads)


def claim_value(claim: dict) -> str:
    """The claim's value as a machine reads it: a plain number, an ISO date at its precision,
    an organization's slug, or the text."""
    match claim["value_kind"]:
        case choices.ValueKind.NUMBER | choices.ValueKind.MONEY:
            return plain_number(claim["value_number"])
        case choices.ValueKind.DATE:
            return partial_date_key(claim["value_date"], claim["value_date_precision"] or "day")
        case choices.ValueKind.ORGANIZATION:
            return claim["value_organization__slug"] or ""
    return claim["value_text"]


CLAIMS = Table(
    name="claims",
    title="Claims",
    description=(
        "One row per accepted claim: what one source says about a published project (or an organization), "
        "with the source's own words. A project's headline figure is one of its claims; where accepted claims "
        "disagree, every one of them is here."
    ),
    primary_key="id",
    project_column="project",
    foreign_keys=[
        {"fields": ["project"], "reference": {"resource": "projects", "fields": ["slug"]}},
        {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["id"]}},
    ],
    columns=[
        field_column(Claim, "id", description="The claim's number in the tracker.", title="ID", required=True),
        Column(
            name="project",
            type="string",
            title="Project",
            description="The slug of the project the claim is about (the projects table); empty for a claim "
            "about an organization.",
            get=lambda c: c["project__slug"] or "",
            reads=("project__slug",),
        ),
        Column(
            name="organization",
            type="string",
            title="About organization",
            description="For a claim about an organization rather than a project: the organization's slug.",
            get=lambda c: c["organization__slug"] or "",
            reads=("organization__slug",),
        ),
        field_column(Claim, "attribute"),
        Column(
            name="value",
            type="string",
            title="Value",
            description="The value as a machine reads it: a plain number (“700”; for a range its lower end), "
            "an ISO 8601 date at its precision, an organization's slug, or a text.",
            get=claim_value,
            reads=(
                "value_kind",
                "value_number",
                "value_date",
                "value_date_precision",
                "value_organization__slug",
                "value_text",
            ),
        ),
        field_column(Claim, "value_number_max", name="value_max"),
        field_column(Claim, "value_kind"),
        field_column(Claim, "unit", description="The unit of a figure, e.g. MW, ha, m2, jobs."),
        field_column(Claim, "currency", description="ISO 4217 code of an amount of money, e.g. EUR."),
        field_column(Claim, "bound"),
        field_column(Claim, "scope"),
        field_column(Claim, "role"),
        field_column(Claim, "value_date_precision"),
        field_column(
            Claim,
            "source",
            name="source_id",
            type="integer",
            description="The source's number (the sources table).",
        ),
        Column(
            name="source_url",
            type="string",
            title="Source URL",
            description="The address of the article or document.",
            get=lambda c: c["source__url"] or "",
            reads=("source__url",),
        ),
        field_column(Claim, "quote"),
        field_column(Claim, "status"),
        field_column(Claim, "as_of"),
        partial_date_column(Claim, "event_date", "event_date_precision"),
        field_column(Claim, "event_date_precision"),
        field_column(Claim, "is_headline"),
        field_column(Claim, "in_conflict"),
        field_column(Claim, "origin"),
        field_column(Claim, "confidence", description="How sure extraction was of the value, from 0 to 1."),
    ],
    records=_claim_records,
)


def _source_records(selection: Selection, reads: tuple[str, ...]) -> Iterator[dict]:
    cited = Exists(_claims(selection).filter(source=OuterRef("pk"))) | Exists(
        selection.of_projects(PUBLIC.parts(ProjectRole.objects.filter(source=OuterRef("pk"))))
    )
    return _records(Source.objects.filter(cited).order_by("id"), reads)


SOURCES = Table(
    name="sources",
    title="Sources",
    description="The articles and documents that the published claims and roles quote (their full texts are not "
    "republished).",
    primary_key="id",
    columns=[
        field_column(Source, "id", description="The source's number in the tracker.", title="ID", required=True),
        field_column(Source, "url"),
        field_column(Source, "title"),
        field_column(Source, "publisher"),
        field_column(Source, "author"),
        field_column(Source, "language", description="ISO 639-1 code."),
        field_column(Source, "published_on"),
        field_column(Source, "retrieved_at"),
    ],
    records=_source_records,
)

TABLES = {table.name: table for table in (PROJECTS, ORGANIZATIONS, CLAIMS, SOURCES)}


# Cells and files ---------------------------------------------------------------------------


def csv_cell(value):
    """A machine value as a CSV cell: numbers without trailing zeros, ISO dates, true/false."""
    convert = _CSV_CELLS.get(type(value))
    if convert is not None:
        return convert(value)
    if value is None or isinstance(value, int | float) and not isinstance(value, bool):
        return value  # the writer writes None empty, and numbers as Python does
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal):
        return plain_number(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return escape_formula(value)  # a stored text never opens as a live formula


# Each type a cell has, and what it becomes, found in one look-up (the types above, in their order)
_CSV_CELLS: dict[type, Callable] = {
    str: escape_formula,
    NoneType: lambda value: None,
    int: lambda value: value,
    float: lambda value: value,
    bool: lambda value: "true" if value else "false",
    decimal.Decimal: plain_number,
    datetime.date: datetime.date.isoformat,
    datetime.datetime: datetime.datetime.isoformat,
}


_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def _csv_text(value):
    # a text that cannot start a formula (nearly all) is sent as it is after one look
    if value.__class__ is str and value[:1] not in _FORMULA_FIRST:
        return value
    return csv_cell(value)


def _xlsx_text(value):
    if value.__class__ is str and value[:1] not in _FORMULA_FIRST:
        return value or None  # an empty text is an empty cell
    return xlsx_cell(value)


def _csv_number(value):
    return plain_number(value) if value.__class__ is decimal.Decimal else csv_cell(value)


@dataclass(frozen=True)
class Cells:
    """How a file writes a table's values: ``column(column)`` gives a column's cell of a record,
    ``values(values)`` the cells of values read as they are."""

    column: Callable[[Column], Callable]
    values: Callable[[Sequence], list]


def _csv_values(values: Sequence) -> list:
    return [
        (value if value[:1] not in _FORMULA_FIRST else escape_formula(value))
        if value.__class__ is str
        else value
        if value is None or value.__class__ is int
        else plain_number(value)
        if value.__class__ is decimal.Decimal
        else csv_cell(value)
        for value in values
    ]


def _xlsx_values(values: Sequence) -> list:
    return [
        (value or None if value[:1] not in _FORMULA_FIRST else escape_formula(value))
        if value.__class__ is str
        else value
        if value is None or value.__class__ is int
        else xlsx_cell(value)
        for value in values
    ]


def csv_cells(column: Column) -> Callable:
    """The column's value of a record, as its CSV cell."""
    get = column.get
    if column.type == "integer":
        return get  # an int or None, which the writer writes as they are
    if column.type == "string":
        return lambda record: _csv_text(get(record))
    if column.type == "number":
        return lambda record: _csv_number(get(record))
    return lambda record: csv_cell(get(record))


def xlsx_cells(column: Column) -> Callable:
    """The column's value of a record, as its spreadsheet cell."""
    get = column.get
    if column.type == "integer":
        return get
    if column.type == "string":
        return lambda record: _xlsx_text(get(record))
    return lambda record: xlsx_cell(get(record))


CSV_CELLS = Cells(column=csv_cells, values=_csv_values)
XLSX_CELLS = Cells(column=xlsx_cells, values=_xlsx_values)


def xlsx_cell(value):
    """A machine value as a spreadsheet cell: numbers as numbers, dates and texts as ISO text."""
    if value is None:
        return None
    if isinstance(value, decimal.Decimal):
        value = value.normalize()
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return escape_formula(value) or None  # an empty text is an empty cell


def csv_chunks(table: Table, selection: Selection) -> Iterator[str]:
    """The table as CSV text, a header row then one record a row, in chunks of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.name for column in table.columns])
    for index, row in enumerate(table.rows(selection, CSV_CELLS), start=1):
        writer.writerow(row)
        if index % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def csv_chunks_of_projects(table: Table, selection: Selection, path) -> Iterator[str]:
    """The rows of the whole table's file ``path`` (``write_csv``) that are of the chosen projects,
    as CSV text in chunks: a filtered table without reading its records again (one query for the
    chosen projects' slugs, then a CSV reader and writer, both in C)."""
    # compared as the file writes them (a slug may start like a formula)
    chosen = {csv_cell(slug) for slug in selection.projects.values_list("slug", flat=True).order_by()}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    with open(path, encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        writer.writerow(header)
        position = header.index(table.project_column)
        for index, row in enumerate(reader, start=1):
            if row[position] in chosen:
                writer.writerow(row)
            if index % CHUNK_ROWS == 0 and buffer.tell():
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def write_csv(table: Table, selection: Selection, output) -> int:
    """The table as a CSV file written to ``output`` (a text file); returns the rows written."""
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow([column.name for column in table.columns])
    written = 0
    for written, row in enumerate(table.rows(selection, CSV_CELLS), start=1):  # noqa: B007 (the count is returned)
        writer.writerow(row)
    return written


def write_xlsx(selection: Selection, output, *, tables: Iterable[Table] = (PROJECTS, CLAIMS)) -> None:
    """A workbook with a sheet per table and an "about" sheet saying the filter and the licence.

    XlsxWriter in its constant-memory mode writes each row to disk as it goes, with its texts in the
    row (no table of shared strings held until the end), so a workbook of 100,000 rows costs a
    row's memory. A text is never read as a formula, a number or a link: it is written as it is.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    about = workbook.add_worksheet("about")
    for index, line in enumerate(
        (
            ("title", settings.DATA_TITLE),
            ("filter", selection.describe()),
            ("made at", datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()),
            ("licence", settings.DATA_LICENSE),
            ("how to cite", citation()),
        )
    ):
        about.write_row(index, 0, line)
    for table in tables:
        sheet = workbook.add_worksheet(table.name)
        sheet.write_row(0, 0, [column.name for column in table.columns])
        write_row = sheet.write_row
        for index, row in enumerate(table.rows(selection, XLSX_CELLS), start=1):
            write_row(index, 0, row)
    workbook.close()


# The data package --------------------------------------------------------------------------

LICENSES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": ("Creative Commons Attribution Share-Alike 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC0-1.0": ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}


def license_entry() -> dict:
    name = settings.DATA_LICENSE
    title, path = LICENSES.get(name, (name, ""))
    return {"name": name, "title": title, **({"path": path} if path else {})}


def citation(version: str = "") -> str:
    """How to cite the data: who, what, which version or date, where."""
    when = f"release {version}" if version else f"downloaded {datetime.date.today().isoformat()}"
    where = _public_url(f"/data/releases/{version}/datapackage.json" if version else "/data/")
    return f"{settings.DATA_PUBLISHER}. {settings.DATA_TITLE} ({when}). Licence {settings.DATA_LICENSE}. {where}"


def datapackage(selection: Selection, *, version: str = "", path_suffix: str = "", hashes: dict | None = None) -> dict:
    """The Frictionless data package descriptor of the four tables.

    ``path_suffix`` carries a filter to each resource's address; ``hashes`` (file name → sha256)
    are written into the resources of a release.
    """
    with translation.override("en"):
        resources = []
        for table in TABLES.values():
            resource = {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "path": f"{table.filename}{path_suffix}",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "header": True},
                "schema": table.schema(),
            }
            if hashes and table.filename in hashes:
                resource["hash"] = f"sha256:{hashes[table.filename]}"
            resources.append(resource)
        description = (
            "Data-center projects tracked from public sources: every headline figure with the claims and "
            "sources behind it. Only published projects and accepted claims. "
            f"Filter: {selection.describe()}."
        )
        descriptor = {
            "profile": "tabular-data-package",
            "name": "data-center-projects",
            "title": settings.DATA_TITLE,
            "description": description,
            "licenses": [license_entry()],
            "sources": [{"title": "Public articles and documents; see the sources resource."}],
            "citation": citation(version),
            "created": datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
            "resources": resources,
        }
        if version:
            descriptor["version"] = version
        if selection.filtered:
            descriptor["filter"] = selection.query_string
        return descriptor
