"""/data/: the published data for researchers, as a Frictionless data package and its downloads.

Every download is what anonymous readers see (``selectors.PUBLIC``) whoever asks, filtered by the
same parameters as the project list and the API (``ProjectFilterSet``). Each says the filter it was
made with: the ``X-Data-Filter`` header of a CSV, the "about" sheet of a workbook, the
``description`` and ``filter`` of the data package asked for with the same parameters. Anonymous
readers are throttled as on every public page (``PAGE_THROTTLE_ANON``).

A download without a filter is a file written once per data generation (``projects.data_files``),
sent from disk with its generation and the time it was made; a filtered one is written for its
request, from values read in a few queries (``projects.data``).
"""

from __future__ import annotations

import tempfile

import orjson
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.throttling import throttle_anonymous
from projects import data, data_files, releases
from projects.filtersets import ProjectFilterSet
from projects.selectors import PUBLIC, project_list

FILTER_HEADER = "X-Data-Filter"
GENERATION_HEADER = "X-Data-Generation"
STALE_HEADER = "X-Data-Stale"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Most projects a filtered workbook holds: it is written while the reader waits (a few seconds).
XLSX_MAX_PROJECTS = data_files.XLSX_REQUEST_PROJECTS
# How long a reader asked to come back waits, when no file of a download was ever written.
RETRY_SECONDS = 30


class InvalidFilter(Exception):
    def __init__(self, errors):
        self.errors = errors


def selection_for(request) -> data.Selection:
    """The public projects the request's filter parameters choose, and those parameters, in order."""
    filterset = ProjectFilterSet(request.GET or None, queryset=PUBLIC.projects(project_list()))
    if filterset.is_bound and not filterset.is_valid():
        raise InvalidFilter(filterset.errors)
    params = tuple(
        (name, value)
        for name in sorted(request.GET)
        if name in filterset.filters and name != "ordering"
        for value in request.GET.getlist(name)
        if value != ""
    )
    return data.Selection(filterset.qs if params else PUBLIC.projects(project_list()), params)


def _bad_filter(error: InvalidFilter) -> HttpResponse:
    lines = [f"{name}: {' '.join(str(message) for message in messages)}" for name, messages in error.errors.items()]
    return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")


def _described(response: HttpResponse, selection: data.Selection) -> HttpResponse:
    response[FILTER_HEADER] = selection.describe()
    response["Link"] = f'<{reverse("projects:datapackage")}>; rel="describedby"'
    return response


def _being_written() -> HttpResponse:
    response = HttpResponse(
        _("The file is being written; ask again in %(seconds)s seconds.") % {"seconds": RETRY_SECONDS},
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_SECONDS)
    return response


def _written_file(request, written: data_files.DataFile, filename: str, content_type: str) -> HttpResponse:
    """The unfiltered download ``filename`` from its file, with the generation and time it was made."""
    etag = f'"{written.path.parent.name}"'
    last_modified = written.made_at.timestamp()
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    response = FileResponse(written.path.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response[GENERATION_HEADER] = str(written.generation)
    if not written.current:
        response[STALE_HEADER] = (
            f"a file of the latest data is being written; this one was made at {written.made_at.isoformat()}"
        )
    return response


@throttle_anonymous
@require_safe
def data_index(request):
    return render(
        request,
        "projects/data.html",
        {
            "tables": list(data.TABLES.values()),
            "license": data.license_entry(),
            "citation": data.citation(),
            "releases": releases.list_releases(),
        },
    )


@throttle_anonymous
@require_safe
def datapackage_json(request):
    try:
        selection = selection_for(request)
    except InvalidFilter as error:
        return _bad_filter(error)
    suffix = f"?{selection.query_string}" if selection.filtered else ""
    descriptor = data.datapackage(selection, path_suffix=suffix)
    response = HttpResponse(orjson.dumps(descriptor, option=orjson.OPT_INDENT_2), content_type="application/json")
    return _described(response, selection)


@throttle_anonymous
@require_safe
def table_csv(request, name: str):
    table = data.TABLES.get(name)
    if table is None:
        raise Http404(_("No such table."))
    try:
        selection = selection_for(request)
    except InvalidFilter as error:
        return _bad_filter(error)
    if not selection.filtered:
        written = data_files.current_or_previous(table.filename)
        # none yet (its first writing is under way elsewhere): this request reads the rows itself
        if written is not None:
            return _described(_written_file(request, written, table.filename, CSV_TYPE), selection)
    whole = data_files.current(table.filename) if selection.filtered and table.project_column else None
    if whole is not None:  # the rows of the chosen projects, from the whole table's file
        chunks = data.csv_chunks_of_projects(table, selection, whole.path)
    else:
        chunks = data.csv_chunks(table, selection)
    response = StreamingHttpResponse(chunks, content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{table.filename}"'
    return _described(response, selection)


@throttle_anonymous
@require_safe
def projects_xlsx(request):
    try:
        selection = selection_for(request)
    except InvalidFilter as error:
        return _bad_filter(error)
    if not selection.filtered:
        written = data_files.current_or_previous(data_files.XLSX)
        if written is None:
            return _being_written()
        return _described(_written_file(request, written, data_files.XLSX, XLSX_TYPE), selection)
    chosen = selection.projects.count()
    if chosen > XLSX_MAX_PROJECTS:
        message = _(
            "This filter chooses %(chosen)s projects; a workbook of a filter holds %(most)s at the most. "
            "projects.csv with the same filter has every one of them, and the workbook of every project "
            "(projects.xlsx without a filter) is written once for all readers."
        ) % {"chosen": f"{chosen:,}", "most": f"{XLSX_MAX_PROJECTS:,}"}
        return _described(HttpResponse(message, status=422, content_type="text/plain; charset=utf-8"), selection)
    # a workbook is a zip written at the end: spooled to disk past a few megabytes, then sent in blocks
    output = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (the response closes it)
        max_size=8 * 1024 * 1024
    )
    data.write_xlsx(selection, output)
    output.seek(0)
    response = FileResponse(
        output,
        as_attachment=True,
        filename=data_files.XLSX,
        content_type=XLSX_TYPE,
    )
    return _described(response, selection)


@throttle_anonymous
@require_safe
def release_file(request, version: str, filename: str):
    path = releases.release_path(version, filename)
    if path is None:
        raise Http404(_("No such release file."))
    content_type = "application/json" if filename.endswith(".json") else "text/csv; charset=utf-8"
    if filename == releases.CHECKSUMS:
        content_type = "text/plain; charset=utf-8"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # written once, never changed
    return response
