"""The review desk: from a pasted article or its address to reviewed facts, on one page.

``/admin/desk/`` takes the text of an article or its URL. Text is stored and extracted at once
(``projects.ingestion``); a URL is fetched by a background job (``projects.tasks.ingest_url_job``)
whose status the desk follows until the source is ready. ``/admin/desk/<source id>/`` shows the
article with each proposed fact highlighted at its quote, beside the project(s) each part of the
page was matched to (or proposed as a draft) and why, with a way to pick another project or create
one. Each fact is accepted, rejected or corrected in place, and the confident ones are accepted in
one action; every write goes through the claim services, with the version the page was loaded at.

Everything works with plain forms (POST, then a redirect to the page at the fact that comes next);
``projects/desk.js`` adds keyboard shortcuts (j/k, a, r, e, ?) on top of the same forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from celery.result import AsyncResult
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.geo import distance_km, gazetteer
from core.models import ConcurrentEditError
from projects import attributes, choices, services
from projects.duplicates import project_suggestions
from projects.extraction.facts import LOW_CONFIDENCE
from projects.ingestion import (
    MATCH_DISTANCE_KM,
    find_or_create_organization,
    ingest_source,
    parse_partial_date,
    store_source,
)
from projects.models import Claim, Project, ProjectRole, Source, values_agree
from projects.search import search
from projects.tasks import ingest_url_job, ingestion_summary

ClaimStatus = choices.ClaimStatus
ValueKind = choices.ValueKind

# Facts the extractor is at least this sure of are accepted together by "accept the confident facts".
HIGH_CONFIDENCE = 0.75
# How many projects a search on the desk offers.
CANDIDATES = 10
# How many recent sources the desk lists.
RECENT_SOURCES = 20
# Highlight colours of the parts of a page (desk.css), reused past the sixth project.
TONES = 6
# How long the page of a running job waits before looking again (seconds; no script needed).
JOB_REFRESH_SECONDS = 2

VIEW_PERMISSION = "projects.view_claim"
INGEST_PERMISSIONS = ("projects.add_source", "projects.add_claim")
EDIT_PERMISSION = "projects.change_claim"
CREATE_PROJECT_PERMISSION = "projects.add_project"
REVIEW_PERMISSION = services.REVIEW_PERMISSION


def _require(request, *permissions):
    if not request.user.has_perms(permissions):
        raise PermissionDenied


def _context(request, **context) -> dict:
    request.current_app = admin.site.name
    return {**admin.site.each_context(request), **context}


def desk_url(source: Source | int) -> str:
    """The desk page of a source, absolute when ``DATA_SITE_URL`` says where the site is."""
    relative = reverse("desk:source", args=[getattr(source, "pk", source)])
    return f"{settings.DATA_SITE_URL.rstrip('/')}{relative}" if settings.DATA_SITE_URL else relative


# The desk's front page: paste an article or give its address ---------------------------------


class ArticleForm(forms.Form):
    article = forms.CharField(
        label=gettext_lazy("Article text or address"),
        help_text=gettext_lazy(
            "Paste the article's text, or its http(s) address to have it fetched in the background."
        ),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80, "autocomplete": "off"}),
        max_length=Source._meta.get_field("text").max_length,
        strip=True,
    )

    def clean_article(self):
        article = self.cleaned_data["article"]
        self.url = None
        if "\n" not in article and " " not in article and article.lower().startswith(("http://", "https://")):
            url_field = forms.URLField(max_length=Source._meta.get_field("url").max_length, assume_scheme="https")
            try:
                url_field.clean(article)
            except ValidationError as error:
                raise ValidationError(error.messages) from None
            self.url = article
        return article


def desk_index(request):
    _require(request, VIEW_PERMISSION)
    may_ingest = request.user.has_perms(INGEST_PERMISSIONS)
    form = ArticleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _require(request, *INGEST_PERMISSIONS)
        if form.is_valid():
            if form.url:
                job = ingest_url_job.delay(form.url, user_id=request.user.pk)
                return HttpResponseRedirect(reverse("desk:job", args=[job.id]))
            return _ingest_text(request, form.cleaned_data["article"])
    # The latest sources read, each with its facts still to review (an index scan that stops at the page's end).
    proposed = (
        Claim.objects.filter(source=OuterRef("pk"), status=ClaimStatus.PROPOSED)
        .order_by()
        .values("source")
        .annotate(count=Count("pk"))
        .values("count")
    )
    recent = (
        Source.objects.filter(Exists(Claim.objects.filter(source=OuterRef("pk"))))
        .annotate(proposed=Coalesce(Subquery(proposed), 0))
        .order_by("-pk")[:RECENT_SOURCES]
    )
    context = _context(
        request,
        title=_("Review desk"),
        form=form,
        may_ingest=may_ingest,
        recent=recent,
    )
    return TemplateResponse(request, "admin/desk/index.html", context)


def _ingest_text(request, text: str):
    source = Source.objects.filter(url__isnull=True, text=text).order_by("pk").first() or store_source(text=text)
    result = ingest_source(source=source)
    _report(request, ingestion_summary(result))
    return HttpResponseRedirect(reverse("desk:source", args=[source.pk]))


def _report(request, summary: dict):
    """Say what an ingestion did: how many facts on which project, and how it was found."""
    for part in summary["projects"]:
        how = _("new draft project") if part["created"] else _match_label(part["matched_by"])
        messages.success(
            request,
            ngettext(
                "%(count)d fact proposed on “%(project)s” (%(how)s).",
                "%(count)d facts proposed on “%(project)s” (%(how)s).",
                part["claims"],
            )
            % {"count": part["claims"], "project": part["name"], "how": how},
        )


def _match_label(reason: str) -> str:
    labels = {
        "name": _("matched by its name"),
        "alias": _("matched by an alias"),
        "municipality and organization": _("matched by its town and an organization in common"),
        "coordinates": _("matched by the site's distance to the place named"),
        "earlier ingestion": _("as when the article was read before"),
        "given": _("the project asked for"),
    }
    return labels.get(reason, reason)


# The job that fetches an address -------------------------------------------------------------

JOB_STATES = {
    "PENDING": gettext_lazy("waiting for a worker"),
    "RECEIVED": gettext_lazy("waiting for a worker"),
    "STARTED": gettext_lazy("fetching and reading the page"),
    "RETRY": gettext_lazy("the page did not answer; trying again shortly"),
    "SUCCESS": gettext_lazy("done"),
    "FAILURE": gettext_lazy("failed"),
    "REVOKED": gettext_lazy("cancelled"),
}


def desk_job(request, job_id: str):
    _require(request, VIEW_PERMISSION)
    job = AsyncResult(job_id, app=ingest_url_job.app)
    if job.name and job.name != ingest_url_job.name:
        raise Http404(_("No such job."))
    if job.state == "SUCCESS" and isinstance(job.result, dict):
        _report(request, job.result)
        return HttpResponseRedirect(reverse("desk:source", args=[job.result["source_id"]]))
    running = job.state not in ("FAILURE", "REVOKED")
    error = str(job.result) if job.state in ("FAILURE", "RETRY") and job.result else ""
    url = (job.args or [""])[0] if job.args else ""
    context = _context(
        request,
        title=_("Reading an article"),
        job_id=job_id,
        state=JOB_STATES.get(job.state, job.state),
        running=running,
        error=error,
        url=url,
    )
    response = TemplateResponse(request, "admin/desk/job.html", context)
    if running:
        response["Refresh"] = str(JOB_REFRESH_SECONDS)
    return response


# The source's page: the article, its projects and its facts -----------------------------------


@dataclass
class Group:
    """The facts a part of the page gives about one project (or about organizations)."""

    index: int
    project: Project | None
    facts: list[Fact] = field(default_factory=list)
    start: int | None = None
    end: int | None = None
    evidence: str = ""
    # The projects its facts could be moved to.
    targets: list[Project] = field(default_factory=list)
    # Recorded projects that are probably the same as its project: (the other project, its suggestion).
    duplicates: list = field(default_factory=list)

    @property
    def tone(self) -> int:
        """Which of the desk's highlight colours marks its quotes."""
        return self.index % TONES

    @property
    def proposed(self) -> int:
        return sum(fact.claim.status == ClaimStatus.PROPOSED for fact in self.facts)


