"""Claims: recording what a source says, reviewing it, choosing the headline, removing it.

Every function locks the claim's project first, applies its change, then lets
``refresh_project`` recompute what follows (headline, figures, conflicts, roles), so
concurrent writes on one project happen one after the other and none undoes another.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.changes import snapshot
from core.writes import service
from projects import attributes, choices
from projects.models import Claim, Project, ProjectRole
from projects.services.base import apply, check_version, lock_project, may_review, require_review, save_validated
from projects.services.derived import refresh_project

ACCEPTED = choices.ClaimStatus.ACCEPTED
PROPOSED = choices.ClaimStatus.PROPOSED
REJECTED = choices.ClaimStatus.REJECTED

# A claim's words and notes, not its value: rewording them needs no review.
CLAIM_WORDING_FIELDS = frozenset({"quote", "quote_start", "quote_end", "note"})
# Set by the review actions and the services, never by an edit.
REVIEW_FIELDS = frozenset({"status", "is_headline", "in_conflict", "reviewed_by", "reviewed_at", "value_key"})


def prepare(claim: Claim):
    """The claim's values that follow from the others: kind, unit, date precision, comparable value."""
    claim.value_kind = attributes.value_kind(claim.attribute)
    if not claim.unit:
        claim.unit = attributes.unit(claim.attribute)
    if claim.value_kind == choices.ValueKind.DATE and not claim.value_date_precision:
        claim.value_date_precision = choices.DatePrecision.DAY
    if claim.event_date and not claim.event_date_precision:
        claim.event_date_precision = choices.DatePrecision.DAY
    if claim.as_of is None and claim.source_id and claim.source.published_on:
        claim.as_of = claim.source.published_on
    claim.value_key = claim.compute_value_key()[:600]


def _refresh(claim: Claim, released: tuple[str, ...] = ()):
    if claim.project_id is None:
        return
    project = getattr(claim, "_locked_project", None)
    if project is None or project.pk != claim.project_id:
        project = lock_project(claim.project_id)
    refresh_project(project, released=released)


def _released(before: Claim, after: Claim | None) -> tuple[str, ...]:
    """The attribute whose headline a write takes away (rejected, deleted, moved to another attribute or scope)."""
    if not before.is_headline:
        return ()
    if after is None or not after.is_headline or (after.attribute, after.scope) != (before.attribute, before.scope):
        return (before.attribute,)
    return ()


def _lock(claim: Claim, expected_version: int | None) -> Claim:
    """Lock the project, then the claim as it is now; refuse an edit prepared against an older version."""
    project = lock_project(claim.project_id) if claim.project_id is not None else None
    current = snapshot(Claim._base_manager.select_for_update(of=("self",)).select_related("source").get(pk=claim.pk))
    check_version(current, claim.version if expected_version is None else expected_version)
    current._locked_project = project
    return current


def check_fits(claim: Claim):
    """An accepted figure must be one the project can show: its value fits the project's column."""
    attribute = attributes.ATTRIBUTES.get(claim.attribute)
    if claim.status != ACCEPTED or attribute is None or not attribute.is_figure or claim.project_id is None:
        return
    if claim.scope != choices.ClaimScope.PROJECT:
        return
    value_field = {choices.ValueKind.DATE: "value_date", choices.ValueKind.TEXT: "value_text"}.get(
        attribute.value_kind, "value_number"
    )
    if getattr(claim, value_field) is None:
        return  # no value to fit: the claim's own validation asks for one
    for name, value in attribute.project_values(claim).items():
        try:
            Project._meta.get_field(name).clean(value, None)
        except ValidationError as error:
            raise ValidationError({value_field: error.messages}) from None


def _write(claim: Claim, current: Claim, released: tuple[str, ...] = ()) -> Claim:
    """Save the edited copy, recompute what follows on its project, and give the caller's instance its state."""
    prepare(current)
    check_fits(current)
    save_validated(current)
    _refresh(current, released)
    current.refresh_from_db()
    _follow(claim, current)
    return current


def _follow(target: Claim, saved: Claim):
    if target is not saved:
        for field in saved._meta.concrete_fields:
            setattr(target, field.attname, getattr(saved, field.attname))


@service
def claim_create(*, data: dict, user=None) -> Claim:
    """Record a claim. Only a reviewer (or a command) records it as accepted; anyone else proposes it."""
    data = dict(data)
    status = data.pop("status", PROPOSED) or PROPOSED
    for name in REVIEW_FIELDS:
        data.pop(name, None)
    if data.get("project") is not None:
        lock_project(data["project"].pk)
    elif data.get("project_id") is not None:
        lock_project(data["project_id"])
    claim = Claim(**data)
    if status == ACCEPTED and may_review(user):
        claim.status = ACCEPTED
        _reviewed(claim, user)
    elif status == REJECTED and may_review(user):
        claim.status = REJECTED
        _reviewed(claim, user)
    else:
        claim.status = PROPOSED
    prepare(claim)
    check_fits(claim)
    save_validated(claim)
    _refresh(claim)
    claim.refresh_from_db()
    return claim


