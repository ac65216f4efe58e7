"""Public pages for readers and researchers: overview, list, project, map and statistics.

Every page reads prepared querysets from ``projects.selectors`` and filters with the same
``ProjectFilterSet`` as the API, so a filtered list, its map and its CSV download agree.
The pages show what anonymous readers see (``selectors.PUBLIC``) whoever is signed in:
drafts and unaccepted claims are reviewed in the admin.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from decimal import Decimal

import django_filters
import orjson
from django import forms
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe
from django_countries import countries

from core import caching
from core.exports import escape_formula
from core.formatting import format_number
from core.geo import distance_km, geocode, towns_around
from core.paginator import DeepPaginator
from core.throttling import throttle_anonymous
from core.widgets import LongSelect
from projects import charts, choices, facets, history, history_views, money, selectors
from projects.fact_filters import lay_out_fact_filters
from projects.figures import figures_by_name
from projects.filtersets import ProjectFilterSet, country_codes
from projects.models import Project
from projects.redirects import follows_old_addresses
from projects.staleness import attach as attach_inferred_status
from projects.staleness import read_last_reported

PAGE_SIZE = 50
# Filters offered in the list form, in reading order; any other API parameter still works in the URL.
LIST_FIELDS = (
    "q",
    "place",
    "radius_km",
    "status",
    "kind",
    "country",
    "capacity_min",
    "capacity_max",
    "operational_year_min",
    "operational_year_max",
    "organization",
    "role",
    "inferred_status",
    "grid_power_min",
    "energy_source",
    "connection_status",
    "ordering",
)
MAP_FIELDS = ("q", "place", "radius_km", "status", "kind", "country", "capacity_min", "capacity_max")
# The API serves the same filters as CSV and GeoJSON (projects/api).
API_PROJECTS_URL = "/api/v1/projects/"
CHART_COUNTRIES = 20


class PublicProjectFilterSet(ProjectFilterSet):
    """The shared filters, plus ``place``: a place name geocoded into ``near`` for readers
    who know a town, not its coordinates."""

    place = django_filters.CharFilter(
        method="filter_noop",
        label=gettext_lazy("Near a place"),
        help_text=gettext_lazy("A town or city; projects within the radius around it."),
    )

    def __init__(self, data=None, *args, **kwargs):
        self.place = None
        self.place_name = ((data or {}).get("place") or "").strip()
        if data is not None and self.place_name and not data.get("near"):
            codes = country_codes(data.get("country") or "")
            self.place = geocode(self.place_name, codes[0] if len(codes) == 1 else None)
            data = data.copy()
            if self.place is not None:
                data["near"] = f"{self.place.latitude},{self.place.longitude}"
            else:
                data.pop("radius_km", None)  # the place's own error says enough
        super().__init__(data, *args, **kwargs)

    def is_valid(self):
        super().is_valid()
        if self.place_name and self.place is None and not self.data.get("near"):
            self.form.add_error("place", _("No place called “%(name)s” was found.") % {"name": self.place_name})
        return self.form.is_valid()

    def describe_value(self, name, value):
        if name == "near" and self.place is not None:
            return None  # the place's name says more than the coordinates it stands for
        return super().describe_value(name, value)


def rows_of(name: str, rows) -> list:
    """The rows of an aggregate over the whole public table, from the cache until the next write."""
    return caching.cached(name, lambda: list(rows()))


def bind_filters(request, fields) -> PublicProjectFilterSet:
    """The filterset for the request, its form laid out for people rather than programs."""
    filterset = PublicProjectFilterSet(request.GET or None, queryset=selectors.public_projects())
    form = filterset.form
    form.fields["status"].widget = forms.CheckboxSelectMultiple(choices=choices.ProjectStatus.choices)
    form.fields["kind"].widget = forms.CheckboxSelectMultiple(choices=choices.ProjectKind.choices)
    present = caching.cached("filters:countries", selectors.countries_present)
    form.fields["country"].widget = LongSelect(
        choices=[("", _("Any country"))]
        + sorted(((code, countries.name(code)) for code in set(present)), key=lambda item: item[1])
    )
    if "organization" in fields:
        involved = caching.cached("filters:organizations", selectors.organizations_involved)
        form.fields["organization"].widget = LongSelect(choices=[("", _("Any organization")), *involved])
    for name, empty_label in (("role", _("Any role")), ("ordering", _("Default"))):
        form.fields[name].empty_label = empty_label
        # the widget holds a copy of the choices made when the form was copied: hand it the field's own
        form.fields[name].widget.choices = form.fields[name].choices
    # the API's help texts speak of parameter syntax; on a form the widgets say it
    for name in ("status", "kind", "country", "organization", "ordering"):
        form.fields[name].help_text = ""
    form.fields["radius_km"].help_text = _("Around the place, in km (50 when left empty).")
    lay_out_fact_filters(form)
    form.fields["q"].widget.input_type = "search"
    for name in ("capacity_min", "capacity_max", "radius_km"):
        form.fields[name].widget.attrs.update(min="0", step="any")
    form.visible = [form[name] for name in fields]
    return filterset


def filtered(filterset):
    """The matching projects, or None when a parameter is invalid (the form shows why)."""
    if filterset.is_bound and not filterset.is_valid():
        return None
    return filterset.qs


@throttle_anonymous
@require_safe
def overview(request):
    return render(
        request,
        "projects/overview.html",
        {
            "totals": caching.cached("overview:totals", selectors.project_totals),
            "investments": rows_of("overview:investments", selectors.investment_by_currency),
            "changes": selectors.latest_changes(),
            "map_data_url": reverse("projects:map-data"),
            "legend": _map_legend(),
        },
    )


@throttle_anonymous
@require_safe
def project_list(request):
    filterset = bind_filters(request, LIST_FIELDS)
    projects = filtered(filterset)
    page = None
    if projects is not None:
        if filterset.near_point is not None and not filterset.form.cleaned_data.get("ordering"):
            projects = projects.order_by("distance_sort", "id")  # nearest first unless asked otherwise
        paginator = DeepPaginator(projects, PAGE_SIZE)
        if not filterset.is_filtering():  # the whole public table's count, as its facets, until the next write
            paginator.count = caching.cached("list:count", projects.count)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = read_last_reported(page.object_list)
        selectors.attach_distances(page.object_list, filterset.near_point)
        attach_inferred_status(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("place", None)  # the API takes near=LAT,LON, already in the query when place was found
    if filterset.place is not None:
        query["near"] = f"{filterset.place.latitude},{filterset.place.longitude}"
    return render(
        request,
        "projects/list.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "page": page,
            "description": filterset.describe() if page is not None else [],
            "csv_url": f"{API_PROJECTS_URL}?{_with(query, format='csv')}",
            "geojson_url": f"{API_PROJECTS_URL}?{_with(query, format='geojson')}",
            "map_url": f"{reverse('projects:map')}?{request.GET.urlencode()}",
            "facets": facets.with_links(_list_facets(request, filterset), request.GET) if page is not None else [],
        },
        status=200 if page is not None else 400,
    )


def _list_facets(request, filterset):
    """The list page's facets; those of the unfiltered list come from the cache, in each language."""

    def count():
        return facets.facet_counts(filterset, list(facets.FACETS), selectors.public_projects())

    if not filterset.is_filtering():
        return caching.cached(f"list:facets:{get_language()}", count)
    return count()