@dataclass
class Fact:
    claim: Claim
    group: Group
    start: int | None = None  # where its quote is in the text (None: not found)
    end: int | None = None
    conflicts: list[Claim] = field(default_factory=list)
    form: forms.Form | None = None

    @property
    def low_confidence(self) -> bool:
        return self.claim.confidence is not None and self.claim.confidence < LOW_CONFIDENCE

    @property
    def confident(self) -> bool:
        return (
            self.claim.status == ClaimStatus.PROPOSED
            and self.claim.confidence is not None
            and self.claim.confidence >= HIGH_CONFIDENCE
            and not self.conflicts
        )


@dataclass
class Segment:
    """A stretch of the article's text: plain, or inside the quotes of some facts."""

    text: str
    facts: list[Fact]
    anchors: list[Fact]  # the facts whose quote starts here
    section: Group | None = None  # the part of the page about this group starts here

    @property
    def fact_ids(self) -> str:
        return " ".join(str(fact.claim.pk) for fact in self.facts)

    @property
    def tone(self) -> int:
        return self.facts[0].group.tone if self.facts else -1


def locate(text: str, claim: Claim) -> tuple[int | None, int | None]:
    """Where the claim's quote is in the text: at its offsets, else where the quote is found."""
    start, end = claim.quote_start, claim.quote_end
    at_offsets = start is not None and end is not None and 0 <= start < end <= len(text)
    if at_offsets and (not claim.quote or text[start:end] == claim.quote):
        return start, end
    if claim.quote:
        found = text.find(claim.quote)
        if found >= 0:
            return found, found + len(claim.quote)
    return None, None


