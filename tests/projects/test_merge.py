"""Duplicates: suggested from name, place and organizations in common; merged through the one write path
with every claim, role, part and history entry of both kept; old addresses redirect."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.admin.history import changes_of
from core.changes import actor
from core.history import restore_deleted
from core.models import ConcurrentEditError, ObjectChange
from projects import choices, services
from projects.duplicates import duplicates_for, name_similarity, organization_duplicates_for, project_suggestions
from projects.integrity import violations
from projects.models import (
    Claim,
    GridConnection,
    Milestone,
    Organization,
    OrganizationRedirect,
    OrganizationRelationship,
    Phase,
    Project,
    ProjectRedirect,
    ProjectRole,
    ProjectStatusChange,
)
from tests.factories import (
    ClaimFactory,
    OrganizationFactory,
    ProjectFactory,
    SubstationFactory,
    UserFactory,
    make,
)

ACCEPTED = choices.ClaimStatus.ACCEPTED
A = choices.ClaimAttribute


def organization_claim(project, organization, role=choices.RoleKind.DEVELOPER, status=ACCEPTED):
    return ClaimFactory(
        project=project,
        attribute=A.ORGANIZATION,
        value_number=None,
        value_organization=organization,
        role=role,
        quote=f"{organization.name} develops the site",
        status=status,
    )


@pytest.fixture
def one_project_twice(db):
    """One project recorded twice, under different names, in Escaudain, with Fluidstack in both."""
    fluidstack = OrganizationFactory(name="Fluidstack")
    town = OrganizationFactory(name="Communauté d'agglomération de la Porte du Hainaut")
    substation = SubstationFactory(name="Mastaing")
    first = ProjectFactory(name="Escaudain AI Data Center", capacity_mw=None, description="")
    ClaimFactory(project=first, value_number=Decimal("700"), status=ACCEPTED)
    organization_claim(first, fluidstack)
    ClaimFactory(
        project=first,
        attribute=A.SUBSTATION,
        value_number=None,
        value_text="Mastaing",
        quote="raccordé à Mastaing",
        status=ACCEPTED,
    )
    make(Phase, project=first, name="Phase 1", capacity_mw=Decimal("300"))
    second = ProjectFactory(
        name="Projet Fluidstack",
        aliases=["Campus IA du Hainaut"],
        capacity_mw=None,
        description="A campus on the former Usinor site.",
        latitude=50.3335,
        longitude=3.3450,
    )
    ClaimFactory(project=second, value_number=Decimal("1000"), status=ACCEPTED)  # disagrees: a conflict after
    ClaimFactory(
        project=second,
        attribute=A.INVESTMENT,
        value_number=Decimal("10000000000"),
        currency="EUR",
        quote="10 milliards d'euros",
        status=ACCEPTED,
    )
    organization_claim(second, fluidstack)  # the same role, from another source
    organization_claim(second, town, role=choices.RoleKind.PUBLIC_AUTHORITY)
    ClaimFactory(project=second, value_number=Decimal("1200"))  # proposed, waiting for review
    make(Phase, project=second, name="Phase 1", capacity_mw=Decimal("400"))
    make(Milestone, project=second, kind=choices.MilestoneKind.PERMIT_FILED, date=datetime.date(2026, 2, 1))
    make(GridConnection, project=second, substation=substation, note="typed by an editor")
    services.project_update(project=Project.objects.get(pk=second.pk), data={"status": choices.ProjectStatus.PERMITTED})
    return Project.objects.get(pk=first.pk), Project.objects.get(pk=second.pk)


def history_of(*projects):
    project_type = ContentType.objects.get_for_model(Project)
    ids = [p.pk for p in projects]
    return set(
        ObjectChange.objects.filter(
            Q(content_type=project_type, object_id__in=ids)
            | Q(parent_content_type=project_type, parent_object_id__in=ids)
        ).values_list("pk", flat=True)
    )


def contents(project):
    return {
        "claims": set(Claim.objects.filter(project=project).values_list("pk", flat=True)),
        "phases": set(Phase.objects.filter(project=project).values_list("pk", flat=True)),
        "milestones": set(Milestone.objects.filter(project=project).values_list("pk", flat=True)),
        "connections": set(GridConnection.objects.filter(project=project).values_list("pk", flat=True)),
        "steps": set(ProjectStatusChange.objects.filter(project=project).values_list("pk", flat=True)),
        "roles": set(ProjectRole.objects.filter(project=project).values_list("organization_id", "role")),
    }


def test_one_project_recorded_twice_is_suggested_with_its_reasons(one_project_twice):
    first, second = one_project_twice
    [suggestion] = duplicates_for(first)
    assert (suggestion.first, suggestion.second) == (first, second)
    assert suggestion.score >= 70
    reasons = " | ".join(suggestion.reasons)
    assert "Escaudain" in reasons and "Fluidstack" in reasons and "km apart" in reasons
    # seen from the other record too, and once in the list of every pair
    assert [s.first for s in duplicates_for(second)] == [second]
    assert [s.pair for s in project_suggestions(Project.objects.all())] == [(first.pk, second.pk)]


def test_two_projects_of_one_town_are_not_suggested(db):
    developer, other = OrganizationFactory(name="Fluidstack"), OrganizationFactory(name="Prologis")
    campus = ProjectFactory(name="Escaudain AI Data Center")
    organization_claim(campus, developer)
    hub = ProjectFactory(name="Hainaut Logistics Hub", latitude=50.3400, longitude=3.3600)
    organization_claim(hub, other)
    assert duplicates_for(campus) == []
    assert duplicates_for(hub) == []
    # the same words and developer, but sites 30 km apart: two campuses
    far = ProjectFactory(name="Escaudain AI Data Center", municipality="Valenciennes", latitude=50.36, longitude=3.75)
    organization_claim(far, developer)
    assert duplicates_for(campus) == []


def test_names_are_compared_by_whole_words_never_inside_one(db):
    """A name inside a word of the other ("RTE" in "Porte") or the town's name alone is no evidence."""
    ProjectFactory(name="RTE substation upgrade", latitude=None, longitude=None, municipality="")
    porte = ProjectFactory(name="Porte du Hainaut campus", latitude=None, longitude=None, municipality="")
    assert duplicates_for(porte) == []
    assert name_similarity(["RTE"], ["Porte"])[0] == 0
    assert name_similarity(["Fluidstack Escaudin"], ["FluidStack Escaudain"])[0] >= 90  # a typo is still alike
    twin = ProjectFactory(name="Campus de la Porte du Hainaut", latitude=None, longitude=None, municipality="")
    assert [s.second for s in duplicates_for(porte)] == [twin]