def _with(query, **params):
    query = query.copy()
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


@throttle_anonymous
@require_safe
@follows_old_addresses(lambda: selectors.PUBLIC.projects(Project.objects.all()))
def project_detail(request, slug):
    if history.AS_OF in request.GET:
        return history_views.project_as_of(request, slug)
    project = get_object_or_404(selectors.PUBLIC.projects(selectors.project_detail()), slug=slug)
    return render_project(request, project, list(selectors.project_changes(project)))


def render_project(request, project, changes, **extra):
    """The project page of ``project`` (read from its tables, or rebuilt as it was on a day)."""
    figures = selectors.figures_by_attribute(project)
    conflicts = {conflict.attribute: conflict for conflict in selectors.project_conflicts(project)}
    shown = figures_by_name(project)
    # accepted figures in the order of ClaimAttribute, each with its disagreement if any, and
    # whether the project shows the headline's value or one typed by hand
    rows = [
        {
            "attribute": attribute,
            "label": label,
            "claims": figures.get(attribute, []),
            "disagreement": _describe_conflict(conflicts[attribute]) if attribute in conflicts else "",
            "figure": shown.get(attribute),
        }
        for attribute, label in choices.ClaimAttribute.choices
        if attribute in figures or (attribute in shown and shown[attribute].typed_by_hand)
    ]
    timeline = sorted(
        [*project.milestones.all(), *project.status_history.all()], key=lambda event: (event.date, event.pk)
    )
    connections = list(project.grid_connections.all())
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "figures": rows,
            # each key figure links to its sources, or says that they disagree
            "sourced": {row["attribute"]: row for row in rows},
            "conflict_count": len(conflicts),
            "timeline": timeline,
            "roles": project.roles.all(),
            "phases": project.phases.all(),
            "connections": connections,
            "site": _site_map(project, connections),
            "changes": changes,
            **extra,
        },
    )