def segments(text: str, facts: list[Fact], groups: list[Group]) -> list[Segment]:
    """The text cut at every quote's start and end, each piece with the facts quoting it."""
    located = [fact for fact in facts if fact.start is not None]
    section_starts = {group.start: group for group in groups if group.start is not None and group.project}
    cuts = sorted({0, len(text), *section_starts, *(f.start for f in located), *(f.end for f in located)})
    starting: dict[int, list[Fact]] = {}
    for fact in located:
        starting.setdefault(fact.start, []).append(fact)
    pieces = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [fact for fact in located if fact.start <= a and fact.end >= b]
        pieces.append(Segment(text[a:b], covering, starting.get(a, []), section_starts.get(a)))
    return pieces


class FactForm(forms.Form):
    """A correction of one fact: its attribute, its value as typed, its role and its project."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    attribute = forms.ChoiceField(label=gettext_lazy("attribute"), choices=choices.ClaimAttribute.choices)
    value = forms.CharField(label=gettext_lazy("value"), max_length=500, required=False)
    value_max = forms.CharField(
        label=gettext_lazy("upper figure"), max_length=40, required=False, help_text=gettext_lazy("for a range")
    )
    currency = forms.CharField(label=gettext_lazy("currency"), max_length=3, required=False)
    role = forms.ChoiceField(label=gettext_lazy("role"), choices=[("", "—"), *choices.RoleKind.choices], required=False)
    project = forms.TypedChoiceField(label=gettext_lazy("project"), coerce=int, required=False)

    def __init__(self, *args, claim: Claim, projects: list[Project], **kwargs):
        self.claim = claim
        initial = {
            "version": claim.version,
            "attribute": claim.attribute,
            "value": editable_value(claim),
            "value_max": _number_text(claim.value_number_max),
            "currency": claim.currency,
            "role": claim.role,
            "project": claim.project_id,
        }
        super().__init__(*args, initial=initial, auto_id=f"fact-{claim.pk}-%s", **kwargs)
        self.fields["project"].choices = [("", "—")] + [(project.pk, project.name) for project in projects]
        self.fields["value"].widget.attrs.update({"class": "desk-value", "autocomplete": "off", "size": 28})
        self.fields["value_max"].widget.attrs.update({"size": 8})
        self.fields["currency"].widget.attrs.update({"size": 4})

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        attribute = data["attribute"]
        kind = attributes.value_kind(attribute)
        value = data.get("value", "").strip()
        changes: dict = {
            "attribute": attribute,
            "value_number": None,
            "value_number_max": None,
            "value_date": None,
            "value_text": "",
            "value_organization": None,
            "role": "",
            "currency": "",
        }
        if kind in (ValueKind.NUMBER, ValueKind.MONEY):
            changes["value_number"] = self._number(value, "value")
            upper = data.get("value_max", "").strip()
            if upper:
                changes["value_number_max"] = self._number(upper, "value_max")
                changes["bound"] = choices.ClaimBound.RANGE
            elif self.claim.bound == choices.ClaimBound.RANGE:
                changes["bound"] = choices.ClaimBound.EXACT
            if kind == ValueKind.MONEY:
                changes["currency"] = (data.get("currency") or self.claim.currency).upper()
        elif kind == ValueKind.DATE:
            try:
                changes["value_date"], changes["value_date_precision"] = parse_partial_date(value)
            except (ValueError, TypeError):
                self.add_error("value", _("Give a date as 2025-12-09, 2025-12 or 2025."))
        elif kind == ValueKind.ORGANIZATION:
            if not value:
                self.add_error("value", _("Give the organization's name."))
            changes["value_organization"] = value  # the name: the view finds or records the organization
            changes["role"] = data.get("role", "")
        elif attribute == choices.ClaimAttribute.STATUS:
            folded = value.casefold()
            status = next(
                (code for code, label in choices.ProjectStatus.choices if folded in (code, str(label).casefold())), None
            )
            if status is None:
                self.add_error(
                    "value",
                    _("Use one of the lifecycle statuses: %(values)s.")
                    % {"values": ", ".join(str(label) for _code, label in choices.ProjectStatus.choices)},
                )
            changes["value_text"] = status or ""
        else:
            if not value:
                self.add_error("value", _("Give the value for this attribute."))
            changes["value_text"] = value
        data["changes"] = changes
        return data

    def _number(self, text: str, name: str):
        cleaned = "".join(text.split()).replace("\u202f", "").replace("\xa0", "")
        try:
            number = Decimal(formats.sanitize_separators(cleaned))
        except (InvalidOperation, ValueError):
            self.add_error(name, _("Give a number, such as 700 or 1.5."))
            return None
        if not number.is_finite() or number < 0:
            self.add_error(name, _("Give a number, such as 700 or 1.5."))
            return None
        return number


def _number_text(number) -> str:
    if number is None:
        return ""
    text = format(number.normalize(), "f") if isinstance(number, Decimal) else str(number)
    return formats.number_format(Decimal(text), use_l10n=True, force_grouping=False) if text else ""


def editable_value(claim: Claim) -> str:
    """The claim's value as a person would type it back."""
    match claim.value_kind:
        case ValueKind.NUMBER | ValueKind.MONEY:
            return _number_text(claim.value_number)
        case ValueKind.DATE:
            if claim.value_date is None:
                return ""
            precision = claim.value_date_precision
            if precision == choices.DatePrecision.YEAR:
                return f"{claim.value_date.year}"
            if precision == choices.DatePrecision.MONTH:
                return claim.value_date.strftime("%Y-%m")
            return claim.value_date.isoformat()
        case ValueKind.ORGANIZATION:
            return claim.value_organization.name if claim.value_organization_id else ""
    if claim.attribute == choices.ClaimAttribute.STATUS and claim.value_text in choices.ProjectStatus.values:
        return str(choices.ProjectStatus(claim.value_text).label)
    return claim.value_text