def _reviewed(claim: Claim, user):
    claim.reviewed_by = user if getattr(user, "is_authenticated", False) else None
    claim.reviewed_at = timezone.now()


@service
def claim_update(*, claim: Claim, data: dict, user=None, expected_version: int | None = None) -> Claim:
    """Edit a claim. Changing what an accepted claim says is a review decision."""
    current = _lock(claim, expected_version)
    data = {name: value for name, value in data.items() if name not in REVIEW_FIELDS}
    changed = {name for name, value in data.items() if getattr(current, name) != value}
    if current.status == ACCEPTED and changed - CLAIM_WORDING_FIELDS:
        require_review(
            user,
            _("This claim is accepted: changing its value changes what readers see. Propose a new claim instead."),
        )
    was = _snapshot(current)
    apply(current, data)
    if (current.attribute, current.scope) != (was.attribute, was.scope):
        current.is_headline = False
    return _write(claim, current, _released(was, current))


def _snapshot(claim: Claim) -> Claim:
    return Claim(attribute=claim.attribute, scope=claim.scope, is_headline=claim.is_headline)


@service
def claim_accept(*, claim: Claim, user=None, expected_version: int | None = None) -> Claim:
    require_review(user, _("Accepting a claim is a review decision."))
    current = _lock(claim, expected_version)
    if current.source_id is None:
        raise ValidationError({"source": _("A claim without a source cannot be accepted.")})
    current.status = ACCEPTED
    _reviewed(current, user)
    return _write(claim, current)


@service
def claim_reject(*, claim: Claim, user=None, note: str = "", expected_version: int | None = None) -> Claim:
    """Reject a claim; if it was the headline, the latest remaining accepted claim takes over."""
    require_review(user, _("Rejecting a claim is a review decision."))
    current = _lock(claim, expected_version)
    was = _snapshot(current)
    current.status = REJECTED
    current.is_headline = False
    _reviewed(current, user)
    if note:
        current.note = note
    return _write(claim, current, _released(was, current))


@service
def claim_set_headline(*, claim: Claim, user=None, expected_version: int | None = None) -> Claim:
    """Make an accepted claim the value the project shows (resolving a conflict, or a figure typed by hand)."""
    require_review(user, _("Choosing the figure readers see is a review decision."))
    current = _lock(claim, expected_version)
    if current.status != ACCEPTED:
        raise ValidationError({"status": _("Only an accepted claim can be the headline figure.")})
    if current.project_id is None:
        raise ValidationError({"project": _("Only a claim about a project can be its headline figure.")})
    if current.scope != choices.ClaimScope.PROJECT:
        raise ValidationError({"scope": _("Only a figure about the whole project can be its headline.")})
    if current.attribute in attributes.MULTI_VALUED:
        raise ValidationError({"attribute": _("This attribute holds several values; none is the headline.")})
    project = lock_project(current.project_id)
    Claim.objects.filter(project_id=current.project_id, attribute=current.attribute, is_headline=True).exclude(
        pk=current.pk
    ).update(is_headline=False)
    if not current.is_headline:
        current.is_headline = True
        current.save(update_fields=["is_headline"])
    if current.attribute in project.typed_by_hand:
        project.typed_by_hand = [name for name in project.typed_by_hand if name != current.attribute]
        project.save(update_fields=["typed_by_hand"])
    refresh_project(project)
    current.refresh_from_db()
    _follow(claim, current)
    return current


@service
def claim_delete(*, claim: Claim, user=None, expected_version: int | None = None):
    """Delete a claim; what it backed (headline, role) passes to the remaining accepted claims or is cleared."""
    current = _lock(claim, expected_version)
    if current.status == ACCEPTED:
        require_review(user, _("Deleting an accepted claim changes what readers see."))
    # Roles that came from this claim go with it (refresh recreates them from another claim that backs them).
    for role in ProjectRole.objects.filter(claim=current):
        role.delete()
    current.delete()
    _refresh(current, _released(current, None))


@service
def claim_revert(*, claim: Claim, data: dict, user=None) -> Claim:
    """Bring a claim back to an earlier version's values, review state included.

    Which claim is the headline stays the reviewers' current choice; the project then
    shows what its headline says, so the figure and its claim never come apart.
    """
    current = _lock(claim, None)
    status = data.get("status", current.status)
    changed = {name for name, value in data.items() if getattr(current, name) != value}
    if status != current.status or (current.status == ACCEPTED and changed - CLAIM_WORDING_FIELDS - {"version"}):
        require_review(user, _("Reverting a reviewed claim is a review decision."))
    was = _snapshot(current)
    apply(current, {name: value for name, value in data.items() if name not in ("is_headline", "in_conflict")})
    if current.status != ACCEPTED or (current.attribute, current.scope) != (was.attribute, was.scope):
        current.is_headline = False
    return _write(claim, current, _released(was, current))