def _describe_conflict(conflict) -> str:
    values = []
    for claim in conflict.claims:
        shown = claim.display_value
        if shown not in values:
            values.append(shown)
    return _("%(values)s: sources disagree") % {"values": _(" or ").join(values)}


# The towns a site map names around the site: the most populous within this distance of the
# site and its substations, and the one nearest the site. Read from the offline gazetteer.
SITE_MAP_TOWNS = 30
SITE_MAP_TOWNS_KM = 25
SITE_MAP_NEAREST_KM = 8


def _site_map(project, connections):
    """What the site map draws: the site, each substation it connects to and the towns around."""
    if project.point is None:
        return None
    substations = [
        {
            "label": str(connection.substation),
            "latitude": connection.substation.latitude,
            "longitude": connection.substation.longitude,
            "distance_label": _("%(km)s km") % {"km": format_number(connection.distance_km, 1)}
            if connection.distance_km is not None
            else "",
        }
        for connection in connections
        if connection.substation_id and connection.substation.point
    ]
    points = [project.point, *((item["latitude"], item["longitude"]) for item in substations)]
    around = towns_around(points, SITE_MAP_TOWNS_KM, SITE_MAP_TOWNS)
    towns = {(town.name, town.latitude, town.longitude): town for town in around}
    nearby = towns_around([project.point], SITE_MAP_NEAREST_KM, SITE_MAP_TOWNS)
    if nearby:
        nearest = min(nearby, key=lambda town: distance_km(project.point, town.point))
        towns.setdefault((nearest.name, nearest.latitude, nearest.longitude), nearest)
    return {
        "name": project.name,
        "latitude": project.latitude,
        "longitude": project.longitude,
        "colour": charts.STATUS_COLOURS[project.status],
        "status_label": project.get_status_display(),
        "conflicts": project.conflict_count,
        "substations": substations,
        # most populous first: the map labels them in this order and skips a label that would overlap
        "towns": [
            {"name": town.name, "latitude": town.latitude, "longitude": town.longitude, "population": town.population}
            for town in sorted(towns.values(), key=lambda town: (-town.population, town.name))
        ],
    }


