"""The published data in machine formats: tables of projects, organizations, claims and sources,
their Frictionless table schemas, and the data package that lists them.

Every table is read through ``projects.selectors.PUBLIC``, what anonymous readers see: no draft
project and no claim that is not accepted, nor anything standing on one. Cells are machine
values, never the display formatter's: a figure is a number ("700", not "700.00" nor "700 MW"),
a date is ISO 8601 at its precision ("2025-02" for a month, with the precision in its own
column), a list is its items joined by "; ". Each table describes its columns from the models'
own verbose names and help texts, so the schema and the admin's forms say the same thing.

Rows are read in chunks of ``CHUNK_ROWS`` through a database cursor; what a row needs from other
tables (roles, sources) is prefetched once per chunk, so a download runs a fixed number of
queries per chunk, whatever the number of rows.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import functools
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django_countries.fields import CountryField

from core.exports import escape_formula
from core.formatting import partial_date_key, plain_number
from projects import choices, power, staleness
from projects.models import Claim, GridConnection, Organization, Project, ProjectRole, Source
from projects.selectors import PUBLIC, project_list

CHUNK_ROWS = 2000
LIST_SEPARATOR = "; "
ISO_PARTIAL_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


# Columns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, Table Schema type and how to read it off a record."""

    name: str
    type: str
    get: Callable
    title: str = ""
    description: str = ""
    unit: str = ""
    enum: tuple[str, ...] = ()
    format: str = ""
    pattern: str = ""
    required: bool = False

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
        get = get or (lambda record: getattr(record, field_name).code or "")
    attributes = {
        "name": name or field_name,
        "type": column_type,
        "get": get or (lambda record: getattr(record, field_name)),
        "title": str(model_field.verbose_name).capitalize(),
        **extra,
    }
    return Column(**{**attributes, **overrides})


def partial_date_column(model, field_name: str, precision_field: str) -> Column:
    """A date written at its precision: "2025", "2025-02" or "2025-02-14"."""
    base = field_column(model, field_name)
    return Column(
        name=field_name,
        type="string",
        get=lambda record: partial_date_key(getattr(record, field_name), getattr(record, precision_field) or "day"),
        title=base.title,
        description=f"{base.description} ISO 8601 at its precision (YYYY, YYYY-MM or YYYY-MM-DD); "
        f"the precision is in {precision_field}.".strip(),
        pattern=ISO_PARTIAL_DATE,
    )


def aliases_column(model) -> Column:
    return field_column(
        model,
        "aliases",
        type="string",
        get=lambda record: _joined(record.aliases),
        description="Other names, separated by “; ”.",
    )


def _joined(items: Iterable) -> str:
    return LIST_SEPARATOR.join(str(item) for item in items if item)


# Tables ------------------------------------------------------------------------------------


@dataclass
class Table:
    """A resource of the data package: its columns and the records it is read from."""

    name: str
    title: str
    description: str
    columns: list[Column]
    records: Callable[[Selection], QuerySet]
    primary_key: str = ""
    foreign_keys: list[dict] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    def schema(self) -> dict:
        schema = {"fields": [column.schema() for column in self.columns], "missingValues": [""]}
        if self.primary_key:
            schema["primaryKey"] = [self.primary_key]
        if self.foreign_keys:
            schema["foreignKeys"] = self.foreign_keys
        return schema

    def rows(self, selection: Selection) -> Iterator[list]:
        """Each record as its list of machine values, read in chunks."""
        for record in self.records(selection).iterator(chunk_size=CHUNK_ROWS):
            yield [column.get(record) for column in self.columns]


@dataclass(frozen=True)
class Selection:
    """The public projects a download is made of, and the filter that chose them."""

    projects: QuerySet[Project]
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


def _long_texts(model) -> list[str]:
    """The model's long texts and search documents, which no column shows: never read."""
    return [
        model_field.name
        for model_field in model._meta.concrete_fields
        if model_field.get_internal_type() in ("TextField", "SearchVectorField")
    ]


def _project_records(selection: Selection) -> QuerySet[Project]:
    # the texts no column shows (a source's full text may be 500,000 characters) are never read
    return (
        selection.projects.order_by("slug")
        .defer(*_long_texts(Project))
        .prefetch_related(
            Prefetch(
                "roles",
                queryset=PUBLIC.parts(ProjectRole.objects.select_related("organization", "source"))
                .only(
                    "id",
                    "project_id",
                    "role",
                    "organization_id",
                    "source_id",
                    "organization__slug",
                    "organization__name",
                    "source__url",
                )
                .order_by("role", "organization__name", "id"),
                to_attr="public_roles",
            ),
            Prefetch(
                "claims",
                queryset=PUBLIC.claims(Claim.objects.filter(source__isnull=False).select_related("source"))
                # the power facts' columns read their values too
                .only("id", "project_id", "source_id", "source__url", "source__published_on", *POWER_CLAIM_FIELDS)
                .order_by("source__published_on", "source_id"),
                to_attr="public_claims",
            ),
            Prefetch(
                "grid_connections",
                queryset=PUBLIC.parts(GridConnection.objects.only("id", "project_id", "status", "claim_id")),
                to_attr="public_connections",
            ),
        )
    )


