import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import writes
from core.models import ObjectChange
from projects import choices, services
from projects.models import Claim, Project, Source
from tests.factories import ClaimFactory, ProjectFactory, SourceFactory, UserFactory
from tests.projects.admin.helpers import changeform_data, inline_prefix, messages_of

pytestmark = pytest.mark.django_db


def change_url(project):
    return reverse("admin:projects_project_change", args=[project.pk])


def latest_change(instance):
    return ObjectChange.objects.filter(
        content_type__model=instance._meta.model_name, object_id=instance.pk, action="update"
    ).first()


def test_an_admin_edit_is_saved_and_written_to_the_history(admin_client, superuser, demo):
    data = changeform_data(admin_client.get(change_url(demo)))
    data["capacity_mw"] = "720"
    response = admin_client.post(change_url(demo), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    demo.refresh_from_db()
    assert demo.capacity_mw == Decimal("720")
    change = latest_change(demo)
    assert change.user == superuser and change.source == "web"
    assert change.diff[0] == ("capacity_mw", "700", "720")
    assert "capacity_mw" in {name: after for name, _before, after in change.diff}["typed_by_hand"]


def test_saving_an_untouched_page_changes_nothing(admin_client, demo):
    version = Project.objects.get(pk=demo.pk).version
    changes = ObjectChange.objects.count()
    response = admin_client.post(change_url(demo), changeform_data(admin_client.get(change_url(demo))))
    assert response.status_code == 302
    assert Project.objects.get(pk=demo.pk).version == version
    assert ObjectChange.objects.count() == changes


@pytest.fixture
def second_client(db):
    colleague = UserFactory(username="bob", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(colleague)
    return client


def test_the_second_of_two_concurrent_saves_is_refused_and_names_the_first(admin_client, second_client, demo):
    alice_data = changeform_data(admin_client.get(change_url(demo)))
    bob_data = changeform_data(second_client.get(change_url(demo)))

    bob_data["capacity_mw"] = "800"
    assert second_client.post(change_url(demo), bob_data).status_code == 302

    alice_data["name"] = "Escaudain campus"
    response = admin_client.post(change_url(demo), alice_data)
    assert response.status_code == 200  # the form again, with the refusal
    page = response.content.decode()
    assert "was changed by bob" in page
    assert reverse("admin:projects_project_history", args=[demo.pk]) in page
    demo.refresh_from_db()
    assert demo.capacity_mw == Decimal("800") and demo.name == "Escaudain AI data center"


def test_a_save_racing_the_version_check_is_refused_without_writing(admin_client, demo, monkeypatch):
    update = services.project_update

    def someone_saves_first(*, project, **kwargs):
        Project.objects.filter(pk=project.pk).update(name="Changed meanwhile")
        return update(project=project, **kwargs)

    monkeypatch.setattr(services, "project_update", someone_saves_first)
    data = changeform_data(admin_client.get(change_url(demo)))
    data["capacity_mw"] = "720"
    response = admin_client.post(change_url(demo), data, follow=True)
    assert response.redirect_chain == [(change_url(demo), 302)]
    assert any("was changed by" in message for message in messages_of(response))
    demo.refresh_from_db()
    # The racing write stays, ours was rolled back (and so was the test's own update: same transaction).
    assert demo.capacity_mw == Decimal("700")


def test_a_stale_claim_row_is_not_written_back(admin_client, demo):
    data = changeform_data(admin_client.get(change_url(demo)))
    claim = demo.claims.get(attribute=choices.ClaimAttribute.CAPACITY_MW)
    services.claim_update(claim=claim, data={"quote": "Corrected quote"})

    data["name"] = "Escaudain campus"
    response = admin_client.post(change_url(demo), data)
    assert response.status_code == 200
    assert "was changed by" in response.content.decode()
    claim.refresh_from_db()
    demo.refresh_from_db()
    assert claim.quote == "Corrected quote" and demo.name == "Escaudain AI data center"


def row_index(data, prefix, instance) -> int:
    rows = range(int(data[f"{prefix}-TOTAL_FORMS"]))
    return next(i for i in rows if data.get(f"{prefix}-{i}-id") == str(instance.pk))


@pytest.mark.parametrize("parts", ["claims", "roles"])
def test_deleting_a_row_someone_changed_since_is_refused(admin_client, demo, parts):
    page = admin_client.get(change_url(demo))
    data = changeform_data(page)
    row = getattr(demo, parts).order_by("pk").first()
    writes.writer_for(type(row)).save(row, {"note": "Added meanwhile"}, None)

    prefix = inline_prefix(page, type(row))
    data[f"{prefix}-{row_index(data, prefix, row)}-DELETE"] = "on"
    response = admin_client.post(change_url(demo), data)
    assert response.status_code == 200
    assert "was changed by" in response.content.decode()
    assert type(row).objects.filter(pk=row.pk, note="Added meanwhile").exists()


def test_deleting_an_unchanged_row_still_works(admin_client, demo):
    page = admin_client.get(change_url(demo))
    data = changeform_data(page)
    role = demo.roles.order_by("pk").first()
    prefix = inline_prefix(page, type(role))
    data[f"{prefix}-{row_index(data, prefix, role)}-DELETE"] = "on"
    assert admin_client.post(change_url(demo), data).status_code == 302
    assert not demo.roles.filter(pk=role.pk).exists()


def test_rewording_a_headline_claim_keeps_the_figure_typed_on_the_project(admin_client, demo):
    services.project_update(project=demo, data={"capacity_mw": Decimal("750")})
    claim = demo.claims.get(attribute=choices.ClaimAttribute.CAPACITY_MW, is_headline=True)
    page = admin_client.get(change_url(demo))
    data = changeform_data(page)
    prefix = inline_prefix(page, Claim)
    data[f"{prefix}-{row_index(data, prefix, claim)}-quote"] = "une capacité de 700 mégawatts"

    assert admin_client.post(change_url(demo), data).status_code == 302
    claim.refresh_from_db()
    demo.refresh_from_db()
    assert claim.quote == "une capacité de 700 mégawatts"
    assert demo.capacity_mw == Decimal("750")


def test_adding_a_project_goes_through_the_service(admin_client):
    add_url = reverse("admin:projects_project_add")
    data = changeform_data(admin_client.get(add_url))
    data.update(name="Fouju campus", country="FR", capacity_mw="1000", status="planning")
    response = admin_client.post(add_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get(name="Fouju campus")
    assert project.slug == "fouju-campus"
    assert list(project.status_history.values_list("status", flat=True)) == ["planning"]


def test_a_claim_is_added_from_its_source_page(admin_client, demo):
    source = SourceFactory(title="Nouvel article")
    url = reverse("admin:projects_source_change", args=[source.pk])
    response = admin_client.get(url)
    assert reverse("admin:projects_claim_add") + f"?source={source.pk}" in response.content.decode()
    data = changeform_data(response)
    prefix = inline_prefix(response, Claim)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-project": str(demo.pk),
            f"{prefix}-0-attribute": "jobs_construction",
            f"{prefix}-0-value_number": "1200",
            f"{prefix}-0-quote": "1 200 emplois pendant le chantier",
            f"{prefix}-0-status": "accepted",
        }
    )
    assert admin_client.post(url, data).status_code == 302
    claim = source.claims.get()
    assert (claim.project, claim.value_number, claim.status) == (demo, Decimal("1200"), "accepted")
    demo.refresh_from_db()
    assert demo.jobs_construction == 1200  # the first accepted value becomes the headline


def test_the_add_claim_link_prefills_the_source(admin_client):
    source = SourceFactory()
    response = admin_client.get(reverse("admin:projects_claim_add") + f"?source={source.pk}")
    assert response.context["adminform"].form.initial["source"] == str(source.pk)


def test_a_claim_without_a_source_cannot_be_accepted(admin_client):
    claim = ClaimFactory(source=None)
    url = reverse("admin:projects_claim_change", args=[claim.pk])
    data = changeform_data(admin_client.get(url))
    data["status"] = "accepted"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "A claim without a source cannot be accepted." in response.content.decode()

    response = admin_client.post(
        reverse("admin:projects_claim_changelist"),
        {"action": "accept_selected", "_selected_action": [claim.pk]},
        follow=True,
    )
    assert any("A claim without a source cannot be accepted." in message for message in messages_of(response))
    claim.refresh_from_db()
    assert claim.status == "proposed"


def test_the_review_queue_lists_proposed_claims_conflicts_first(admin_client):
    project = ProjectFactory()
    services.claim_accept(claim=ClaimFactory(project=project, value_number=Decimal("100")))
    agreeing = ClaimFactory(project=project, value_number=Decimal("100"))
    contradicting = ClaimFactory(project=project, value_number=Decimal("150"))
    response = admin_client.get(reverse("admin:projects_claim_changelist"))
    assert list(response.context["cl"].result_list) == [contradicting, agreeing]
    response = admin_client.get(reverse("admin:projects_claim_changelist") + "?state=all")
    assert len(response.context["cl"].result_list) == 3


def test_accepting_from_the_queue_is_recorded_with_the_reviewer(admin_client, superuser):
    claim = ClaimFactory(value_number=Decimal("250"))
    admin_client.post(
        reverse("admin:projects_claim_changelist"), {"action": "accept_selected", "_selected_action": [claim.pk]}
    )
    claim.refresh_from_db()
    assert claim.status == "accepted" and claim.reviewed_by == superuser
    changes = ObjectChange.objects.filter(object_id=claim.pk, content_type__model="claim", action="update")
    review = next(change for change in changes if "status" in change.changed_fields)
    assert ("status", "proposed", "accepted") in review.diff
    assert review.user == superuser
    claim.project.refresh_from_db()
    assert claim.project.capacity_mw == Decimal("250")


def test_mark_verified_action(admin_client):
    project = ProjectFactory(last_verified_on=datetime.date(2024, 1, 1))
    admin_client.post(
        reverse("admin:projects_project_changelist"), {"action": "mark_verified", "_selected_action": [project.pk]}
    )
    project.refresh_from_db()
    assert project.last_verified_on == timezone.localdate()


@pytest.mark.parametrize("status", ["accepted", "proposed"])
def test_a_new_source_and_its_claim_rows_are_saved_together(admin_client, demo, status):
    add_url = reverse("admin:projects_source_add")
    response = admin_client.get(add_url)
    data = changeform_data(response)
    prefix = inline_prefix(response, Claim)
    data.update(
        {
            "title": "Un nouvel article",
            "url": "https://news.example.org/escaudain-emplois",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-project": str(demo.pk),
            f"{prefix}-0-attribute": "jobs_construction",
            f"{prefix}-0-value_number": "1200",
            f"{prefix}-0-quote": "1 200 emplois pendant le chantier",
            f"{prefix}-0-status": status,
        }
    )
    response = admin_client.post(add_url, data)
    assert response.status_code == 302, response.context["errors"]
    claim = Claim.objects.get(quote="1 200 emplois pendant le chantier")
    assert claim.source.title == "Un nouvel article"
    assert claim.status == status


def test_a_claim_rows_error_is_shown_next_to_its_field(admin_client, demo):
    add_url = reverse("admin:projects_source_add")
    response = admin_client.get(add_url)
    data = changeform_data(response)
    prefix = inline_prefix(response, Claim)
    data.update(
        {
            "title": "Un article sans chiffre",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-project": str(demo.pk),
            f"{prefix}-0-attribute": "jobs_construction",
            f"{prefix}-0-quote": "des emplois",
            f"{prefix}-0-status": "accepted",
        }
    )
    response = admin_client.post(add_url, data)
    assert response.status_code == 200
    formset = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is Claim)
    assert formset.forms[0].errors["value_number"] == ["Give the figure for this attribute."]
    assert "Give the figure for this attribute." in response.content.decode()
    assert not Source.objects.filter(title="Un article sans chiffre").exists()


def admin_save_queries(admin_client, claims: int) -> int:
    """Queries of one save of the project page, on a project with ``claims`` claims."""
    project = ProjectFactory()
    source = SourceFactory()
    for n in range(claims):
        ClaimFactory(
            project=project, source=source, attribute="other", value_text=f"fact {n}", quote=f"q {n}", status="accepted"
        )
    data = changeform_data(admin_client.get(change_url(project)))
    data["capacity_mw"] = "321"
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.post(change_url(project), data).status_code == 302
    project.refresh_from_db()
    assert project.capacity_mw == Decimal("321")
    return len(queries)


def test_saving_the_project_page_runs_as_many_queries_with_60_claims_as_with_6(admin_client):
    few, many = admin_save_queries(admin_client, 6), admin_save_queries(admin_client, 60)
    assert few == many, (few, many)
    assert many <= 40  # the session and user, the page's inline rows, the service's own writes
