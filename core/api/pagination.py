"""Two ways to page through a list.

Page numbers (``?page=N&page_size=M``) for people and notebooks; opaque cursors
(``?paginate=cursor``, then follow ``next``) for sync clients, because a cursor
keeps its place while records are added or edited between two requests.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination


class PageSizeMixin:
    """``page_size`` bounded by ``API_MAX_PAGE_SIZE``; a value that is not a whole number of
    at least 1 is refused, where DRF would silently give the default size."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param, "")
        if value and not (value.isascii() and value.isdigit() and int(value) > 0):
            raise exceptions.ValidationError({self.page_size_query_param: [_("Give a whole number of at least 1.")]})
        return super().get_page_size(request)


class PageNumberPagination(PageSizeMixin, pagination.PageNumberPagination):
    """``?page=N&page_size=M``."""


class CursorPagination(PageSizeMixin, pagination.CursorPagination):
    """Oldest change first, so a record edited while a client pages moves ahead of the cursor and is seen again."""

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
