"""The services behind each model, for the generic code in ``core`` (admin forms, revert, restore)."""

from __future__ import annotations

from projects.services import claims, projects, records


class RecordWriter:
    def save(self, instance, data, user, expected_version=None):
        return records.record_save(instance=instance, data=data, user=user, expected_version=expected_version)

    def delete(self, instance, user, expected_version=None):
        records.record_delete(instance=instance, user=user, expected_version=expected_version)

    def revert(self, instance, data, user):
        return records.record_save(instance=instance, data=data, user=user, expected_version=instance.version)

    def restore(self, model, pk, data, user):
        return records.record_restore(model=model, pk=pk, values=data, user=user)


class ProjectWriter(RecordWriter):
    def save(self, instance, data, user, expected_version=None):
        if instance._state.adding:
            return projects.project_create(data=_columns(instance), user=user)
        return projects.project_update(project=instance, data=data or {}, user=user, expected_version=expected_version)

    def delete(self, instance, user, expected_version=None):
        projects.project_delete(project=instance, user=user, expected_version=expected_version)

    def revert(self, instance, data, user):
        # Which figures are typed by hand follows from the reverted values and today's headlines.
        data = {name: value for name, value in data.items() if name not in projects.DERIVED_FIELDS}
        return projects.project_update(project=instance, data=data, user=user)


class ClaimWriter(RecordWriter):
    def save(self, instance, data, user, expected_version=None):
        if instance._state.adding:
            return claims.claim_create(data=_columns(instance), user=user)
        return claims.claim_update(claim=instance, data=data or {}, user=user, expected_version=expected_version)

    def delete(self, instance, user, expected_version=None):
        claims.claim_delete(claim=instance, user=user, expected_version=expected_version)

    def revert(self, instance, data, user):
        return claims.claim_revert(claim=instance, data=data, user=user)


def _columns(instance) -> dict:
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.editable and not f.primary_key
    }


def register_all():
    from django.apps import apps

    from core.models import TrackedModel
    from core.writes import register_writer
    from projects.models import Claim, Project

    special = {Project: ProjectWriter(), Claim: ClaimWriter()}
    for model in apps.get_app_config("projects").get_models():
        if issubclass(model, TrackedModel):
            register_writer(model, special.get(model, RecordWriter()))