def test_merging_keeps_every_claim_part_role_and_history_entry_of_both(one_project_twice):
    first, second = one_project_twice
    before_a, before_b = contents(first), contents(second)
    history_before = history_of(first, second)
    assert len(before_a["claims"]) == 3 and len(before_b["claims"]) == 5
    assert len(before_a["connections"]) == len(before_b["connections"]) == 1
    user = UserFactory(username="desk", is_superuser=True)

    with actor(user, source="web"):  # as the admin's requests are
        kept = services.project_merge(target=first, merged=second, user=user)

    assert not Project.objects.filter(pk=second.pk).exists()
    after = contents(kept)
    for name in ("claims", "phases", "milestones", "connections", "steps"):
        assert after[name] == before_a[name] | before_b[name], name
    assert after["roles"] == before_a["roles"] | before_b["roles"]  # Fluidstack's one role, the town's too
    assert len(after["claims"]) == 8
    assert set(Phase.objects.filter(project=kept).values_list("name", flat=True)) == {
        "Phase 1",
        "Phase 1 (Projet Fluidstack)",
    }
    # every entry of both histories is kept, and shown in the kept project's history
    shown = set(changes_of(kept).values_list("pk", flat=True))
    assert history_before <= shown
    # the merge itself: claims moved, by whom, the merged record's deletion with what it was, the redirect
    moves = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Claim), changed_fields__contains=["project_id"]
    ).exclude(pk__in=history_before)
    assert {c.object_id for c in moves} == before_b["claims"]
    assert {(c.prechange_data["project_id"], c.postchange_data["project_id"]) for c in moves} == {(second.pk, kept.pk)}
    assert {c.user_id for c in moves} == {user.pk}
    deletion = ObjectChange.objects.get(object_id=second.pk, action="delete", content_type__model="project")
    assert deletion.prechange_data["name"] == "Projet Fluidstack" and deletion.user_id == user.pk
    redirect = ProjectRedirect.objects.get(project=kept)
    assert (redirect.old_slug, redirect.old_id, redirect.reason) == (second.slug, second.pk, "merged")
    assert ObjectChange.objects.filter(content_type__model="projectredirect", parent_object_id=kept.pk).exists()
    # the kept record: its name, the other's as aliases, its gaps filled, its figures from its sources
    kept.refresh_from_db()
    assert kept.name == "Escaudain AI Data Center"
    assert kept.aliases == ["Projet Fluidstack", "Campus IA du Hainaut"]
    assert kept.description == "A campus on the former Usinor site."
    assert kept.capacity_mw == Decimal("700")  # its own headline stays: 1000 MW is now a conflict
    assert kept.investment_amount == Decimal("10000000000") and kept.investment_currency == "EUR"
    assert kept.conflict_count == 1
    assert Claim.objects.filter(project=kept, attribute=A.CAPACITY_MW, is_headline=True).count() == 1
    assert kept.status == choices.ProjectStatus.PLANNING
    assert GridConnection.objects.filter(project=kept, distance_km__isnull=False).count() == 2
    assert [str(v) for v in violations()] == []
    call_command("check_integrity")  # exits 0