def _facts_of(source: Source) -> list[Claim]:
    return list(
        Claim.objects.filter(source=source)
        .select_related("project", "organization", "value_organization", "reviewed_by")
        .order_by("quote_start", "pk")
    )


def group_facts(text: str, claims: list[Claim]) -> list[Group]:
    """The facts by project, each group in the order its part of the page comes, facts in text order.

    The facts about organizations (what a relationship or an indicator stands on) come last."""
    groups: dict[int | None, Group] = {}
    for claim in claims:
        group = groups.get(claim.project_id)
        if group is None:
            group = groups[claim.project_id] = Group(index=0, project=claim.project if claim.project_id else None)
        fact = Fact(claim, group, *locate(text, claim))
        group.facts.append(fact)
        if fact.start is not None:
            group.start = fact.start if group.start is None else min(group.start, fact.start)
            group.end = fact.end if group.end is None else max(group.end, fact.end)
    ordered = sorted(
        groups.items(), key=lambda item: (item[0] is None, item[1].start if item[1].start is not None else len(text))
    )
    for index, (_key, group) in enumerate(ordered):
        group.index = index
        group.facts.sort(key=lambda f: (f.start if f.start is not None else len(text), f.claim.pk))
    return [group for _key, group in ordered]


def build_desk(source: Source, find: str = "") -> dict:
    """Everything the source's page shows, in a fixed number of queries whatever the number of facts."""
    text = source.text
    ordered = group_facts(text, _facts_of(source))
    facts = [fact for group in ordered for fact in group.facts]
    projects = [group.project for group in ordered if group.project is not None]
    _attach_conflicts(facts, projects)
    _attach_evidence(source, ordered)
    _attach_duplicates(ordered)
    candidates = _candidates(projects, find)
    for group in ordered:
        candidates += [other for other, _suggestion in group.duplicates if other not in candidates]
    choices_for_forms = projects + [project for project in candidates if project not in projects]
    for group in ordered:
        group.targets = [project for project in choices_for_forms if project != group.project]
    for fact in facts:
        fact.form = FactForm(claim=fact.claim, projects=choices_for_forms)
    return {
        "groups": ordered,
        "facts": facts,
        "segments": segments(text, facts, ordered),
        "candidates": candidates,
        "confident": [fact for fact in facts if fact.confident],
        "unlocated": [fact for fact in facts if fact.start is None],
        "proposed": sum(fact.claim.status == ClaimStatus.PROPOSED for fact in facts),
    }


