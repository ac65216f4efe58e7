"""The reader's pages: sign-in, notifications and follows, follow buttons, corrections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from rest_framework import throttling

from core.throttling import AtomicWindowMixin, throttle_anonymous
from projects import selectors
from projects.following import services
from projects.following.forms import CorrectionForm, DigestForm
from projects.following.models import DigestPreference, Follow, Notification
from projects.models import Organization

PAGE_SIZE = 50


class CorrectionRateThrottle(AtomicWindowMixin, throttling.SimpleRateThrottle):
    """Corrections per address (``CORRECTION_THROTTLE``), signed in or not."""

    scope = "corrections"

    def get_rate(self):
        from django.conf import settings

        return settings.CORRECTION_THROTTLE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginView(auth_views.LoginView):
    template_name = "following/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
@require_safe
def notifications(request):
    page = Paginator(
        Notification.objects.filter(user=request.user).select_related("project", "claim__value_organization", "follow"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    preference = DigestPreference.objects.filter(user=request.user).first()
    return render(
        request,
        "following/notifications.html",
        {
            "page": page,
            "unread": Notification.objects.filter(user=request.user, is_read=False).count(),
            "follows": Follow.objects.filter(user=request.user).select_related("project", "organization"),
            "digest_form": DigestForm(instance=preference or DigestPreference(user=request.user)),
        },
    )


@login_required
@require_POST
def mark_read(request):
    services.mark_read(user=request.user)
    return redirect("following:notifications")


@login_required
@require_POST
def digest(request):
    form = DigestForm(request.POST)
    if form.is_valid():
        services.set_digest(user=request.user, frequency=form.cleaned_data["frequency"])
        messages.success(request, _("Your e-mail preference is saved."))
    return redirect("following:notifications")


@login_required
@require_POST
def follow(request):
    """Follow a project (``project``: its slug), an organization (``organization``) or the list
    page's search (``search``: its query string)."""
    default = reverse("following:notifications")
    if any("\x00" in value for value in request.POST.values()):
        return render(request, "following/error.html", {"errors": [_("Choose what to follow.")]}, status=400)
    try:
        if request.POST.get("project"):
            project = get_object_or_404(selectors.PUBLIC.projects(), slug=request.POST["project"])
            services.follow_project(user=request.user, project=project)
            default = reverse("projects:detail", kwargs={"slug": project.slug})
        elif request.POST.get("organization"):
            organization = get_object_or_404(Organization, slug=request.POST["organization"])
            services.follow_organization(user=request.user, organization=organization)
        elif "search" in request.POST:
            services.follow_search(user=request.user, query=request.POST["search"])
        else:
            return render(request, "following/error.html", {"errors": [_("Choose what to follow.")]}, status=400)
    except ValidationError as error:
        return render(request, "following/error.html", {"errors": error.messages}, status=400)
    messages.success(request, _("You follow it now; its changes appear in your notifications."))
    return redirect(_next(request, default))


@login_required
@require_POST
def unfollow(request, pk):
    services.unfollow(follow=get_object_or_404(Follow, pk=pk, user=request.user))
    return redirect(_next(request, reverse("following:notifications")))


@throttle_anonymous
def correction(request, slug):
    """The "suggest a correction" form: GET shows it, POST proposes the claim (a 400 naming each
    field in error, a 429 beyond ``CORRECTION_THROTTLE``)."""
    project = get_object_or_404(selectors.PUBLIC.projects(), slug=slug)
    if request.method not in ("GET", "HEAD", "POST"):
        return render(request, "following/error.html", {"errors": [_("Method not allowed.")]}, status=405)
    if request.method != "POST":
        return render(
            request, "following/correction.html", {"project": project, "form": CorrectionForm(project=project)}
        )
    throttle = CorrectionRateThrottle()
    if not throttle.allow_request(request, None):
        seconds = throttle.wait()
        response = render(request, "429.html", {"retry_after": seconds}, status=429)
        response["Retry-After"] = str(seconds)
        return response
    form = CorrectionForm(request.POST, project=project)
    if form.is_valid():
        try:
            services.suggest_correction(
                project=project,
                attribute=form.cleaned_data["attribute"],
                values=form.cleaned_data["values"],
                source_url=form.cleaned_data["source_url"],
                note=form.cleaned_data["note"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            for name, field_errors in error.message_dict.items():
                target = {"source": "source_url", "url": "source_url", "currency": "currency"}.get(name, "value")
                for message in field_errors:
                    form.add_error(target, message)
        else:
            return redirect("following:correction-sent", slug=project.slug)
    return render(request, "following/correction.html", {"project": project, "form": form}, status=400)


@throttle_anonymous
@require_safe
def correction_sent(request, slug):
    project = get_object_or_404(selectors.PUBLIC.projects(), slug=slug)
    return render(request, "following/correction_sent.html", {"project": project})