@throttle_anonymous
@require_safe
def project_map(request):
    filterset = bind_filters(request, MAP_FIELDS)
    projects = filtered(filterset)
    counts = None
    if projects is not None:
        # the whole map's counts are an aggregate over the table: from the cache until the next write
        count = lambda: selectors.map_counts(projects)  # noqa: E731
        counts = count() if filterset.is_filtering() else caching.cached("map:counts", count)
    return render(
        request,
        "projects/map.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "counts": counts,
            "description": filterset.describe() if projects is not None else [],
            "map_data_url": f"{reverse('projects:map-data')}?{request.GET.urlencode()}",
            "list_url": f"{reverse('projects:list')}?{request.GET.urlencode()}",
            "legend": _map_legend(),
        },
        status=200 if projects is not None else 400,
    )


def _map_legend():
    """The colour of each status and the circle drawn for a few capacities."""
    return {
        "statuses": [(label, charts.STATUS_COLOURS[status]) for status, label in choices.ProjectStatus.choices],
        "sizes": [(megawatts, charts.marker_radius(megawatts)) for megawatts in charts.SIZE_KEY_MW],
    }


# The unfiltered map's first view is cached at the zooms a page opens at.
MAP_CACHED_ZOOM = 3


class MapViewForm(forms.Form):
    """The view a map asks data for: its zoom, and the bounds it shows (west,south,east,north)."""

    zoom = forms.IntegerField(required=False, min_value=0, max_value=selectors.MAP_MAX_ZOOM)
    view = forms.CharField(required=False, max_length=100)

    def clean_view(self):
        value = self.cleaned_data["view"]
        if not value:
            return None
        try:
            west, south, east, north = (float(part) for part in value.split(","))
        except ValueError:
            raise forms.ValidationError(_("Give the view as west,south,east,north in degrees.")) from None
        if not (-90 <= south <= north <= 90 and west <= east and -540 <= west <= 540 and -540 <= east <= 540):
            raise forms.ValidationError(_("Give the view as west,south,east,north in degrees."))
        if east - west >= 360:  # a zoomed-out map shows the world more than once
            west, east = -180.0, 180.0
        return (west, south, east, north)

    def map_view(self) -> selectors.MapView:
        zoom = self.cleaned_data["zoom"]
        return selectors.MapView(zoom=1 if zoom is None else zoom, bounds=self.cleaned_data["view"])


@throttle_anonymous
@require_safe
@gzip_page
def map_data(request):
    """The map's markers for the view it shows, filtered like the list, as GeoJSON.

    However many projects match, the answer stays small: up to ``MAP_MAX_MARKERS`` projects in
    view come as one marker each; beyond that, as clusters (how many projects, their megawatts,
    the box they lie in), one per grid cell of the zoom, which the map opens as it zooms in.
    Without a view, the whole selection is drawn, and ``bbox`` says where it lies.
    """
    filterset = PublicProjectFilterSet(request.GET or None, queryset=selectors.public_projects())
    projects = filtered(filterset)
    view_form = MapViewForm(request.GET)
    if projects is None or not view_form.is_valid():
        errors = {**(filterset.form.errors if projects is None else {}), **view_form.errors}
        return JsonResponse({"errors": errors}, status=400)
    view = view_form.map_view()
    if not request.GET.keys() - {"zoom"} and view.zoom <= MAP_CACHED_ZOOM:
        # the first view of the unfiltered map, the one every visitor of / and /map/ loads
        key = f"map:first-view:{view.zoom}:{get_language()}"  # markers carry translated labels
        body = caching.cached(key, lambda: _map_collection(projects, view))
    else:
        body = _map_collection(projects, view)
    return HttpResponse(body, content_type="application/geo+json")