def _attach_conflicts(facts: list[Fact], projects: list[Project]):
    """Each fact's disagreement with the values already accepted for its project (one query for all)."""
    wanted = {fact.claim.attribute for fact in facts if fact.claim.project_id} - attributes.MULTI_VALUED
    if not wanted or not projects:
        return
    accepted: dict[tuple, list[Claim]] = {}
    rows = Claim.objects.filter(project__in=projects, attribute__in=wanted, status=ClaimStatus.ACCEPTED)
    for claim in rows.select_related("source", "value_organization").order_by("-is_headline", "-as_of", "pk"):
        accepted.setdefault((claim.project_id, claim.attribute, claim.scope), []).append(claim)
    for fact in facts:
        claim = fact.claim
        if claim.attribute in attributes.MULTI_VALUED:
            continue
        fact.conflicts = [
            other
            for other in accepted.get((claim.project_id, claim.attribute, claim.scope), [])
            if other.pk != claim.pk and not values_agree(claim.value_kind, claim.value_key, other.value_key)
        ]


def _attach_duplicates(groups: list[Group]):
    """The recorded projects each group's project is probably a duplicate of (a draft read from an
    article is often a project already recorded under another name)."""
    by_id = {group.project.pk: group for group in groups if group.project is not None}
    for suggestion in project_suggestions([group.project for group in by_id.values()]):
        for this, other in ((suggestion.first, suggestion.second), (suggestion.second, suggestion.first)):
            if this.pk in by_id:
                by_id[this.pk].duplicates.append((other, suggestion))


def _attach_evidence(source: Source, groups: list[Group]):
    """Why each part of the page is about its project, from what the text and the records show."""
    project_ids = [group.project.pk for group in groups if group.project is not None]
    if not project_ids:
        return
    first_claim = dict(
        Claim.objects.filter(project__in=project_ids)
        .values("project")
        .annotate(first=Min("pk"))
        .values_list("project", "first")
    )
    first_sources = dict(Claim.objects.filter(pk__in=first_claim.values()).values_list("project", "source"))
    organizations: dict[int, dict[int, str]] = {}
    roles = ProjectRole.objects.filter(project__in=project_ids, organization__isnull=False)
    for project_id, organization_id, name in roles.values_list("project", "organization", "organization__name"):
        organizations.setdefault(project_id, {})[organization_id] = name
    for group in groups:
        if group.project is not None:
            group.evidence = _evidence(source, group, first_sources, organizations.get(group.project.pk, {}))


