"""Counts that stay cheap at any size, for the API's numbered pages.

A list counts its rows exactly up to ``EXACT_COUNT_LIMIT`` (2,000): the count query stops
reading there, so a selective filter (French projects of at least 100 MW) keeps its exact count
at the cost of a few index entries. Past the limit, counting every row would cost more than the
page itself (every row of the table for an unfiltered list, every match of a common word), so
on PostgreSQL the count is the planner's estimate of the filtered rows, and the response says so
(``count_is_estimate``). Other databases count exactly.

With an estimate, the last page is found by reading one row past the page: ``next`` is null
exactly when no row follows, and a page past the last one is a 404, as with exact counts.
"""

from __future__ import annotations

import json

from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

from core.paginator import DeepPaginator, page_rows

EXACT_COUNT_LIMIT = 2_000


def planner_rows(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of how many rows ``queryset`` selects (no ordering, no slice), or None."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    plan = json.loads(queryset.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def bounded_count(queryset: QuerySet, limit: int) -> int:
    """How many rows ``queryset`` selects, counting no further than ``limit``: the count of its
    first ``limit`` IDs, in one query (what ``queryset[:limit].count()`` asks, compiled once)."""
    try:
        sql, params = queryset.order_by().values("pk")[:limit].query.sql_with_params()
    except EmptyResultSet:  # a filter no row can match (an integer past its column's range)
        return 0
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", params)
        return cursor.fetchone()[0]


class EstimatedPage(Page):
    def __init__(self, object_list, number, paginator, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self):
        return self._has_next


class CheapCountPaginator(DeepPaginator):
    """Exact counts up to ``EXACT_COUNT_LIMIT`` rows, the planner's estimate past it (``count_is_estimate``)."""

    exact_count_limit = EXACT_COUNT_LIMIT

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count, False
        limit = self.exact_count_limit
        counted = bounded_count(queryset, limit + 1)
        if counted <= limit:
            return counted, False
        estimate = planner_rows(queryset)
        if estimate is None:
            return queryset.count(), False
        return max(estimate, counted), True

    @property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_is_estimate(self) -> bool:
        return self._counted[1]

    def validate_number(self, number):
        if not self.count_is_estimate:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().validate_number(number)  # its own message
        if number < 1:
            return super().validate_number(number)
        return number  # the estimate is no upper bound: page() finds the last page

    def page(self, number):
        number = self.validate_number(number)
        if not self.count_is_estimate:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = page_rows(self.object_list, bottom, bottom + self.per_page + 1)
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return EstimatedPage(rows[: self.per_page], number, self, has_next=len(rows) > self.per_page)
