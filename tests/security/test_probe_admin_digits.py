"""Admin addresses and form fields that take a number refuse digits int() cannot read ("²", "٣")."""

import pytest

from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["project", "organization"])
def test_a_change_page_named_by_a_superscript_digit_is_not_found(admin_client, model):
    # "²".isdigit() is true and int("²") raises: the merged-record redirect must not read it as an ID
    answer = admin_client.get(f"/admin/projects/{model}/%C2%B2/change/")
    assert answer.status_code in (302, 404)


def test_a_change_page_named_by_an_id_still_opens(admin_client):
    project = ProjectFactory()
    assert admin_client.get(f"/admin/projects/project/{project.pk}/change/").status_code == 200
