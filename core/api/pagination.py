"""Two ways to page through a list.

Page numbers (``?page=N&page_size=M``) for people and notebooks; opaque cursors
(``?paginate=cursor``, then follow ``next``) for sync clients, because a cursor
keeps its place while records are added or edited between two requests.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M``, with ``page_size`` bounded by ``API_MAX_PAGE_SIZE``."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE


class CursorPagination(pagination.CursorPagination):
    """Oldest change first, so a record edited while a client pages moves ahead of the cursor and is seen again."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    ordering = ("last_updated", "id")


PAGINATE_PARAMETER = "paginate"


class SelectablePaginationMixin:
    """Lets a list client choose its paging with ``?paginate=page|cursor`` (page by default)."""

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            style = self.request.query_params.get(PAGINATE_PARAMETER, "page")
            if style not in ("page", "cursor"):
                raise exceptions.ValidationError({PAGINATE_PARAMETER: [_("Choose page or cursor.")]})
            if style == "cursor" and "ordering" in self.request.query_params:
                # a cursor only holds its place in its own fixed order
                raise exceptions.ValidationError({"ordering": [_("Cursor pagination has its own fixed order.")]})
            self._paginator = CursorPagination() if style == "cursor" else self.pagination_class()
        return self._paginator