def test_a_merged_project_is_not_restored_over_its_merge(one_project_twice):
    first, second = one_project_twice
    services.project_merge(target=first, merged=second)
    deletion = ObjectChange.objects.get(object_id=second.pk, action="delete", content_type__model="project")
    with pytest.raises(ValidationError, match="merged into"):
        restore_deleted(deletion)


def test_merging_needs_the_permissions_to_change_and_to_delete(one_project_twice):
    first, second = one_project_twice
    editor = UserFactory(username="editor")
    editor.user_permissions.set(Permission.objects.filter(codename="change_project"))
    with pytest.raises(PermissionDenied, match="delete_project"):
        services.project_merge(target=first, merged=second, user=editor)
    assert Project.objects.filter(pk=second.pk).exists()
    editor.user_permissions.add(Permission.objects.get(codename="delete_project"))
    editor = type(editor).objects.get(pk=editor.pk)  # permissions are cached on the instance
    services.project_merge(target=first, merged=second, user=editor)
    assert not Project.objects.filter(pk=second.pk).exists()


def test_a_merge_prepared_against_an_older_version_is_refused(one_project_twice):
    first, second = one_project_twice
    seen_first, seen_second = first.version, second.version
    services.project_update(project=Project.objects.get(pk=second.pk), data={"description": "edited meanwhile"})
    claims = Claim.objects.filter(project=second).count()
    with pytest.raises(ConcurrentEditError):
        services.project_merge(target=first, merged=second, target_version=seen_first, merged_version=seen_second)
    assert Claim.objects.filter(project=second).count() == claims
    assert not ProjectRedirect.objects.exists()
    with pytest.raises(ValidationError):
        services.project_merge(target=first, merged=first)


@pytest.mark.django_db(transaction=True)
def test_two_merges_of_one_pair_at_once_merge_once():
    import threading

    first = ProjectFactory(name="Escaudain AI Data Center")
    second = ProjectFactory(name="Escaudain campus")
    ClaimFactory(project=second, status=ACCEPTED)
    outcomes, barrier = [], threading.Barrier(2)

    def merge(target, merged):
        try:
            barrier.wait(timeout=10)
            services.project_merge(target=target, merged=merged)
            outcomes.append("merged")
        except (ConcurrentEditError, Project.DoesNotExist) as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=merge, args=(Project.objects.get(pk=first.pk), Project.objects.get(pk=second.pk))),
        threading.Thread(target=merge, args=(Project.objects.get(pk=second.pk), Project.objects.get(pk=first.pk))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes)[0] != "merged" and outcomes.count("merged") == 1
    assert Project.objects.count() == 1
    assert Claim.objects.filter(project=Project.objects.get()).count() == 1
    assert [str(v) for v in violations(public=False)] == []


def api_client(user=None):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_merged_project_s_page_and_api_address_redirect(one_project_twice, client):
    first, second = one_project_twice
    old_slug, old_id = second.slug, second.pk
    services.project_merge(target=first, merged=second)
    page = client.get(f"/projects/{old_slug}/?as_of=2026-03-01")
    assert page.status_code == 301 and page["Location"] == f"/projects/{first.slug}/?as_of=2026-03-01"
    assert client.get(page["Location"].split("?")[0]).status_code == 200
    api = APIClient()
    for address in (old_slug, str(old_id)):
        answer = api.get(f"/api/v1/projects/{address}/")
        assert answer.status_code == 301, address
        assert answer["Location"] == f"http://testserver/api/v1/projects/{first.slug}/"
    assert api.get(f"/api/v1/projects/{first.slug}/").json()["name"] == "Escaudain AI Data Center"
    # a write to the old address is sent on with its method (308); an address never used stays a 404
    editor = UserFactory(username="editor", is_superuser=True)
    patch = api_client(editor).patch(f"/api/v1/projects/{old_slug}/", {"description": "x"}, format="json")
    assert patch.status_code == 308 and patch["Location"].endswith(f"/api/v1/projects/{first.slug}/")
    assert client.get("/projects/never-was/").status_code == 404
    assert api.get("/api/v1/projects/never-was/").status_code == 404