def _map_collection(projects, view: selectors.MapView) -> bytes:
    clusters = selectors.map_clusters(projects, view)
    in_view = sum(cluster["count"] for cluster in clusters)
    if in_view <= selectors.MAP_MAX_MARKERS:
        features = _marker_features(selectors.map_features(view.within(projects)))
    else:
        features = [_cluster_feature(cluster) for cluster in clusters]
    collection = {"type": "FeatureCollection", "clustered": in_view > selectors.MAP_MAX_MARKERS, "count": in_view}
    if view.bounds is None and clusters:
        collection["bbox"] = [
            min(c["west"] for c in clusters),
            min(c["south"] for c in clusters),
            max(c["east"] for c in clusters),
            max(c["north"] for c in clusters),
        ]
    collection["features"] = features
    return orjson.dumps(collection)


def _marker_features(rows) -> list[dict]:
    # one reverse() for the whole map rather than one per project
    detail_url = reverse("projects:detail", kwargs={"slug": "slug-placeholder"})
    status_labels = {status: str(label) for status, label in choices.ProjectStatus.choices}
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": {
                "name": row["name"],
                "url": detail_url.replace("slug-placeholder", row["slug"]),
                "capacity_mw": float(row["capacity_mw"]) if row["capacity_mw"] is not None else None,
                "status": row["status"],
                "status_label": status_labels.get(row["status"], row["status"]),
                "colour": charts.STATUS_COLOURS.get(row["status"], charts.BAR_COLOUR),
                "radius": charts.marker_radius(row["capacity_mw"]),
                "conflicts": row["conflict_count"],
            },
        }
        for row in rows
    ]


def _cluster_feature(cluster: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": {
            "type": "Point",
            "coordinates": [round(cluster["mean_longitude"], 5), round(cluster["mean_latitude"], 5)],
        },
        "properties": {
            "cluster": True,
            "count": cluster["count"],
            "capacity_mw": float(cluster["total_mw"]) if cluster["total_mw"] is not None else None,
            "radius": charts.cluster_radius(cluster["count"]),
            "bounds": [cluster["west"], cluster["south"], cluster["east"], cluster["north"]],
        },
    }


# Statistics -------------------------------------------------------------------------------


@dataclass
class TableColumn:
    key: str
    label: str
    numeric: bool = False


@dataclass
class StatsTable:
    """One chart's data: shown as an HTML table and downloadable as CSV with stable keys."""

    slug: str
    caption: str
    columns: list[TableColumn]
    rows: list[dict]


def stats_rows(name: str, rows, projects) -> list:
    """A statistic's rows: of the whole public table from the cache, of a filtered selection always afresh."""
    return rows_of(name, rows) if projects is None else list(rows(projects))


def pipeline_table(projects=None) -> tuple[StatsTable, charts.StackedColumnChart]:
    values, years, statuses, from_phases = {}, [], [], {}
    for row in stats_rows("stats:pipeline", selectors.pipeline_by_year, projects):
        values[(row["operational_year"], row["status"])] = row["mw"]
        from_phases[row["operational_year"]] = from_phases.get(row["operational_year"], 0) + row["from_phases_mw"]
        if row["operational_year"] not in years:
            years.append(row["operational_year"])
        statuses.append(row["status"])
    series = [
        (status, label, charts.STATUS_COLOURS[status])
        for status, label in choices.ProjectStatus.choices
        if status in statuses
    ]
    columns = [
        TableColumn("operational_year", _("Target year")),
        *(TableColumn(f"{status}_mw", _("%(status)s (MW)") % {"status": label}, True) for status, label, _c in series),
        TableColumn("total_mw", _("Total (MW)"), True),
        # the rest is each whole project's capacity in its target year: it has no phase to count
        TableColumn("from_phases_mw", _("Of which from phases (MW)"), True),
    ]
    rows = []
    for year in years:
        row = {"operational_year": year}
        for status, _label, _colour in series:
            row[f"{status}_mw"] = values.get((year, status), Decimal(0))
        row["total_mw"] = sum((values.get((year, status), Decimal(0)) for status, _l, _c in series), Decimal(0))
        row["from_phases_mw"] = from_phases.get(year, Decimal(0))
        rows.append(row)
    table = StatsTable("pipeline", _("Capacity by target year of operation and status (MW)"), columns, rows)
    return table, charts.stacked_columns(years, series, values, "MW")


