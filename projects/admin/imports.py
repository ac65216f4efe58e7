"""The project list's Import: a file of any size, checked then imported in the background.

The upload is kept as a job (``projects.import_jobs``) and checked by a dry run of the bulk
import, whose progress and then errors (by row and column) the job's page shows; nothing is
written until the person who uploaded it confirms. The import itself is one transaction, run the
same way. Each request returns within a few seconds, whatever the size of the file; a small one
is answered at once.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from projects import import_jobs

# How long an upload or a confirmation waits for its job before showing the job's page.
QUICK_SECONDS = 2


class BackgroundImportMixin:
    """Replaces django-import-export's import views (which run the whole file in the request)."""

    import_job_template = "admin/projects/project/import_job.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/<str:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="{}_{}_import_job".format(*info),
            ),
            path(
                "import/<str:job_id>/confirm/",
                self.admin_site.admin_view(self.import_confirm_view),
                name="{}_{}_import_confirm".format(*info),
            ),
            *super().get_urls(),
        ]

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        if request.method == "POST" and form.is_valid():
            file_format = self.get_import_formats()[int(form.cleaned_data["format"])]().get_title().lower()
            job_id = import_jobs.create(
                form.cleaned_data["import_file"], file_format, request.user, translation.get_language()
            )
            import_jobs.start(job_id, "check")
            import_jobs.wait(job_id, QUICK_SECONDS)
            return HttpResponseRedirect(self._job_url(job_id))
        resources = [resource_class() for resource_class in self.get_import_resource_classes(request)]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "form": form,
            "opts": self.opts,
            "media": self.media + form.media,
            "fields_list": [
                (resource.get_display_name(), [f.column_name for f in resource.get_user_visible_fields()])
                for resource in resources
            ],
            "import_error_display": self.import_error_display,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def process_import(self, request, **kwargs):
        """django-import-export's confirmation step: an import is confirmed on its job's page now."""
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))

    def import_job_view(self, request, job_id):
        job = self._job(request, job_id)
        running = job["status"] in ("queued", "running")
        total = job["rows_total"]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import of “%(name)s”") % {"name": job["file_name"]},
            "opts": self.opts,
            "job": job,
            "running": running,
            "percent": min(100, round(100 * job["rows_done"] / total)) if total else None,
            "valid_rows": job["created"] + job["updated"] + job["unchanged"],
            "more_errors": job["error_rows"] > len({number for number, _column, _message in job["errors"]}),
            "confirm_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_import_confirm", args=[job["id"]]
            ),
        }
        request.current_app = self.admin_site.name
        response = TemplateResponse(request, [self.import_job_template], context)
        if running:
            response["Refresh"] = "2"  # the page follows the job (no script: the same as a meta refresh)
        return response

    def import_confirm_view(self, request, job_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self._job(request, job_id)
        checked = job["phase"] == "check" and job["status"] in ("done", "failed") and not job["message"]
        skip_invalid = request.POST.get("skip_invalid") == "1"
        if checked and (job["status"] == "done" or skip_invalid):
            import_jobs.start(job_id, "import", skip_invalid=skip_invalid)
            import_jobs.wait(job_id, QUICK_SECONDS)
        return HttpResponseRedirect(self._job_url(job_id))

    def _job(self, request, job_id) -> dict:
        if not self.has_import_permission(request):
            raise PermissionDenied
        try:
            job = import_jobs.read(job_id)
        except KeyError:
            raise Http404(_("No such import.")) from None
        if job["user_id"] != request.user.pk and not request.user.is_superuser:
            raise Http404(_("No such import."))
        return job

    def _job_url(self, job_id) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import_job", args=[job_id])