def test_a_renamed_project_answers_at_its_former_slug(db, client):
    project = ProjectFactory(name="Escaudain campus")
    old = project.slug
    services.project_update(project=project, data={"name": "Escaudain AI Data Center", "slug": ""})
    project.refresh_from_db()
    assert project.slug == "escaudain-ai-data-center"
    page = client.get(f"/projects/{old}/")
    assert page.status_code == 301 and page["Location"] == "/projects/escaudain-ai-data-center/"
    api = APIClient().get(f"/api/v1/projects/{old}/")
    assert api.status_code == 301 and api["Location"].endswith("/api/v1/projects/escaudain-ai-data-center/")
    # renamed again: both former slugs lead to it; renamed back: the slug is its own again
    services.project_update(project=project, data={"slug": "escaudain-ai"})
    assert client.get(f"/projects/{old}/")["Location"] == "/projects/escaudain-ai/"
    assert client.get("/projects/escaudain-ai-data-center/")["Location"] == "/projects/escaudain-ai/"
    services.project_update(project=project, data={"slug": old})
    assert client.get(f"/projects/{old}/").status_code == 200
    assert set(ProjectRedirect.objects.values_list("old_slug", flat=True)) == {
        "escaudain-ai-data-center",
        "escaudain-ai",
    }
    # a new project taking a former slug answers as itself
    ProjectFactory(name="Escaudain AI", slug="escaudain-ai")
    assert client.get("/projects/escaudain-ai/").context["project"].name == "Escaudain AI"


def test_a_draft_s_old_address_is_not_revealed_to_readers(db, client):
    draft = ProjectFactory(name="Escaudain campus", is_draft=True)
    old = draft.slug
    services.project_update(project=draft, data={"slug": "escaudain-draft"})
    assert client.get(f"/projects/{old}/").status_code == 404
    assert APIClient().get(f"/api/v1/projects/{old}/").status_code == 404


def test_merging_organizations_keeps_their_roles_claims_and_relationships(db):
    fluidstack = OrganizationFactory(name="Fluidstack", website="https://www.fluidstack.io/")
    twin = OrganizationFactory(
        name="Fluidstack Ltd", aliases=["FluidStack"], country="GB", website="https://fluidstack.io"
    )
    partner = OrganizationFactory(name="Mistral AI")
    campus, other = ProjectFactory(name="Escaudain AI Data Center"), ProjectFactory(name="Fluidstack Marseille")
    organization_claim(campus, fluidstack)
    duplicate_role = organization_claim(campus, twin)
    other_role = organization_claim(other, twin, role=choices.RoleKind.OPERATOR)
    about = ClaimFactory(
        project=None,
        organization=twin,
        attribute=A.OTHER,
        value_number=None,
        value_text="London",
        quote="based in London",
    )
    make(OrganizationRelationship, from_organization=twin, to_organization=partner, kind="partnership")
    make(OrganizationRelationship, from_organization=fluidstack, to_organization=partner, kind="partnership")
    make(OrganizationRelationship, from_organization=partner, to_organization=twin, kind="investment")
    [suggestion] = organization_duplicates_for(fluidstack)
    assert suggestion.second == twin and "fluidstack.io" in " ".join(suggestion.reasons)
    assert organization_duplicates_for(partner) == []

    kept = services.organization_merge(target=fluidstack, merged=twin)

    assert not Organization.objects.filter(pk=twin.pk).exists()
    assert kept.aliases == ["Fluidstack Ltd"]  # "FluidStack" is its name, case aside
    assert kept.country == "GB"
    assert set(ProjectRole.objects.filter(organization=kept).values_list("project_id", "role")) == {
        (campus.pk, "developer"),
        (other.pk, "operator"),
    }
    duplicate_role.refresh_from_db()
    other_role.refresh_from_db()
    about.refresh_from_db()
    assert duplicate_role.value_organization == kept and duplicate_role.value_key == f"{kept.pk}:developer"
    assert other_role.value_organization == kept and about.organization == kept
    assert set(OrganizationRelationship.objects.values_list("from_organization", "to_organization", "kind")) == {
        (kept.pk, partner.pk, "partnership"),
        (partner.pk, kept.pk, "investment"),
    }
    assert OrganizationRedirect.objects.get(organization=kept).old_id == twin.pk
    assert APIClient().get(f"/api/v1/organizations/{twin.slug}/").status_code == 301
    assert [str(v) for v in violations()] == []
    # an organization's rename leaves its former slug too
    services.record_save(instance=kept, data={"slug": "fluidstack-ai"})
    answer = APIClient().get("/api/v1/organizations/fluidstack/")
    assert answer.status_code == 301 and answer["Location"].endswith("/api/v1/organizations/fluidstack-ai/")


