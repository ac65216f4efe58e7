"""Two ways to page through a list.

Page numbers (``?page=N&page_size=M``) for people and notebooks; opaque cursors
(``?paginate=cursor``, then follow ``next``) for sync clients, because a cursor
keeps its place while records are added or edited between two requests.
"""

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination
from rest_framework.response import Response

from core.api.counts import EXACT_COUNT_LIMIT, CheapCountPaginator

WHOLE_NUMBER = _("Give a whole number of at least 1.")


def whole_number(value: str) -> bool:
    return value.isascii() and value.isdigit() and int(value) > 0


class PageSizeMixin:
    """``page_size`` bounded by ``API_MAX_PAGE_SIZE``; a value that is not a whole number of
    at least 1 is refused, where DRF would silently give the default size."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    page_size_query_description = format_lazy(
        _("Records per page (default {default}); a larger value is capped at {max}."),
        default=settings.API_PAGE_SIZE,
        max=settings.API_MAX_PAGE_SIZE,
    )

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is not None and not whole_number(value):
            raise exceptions.ValidationError({self.page_size_query_param: [WHOLE_NUMBER]})
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1  # no maximum: a larger size is capped, not refused
        return parameters


class PageNumberPagination(PageSizeMixin, pagination.PageNumberPagination):
    """``?page=N&page_size=M``: a page number that is not a whole number of at least 1 is refused
    (400, as the schema's minimum says); a page past the last one is not found (404). Counts are
    exact up to 2,000 rows and estimated past that, flagged by ``count_is_estimate`` (core/api/counts.py)."""

    django_paginator_class = CheapCountPaginator

    page_query_description = _("A page number, from 1; a page past the last one answers 404.")
    last_page_strings = ()  # the schema says integer: "last" is not one

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value is not None and not whole_number(value):
            raise exceptions.ValidationError({self.page_query_param: [WHOLE_NUMBER]})
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters

    def get_paginated_response_schema(self, schema):
        # Lists page by number unless the client asks for ?paginate=cursor, whose pages have no count.
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["results"]
        limit = {"limit": f"{EXACT_COUNT_LIMIT:,}"}
        response["properties"]["count"]["description"] = str(
            _(
                "How many records match, over all pages; absent with paginate=cursor. Exact up to %(limit)s, "
                "PostgreSQL's estimate beyond (see count_is_estimate)."
            )
            % limit
        )
        properties = list(response["properties"].items())
        properties.insert(
            1,
            (
                "count_is_estimate",
                {
                    "type": "boolean",
                    "description": str(
                        _(
                            "True when count is an estimate: more than %(limit)s records match, and counting them "
                            "all would cost more than the page. next is still null exactly on the last page. "
                            "Absent with paginate=cursor."
                        )
                        % limit
                    ),
                    "example": False,
                },
            ),
        )
        response["properties"] = dict(properties)
        return response

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_estimate": self.page.paginator.count_is_estimate,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )


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
                raise exceptions.ValidationError(
                    {"ordering": [_("Cursor pagination has its own fixed order.")]}, code="cursor_order"
                )
            # checked whatever uses them (a cursor has no page number, a download no page size)
            for name in ("page", "page_size"):
                value = self.request.query_params.get(name)
                if value is not None and not whole_number(value):
                    raise exceptions.ValidationError({name: [WHOLE_NUMBER]})
            self._paginator = CursorPagination() if style == "cursor" else self.pagination_class()
        return self._paginator
