"""Numbered pages that stay cheap however deep they go.

``OFFSET 99,900`` makes the database read and throw away every row before the page: for the
projects' wide rows, a sequential scan and an on-disk sort of the whole table (300 ms at
100,000 projects). Past ``DEFERRED_JOIN_OFFSET`` rows the page's IDs are read first, in the
page's order (an index-only scan when an index covers the order and the ID, as the public
``project_public_*_idx`` do), then only those rows: two small queries instead of one large one.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet

DEFERRED_JOIN_OFFSET = 1_000


def page_rows(object_list, bottom: int, top: int) -> list:
    """``object_list[bottom:top]``, as a list; deep in a queryset, its IDs first, then their rows."""
    if not isinstance(object_list, QuerySet) or bottom < DEFERRED_JOIN_OFFSET or top <= bottom:
        return list(object_list[bottom:top])
    ids = list(object_list.values_list("pk", flat=True)[bottom:top])
    rows = object_list.filter(pk__in=ids).order_by()
    by_id = {}
    for row in rows:
        if isinstance(row, dict):
            if "id" not in row:  # values() without the ID: nothing to put the rows back in order by
                return list(object_list[bottom:top])
            by_id[row["id"]] = row
        else:
            by_id[row.pk] = row
    return [by_id[pk] for pk in ids if pk in by_id]


class DeepPaginator(Paginator):
    """Django's paginator, reading deep pages by their IDs first (``page_rows``)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(page_rows(self.object_list, bottom, top), number, self)
