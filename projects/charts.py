"""Bar charts drawn on the server as SVG: no chart library, nothing to download, readable
without JavaScript, and each chart is printed next to the table it is drawn from.

The functions return geometry (rectangles and labels in SVG user units); the templates in
``templates/projects/charts/`` draw it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.formatting import format_compact, format_number, format_quantity
from projects import choices

# One colour per status, shared by the map markers, the legends and the pipeline chart.
# Ordered along the lifecycle, from light (announced) to dark (operational); greys for the rest.
STATUS_COLOURS = {
    choices.ProjectStatus.ANNOUNCED: "#fdb863",
    choices.ProjectStatus.PLANNING: "#e08214",
    choices.ProjectStatus.PERMITTED: "#b2abd2",
    choices.ProjectStatus.CONSTRUCTION: "#8073ac",
    choices.ProjectStatus.PARTIALLY_OPERATIONAL: "#5aae61",
    choices.ProjectStatus.OPERATIONAL: "#1b7837",
    choices.ProjectStatus.SHELVED: "#bababa",
    choices.ProjectStatus.CANCELLED: "#878787",
    choices.ProjectStatus.DECOMMISSIONED: "#4d4d4d",
}
BAR_COLOUR = "#2166ac"

# Capacities the map legend draws a circle for, so readers can size up the markers.
SIZE_KEY_MW = (10, 100, 500, 1000)


def marker_radius(megawatts) -> float:
    """A map circle's radius in pixels, for the map data and its legend alike. It grows with
    the square root of the MW, so circle areas compare like capacities; capped so a campus
    does not hide a region, and projects with no MW figure stay visible."""
    if not megawatts:
        return 4
    return round(min(4 + math.sqrt(float(megawatts)) * 0.6, 32), 1)


def cluster_radius(count: int) -> float:
    """A map cluster's radius in pixels: its area grows with the number of projects it holds."""
    return round(min(10 + math.sqrt(count) * 1.2, 40), 1)


WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 24, 36
ROW_HEIGHT = 26
LABEL_WIDTH = 150
CHAR_WIDTH = 7.5  # a bold digit at the charts' 12px, in SVG units, to tell whether a label fits


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^n at or above ``value``: the top of a readable axis."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass
class Column:
    label: str
    total: float
    total_label: str
    centre: float
    top: float
    rects: list[Rect] = field(default_factory=list)


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class StackedColumnChart:
    columns: list[Column]
    ticks: list[Tick]
    series: list[tuple[str, str]]  # (label, colour) for the legend
    unit: str
    width: int
    height: int
    baseline: float


def stacked_columns(categories, series, values, unit: str, height: int = 320) -> StackedColumnChart:
    """Columns per category, stacked by series. ``values[(category, series_key)]`` is a number;
    ``series`` is a list of (key, label, colour) in stacking order, bottom first."""
    totals = {category: sum(float(values.get((category, key), 0)) for key, _l, _c in series) for category in categories}
    top = nice_ceiling(max(totals.values(), default=0))
    plot_height = height - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    bar_width = min(slot * 0.7, 60)
    baseline = height - BOTTOM
    columns = []
    for index, category in enumerate(categories):
        centre = LEFT + slot * index + slot / 2
        y = baseline
        rects = []
        for key, label, colour in series:
            value = float(values.get((category, key), 0))
            if not value:
                continue
            bar_height = value / top * plot_height
            y -= bar_height
            title = f"{category} · " + _("%(label)s: %(value)s") % {
                "label": label,
                "value": format_quantity(value, unit),
            }
            rects.append(Rect(centre - bar_width / 2, y, bar_width, bar_height, colour, title))
        total = totals[category]
        total_label = format_number(total)
        if len(total_label) * CHAR_WIDTH > slot:
            total_label = format_compact(total)  # so that neighbouring totals do not run into each other
        columns.append(Column(str(category), total, total_label, centre, y, rects))
    ticks = [Tick(baseline - plot_height * i / 4, format_number(top * i / 4)) for i in range(5)]
    legend = [(label, colour) for key, label, colour in series if any(values.get((c, key)) for c in categories)]
    return StackedColumnChart(columns, ticks, legend, unit, WIDTH, height, baseline)


@dataclass
class Row:
    label: str
    value: float
    value_label: str
    y: float
    width: float


@dataclass
class BarChart:
    rows: list[Row]
    width: int
    height: int
    label_width: int
    bar_height: float
    colour: str


def horizontal_bars(items, compact: bool = False) -> BarChart:
    """One bar per (label, value), longest scale first as given."""
    items = [(label, float(value or 0)) for label, value in items]
    top = max((value for _label, value in items), default=0) or 1
    plot_width = WIDTH - LABEL_WIDTH - 90  # room for the value printed after the bar
    rows = [
        Row(
            label,
            value,
            format_compact(value) if compact else format_number(value),
            TOP / 2 + index * ROW_HEIGHT,
            value / top * plot_width,
        )
        for index, (label, value) in enumerate(items)
    ]
    return BarChart(rows, WIDTH, int(TOP + len(rows) * ROW_HEIGHT), LABEL_WIDTH, ROW_HEIGHT * 0.7, BAR_COLOUR)