def test_the_suggestions_run_the_same_queries_for_few_and_many_projects(db):
    def towns(count, start):
        for n in range(start, start + count):
            developer = OrganizationFactory(name=f"Developer {n}")
            for name in (f"Campus Alpha {n}", f"Alpha {n} data center"):
                project = ProjectFactory(
                    name=name, municipality=f"Commune {chr(65 + n) * 2}", latitude=45 + n / 10, longitude=2 + n / 10
                )
                organization_claim(project, developer)

    towns(2, 0)
    with CaptureQueriesContext(connection) as few:
        found_few = project_suggestions(Project.objects.all())
    towns(8, 2)
    with CaptureQueriesContext(connection) as many:
        found_many = project_suggestions(Project.objects.all())
    assert len(found_few) == 2 and len(found_many) == 10
    assert len(many.captured_queries) == len(few.captured_queries) <= 4
    project = Project.objects.get(name="Campus Alpha 3")
    with CaptureQueriesContext(connection) as one:
        [suggestion] = duplicates_for(project)
    assert suggestion.second.name == "Alpha 3 data center"
    assert len(one.captured_queries) <= 3


def test_an_import_renaming_projects_leaves_their_former_slugs(db, client):
    plain = ProjectFactory(name="Campus A")
    sourced = ProjectFactory(name="Campus B")
    ClaimFactory(project=sourced, status=ACCEPTED)  # a project with claims is updated by project_update
    old_plain, old_sourced = plain.slug, sourced.slug
    result = services.projects_import(
        rows=[{"id": plain.pk, "slug": "campus-a-escaudain"}, {"id": sourced.pk, "slug": "campus-b-escaudain"}],
        key="id",
    )
    assert not result.errors
    assert client.get(f"/projects/{old_plain}/")["Location"] == "/projects/campus-a-escaudain/"
    assert client.get(f"/projects/{old_sourced}/")["Location"] == "/projects/campus-b-escaudain/"
    assert ProjectRedirect.objects.filter(reason="renamed").count() == 2
    assert [str(v) for v in violations(public=False)] == []


def test_a_merge_runs_as_many_queries_with_60_claims_as_with_6(db):
    def merged_with(claims: int) -> int:
        first = ProjectFactory(name=f"Campus {claims}")
        second = ProjectFactory(name=f"Campus {claims} bis")
        for n in range(claims):
            ClaimFactory(project=second, value_number=Decimal(100 + n), status=ACCEPTED if n % 2 else "proposed")
        first, second = Project.objects.get(pk=first.pk), Project.objects.get(pk=second.pk)
        with CaptureQueriesContext(connection) as queries:
            services.project_merge(target=first, merged=second)
        assert Claim.objects.filter(project=first).count() == claims
        return len(queries.captured_queries)

    few, many = merged_with(6), merged_with(60)
    assert abs(many - few) <= 2, (few, many)  # set-based: the rows moved do not add queries
    assert [str(v) for v in violations(public=False)] == []


def test_the_followers_of_the_merged_project_follow_the_kept_one(one_project_twice):
    from projects.following.models import Follow
    from projects.following.services import follow_project

    first, second = one_project_twice
    only_second, both = UserFactory(username="reader1"), UserFactory(username="reader2")
    follow_project(user=only_second, project=second)
    follow_project(user=both, project=second)
    follow_project(user=both, project=first)
    services.project_merge(target=first, merged=second)
    assert set(Follow.objects.values_list("user__username", "project_id")) == {
        ("reader1", first.pk),
        ("reader2", first.pk),
    }


def test_numbered_sites_of_one_town_are_told_apart(db):
    for n in range(1, 5):
        ProjectFactory(name=f"Campus {n} Nord", aliases=[f"DC{n}"], latitude=50.333 + n / 10000)
    assert project_suggestions(Project.objects.all()) == []
    assert name_similarity(["Data4 PAR1"], ["Data4 PAR2"])[0] == 0
