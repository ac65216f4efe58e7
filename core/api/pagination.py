from django.conf import settings
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M``, with ``page_size`` bounded by ``API_MAX_PAGE_SIZE``."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE


class CursorPagination(pagination.CursorPagination):
    """Opaque ``cursor`` tokens over a stable ordering, for sync clients (``?paginate=cursor``)."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    ordering = ("-last_updated", "-id")
