"""Template tags of a project's power over time (``projects.power_over_time``)."""

from django import template

from projects import charts
from projects.power_over_time import chart_values, project_capacity_by_year

register = template.Library()


@register.simple_tag
def capacity_over_time(project):
    """The project's capacity by year from its phases, read off what the page prefetched."""
    return project_capacity_by_year(project)


@register.simple_tag
def capacity_chart(capacity):
    """Running totals by year, online below planned, as the stacked-columns chart draws them."""
    years, series, values = chart_values(capacity)
    return charts.stacked_columns(years, series, values, "MW", height=240)