def capacity_by_country_table(projects=None) -> tuple[StatsTable, charts.BarChart]:
    rows = [
        {"country": row["country"], "country_name": countries.name(row["country"]) or _("Unknown"), **row}
        for row in stats_rows("stats:capacity-by-country", selectors.capacity_by_country, projects)
    ]
    table = StatsTable(
        "capacity-by-country",
        _("Capacity by country (MW), cancelled and decommissioned projects left out"),
        [
            TableColumn("country", _("Code")),
            TableColumn("country_name", _("Country")),
            TableColumn("mw", _("Capacity (MW)"), True),
            TableColumn("projects", _("Projects"), True),
        ],
        rows,
    )
    chart = charts.horizontal_bars([(row["country_name"], row["mw"]) for row in rows[:CHART_COUNTRIES]])
    return table, chart


def investment_by_country_table(projects=None) -> tuple[StatsTable, list[tuple[str, charts.BarChart]]]:
    rows = [
        {"country_name": countries.name(row["country"]) or _("Unknown"), "currency": row["investment_currency"], **row}
        for row in stats_rows("stats:investment-by-country", selectors.investment_by_country, projects)
    ]
    table = StatsTable(
        "investment-by-country",
        _("Announced investment by country, per currency"),
        [
            TableColumn("country", _("Code")),
            TableColumn("country_name", _("Country")),
            TableColumn("currency", _("Currency")),
            TableColumn("total", _("Investment"), True),
            TableColumn("projects", _("Projects"), True),
        ],
        rows,
    )
    by_currency: dict[str, list] = {}
    for row in rows:
        by_currency.setdefault(row["currency"], []).append((row["country_name"], row["total"]))
    # amounts in different currencies are never drawn on one scale
    chart_list = [
        (currency, charts.horizontal_bars(items[:CHART_COUNTRIES], compact=True))
        for currency, items in by_currency.items()
    ]
    return table, chart_list


def projects_by_kind_table(projects=None) -> tuple[StatsTable, charts.BarChart]:
    labels = dict(choices.ProjectKind.choices)
    rows = [
        {"kind_label": str(labels.get(row["kind"], row["kind"])), **row}
        for row in stats_rows("stats:projects-by-kind", selectors.projects_by_kind, projects)
    ]
    table = StatsTable(
        "projects-by-kind",
        _("Projects by kind"),
        [TableColumn("kind_label", _("Kind")), TableColumn("projects", _("Projects"), True)],
        rows,
    )
    return table, charts.horizontal_bars([(row["kind_label"], row["projects"]) for row in rows])


def investment_in_euros_table(projects=None) -> tuple[StatsTable, dict]:
    """Investment by country in euros, each amount at the ECB rate of its year (projects/money.py)."""
    by_country: dict[str, dict] = {}
    for row in stats_rows("stats:investment-in-euros", selectors.investment_in_euros, projects):
        group = by_country.setdefault(
            row["country"],
            {
                "country": row["country"],
                "country_name": countries.name(row["country"]) or _("Unknown"),
                "total_eur": Decimal(0),
                "projects": 0,
                "projects_not_converted": 0,
            },
        )
        euros = money.to_euros(row["total"], row["investment_currency"], row["figure_year"])
        if euros is None:
            group["projects_not_converted"] += row["projects"]
        else:
            group["total_eur"] += euros
            group["projects"] += row["projects"]
    rows = sorted(by_country.values(), key=lambda group: (-group["total_eur"], group["country"]))
    basis = str(money.BASIS)
    for row in rows:
        row["conversion"] = basis
    table = StatsTable(
        "investment-in-euros",
        _("Announced investment by country, in euros at the ECB rate of each figure's year"),
        [
            TableColumn("country", _("Code")),
            TableColumn("country_name", _("Country")),
            TableColumn("total_eur", _("Investment (EUR)"), True),
            TableColumn("projects", _("Projects"), True),
            TableColumn("projects_not_converted", _("Projects not converted"), True),
            TableColumn("conversion", _("Conversion")),
        ],
        rows,
    )
    total = {
        "total_eur": sum((row["total_eur"] for row in rows), Decimal(0)),
        "projects": sum(row["projects"] for row in rows),
        "projects_not_converted": sum(row["projects_not_converted"] for row in rows),
    }
    return table, total