def _evidence(source: Source, group: Group, first_sources: dict, organizations: dict[int, str]) -> str:
    project = group.project
    start, end = (group.start or 0), (group.end if group.end is not None else len(source.text))
    section = source.text[start:end].casefold()
    whole = source.text.casefold()
    if project.is_draft and first_sources.get(project.pk) == source.pk:
        return _("A draft proposed from this article: no recorded project matched it.")
    if project.name and project.name.casefold() in whole:
        return _("Its name, “%(name)s”, is in the text.") % {"name": project.name}
    for alias in project.aliases or ():
        if isinstance(alias, str) and len(alias) > 3 and alias.casefold() in whole:
            return _("Its alias “%(alias)s” is in the text.") % {"alias": alias}
    named = [
        fact.claim.value_organization_id
        for fact in group.facts
        if fact.claim.attribute == choices.ClaimAttribute.ORGANIZATION and fact.claim.value_organization_id
    ]
    common = [organizations[pk] for pk in named if pk in organizations]
    town = project.municipality
    if town and town.casefold() in section and common:
        return _("Same town (%(town)s) and an organization in common (%(organization)s).") % {
            "town": town,
            "organization": ", ".join(dict.fromkeys(common)),
        }
    places = [fact.claim.value_text for fact in group.facts if fact.claim.attribute == "municipality"]
    if places and project.latitude is not None and project.longitude is not None:
        place = gazetteer().lookup(places[0], project.country.code or None)
        if place is not None and place.latitude is not None:
            km = distance_km((place.latitude, place.longitude), project.point)
            if km <= MATCH_DISTANCE_KM:
                return _("Its site is %(km)s km from %(place)s, which the text names.") % {
                    "km": formats.number_format(round(km, 1), 1),
                    "place": places[0],
                }
    if town and town.casefold() in section:
        return _("Same town: %(town)s.") % {"town": town}
    return _("Chosen by a person, or when the article was read before.")


def _candidates(projects: list[Project], find: str) -> list[Project]:
    """Other projects the facts could be about: those a search finds, else those in the same towns."""
    if find.strip():
        return list(search(Project.objects.all(), find).order_by("name")[:CANDIDATES])
    towns = {project.municipality for project in projects if project.municipality}
    if not towns:
        return []
    same_town = Q()
    for town in towns:
        same_town |= Q(municipality__iexact=town)
    return list(
        Project.objects.filter(same_town).exclude(pk__in=[p.pk for p in projects]).order_by("name")[:CANDIDATES]
    )


def desk_source(request, source_id: int):
    _require(request, VIEW_PERMISSION)
    source = get_object_or_404(Source, pk=source_id)
    find = request.GET.get("find", "")[:200]
    desk = build_desk(source, find)
    context = _context(
        request,
        title=_("Review desk"),
        subtitle=source.title,  # under the title; the page's <title> leads with it
        source=source,
        find=find,
        may_edit=request.user.has_perm(EDIT_PERMISSION),
        may_review=request.user.has_perm(REVIEW_PERMISSION),
        may_create_project=request.user.has_perm(CREATE_PROJECT_PERMISSION),
        may_merge=request.user.has_perms(("projects.change_project", "projects.delete_project")),
        high_confidence=HIGH_CONFIDENCE,
        **desk,
    )
    return TemplateResponse(request, "admin/desk/source.html", context)


# Writes: each through the claim services, with the version the page was loaded at -------------


def _back(source: Source, anchor: Claim | None = None, find: str = "") -> HttpResponseRedirect:
    url = reverse("desk:source", args=[source.pk])
    if find:
        from django.utils.http import urlencode

        url = f"{url}?{urlencode({'find': find})}"
    return HttpResponseRedirect(f"{url}#fact-{anchor.pk}" if anchor is not None else url)


