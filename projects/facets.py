"""Facets: how many projects of the current selection have each country, status, kind and
organization, each facet counted under every filter but its own (so a reader sees the
alternatives to what they chose), with at most one grouped query per facet. Counts are exact.

A project with several roles for one organization counts once for it; the organization facet
holds the ``ORGANIZATION_LIMIT`` organizations with the most projects (ties by name).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from projects import choices
from projects.filtersets import country_codes
from projects.models import ProjectRole
from projects.selectors import backed, slug_or_id

PARAMETER = "facets"
FACETS = ("country", "status", "kind", "organization")
ORGANIZATION_LIMIT = 30
HELP = gettext_lazy(
    "Comma-separated facets among country, status, kind and organization: the answer's facets give, for each, "
    "how many projects of the filtered list have each value, counted under every filter but that facet's own. "
    "Counts are exact; the organization facet holds the 30 organizations with the most projects."
)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


def parse(value: str | None) -> list[str]:
    """The facets asked for, in the order given, each once; an unknown name is a ValidationError."""
    names = [name.strip() for name in (value or "").split(",") if name.strip()]
    if not names:
        raise forms.ValidationError(_("Give one or more of: %(names)s.") % {"names": ", ".join(FACETS)})
    unknown = [name for name in names if name not in FACETS]
    if unknown:
        raise forms.ValidationError(
            _("Unknown facet: %(unknown)s. Choose among %(names)s.")
            % {"unknown": ", ".join(unknown), "names": ", ".join(FACETS)}
        )
    return list(dict.fromkeys(names))


def _without(data, name: str):
    data = data.copy()
    data.pop(name, None)
    data.pop("page", None)
    return data


def _selected(data, name: str) -> set[str]:
    values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name) or ""]
    if name == "country":
        return {code for value in values for code in country_codes(value)}
    if name == "organization":
        return {value.strip() for value in values if value.strip()}
    return {item.strip() for value in values for item in value.split(",") if item.strip()}


COLUMNS = ("country", "status", "kind")


def facet_counts(filterset, names: list[str], base) -> dict[str, list[FacetValue]]:
    """For each facet in ``names``: its values among the projects ``filterset`` selects from ``base``
    once its own parameter is left out, most projects first. ``filterset`` must be valid.

    The column facets whose own filter is not set are all counted over the filtered selection
    itself, so they share one grouped query (each project has one value in each column); a facet
    whose filter is set, and the organization facet, take one query each.
    """
    answer = {}
    shared = [name for name in names if name in COLUMNS and not _selected(filterset.data, name)]
    if shared:
        rows = list(filterset.qs.order_by().values(*shared).annotate(count=Count("pk")))
        for name in shared:
            totals: dict = {}
            for row in rows:
                totals[row[name]] = totals.get(row[name], 0) + row["count"]
            answer[name] = _values(name, totals, set())
    for name in names:
        if name in answer:
            continue
        selected = _selected(filterset.data, name)
        if not selected:  # its own filter is not set: the selection itself
            projects = filterset.qs
        else:
            others = type(filterset)(_without(filterset.data, name), queryset=base, request=filterset.request)
            projects = others.qs if others.is_valid() else base.none()
        answer[name] = _count(name, projects.order_by(), selected)
    return {name: answer[name] for name in names}


def _count(name: str, projects, selected: set[str]) -> list[FacetValue]:
    if name == "organization":
        rows = (
            backed(ProjectRole.objects.filter(project__in=projects.values("pk"), organization__isnull=False))
            .values("organization__slug", "organization__name", "organization_id")
            .annotate(count=Count("project", distinct=True))
            .order_by("-count", "organization__name")[:ORGANIZATION_LIMIT]
        )
        chosen = {tuple(slug_or_id(value).items())[0] for value in selected}
        return [
            FacetValue(
                row["organization__slug"],
                row["organization__name"],
                row["count"],
                ("slug", row["organization__slug"]) in chosen or ("pk", row["organization_id"]) in chosen,
            )
            for row in rows
        ]
    rows = projects.values(name).annotate(count=Count("pk"))
    return _values(name, {row[name]: row["count"] for row in rows}, selected)


def _values(name: str, counts: dict, selected: set[str]) -> list[FacetValue]:
    """A column facet's values, most projects first, then by value."""
    labels = {
        "country": lambda key: countries.name(key) or key,
        "status": lambda key: str(choices.ProjectStatus(key).label) if key in choices.ProjectStatus.values else key,
        "kind": lambda key: str(choices.ProjectKind(key).label) if key in choices.ProjectKind.values else key,
    }[name]
    ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    return [
        FacetValue(str(key), labels(key) if key else _("Not stated"), number, key in selected)
        for key, number in ordered
    ]


def with_links(counts: dict[str, list[FacetValue]], query) -> list[tuple[str, str, list[tuple[FacetValue, str]]]]:
    """The facets of a page, each value with the address that adds it to the filter or, when
    chosen, takes it out: (name, label, [(value, query string)])."""
    titles = {
        "country": _("Country"),
        "status": _("Status"),
        "kind": _("Kind"),
        "organization": _("Organization"),
    }
    laid_out = []
    for name, values in counts.items():
        links = []
        for item in values:
            changed = query.copy()
            changed.pop("page", None)
            chosen = [value for value in _selected(query, name) if value != item.value]
            if item.selected:
                chosen = [value for value in chosen if value.upper() != item.value.upper()]
            elif name == "organization":
                chosen = [item.value]
            else:
                chosen = sorted({*chosen, item.value})
            changed.pop(name, None)
            if chosen:
                changed[name] = ",".join(chosen)
            links.append((item, changed.urlencode()))
        laid_out.append((name, titles[name], links))
    return laid_out