STATS_TABLES = {
    "pipeline": pipeline_table,
    "capacity-by-country": capacity_by_country_table,
    "investment-by-country": investment_by_country_table,
    "investment-in-euros": investment_in_euros_table,
    "projects-by-kind": projects_by_kind_table,
}


def stats_selection(request):
    """The filterset of /stats/ and its CSV (the list's filters), and the projects to add up: None for
    the unfiltered page, whose answers are cached; the totals rule applies unless ``status`` is asked."""
    filterset = PublicProjectFilterSet(request.GET or None, queryset=selectors.public_projects())
    if not request.GET:
        return filterset, None
    projects = filtered(filterset)
    if projects is not None and not filterset.form.cleaned_data.get("status"):
        projects = selectors.counted_in_totals(projects)
    return filterset, projects


@throttle_anonymous
@require_safe
def stats(request):
    filterset, projects = stats_selection(request)
    if filterset.is_bound and projects is None:
        return render(request, "projects/stats.html", {"form": filterset.form, "invalid": True}, status=400)
    context = {
        "form": filterset.form,
        "description": filterset.describe() if projects is not None else [],
        "query": request.GET.urlencode(),
        "list_url": f"{reverse('projects:list')}?{request.GET.urlencode()}",
    }
    if projects is None:
        # the unfiltered page's tables and charts, rendered once per data generation and language
        # (about 40 ms of template work for the same answer on every view)
        context["sections"] = caching.cached(
            f"stats:sections:{get_language()}",
            lambda: render_to_string("projects/_stats_sections.html", stats_sections(None)),
        )
    else:
        context.update(stats_sections(projects))
    return render(request, "projects/stats.html", context)


def stats_sections(projects) -> dict:
    """What the statistics' tables and charts show, of ``projects`` (None: every project, from the cache)."""
    pipeline, pipeline_chart = pipeline_table(projects)
    capacity, capacity_chart = capacity_by_country_table(projects)
    investment, investment_charts = investment_by_country_table(projects)
    euros, euros_total = investment_in_euros_table(projects)
    kinds, kinds_chart = projects_by_kind_table(projects)
    return {
        # the conversion's basis is said once above the table, and on each row of its CSV
        "euros": replace(euros, columns=[column for column in euros.columns if column.key != "conversion"]),
        "euros_total": euros_total,
        "conversion": money.BASIS,
        "pipeline": pipeline,
        "pipeline_chart": pipeline_chart,
        "capacity": capacity,
        "capacity_chart": capacity_chart,
        "investment": investment,
        "investment_charts": investment_charts,
        "kinds": kinds,
        "kinds_chart": kinds_chart,
        "chart_countries": CHART_COUNTRIES,
    }


@throttle_anonymous
@require_safe
def stats_csv(request, table):
    if table not in STATS_TABLES:
        raise Http404(table)
    filterset, projects = stats_selection(request)
    if filterset.is_bound and projects is None:
        return JsonResponse({"errors": filterset.form.errors}, status=400)
    data, _chart = STATS_TABLES[table](projects)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{data.slug}.csv"'
    writer = csv.writer(response)
    keys = [column.key for column in data.columns]
    writer.writerow(keys)
    for row in data.rows:
        writer.writerow([escape_formula(row[key]) for key in keys])
    return response
