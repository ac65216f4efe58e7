"""Everything a project's records imply, recomputed once at the end of each write service.

The figure invariant, for each figure attribute (``projects.attributes.FIGURES``): either
the attribute is in the project's ``typed_by_hand`` and its columns hold a value an editor
typed (none of the sources backs it, or the editor kept it against them), or its columns
hold exactly the value of its headline claim, or are empty when it has none. With accepted
claims and no headline, the latest (by ``as_of``, then ID) becomes the headline. When the
headline is rejected, deleted or reverted, the next one takes over, else the value is
cleared; a value kept against the sources stays. A figure typed before any source backed
it gives way to the first accepted claim. Claims that disagree on the same attribute and scope are flagged,
and ``conflict_count`` counts the attributes in dispute. Organization and substation
claims feed the project's roles and grid connections; grid distances follow the site.
"""

from __future__ import annotations

import copy
import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from core import changes
from core.geo import distance_km
from core.models import ObjectChange
from projects import attributes, choices
from projects.models import Claim, GridConnection, Project, ProjectRole, ProjectStatusChange, Substation, values_agree
from projects.search import refresh_search

ACCEPTED = choices.ClaimStatus.ACCEPTED
PROPOSED = choices.ClaimStatus.PROPOSED
WHOLE_PROJECT = choices.ClaimScope.PROJECT


def headline_order(claim: Claim):
    """The claim that takes the headline when none holds it: the latest as of, then the latest recorded."""
    return (claim.as_of or datetime.date.min, claim.pk)


def figure_values(attribute: attributes.Attribute, claim: Claim | None) -> dict:
    """The columns a figure shows: its headline's values, or with none, no value in its main column.

    A figure's other columns (an amount's currency, a date's precision) say nothing without
    the value: clearing an amount leaves no figure, not a currency typed by hand.
    """
    if claim is not None:
        return attribute.project_values(claim)
    main = attribute.fields[0]
    return {main: attribute.empty_value(main)}


def project_shows(project: Project, values: dict) -> bool:
    return all(getattr(project, name) == value for name, value in values.items())


def disputed_groups(claims) -> dict[tuple[str, str], set[str]]:
    """(attribute, scope) -> the accepted comparable values, for the single-valued attributes."""
    values: dict[tuple[str, str], set[str]] = defaultdict(set)
    for claim in claims:
        if claim.status == ACCEPTED and claim.attribute in attributes.SINGLE_VALUED:
            values[(claim.attribute, claim.scope)].add(claim.value_key)
    return values


def values_conflict(value_kind: str, keys) -> bool:
    keys = list(keys)
    return any(not values_agree(value_kind, a, b) for i, a in enumerate(keys) for b in keys[i + 1 :])


def event_date_of(claim: Claim) -> tuple[datetime.date, str]:
    """When what the claim reports happened: its event date, else as of, else the source's date."""
    if claim.event_date:
        return claim.event_date, claim.event_date_precision or choices.DatePrecision.DAY
    if claim.as_of:
        return claim.as_of, choices.DatePrecision.DAY
    if claim.source_id and claim.source.published_on:
        return claim.source.published_on, choices.DatePrecision.DAY
    return timezone.localdate(), choices.DatePrecision.DAY


