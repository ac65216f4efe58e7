from django.db import connections
from django.utils.functional import cached_property

from core.paginator import DeepPaginator


class EstimatedCountPaginator(DeepPaginator):
    """A paginator that never counts every row of a large table.

    An unfiltered list on PostgreSQL uses the planner's row estimate
    (``pg_class.reltuples``, kept fresh by autovacuum) once the table is large.
    Any other list counts at most ``count_limit`` rows: page links stop there and
    the journalist narrows the list with a filter or a search instead. Deep pages are read by
    their IDs first (``core.paginator``).
    """

    count_limit = 10_000

    @cached_property
    def count(self):
        queryset = self.object_list
        if not queryset.query.has_filters():
            estimate = self._estimated_rows(queryset)
            if estimate is not None and estimate > self.count_limit:
                return estimate
        return queryset[: self.count_limit].count()

    @staticmethod
    def _estimated_rows(queryset) -> int | None:
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table])
            row = cursor.fetchone()
        # -1 means the table was never analysed: no estimate.
        return int(row[0]) if row and row[0] >= 0 else None
