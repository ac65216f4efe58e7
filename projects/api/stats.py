"""Aggregates over a filtered project list, computed in the database."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext as _
from django_countries import countries

from projects import choices, money
from projects.selectors import typed_by_hand

LABELS = {
    "country": lambda key: countries.name(key) or key,
    "status": lambda key: str(choices.ProjectStatus(key).label),
    "kind": lambda key: str(choices.ProjectKind(key).label),
    "operational_year": str,
}


def capacity_by(projects, group_by: str) -> dict:
    """MW, project count, investment per currency and in euros for each value of ``group_by``: three queries."""
    projects = projects.order_by()
    groups = {
        row[group_by]: {
            "key": row[group_by],
            "label": LABELS[group_by](row[group_by]) if row[group_by] not in (None, "") else _("Not stated"),
            "project_count": row["project_count"],
            "projects_with_capacity": row["projects_with_capacity"],
            "capacity_mw": row["capacity_mw"],
            "capacity_mw_typed_by_hand": row["capacity_mw_typed_by_hand"],
            "investment": [],
        }
        for row in projects.values(group_by).annotate(
            # before the ``capacity_mw`` sum, which takes the column's name
            capacity_mw_typed_by_hand=Sum("capacity_mw", filter=typed_by_hand("capacity_mw")),
            project_count=Count("pk"),
            projects_with_capacity=Count("capacity_mw"),
            capacity_mw=Sum("capacity_mw"),
        )
    }
    investments = (
        projects.filter(investment_amount__isnull=False)
        .values(group_by, "investment_currency")
        .annotate(amount=Sum("investment_amount"), project_count=Count("pk"))
        .order_by("investment_currency")
    )
    for row in investments:
        groups[row[group_by]]["investment"].append(
            {"currency": row["investment_currency"], "amount": row["amount"], "project_count": row["project_count"]}
        )
    # one currency: each amount in euros at the ECB rate of its year (projects/money.py)
    for group in groups.values():
        group["investment_eur"] = {"amount": Decimal(0), "project_count": 0, "projects_not_converted": 0}
    in_years = (
        projects.filter(investment_amount__isnull=False)
        .annotate(figure_year=Coalesce("investment_year", ExtractYear("announced_on")))
        .values(group_by, "investment_currency", "figure_year")
        .annotate(amount=Sum("investment_amount"), project_count=Count("pk"))
        .order_by()
    )
    for row in in_years:
        total = groups[row[group_by]]["investment_eur"]
        euros = money.to_euros(row["amount"], row["investment_currency"], row["figure_year"])
        if euros is None:
            total["projects_not_converted"] += row["project_count"]
        else:
            total["amount"] += euros
            total["project_count"] += row["project_count"]
    ordered = sorted(groups.values(), key=lambda group: (group["key"] in (None, ""), group["key"] or 0))
    return {"group_by": group_by, "groups": ordered, "conversion": str(money.BASIS)}