def _next_proposed(source: Source, after: Claim) -> Claim | None:
    """The fact the reviewer moves to once ``after`` is decided: the next one still proposed, in page order."""
    claims = list(Claim.objects.filter(source=source).select_related("project").order_by("quote_start", "pk"))
    order = [fact.claim for group in group_facts(source.text, claims) for fact in group.facts]
    position = next((i for i, claim in enumerate(order) if claim.pk == after.pk), -1)
    later = order[position + 1 :] + order[: position + 1]
    return next((claim for claim in later if claim.status == ClaimStatus.PROPOSED), None)


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, ConcurrentEditError):
        return _("Someone else changed this fact since the page was loaded: the page now shows their version.")
    if isinstance(error, PermissionDenied):
        return str(error) or _("You may not do this.")
    return str(error)


def desk_fact(request, source_id: int, claim_id: int):
    """Accept, reject or correct one fact."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    source = get_object_or_404(Source, pk=source_id)
    claim = get_object_or_404(Claim.objects.select_related("source", "project"), pk=claim_id, source=source)
    action = request.POST.get("action", "")
    find = request.POST.get("find", "")[:200]
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = claim.version
    if action in ("accept", "reject"):
        _require(request, REVIEW_PERMISSION)
    elif action in ("save", "save_accept"):
        _require(request, EDIT_PERMISSION)
        if action == "save_accept":
            _require(request, REVIEW_PERMISSION)
    else:
        raise Http404(_("No such action."))
    try:
        if action == "accept":
            services.claim_accept(claim=claim, user=request.user, expected_version=version)
            messages.success(request, _("Accepted: %(fact)s.") % {"fact": claim})
        elif action == "reject":
            services.claim_reject(claim=claim, user=request.user, expected_version=version)
            messages.success(request, _("Rejected: %(fact)s.") % {"fact": claim})
        else:
            form = FactForm(request.POST, claim=claim, projects=_movable_to(request.POST.get("project"), claim))
            if not form.is_valid():
                errors = " ".join(message for messages_ in form.errors.values() for message in messages_)
                messages.error(request, _("%(fact)s was not changed: %(errors)s") % {"fact": claim, "errors": errors})
                return _back(source, claim, find)
            _correct(claim, form, request.user, accept=action == "save_accept")
            messages.success(request, _("Corrected: %(fact)s.") % {"fact": claim})
    except (ValidationError, PermissionDenied, ConcurrentEditError) as error:
        messages.error(request, _("%(fact)s: %(error)s") % {"fact": claim, "error": _error_text(error)})
        return _back(source, claim, find)
    if action == "save":
        return _back(source, claim, find)
    return _back(source, _next_proposed(source, claim), find)


def _movable_to(project_id: str | None, claim: Claim) -> list[Project]:
    """The projects a correction may name: the fact's own, and the one posted if it exists."""
    projects = [claim.project] if claim.project_id else []
    if project_id and project_id.isascii() and project_id.isdigit() and int(project_id) != claim.project_id:
        projects += list(Project.objects.filter(pk=int(project_id)))
    return projects


@transaction.atomic
def _correct(claim: Claim, form: FactForm, user, *, accept: bool):
    changes = dict(form.cleaned_data["changes"])
    if isinstance(changes.get("value_organization"), str):
        changes["value_organization"] = find_or_create_organization(changes["value_organization"], changes["role"])
    project_id = form.cleaned_data.get("project")
    if project_id and project_id != claim.project_id:
        changes["project"] = Project.objects.get(pk=project_id)
    services.claim_update(claim=claim, data=changes, user=user, expected_version=form.cleaned_data["version"])
    if accept and claim.status != ClaimStatus.ACCEPTED:
        services.claim_accept(claim=claim, user=user)


