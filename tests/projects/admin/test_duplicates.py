"""Possible duplicates in the admin, the side-by-side confirmation and the merge it posts."""

import pytest
from django.contrib.auth.models import Permission

from projects import services
from projects.models import Claim, Organization, Project, ProjectRedirect
from tests.factories import OrganizationFactory, ProjectFactory, UserFactory
from tests.projects.admin.helpers import messages_of
from tests.projects.test_merge import organization_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    developer = OrganizationFactory(name="Fluidstack")
    first = ProjectFactory(name="Escaudain AI Data Center")
    organization_claim(first, developer)
    second = ProjectFactory(name="Projet Fluidstack <script>alert(1)</script>", latitude=50.3335, longitude=3.345)
    organization_claim(second, developer)
    ProjectFactory(name="Hainaut Logistics Hub")  # same town, nothing else in common
    return Project.objects.get(pk=first.pk), Project.objects.get(pk=second.pk)


def test_the_list_links_to_the_possible_duplicates_each_with_its_reasons(admin_client, pair):
    first, second = pair
    assert "/admin/projects/project/duplicates/" in admin_client.get("/admin/projects/project/").content.decode()
    page = admin_client.get("/admin/projects/project/duplicates/")
    assert page.status_code == 200
    [row] = page.context["suggestions"]
    assert row["suggestion"].pair == (first.pk, second.pk)
    html = page.content.decode()
    assert (
        "organization in common: Fluidstack" in html
        and f"/admin/projects/project/merge/{first.pk}/{second.pk}/" in html
    )
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html  # names are text


def test_merging_from_the_side_by_side_page(admin_client, pair):
    first, second = pair
    url = f"/admin/projects/project/merge/{first.pk}/{second.pk}/"
    page = admin_client.get(url)
    rows = {row.label: (row.first, row.second) for row in page.context["rows"]}
    assert rows["Name"] == (first.name, second.name)
    assert rows["Claims"] == ("1", "1")
    assert page.context["suggestion"].score >= 70
    assert f"/admin/projects/project/merge/{second.pk}/{first.pk}/" in page.content.decode()  # keep the other
    answer = admin_client.post(url, {"target_version": first.version, "merged_version": second.version}, follow=True)
    assert answer.redirect_chain[-1][0] == f"/admin/projects/project/{first.pk}/change/"
    assert "its old address leads here" in " ".join(messages_of(answer))
    assert not Project.objects.filter(pk=second.pk).exists()
    assert Claim.objects.filter(project=first).count() == 2
    # the merged record's admin address leads to the kept one
    moved = admin_client.get(f"/admin/projects/project/{second.pk}/change/")
    assert moved.status_code == 302 and moved["Location"] == f"/admin/projects/project/{first.pk}/change/"


def test_a_record_saved_after_the_page_was_shown_is_not_merged(admin_client, pair):
    first, second = pair
    url = f"/admin/projects/project/merge/{first.pk}/{second.pk}/"
    seen = admin_client.get(url).context
    services.project_update(project=Project.objects.get(pk=second.pk), data={"description": "edited meanwhile"})
    answer = admin_client.post(
        url, {"target_version": seen["keep"].version, "merged_version": seen["other"].version}, follow=True
    )
    assert answer.status_code == 200
    assert "after you opened it. Nothing was saved" in " ".join(messages_of(answer))
    assert Project.objects.filter(pk=second.pk).exists() and not ProjectRedirect.objects.exists()


def test_the_list_action_leads_to_the_confirmation_of_the_two_selected(admin_client, pair):
    first, second = pair
    answer = admin_client.post(
        "/admin/projects/project/",
        {"action": "merge_selected", "_selected_action": [second.pk, first.pk]},
    )
    assert answer.status_code == 302 and answer["Location"] == f"/admin/projects/project/merge/{first.pk}/{second.pk}/"
    three = admin_client.post(
        "/admin/projects/project/",
        {"action": "merge_selected", "_selected_action": list(Project.objects.values_list("pk", flat=True))},
        follow=True,
    )
    assert "Select exactly two records to merge." in messages_of(three)


