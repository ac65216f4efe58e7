"""Public pages of a project's past: the page as it was at the end of a day (``?as_of=``), and what
changed between two days (``/projects/<slug>/changes/?from=&to=``). Both show what anonymous
readers see (``selectors.PUBLIC``), as the other public pages do."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.models import ObjectChange
from core.throttling import throttle_anonymous
from projects import history, selectors
from projects.api.serializers import AUTHOR_FIELDS, WITHHELD_FIELDS
from projects.models import Project

CHANGES_PAGE_SIZE = 50


def _public_project_id(slug: str) -> int:
    """The ID of the public project with this slug, or 404 (a page names a project by its slug)."""
    project_id = selectors.PUBLIC.projects(Project.objects.filter(slug=slug)).values_list("pk", flat=True).first()
    if project_id is None:
        raise Http404(slug)
    return project_id


def project_as_of(request, slug):
    """The project page as the tracker had recorded it at the end of ``?as_of=``; 404 before it existed."""
    from projects.views import render_project

    form = history.AsOfForm(request.GET)
    if not form.is_valid() or form.cleaned_data[history.AS_OF] is None:
        return render(request, "projects/as_of_error.html", {"form": form, "slug": slug}, status=400)
    day = form.cleaned_data[history.AS_OF]
    project = history.project_as_of(_public_project_id(slug), day, selectors.PUBLIC)
    if project is None:
        raise Http404(slug)
    changes = list(
        history.project_changes_between(project.pk, selectors.PUBLIC, None, history.end_of_day(day)).order_by(
            "-time", "-id"
        )[:15]
    )
    return render_project(
        request,
        project,
        changes,
        as_of=day,
        current_url=reverse("projects:detail", kwargs={"slug": slug}),
        changes_url=reverse("projects:changes", kwargs={"slug": slug}),
    )


@throttle_anonymous
@require_safe
def project_changes(request, slug):
    """What changed in the project and its parts between two days, oldest first, each field before and after."""
    project_id = _public_project_id(slug)
    project = Project.objects.only("pk", "name", "slug").get(pk=project_id)
    form = history.PeriodForm(request.GET)
    page = None
    if form.is_valid():
        start, end = form.period
        changes = history.project_changes_between(project_id, selectors.PUBLIC, start, end)
        page = Paginator(changes, CHANGES_PAGE_SIZE).get_page(request.GET.get("page"))
        for change in page.object_list:
            label = change.content_type.app_label + "." + change.content_type.model
            # the author is never shown on a public page, nor the columns naming one
            withheld = WITHHELD_FIELDS.get(label, frozenset()) | AUTHOR_FIELDS.get(label, frozenset())
            model = change.content_type.model_class()
            change.fields = [
                (history.field_label(model, name), before, after)
                for name, before, after in history.field_diff(change, withheld)
            ]
    return render(
        request,
        "projects/changes.html",
        {
            "project": project,
            "form": form,
            "page": page,
            "actions": dict(ObjectChange.Action.choices),
        },
        status=200 if page is not None else 400,
    )
