import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_with_a_french_browser_the_admin_speaks_french(admin_client, demo):
    page = admin_client.get(reverse("admin:projects_project_changelist"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Projets" in page and "Statut" in page and "Puissance (MW)" in page
    assert "non vérifié depuis" in page and "Autorisé" in page  # a filter and a lifecycle status
    assert "5\u202f000\u202f000\u202f000 EUR" in page  # French groups digits with narrow no-break spaces

    page = admin_client.get(
        reverse("admin:projects_project_change", args=[demo.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Surface du terrain (ha)" in page and "Localisation" in page
    assert "affirmations : chaque chiffre avec sa source" in page.lower()
    assert (
        "9 décembre 2025"
        in admin_client.get(
            reverse("admin:projects_project_history", args=[demo.pk]), HTTP_ACCEPT_LANGUAGE="fr"
        ).content.decode()
    )


def test_the_language_switch_sets_french_for_the_next_pages(admin_client):
    changelist = reverse("admin:projects_project_changelist")
    page = admin_client.get(changelist).content.decode()
    assert 'action="/i18n/setlang/"' in page and 'value="fr"' in page
    response = admin_client.post("/i18n/setlang/", {"language": "fr", "next": changelist})
    assert response.status_code == 302 and response["Location"] == changelist
    assert "Projets" in admin_client.get(changelist).content.decode()


def test_the_export_page_names_each_column_in_french_with_its_file_name(admin_client):
    page = admin_client.get(reverse("admin:projects_project_export"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Puissance (MW) <code>capacity_mw</code>" in page