def refresh_project(
    project: Project,
    *,
    previous_status: str | None = None,
    status_date=None,
    released: tuple[str, ...] = (),
    site_moved: bool = False,
) -> Project:
    """Bring every derived value of a locked project in line with its records; returns the project.

    ``previous_status`` is the status before the service's edit, so a change typed by hand
    gets its dated step in the status history too (``status_date``, else today).
    ``released`` names the attributes whose headline claim the service took away: with no
    accepted claim left to take over, their value goes too. ``site_moved``: the site's
    coordinates changed, so the grid distances are measured again.
    """
    claims = list(Claim._base_manager.filter(project_id=project.pk).select_related("source", "value_organization"))
    by_attribute: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_attribute[claim.attribute].append(claim)

    status_before = project.status if previous_status is None else previous_status
    shown = {name: getattr(project, name) for name in FIGURE_COLUMNS}
    plan = _plan_headlines(project, by_attribute, released)
    changed = _refresh_figures(project, by_attribute, plan.taken - set(released), plan.unshowable)
    try:
        _validate(project, changed)
    except ValidationError:
        if not plan.passed_on:
            raise
        # A claim next in line that the project cannot show (an announcement after the target
        # year) must not stop the write: the headline goes to the latest one that fits.
        plan.undo()
        for name, value in shown.items():
            setattr(project, name, value)
        plan = _plan_headlines(project, by_attribute, released, only_fitting=True)
        changed = _refresh_figures(project, by_attribute, plan.taken - set(released), plan.unshowable)
        _validate(project, changed)
    plan.write()
    conflicts = _refresh_conflicts(claims)
    if project.conflict_count != conflicts:
        project.conflict_count = conflicts
        changed.add("conflict_count")
    if changed:
        project.save(update_fields=sorted(changed))
    if project.status != status_before:
        _record_status(project, by_attribute.get(choices.ClaimAttribute.STATUS, []), status_date)
    # Roles and connections follow their claims (a role a deleted claim backed went with it).
    if choices.ClaimAttribute.ORGANIZATION in by_attribute:
        _refresh_roles(project, by_attribute[choices.ClaimAttribute.ORGANIZATION])
    if site_moved or choices.ClaimAttribute.SUBSTATION in by_attribute:
        _refresh_grid_connections(project, by_attribute.get(choices.ClaimAttribute.SUBSTATION, []))
    # Its name, aliases, municipality and the organizations readers see in its roles, for text search.
    refresh_search([project.pk])
    return project


# The project columns the figures feed, and the list of those typed by hand.
FIGURE_COLUMNS = (*(name for attribute in attributes.FIGURES for name in attribute.fields), "typed_by_hand")


def _validate(project: Project, changed: set[str]):
    """What the sources now say may not fit a column (a figure with too many digits) or may break
    a rule across figures (an announcement after the target year): refused with the field's or
    the rule's message, and the whole write with it."""
    if changed:
        project.clean_fields(exclude=[f.name for f in project._meta.concrete_fields if f.attname not in changed])
        project.clean()
        project.validate_constraints()


@dataclass
class HeadlinePlan:
    """Which claims lose and take the headline, flipped in memory until ``write()``."""

    clear: list[Claim]
    take: list[Claim]
    unshowable: set[str]
    passed_on: set[str]

    @property
    def taken(self) -> set[str]:
        """The attributes that had no headline and now have one."""
        return {claim.attribute for claim in self.take}

    def undo(self):
        for claim in self.clear:
            claim.is_headline = True
        for claim in self.take:
            claim.is_headline = False

    def write(self):
        # Cleared first: the database allows one headline per attribute at any moment.
        _set_headline(self.clear, False)
        _set_headline(self.take, True)


def _plan_headlines(
    project: Project, by_attribute: dict[str, list[Claim]], released: tuple[str, ...], *, only_fitting: bool = False
) -> HeadlinePlan:
    """One headline per figure attribute with accepted whole-project claims, none elsewhere.

    With none, the latest accepted claim takes it. ``only_fitting``: when the headline passes on
    (the one before was rejected, deleted or reverted), it goes to the latest claim whose value
    the project can show beside its other figures; with none that fits, the latest takes the
    headline and the figure is left empty, typed by hand ("typed by hand; sources say ...").
    """
    plan = HeadlinePlan([], [], set(), set())
    for name, claims in by_attribute.items():
        eligible = [c for c in claims if c.status == ACCEPTED and c.scope == WHOLE_PROJECT]
        headlines = [c for c in claims if c.is_headline]
        keep = next((c for c in headlines if c in eligible), None)
        if name in attributes.MULTI_VALUED or not eligible:
            keep = None
        elif keep is None:
            candidates = sorted(eligible, key=headline_order, reverse=True)
            attribute = attributes.ATTRIBUTES.get(name)
            if (headlines or name in released) and attribute is not None and attribute.is_figure:
                plan.passed_on.add(name)
                if only_fitting and name not in project.typed_by_hand:
                    keep = next((c for c in candidates if _fits(project, attribute, c)), None)
                    if keep is None:
                        plan.unshowable.add(name)
            keep = keep or candidates[0]
            plan.take.append(keep)
        plan.clear += [c for c in headlines if c is not keep]
    for claim in plan.clear:
        claim.is_headline = False
    for claim in plan.take:
        claim.is_headline = True
    return plan