POWER_CLAIM_FIELDS = (
    "attribute",
    "value_kind",
    "value_number",
    "value_number_max",
    "bound",
    "scope",
    "value_text",
    "value_key",
    "status",
    "is_headline",
    "as_of",
)


def _power(project: Project) -> dict[str, power.PowerFact]:
    """The project's power facts, read once per row from its prefetched public claims."""
    if not hasattr(project, "_power_facts"):
        project._power_facts = {fact.name: fact for fact in power.facts_of(project.public_claims, include_empty=True)}
    return project._power_facts


def _last_reported(project: Project):
    """``last_reported_on`` from the chunk's prefetched public claims: no aggregate per row."""
    if not hasattr(project, staleness.LAST_REPORTED):
        setattr(
            project, staleness.LAST_REPORTED, staleness.last_reported_from(project.public_claims, project.announced_on)
        )
    return getattr(project, staleness.LAST_REPORTED)


def _headline(project: Project, attribute: str) -> Claim | None:
    return _power(project)[attribute].headline


def _power_values(project: Project, attribute: str) -> str:
    return _joined(_power(project)[attribute].values)


def _headline_number(attribute: str) -> Callable:
    def get(project: Project):
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
            get=lambda p: getattr(_headline(p, A.GRID_POWER_MW), "value_number_max", None),
        ),
        Column(
            name="grid_power_bound",
            type="string",
            title="Grid power bound",
            description="Whether the grid power is exact, a minimum (at_least), a maximum (at_most) or a range.",
            enum=tuple(choices.ClaimBound.values),
            get=lambda p: getattr(_headline(p, A.GRID_POWER_MW), "bound", ""),
        ),
        Column(
            name="grid_connection_status",
            type="string",
            title="Grid connection status",
            description="The statuses of the project's grid connections (planned, requested, agreed, "
            "under_construction, connected, unknown), separated by “; ”.",
            get=lambda p: _joined(power.connection_statuses(p.public_connections)),
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
        ),
        Column(
            name="inferred_status",
            type="string",
            title="Inferred status",
            description="What a quiet press implies, beside the recorded status (never changing it): an announced, "
            "planning or permitted project last reported on two years ago or more is shelved, four years or more "
            f"cancelled. Values: {labels}; empty otherwise.",
            enum=tuple(staleness.InferredStatus.values),
            get=lambda p: staleness.inferred_status(p.status, _last_reported(p)) or "",
        ),
    ]


def _project_source_urls(project: Project) -> str:
    urls = {}
    for record in (*project.public_claims, *project.public_roles):
        if record.source_id and record.source.url:
            urls.setdefault(record.source.url, None)
    return _joined(urls)


def _role_name(role: ProjectRole) -> str:
    return role.organization.name if role.organization_id else "undisclosed"


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
        field_column(
            Project,
            "typed_by_hand",
            type="string",
            get=lambda p: _joined(p.typed_by_hand),
            description="Attributes whose figure was typed by an editor rather than taken from an accepted claim, "
            "separated by “; ”.",
        ),
        Column(
            name="organizations",
            type="string",
            title="Organizations",
            description="The organizations and their roles, as “name (role)”, separated by “; ”; "
            "“undisclosed” is a party whose name has not been made public.",
            get=lambda p: _joined(f"{_role_name(role)} ({role.role})" for role in p.public_roles),
        ),
        Column(
            name="organization_roles",
            type="string",
            title="Organization roles",
            description="The same roles as “organization slug:role” (the slug of the organizations table), "
            "separated by “; ”.",
            get=lambda p: _joined(
                f"{role.organization.slug if role.organization_id else 'undisclosed'}:{role.role}"
                for role in p.public_roles
            ),
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
            get=lambda p: _public_url(_project_path(p.slug)),
        ),
    ],
    records=_project_records,
)