def desk_accept_confident(request, source_id: int):
    """Accept, in one action, the proposed facts the extractor is sure of and that contradict nothing accepted."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _require(request, REVIEW_PERMISSION)
    source = get_object_or_404(Source, pk=source_id)
    loaded = {}
    for name, value in request.POST.items():
        if name.startswith("v-") and name[2:].isascii() and name[2:].isdigit() and value.isascii() and value.isdigit():
            loaded[int(name[2:])] = int(value)
    facts = {fact.claim.pk: fact for fact in build_desk(source)["confident"]}
    done, refused = 0, []
    for claim_id, version in loaded.items():
        fact = facts.get(claim_id)
        if fact is None:
            continue  # decided, changed or no longer confident since the page was loaded
        try:
            services.claim_accept(claim=fact.claim, user=request.user, expected_version=version)
        except (ValidationError, PermissionDenied, ConcurrentEditError) as error:
            refused.append(f"{fact.claim}: {_error_text(error)}")
        else:
            done += 1
    messages.success(request, ngettext("%(count)d fact accepted.", "%(count)d facts accepted.", done) % {"count": done})
    for line in refused:
        messages.error(request, line)
    return _back(source)


def desk_project(request, source_id: int, project_id: int):
    """Move the facts of a part of the page to another project, or to a new draft one."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _require(request, EDIT_PERMISSION)
    source = get_object_or_404(Source, pk=source_id)
    current = get_object_or_404(Project, pk=project_id)
    claims = list(Claim.objects.filter(source=source, project=current).select_related("source"))
    if not claims:
        raise Http404(_("No fact of this article is about this project."))
    find = request.POST.get("find", "")[:200]
    try:
        with transaction.atomic():
            if request.POST.get("action") == "create":
                _require(request, CREATE_PROJECT_PERMISSION)
                name = " ".join(request.POST.get("name", "").split())[:200]
                if not name:
                    raise ValidationError(_("Give the new project's name."))
                target = services.project_create(
                    data={
                        "name": name,
                        "is_draft": True,
                        "status": choices.ProjectStatus.ANNOUNCED,
                        "description": _("Draft created on the review desk from “%(title)s”.")
                        % {"title": Truncator(source.title).chars(200)},
                        **_location_of(current, claims),
                    },
                    user=request.user,
                    undated=source.published_on is None,
                    status_date=source.published_on,
                    status_precision=choices.DatePrecision.DAY if source.published_on else None,
                )
            else:
                target_id = request.POST.get("target", "")
                target = (
                    Project.objects.filter(pk=int(target_id)).first()
                    if target_id.isascii() and target_id.isdigit()
                    else None
                )
                if target is None:
                    raise ValidationError(_("Choose the project these facts are about."))
            if target.pk == current.pk:
                return _back(source, find=find)
            for claim in claims:
                services.claim_update(claim=claim, data={"project": target}, user=request.user)
    except (ValidationError, PermissionDenied, ConcurrentEditError) as error:
        messages.error(request, _error_text(error))
        return _back(source, find=find)
    messages.success(
        request,
        ngettext("%(count)d fact moved to “%(project)s”.", "%(count)d facts moved to “%(project)s”.", len(claims))
        % {"count": len(claims), "project": target.name},
    )
    return _back(source)


def _location_of(project: Project, claims: list[Claim]) -> dict:
    """A new project's place: the town and country its facts name, else none (a person completes it)."""
    values = {claim.attribute: claim.value_text for claim in reversed(claims) if claim.value_text}
    location = {}
    if values.get("municipality"):
        location["municipality"] = values["municipality"][:200]
    if len(values.get("country", "")) == 2:
        location["country"] = values["country"].upper()
    elif location and project.municipality == location["municipality"]:
        location["country"] = project.country
    return location


app_name = "desk"
urlpatterns = [
    path("", admin.site.admin_view(desk_index), name="index"),
    path("jobs/<str:job_id>/", admin.site.admin_view(desk_job), name="job"),
    path("<int:source_id>/", admin.site.admin_view(desk_source), name="source"),
    path("<int:source_id>/facts/<int:claim_id>/", admin.site.admin_view(desk_fact), name="fact"),
    path("<int:source_id>/accept-confident/", admin.site.admin_view(desk_accept_confident), name="accept_confident"),
    path("<int:source_id>/projects/<int:project_id>/", admin.site.admin_view(desk_project), name="project"),
]
