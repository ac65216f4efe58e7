"""The follow button and the correction form, as small includes of the public pages."""

from django import template

from projects.following.forms import CorrectionForm
from projects.following.models import Follow

register = template.Library()


@register.inclusion_tag("following/_project_actions.html", takes_context=True)
def project_actions(context, project):
    """Follow or unfollow the project (one query for a signed-in reader), and the correction form."""
    request = context["request"]
    user = getattr(request, "user", None)
    follow = None
    if user is not None and user.is_authenticated:
        follow = Follow.objects.filter(user=user, kind=Follow.Kind.PROJECT, project=project).first()
    return {
        "request": request,
        "project": project,
        "follow": follow,
        "correction_form": CorrectionForm(project=project),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("following/_save_search.html", takes_context=True)
def save_search(context):
    """Save the list page's search, for a signed-in reader."""
    request = context["request"]
    return {"request": request, "csrf_token": context.get("csrf_token")}


@register.simple_tag
def notification_text(notification):
    """What happened, in the reader's language, read from what the notification keeps."""
    from django.utils.translation import gettext as _

    from projects import choices
    from projects.following.models import Event

    data = notification.data or {}
    name = (data.get("project") or {}).get("name") or (notification.project.name if notification.project else "")
    if notification.event == Event.CLAIM_ACCEPTED:
        claim = notification.claim
        if claim is not None:
            return _("%(project)s: %(attribute)s, %(value)s (accepted from a source)") % {
                "project": name,
                "attribute": claim.get_attribute_display(),
                "value": claim.display_value,
            }
        return _("%(project)s: a claim was accepted") % {"project": name}
    if notification.event == Event.STATUS_CHANGED:
        status = (data.get("status") or {}).get("to")
        label = choices.ProjectStatus(status).label if status in choices.ProjectStatus.values else status
        return _("%(project)s: the status is now %(status)s") % {"project": name, "status": label}
    return _("%(project)s was published") % {"project": name}