def _fits(project: Project, attribute: attributes.Attribute, claim: Claim) -> bool:
    """Whether the project could show this claim's value beside its other figures."""
    values = attribute.project_values(claim)
    if project_shows(project, values):
        return True
    trial = copy.copy(project)
    for name, value in values.items():
        setattr(trial, name, value)
    try:
        trial.clean_fields(exclude=[f.name for f in project._meta.concrete_fields if f.attname not in values])
        trial.clean()
    except ValidationError:
        return False
    return trial.check_constraints_hold()


def _set_headline(claims: list[Claim], value: bool):
    """Flip the flag of claims read under the project's lock, logged from the copies in memory."""
    if not claims:
        return
    # Flipped in memory already: the record before the write had the other value.
    before = {claim.pk: {**changes.serialize(claim), "is_headline": not value} for claim in claims}
    now = timezone.now()
    Claim._base_manager.filter(pk__in=[claim.pk for claim in claims]).update(
        is_headline=value, version=F("version") + 1, last_updated=now
    )
    for claim in claims:
        claim.is_headline, claim.version, claim.last_updated = value, claim.version + 1, now
    changes.record_many(
        changes.build_change(claim, ObjectChange.Action.UPDATE, before[claim.pk], changes.serialize(claim))
        for claim in claims
    )


def _refresh_figures(
    project: Project, by_attribute: dict[str, list[Claim]], first_backed: set[str], unshowable: set[str] = frozenset()
) -> set[str]:
    """Each figure's columns from its headline, unless typed by hand; returns the columns changed.

    ``first_backed``: attributes that just got a headline with none before it in this write;
    a value typed while no source backed them gives way to it. ``unshowable``: attributes
    whose accepted claims all break a rule across figures: emptied and marked typed by hand,
    so readers see "typed by hand; sources say ...".
    """
    changed: set[str] = set()
    typed = set(project.typed_by_hand)
    for attribute in attributes.FIGURES:
        headline = next((c for c in by_attribute.get(attribute.name, []) if c.is_headline), None)
        if attribute.name in unshowable:
            typed.add(attribute.name)
            changed |= _show(project, figure_values(attribute, None))
            continue
        values = figure_values(attribute, headline)
        if attribute.name in first_backed:
            typed.discard(attribute.name)
        if project_shows(project, values):
            typed.discard(attribute.name)  # what the sources say (or nothing, as they say nothing)
            continue
        if attribute.name in typed:
            continue
        changed |= _show(project, values)
    typed_list = sorted(typed)
    if typed_list != sorted(project.typed_by_hand):
        project.typed_by_hand = typed_list
        changed.add("typed_by_hand")
    return changed


def _show(project: Project, values: dict) -> set[str]:
    changed = set()
    for name, value in values.items():
        if getattr(project, name) != value:
            setattr(project, name, value)
            changed.add(name)
    return changed


def _refresh_conflicts(claims: list[Claim]) -> int:
    """Flag disagreeing claims (a proposed one too, when it contradicts an accepted one); count the disputes."""
    accepted = disputed_groups(claims)
    disputed = {group for group, keys in accepted.items() if values_conflict(attributes.value_kind(group[0]), keys)}
    flag, clear = [], []
    for claim in claims:
        group = (claim.attribute, claim.scope)
        if claim.status == ACCEPTED:
            conflicting = group in disputed
        elif claim.status == PROPOSED and group in accepted:
            conflicting = not any(values_agree(claim.value_kind, claim.value_key, key) for key in accepted[group])
        else:
            conflicting = False
        if conflicting != claim.in_conflict:
            claim.in_conflict = conflicting
            (flag if conflicting else clear).append(claim.pk)
    # Derived flags, left out of the change log (which records the claims themselves).
    if flag:
        Claim._base_manager.filter(pk__in=flag).update(in_conflict=True)
    if clear:
        Claim._base_manager.filter(pk__in=clear).update(in_conflict=False)
    return len({attribute for attribute, _scope in disputed})


def _record_status(project: Project, status_claims: list[Claim], status_date):
    step = status_step(project, status_claims, status_date)
    step.full_clean()
    step.save()