def _organization_records(selection: Selection) -> QuerySet[Organization]:
    organizations = Organization.objects.all()
    roles = PUBLIC.parts(ProjectRole.objects.filter(project__in=selection.projects))
    if selection.filtered:
        organizations = organizations.filter(Exists(roles.filter(organization=OuterRef("pk"))))
    return (
        organizations.order_by("slug")
        .defer("description")
        .prefetch_related(
            Prefetch(
                "project_roles",
                queryset=roles.select_related("project")
                .only("id", "role", "organization_id", "project__slug")
                .order_by("project__slug", "role"),
                to_attr="public_roles",
            )
        )
    )


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
            get=lambda o: _joined(f"{role.project.slug}:{role.role}" for role in o.public_roles),
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


def _claim_records(selection: Selection) -> QuerySet[Claim]:
    return (
        _claims(selection)
        .select_related("project", "organization", "source", "value_organization")
        .only(
            *(
                name
                for name in (
                    "id",
                    "attribute",
                    "value_kind",
                    "value_number",
                    "value_number_max",
                    "bound",
                    "scope",
                    "unit",
                    "currency",
                    "value_date",
                    "value_date_precision",
                    "value_text",
                    "role",
                    "quote",
                    "as_of",
                    "event_date",
                    "event_date_precision",
                    "status",
                    "is_headline",
                    "in_conflict",
                    "origin",
                    "confidence",
                    "project_id",
                    "organization_id",
                    "source_id",
                    "value_organization_id",
                )
            ),
            "project__slug",
            "organization__slug",
            "source__url",
            "value_organization__slug",
        )
        .order_by("project__slug", "attribute", "as_of", "id")
    )


def claim_value(claim: Claim) -> str:
    """The claim's value as a machine reads it: a plain number, an ISO date at its precision,
    an organization's slug, or the text."""
    match claim.value_kind:
        case choices.ValueKind.NUMBER | choices.ValueKind.MONEY:
            return plain_number(claim.value_number)
        case choices.ValueKind.DATE:
            return partial_date_key(claim.value_date, claim.value_date_precision or "day")
        case choices.ValueKind.ORGANIZATION:
            return claim.value_organization.slug if claim.value_organization_id else ""
    return claim.value_text


CLAIMS = Table(
    name="claims",
    title="Claims",
    description=(
        "One row per accepted claim: what one source says about a published project (or an organization), "
        "with the source's own words. A project's headline figure is one of its claims; where accepted claims "
        "disagree, every one of them is here."
    ),
    primary_key="id",
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
            get=lambda c: c.project.slug if c.project_id else "",
        ),
        Column(
            name="organization",
            type="string",
            title="About organization",
            description="For a claim about an organization rather than a project: the organization's slug.",
            get=lambda c: c.organization.slug if c.organization_id else "",
        ),
        field_column(Claim, "attribute"),
        Column(
            name="value",
            type="string",
            title="Value",
            description="The value as a machine reads it: a plain number (“700”; for a range its lower end), "
            "an ISO 8601 date at its precision, an organization's slug, or a text.",
            get=claim_value,
        ),
        field_column(Claim, "value_number_max", name="value_max", get=lambda c: c.value_number_max),
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
            get=lambda c: c.source_id,
            type="integer",
            description="The source's number (the sources table).",
        ),
        Column(
            name="source_url",
            type="string",
            title="Source URL",
            description="The address of the article or document.",
            get=lambda c: c.source.url if c.source_id else "",
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


def _source_records(selection: Selection) -> QuerySet[Source]:
    cited = Exists(_claims(selection).filter(source=OuterRef("pk"))) | Exists(
        PUBLIC.parts(ProjectRole.objects.filter(project__in=selection.projects, source=OuterRef("pk")))
    )
    return Source.objects.filter(cited).defer("text").order_by("id")


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
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, decimal.Decimal):
        return plain_number(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return escape_formula(value)  # a stored text never opens as a live formula


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
    return escape_formula(value)


def csv_chunks(table: Table, selection: Selection) -> Iterator[str]:
    """The table as CSV text, a header row then one record a row, in chunks of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.name for column in table.columns])
    for index, row in enumerate(table.rows(selection), start=1):
        writer.writerow([csv_cell(value) for value in row])
        if index % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def write_xlsx(selection: Selection, output, *, tables: Iterable[Table] = (PROJECTS, CLAIMS)) -> None:
    """A workbook with a sheet per table and an "about" sheet saying the filter and the licence."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    about = workbook.create_sheet("about")
    for line in (
        ("title", settings.DATA_TITLE),
        ("filter", selection.describe()),
        ("made at", datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()),
        ("licence", settings.DATA_LICENSE),
        ("how to cite", citation()),
    ):
        about.append(list(line))
    for table in tables:
        sheet = workbook.create_sheet(table.name)
        sheet.append([column.name for column in table.columns])
        for row in table.rows(selection):
            sheet.append([xlsx_cell(value) for value in row])
    workbook.save(output)


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
