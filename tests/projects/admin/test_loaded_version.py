"""The admin refuses an edit sent without the version the record was opened with.

Every change form carries it (a hidden ``loaded_version``, on the record and on each inline row);
a POST without it cannot be checked against a colleague's save, so it is refused with a message,
never written without the check.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects import choices, services
from projects.models import Organization, Project
from tests.factories import OrganizationFactory
from tests.projects.admin.helpers import changeform_data, inline_prefix

pytestmark = pytest.mark.django_db

MISSING = "was sent without the version it was opened with"


def change_url(instance):
    opts = instance._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])


def row_index(data, prefix, instance) -> int:
    return next(
        i for i in range(int(data[f"{prefix}-TOTAL_FORMS"])) if data.get(f"{prefix}-{i}-id") == str(instance.pk)
    )


def test_a_project_edit_without_its_version_is_refused(admin_client, demo):
    data = changeform_data(admin_client.get(change_url(demo)))
    del data["loaded_version"]
    data["capacity_mw"] = "720"
    response = admin_client.post(change_url(demo), data)
    assert response.status_code == 200  # the form again, with the refusal
    assert MISSING in response.content.decode()
    demo.refresh_from_db()
    assert demo.capacity_mw == Decimal("700")


def test_it_does_not_overwrite_a_colleagues_edit(admin_client, demo):
    data = changeform_data(admin_client.get(change_url(demo)))
    services.project_update(project=Project.objects.get(pk=demo.pk), data={"name": "Renamed by a colleague"})
    data["loaded_version"] = ""  # sent empty: nothing to compare with
    data["capacity_mw"] = "720"
    response = admin_client.post(change_url(demo), data)
    assert response.status_code == 200 and MISSING in response.content.decode()
    demo.refresh_from_db()
    assert (demo.name, demo.capacity_mw) == ("Renamed by a colleague", Decimal("700"))


def test_any_tracked_record_is_refused_the_same_way(admin_client):
    organization = OrganizationFactory(name="Data4")
    data = changeform_data(admin_client.get(change_url(organization)))
    del data["loaded_version"]
    data["name"] = "Data4 Group"
    response = admin_client.post(change_url(organization), data)
    assert response.status_code == 200 and MISSING in response.content.decode()
    assert Organization.objects.get(pk=organization.pk).name == "Data4"


def test_an_inline_row_edited_without_its_version_is_refused(admin_client, demo):
    page = admin_client.get(change_url(demo))
    data = changeform_data(page)
    claim = demo.claims.get(attribute=choices.ClaimAttribute.CAPACITY_MW, is_headline=True)
    prefix = inline_prefix(page, type(claim))
    row = row_index(data, prefix, claim)
    del data[f"{prefix}-{row}-loaded_version"]
    data[f"{prefix}-{row}-quote"] = "Reworded"
    response = admin_client.post(change_url(demo), data)
    assert response.status_code == 200 and MISSING in response.content.decode()
    claim.refresh_from_db()
    assert claim.quote != "Reworded"


@pytest.mark.parametrize("parts", ["claims", "roles"])
def test_an_inline_row_deleted_without_its_version_is_refused(admin_client, demo, parts):
    page = admin_client.get(change_url(demo))
    data = changeform_data(page)
    row = getattr(demo, parts).order_by("pk").first()
    prefix = inline_prefix(page, type(row))
    index = row_index(data, prefix, row)
    del data[f"{prefix}-{index}-loaded_version"]
    data[f"{prefix}-{index}-DELETE"] = "on"
    response = admin_client.post(change_url(demo), data)
    assert response.status_code == 200 and MISSING in response.content.decode()
    assert type(row).objects.filter(pk=row.pk).exists()


def test_with_its_version_the_same_edit_is_saved(admin_client, demo):
    data = changeform_data(admin_client.get(change_url(demo)))
    assert data["loaded_version"] == str(demo.version)
    data["capacity_mw"] = "720"
    assert admin_client.post(change_url(demo), data).status_code == 302
    demo.refresh_from_db()
    assert demo.capacity_mw == Decimal("720")


def test_an_untouched_row_without_its_version_is_not_written_and_not_refused(admin_client, demo):
    page = admin_client.get(change_url(demo))
    data = changeform_data(page)
    role = demo.roles.order_by("pk").first()
    prefix = inline_prefix(page, type(role))
    del data[f"{prefix}-{row_index(data, prefix, role)}-loaded_version"]
    version = type(role).objects.get(pk=role.pk).version
    data["capacity_mw"] = "720"
    assert admin_client.post(change_url(demo), data).status_code == 302
    assert type(role).objects.get(pk=role.pk).version == version