def status_step(project: Project, status_claims: list[Claim], status_date) -> ProjectStatusChange:
    """A dated step in the lifecycle (unsaved): dated by the event the headline claim reports, or by the edit."""
    headline = next((c for c in status_claims if c.is_headline and c.value_text == project.status), None)
    if headline is not None and project.status not in project.typed_by_hand:
        date, precision = event_date_of(headline)
        source, claim = headline.source, headline
    else:
        date, precision = status_date or timezone.localdate(), choices.DatePrecision.DAY
        source, claim = None, None
    return ProjectStatusChange(
        project=project, status=project.status, date=date, date_precision=precision, source=source, claim=claim
    )


def first_status(project: Project, date=None, precision=None):
    step = first_status_step(project, date, precision)
    step.full_clean()
    step.save()


def first_status_step(project: Project, date=None, precision=None) -> ProjectStatusChange:
    """The first step of a new project's lifecycle (unsaved)."""
    return ProjectStatusChange(
        project=project,
        status=project.status,
        date=date or project.announced_on or timezone.localdate(),
        date_precision=precision or (project.announced_precision if project.announced_on and not date else "day"),
    )


def _refresh_roles(project: Project, organization_claims: list[Claim]):
    """Each accepted organization claim with a role backs a role; a role whose claims are gone goes too."""
    backing: dict[tuple[int, str], Claim] = {}
    for claim in sorted(organization_claims, key=lambda c: c.pk):
        if claim.status == ACCEPTED and claim.role and claim.value_organization_id:
            backing.setdefault((claim.value_organization_id, claim.role), claim)
    backed_ids = {c.pk for c in organization_claims}
    roles = {(r.organization_id, r.role): r for r in ProjectRole.objects.filter(project=project)}
    for key, claim in backing.items():
        role = roles.get(key)
        if role is None:
            role = ProjectRole(project=project, organization_id=key[0], role=key[1], source=claim.source, claim=claim)
            role.full_clean()
            role.save()
        elif role.claim_id != claim.pk and (role.claim_id is None or role.claim_id in backed_ids):
            role.claim, role.source = claim, role.source or claim.source
            role.save(update_fields=["claim", "source"])
    for key, role in roles.items():
        # Only roles that came from a claim follow it; roles typed by hand stay.
        if key not in backing and role.claim_id is not None and role.claim_id in backed_ids:
            role.delete()


def _refresh_grid_connections(project: Project, substation_claims: list[Claim]):
    accepted_names = {}
    for claim in sorted(substation_claims, key=lambda c: c.pk):
        if claim.status == ACCEPTED:
            accepted_names.setdefault(claim.value_text.casefold(), claim)
    connections = list(GridConnection.objects.filter(project=project).select_related("substation"))
    if accepted_names:
        substations = {
            s.name.casefold(): s for s in Substation.objects.filter(name__iregex=_names_pattern(accepted_names))
        }
        present = {c.substation_id for c in connections}
        for name, claim in accepted_names.items():
            substation = substations.get(name)
            if substation is not None and substation.pk not in present:
                connection = GridConnection(project=project, substation=substation, source=claim.source, claim=claim)
                connection.full_clean()
                connection.save()
                connections.append(connection)
    backed_ids = {c.pk for c in substation_claims if c.status == ACCEPTED}
    for connection in connections:
        if connection.claim_id is not None and connection.claim_id not in backed_ids:
            # The claim behind it is gone: the connection stays, as typed by hand, with what editors added.
            connection.claim = None
            connection.save(update_fields=["claim"])
    refresh_distances(connections, project)


def _names_pattern(names) -> str:
    return "^(" + "|".join(re.escape(name) for name in names) + ")$"


def connection_distance(site, substation) -> float | None:
    point = substation.point if substation is not None else None
    return round(distance_km(site, point), 2) if site and point else None


def refresh_distances(connections, project: Project | None = None):
    """Geodesic distance between each connection's site and substation, written where it changed."""
    for connection in connections:
        site = (project or connection.project).point
        distance = connection_distance(site, connection.substation if connection.substation_id else None)
        if connection.distance_km != distance:
            connection.distance_km = distance
            GridConnection._base_manager.filter(pk=connection.pk).update(distance_km=distance)