def test_merging_needs_the_permissions_to_change_and_to_delete(client, pair):
    first, second = pair
    editor = UserFactory(username="no-delete", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(codename__in=["view_project", "change_project"]))
    client.force_login(editor)
    assert client.get("/admin/projects/project/duplicates/").status_code == 200
    assert "Compare and merge" not in client.get("/admin/projects/project/duplicates/").content.decode()
    url = f"/admin/projects/project/merge/{first.pk}/{second.pk}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"target_version": first.version, "merged_version": second.version}).status_code == 403
    actions = client.get("/admin/projects/project/").context["action_form"].fields["action"].choices
    assert "merge_selected" not in [name for name, _label in actions]
    assert Project.objects.filter(pk=second.pk).exists()


def test_organizations_are_merged_the_same_way(admin_client):
    kept = OrganizationFactory(name="Fluidstack", website="https://fluidstack.io")
    twin = OrganizationFactory(name="Fluidstack Ltd", website="https://www.fluidstack.io/")
    project = ProjectFactory()
    organization_claim(project, twin)
    page = admin_client.get("/admin/projects/organization/duplicates/")
    assert [row["suggestion"].pair for row in page.context["suggestions"]] == [(kept.pk, twin.pk)]
    url = f"/admin/projects/organization/merge/{kept.pk}/{twin.pk}/"
    assert url in admin_client.get(f"/admin/projects/organization/{kept.pk}/change/").content.decode()
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"target_version": kept.version, "merged_version": twin.version})
    assert not Organization.objects.filter(pk=twin.pk).exists()
    assert Claim.objects.get(project=project).value_organization_id == kept.pk


def test_the_pages_speak_french(admin_client, pair):
    first, second = pair
    page = admin_client.get("/admin/projects/project/duplicates/", HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert "Doublons possibles" in html and "organisation en commun : Fluidstack" in html
    merge = admin_client.get(f"/admin/projects/project/merge/{first.pk}/{second.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Fusionner" in merge.content.decode()


def test_a_project_s_page_names_its_possible_duplicates(admin_client, client, pair):
    first, second = pair
    page = admin_client.get(f"/admin/projects/project/{first.pk}/change/")
    [row] = page.context["possible_duplicates"]
    assert row["suggestion"].second == second
    html = page.content.decode()
    assert 'id="possible-duplicates"' in html and f"/admin/projects/project/merge/{first.pk}/{second.pk}/" in html
    # without the permission to delete, the page names them without offering the merge
    editor = UserFactory(username="no-delete", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(codename__in=["view_project", "change_project"]))
    client.force_login(editor)
    html = client.get(f"/admin/projects/project/{first.pk}/change/").content.decode()
    assert 'id="possible-duplicates"' in html and "/merge/" not in html


def test_the_possible_duplicates_page_runs_as_many_queries_for_many_projects_as_for_few(
    admin_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def twins(start, count):
        for n in range(start, start + count):
            developer = OrganizationFactory(name=f"Developer {n}")
            for name in (f"Campus Alpha {n}", f"Alpha {n} data center"):
                organization_claim(
                    ProjectFactory(name=name, municipality=f"Commune {chr(65 + n) * 2}", latitude=45 + n, longitude=2),
                    developer,
                )

    twins(0, 2)
    with CaptureQueriesContext(connection) as few:
        assert len(admin_client.get("/admin/projects/project/duplicates/").context["suggestions"]) == 2
    twins(2, 10)
    with django_assert_max_num_queries(len(few)):
        assert len(admin_client.get("/admin/projects/project/duplicates/").context["suggestions"]) == 12


def test_a_merge_posted_without_the_versions_seen_is_refused(admin_client, pair):
    first, second = pair
    url = f"/admin/projects/project/merge/{first.pk}/{second.pk}/"
    for data in ({}, {"target_version": first.version}, {"target_version": "1e3", "merged_version": "²"}):
        answer = admin_client.post(url, data)
        assert answer.status_code == 200
        assert "was sent without the version it was opened with" in " ".join(messages_of(answer))
    assert Project.objects.filter(pk=second.pk).exists()
    assert admin_client.get("/admin/projects/project/merge/999999/1/").status_code == 404
