"""The review desk (projects/admin/desk.py): who may see and decide, what a paste or an address
gives, each fact accepted, rejected or corrected through the services, hostile text kept as text,
French, and a page whose queries do not grow with its facts."""

import http.server
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.models import Claim, Project, Source
from projects.tasks import ingest_url_job
from tests.factories import ClaimFactory, OrganizationFactory, ProjectFactory, SourceFactory, UserFactory
from tests.projects.admin.conftest import member_of

pytestmark = pytest.mark.django_db

NEW_PROJECT_ARTICLE = """Hyperscale campus planned in Cambrai

A developer has unveiled plans for a 250 MW data centre campus in Cambrai, northern France, \
with an investment of €1.2bn and 300 permanent jobs.
"""

REVISED_ARTICLE = """Escaudain : le data center se précise

Le projet de centre de données d'Escaudain occupera 33 hectares de l'ancien site Usinor, \
pour une capacité de 700 mégawatts.
"""

HOSTILE_ARTICLE = """<script>alert("desk")</script> Campus <img src=x onerror=alert(2)> planned in Cambrai

A developer has unveiled plans for a 250 MW data centre campus in Cambrai <b>bold</b>, northern France.
"""


@pytest.fixture
def reviewer(db):
    return member_of("reviewers")


@pytest.fixture
def editor(db):
    return member_of("editors")


@pytest.fixture
def reader(db):
    return member_of("readers")


def paste(client, text):
    return client.post(reverse("desk:index"), {"article": text})


def source_page(client, source, **extra):
    return client.get(reverse("desk:source", args=[source.pk]), **extra)


def decide(client, claim, action, **data):
    claim.refresh_from_db()
    return client.post(
        reverse("desk:fact", args=[claim.source_id, claim.pk]), {"action": action, "version": claim.version, **data}
    )


def correction(claim, **changes) -> dict:
    """The correction form as the page fills it, with ``changes`` typed over it."""
    claim.refresh_from_db()
    data = {
        "version": claim.version,
        "attribute": claim.attribute,
        "value": "",
        "value_max": "",
        "currency": claim.currency,
        "role": claim.role,
        "project": claim.project_id or "",
    }
    return {**data, **changes}


# Who may do what -----------------------------------------------------------------------------


def test_the_desk_sends_anonymous_and_non_staff_users_to_the_login(client):
    source = SourceFactory(text="Some text")
    for url in (reverse("desk:index"), reverse("desk:source", args=[source.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(UserFactory(is_staff=False))
    response = client.get(reverse("desk:index"))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert paste(client, NEW_PROJECT_ARTICLE).status_code == 302
    assert not Source.objects.exclude(pk=source.pk).exists()


def test_staff_without_any_permission_on_claims_is_refused(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("desk:index")).status_code == 403
    assert client.get(reverse("desk:source", args=[SourceFactory().pk])).status_code == 403


def test_a_reader_sees_the_facts_but_cannot_read_articles_or_decide(client, reader):
    claim = ClaimFactory(quote="100 MW")
    client.force_login(reader)
    page = source_page(client, claim.source)
    assert page.status_code == 200 and "100 MW" in page.content.decode()
    assert 'value="accept"' not in page.content.decode()
    assert paste(client, NEW_PROJECT_ARTICLE).status_code == 403
    assert decide(client, claim, "accept").status_code == 403
    assert decide(client, claim, "save", **correction(claim, value="120")).status_code == 403
    claim.refresh_from_db()
    assert (claim.status, claim.value_number) == ("proposed", Decimal("100"))


def test_an_editor_corrects_but_cannot_accept_or_reject(client, editor):
    claim = ClaimFactory()
    client.force_login(editor)
    page = source_page(client, claim.source).content.decode()
    assert 'value="accept"' not in page and 'value="save"' in page and 'value="save_accept"' not in page
    assert decide(client, claim, "accept").status_code == 403
    assert decide(client, claim, "reject").status_code == 403
    assert decide(client, claim, "save_accept", **correction(claim, value="120")).status_code == 403
    response = decide(client, claim, "save", **correction(claim, value="120"))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.value_number) == ("proposed", Decimal("120"))


def test_writes_answer_only_post(client, reviewer):
    claim = ClaimFactory()
    client.force_login(reviewer)
    assert client.get(reverse("desk:fact", args=[claim.source_id, claim.pk])).status_code == 405
    assert client.get(reverse("desk:accept_confident", args=[claim.source_id])).status_code == 405


def test_a_fact_of_another_source_is_not_found(client, reviewer):
    claim, other = ClaimFactory(), SourceFactory()
    client.force_login(reviewer)
    response = client.post(reverse("desk:fact", args=[other.pk, claim.pk]), {"action": "accept", "version": 1})
    assert response.status_code == 404


# From a paste to reviewed facts --------------------------------------------------------------


def test_pasted_text_is_read_into_a_draft_project_and_shown_with_its_facts(client, reviewer):
    client.force_login(reviewer)
    response = paste(client, NEW_PROJECT_ARTICLE)
    source = Source.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("desk:source", args=[source.pk])
    project = Project.objects.get()
    assert project.is_draft and project.municipality == "Cambrai"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "new draft project" in " ".join(str(m) for m in page.context["messages"])
    assert "A draft proposed from this article" in html
    facts = page.context["facts"]
    capacity = next(fact for fact in facts if fact.claim.attribute == "capacity_mw")
    assert NEW_PROJECT_ARTICLE[capacity.start : capacity.end] == capacity.claim.quote
    # each quote is highlighted where it is, with the facts it backs
    assert f'data-facts="{capacity.claim.pk}' in html or f' {capacity.claim.pk}"' in html
    assert all(fact.claim.status == "proposed" for fact in facts)

    # the desk lists it among the articles read, with its facts to review
    index = client.get(reverse("desk:index"))
    assert [(s.pk, s.proposed) for s in index.context["recent"]] == [(source.pk, len(facts))]

    # pasting the same text again reads the same source: nothing twice
    paste(client, NEW_PROJECT_ARTICLE)
    assert Source.objects.count() == 1 and Claim.objects.count() == len(facts)


def test_accepting_moves_to_the_next_proposed_fact(client, reviewer):
    client.force_login(reviewer)
    paste(client, NEW_PROJECT_ARTICLE)
    facts = source_page(client, Source.objects.get()).context["facts"]
    first, second = facts[0].claim, facts[1].claim
    response = decide(client, first, "accept")
    assert response.status_code == 302 and response["Location"].endswith(f"#fact-{second.pk}")
    first.refresh_from_db()
    assert first.status == "accepted" and first.reviewed_by == reviewer
    response = decide(client, second, "reject")
    second.refresh_from_db()
    assert second.status == "rejected" and response["Location"].endswith(f"#fact-{facts[2].claim.pk}")


def test_a_correction_changes_value_role_and_attribute_through_the_services(client, reviewer):
    client.force_login(reviewer)
    paste(client, NEW_PROJECT_ARTICLE)
    capacity = Claim.objects.get(attribute="capacity_mw")
    response = decide(client, capacity, "save_accept", **correction(capacity, value="260"))
    assert response.status_code == 302
    capacity.refresh_from_db()
    assert (capacity.status, capacity.value_number) == ("accepted", Decimal("260"))
    assert capacity.project.capacity_mw == Decimal("260")  # the headline follows the accepted claim

    jobs = Claim.objects.get(attribute="jobs_permanent")
    decide(client, jobs, "save", **correction(jobs, attribute="jobs_construction", value="1 300"))
    jobs.refresh_from_db()
    assert (jobs.attribute, jobs.value_number, jobs.status) == ("jobs_construction", Decimal("1300"), "proposed")

    investment = Claim.objects.get(attribute="investment")
    decide(
        client,
        investment,
        "save",
        **correction(investment, attribute="organization", value="Cambrai Compute", role="developer"),
    )
    investment.refresh_from_db()
    assert investment.value_organization.name == "Cambrai Compute" and investment.role == "developer"
    assert investment.value_number is None and investment.currency == ""


def test_a_bad_value_is_refused_with_its_reason_and_changes_nothing(client, reviewer):
    claim = ClaimFactory()
    client.force_login(reviewer)
    response = client.post(
        reverse("desk:fact", args=[claim.source_id, claim.pk]),
        {"action": "save", **correction(claim, value="lots")},
        follow=True,
    )
    assert any("Give a number" in str(m) for m in response.context["messages"])
    claim.refresh_from_db()
    assert claim.value_number == Decimal("100") and claim.version == 1


def test_a_decision_on_a_version_someone_else_changed_is_refused(client, reviewer):
    claim = ClaimFactory()
    client.force_login(reviewer)
    loaded = claim.version
    services.claim_update(claim=claim, data={"value_number": Decimal("110")})  # a colleague, meanwhile
    response = client.post(
        reverse("desk:fact", args=[claim.source_id, claim.pk]), {"action": "accept", "version": loaded}, follow=True
    )
    assert any("Someone else changed this fact" in str(m) for m in response.context["messages"])
    claim.refresh_from_db()
    assert claim.status == "proposed" and claim.value_number == Decimal("110")


def test_conflicts_with_accepted_values_show_inline_and_are_left_out_of_accept_all(client, reviewer, demo):
    client.force_login(reviewer)
    paste(client, REVISED_ARTICLE)
    source = Source.objects.get(text=REVISED_ARTICLE.strip())
    page = source_page(client, source)
    html = page.content.decode()
    area = next(fact for fact in page.context["facts"] if fact.claim.attribute == "site_area_ha")
    assert area.conflicts and "In conflict with the accepted 38 ha" in html
    assert "Its alias “Ancien site Usinor” is in the text." in html  # why the demo project
    confident = page.context["confident"]
    assert area not in confident and confident
    data = {f"v-{fact.claim.pk}": fact.claim.version for fact in confident}
    data[f"v-{area.claim.pk}"] = area.claim.version  # even when posted, a conflict is left to a person
    client.post(reverse("desk:accept_confident", args=[source.pk]), data)
    accepted = set(Claim.objects.filter(source=source, status="accepted").values_list("pk", flat=True))
    assert accepted == {fact.claim.pk for fact in confident}
    area.claim.refresh_from_db()
    assert area.claim.status == "proposed"


def test_the_facts_of_a_part_move_to_another_project_or_a_new_one(client, reviewer):
    client.force_login(reviewer)
    other = ProjectFactory(name="Cambrai North campus", municipality="Cambrai")
    paste(client, NEW_PROJECT_ARTICLE)
    source = Source.objects.get()
    draft = Project.objects.get(is_draft=True)
    page = source_page(client, source, data={"find": "Cambrai North"})
    assert other in page.context["candidates"]
    client.post(reverse("desk:project", args=[source.pk, draft.pk]), {"action": "move", "target": other.pk})
    assert set(Claim.objects.filter(source=source).values_list("project", flat=True)) == {other.pk}
    client.post(reverse("desk:project", args=[source.pk, other.pk]), {"action": "create", "name": "Cambrai South"})
    created = Project.objects.get(name="Cambrai South")
    assert created.is_draft and created.municipality == "Cambrai"
    assert set(Claim.objects.filter(source=source).values_list("project", flat=True)) == {created.pk}


# Addresses, fetched by a job ------------------------------------------------------------------

PAGE = """<html><head><title>Data centre approved</title></head><body><article><h1>Data centre approved</h1>
<p>The council approved a 120 MW data centre in Cambrai on Tuesday, after a long consultation with residents
who had raised questions about noise, water and traffic on the roads leading to the industrial estate.</p>
<p>The operator expects the first hall to open in 2028 and says 80 permanent jobs will be created on the site,
which lies next to the existing substation and a former sugar factory that closed two decades ago.</p>
</article></body></html>"""


@pytest.fixture
def article_server(settings):
    settings.FETCH_ALLOW_PRIVATE = True
    hits = {"count": 0, "fail": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits["count"] += 1
            if hits["fail"] > 0:
                hits["fail"] -= 1
                self.send_response(503)
                self.end_headers()
                return
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_an_address_is_read_by_a_job_whose_page_opens_the_source(client, reviewer, article_server):
    base, hits = article_server
    client.force_login(reviewer)
    response = paste(client, f"{base}/article")
    assert response.status_code == 302 and "/admin/desk/jobs/" in response["Location"]
    job_page = client.get(response["Location"])
    source = Source.objects.get()
    assert job_page.status_code == 302 and job_page["Location"] == reverse("desk:source", args=[source.pk])
    assert source.url == f"{base}/article" and "120 MW" in source.text
    assert Claim.objects.filter(source=source, attribute="capacity_mw", value_number=Decimal("120")).exists()

    # the same address again: one source, its facts once, and the page is not fetched again
    claims = Claim.objects.count()
    paste(client, f"{base}/article")
    assert Source.objects.count() == 1 and Claim.objects.count() == claims and hits["count"] == 1


def test_the_job_tries_again_when_the_page_does_not_answer(article_server, db):
    base, hits = article_server
    hits["fail"] = 1
    # (a retry runs inline only when the job does not raise at once, as on a worker)
    summary = ingest_url_job.apply(args=[f"{base}/article"], throw=False).get()
    assert hits["count"] == 2
    assert Source.objects.get().pk == summary["source_id"]


def test_a_job_that_failed_says_why(client, reviewer, settings):
    from tracker.celery import app

    client.force_login(reviewer)
    app.conf.task_eager_propagates = False
    try:
        response = paste(client, "http://localhost.invalid/article")
    finally:
        app.conf.task_eager_propagates = True
    page = client.get(response["Location"])
    assert page.status_code == 200 and "failed" in page.content.decode()
    assert "cannot be resolved" in page.content.decode() or "not a public address" in page.content.decode()
    assert "Refresh" not in page
    assert not Source.objects.exists()


def test_a_job_page_of_an_unknown_job_waits(client, reviewer):
    client.force_login(reviewer)
    page = client.get(reverse("desk:job", args=["no-such-job"]))
    assert page.status_code == 200 and page["Refresh"] == "2"


# Hostile text, French, queries ----------------------------------------------------------------


def test_hostile_text_in_the_article_is_shown_as_text(client, reviewer):
    client.force_login(reviewer)
    paste(client, HOSTILE_ARTICLE)
    source = Source.objects.get()
    claim = Claim.objects.filter(source=source).first()
    services.claim_update(claim=claim, data={"note": '<script>alert("note")</script>'})
    services.project_update(project=claim.project, data={"name": "<svg onload=alert(3)> campus"})
    html = source_page(client, source).content.decode()
    assert "<svg onload" not in html and "&lt;svg onload=alert(3)&gt; campus" in html
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;desk&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;script&gt;alert(&quot;note&quot;)&lt;/script&gt;" in html


def test_the_desk_speaks_french(client, reviewer):
    client.force_login(reviewer)
    paste(client, NEW_PROJECT_ARTICLE)
    source = Source.objects.get()
    html = source_page(client, source, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Bureau de relecture" in html and "Accepter" in html and "Rejeter" in html
    assert "Raccourcis clavier" in html and "Pourquoi ce projet" in html
    assert "Puissance (MW)" in html  # the attribute's own French name
    index = client.get(reverse("desk:index"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Texte ou adresse de l’article" in index and "Lire l’article" in index


def _source_with_facts(count: int) -> Source:
    words = " ".join(f"Hall {n} adds {n + 10} MW." for n in range(count))
    source = SourceFactory(text=f"Campus in Escaudain\n\n{words}")
    project = ProjectFactory()
    position = source.text.index("Hall 0")
    for n in range(count):
        quote = f"Hall {n} adds {n + 10} MW."
        start = source.text.index(quote, position)
        ClaimFactory(
            project=project,
            source=source,
            value_number=Decimal(n + 10),
            quote=quote,
            quote_start=start,
            quote_end=start + len(quote),
            confidence=0.9,
        )
    ClaimFactory(project=project, source=SourceFactory(), value_number=Decimal("5"), status="accepted")
    return source


def test_the_page_runs_as_many_queries_for_thirty_facts_as_for_three(client, reviewer, django_assert_max_num_queries):
    client.force_login(reviewer)
    counts = []
    for size in (3, 30):
        source = _source_with_facts(size)
        with CaptureQueriesContext(connection) as queries:
            page = source_page(client, source)
        assert page.status_code == 200 and len(page.context["facts"]) == size + 0
        assert all(fact.conflicts for fact in page.context["facts"])  # each disagrees with the accepted 5 MW
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(15):
        source_page(client, source)


# The command line -------------------------------------------------------------------------------


def test_ingest_article_prints_the_desk_address_of_what_it_read(tmp_path, capsys, settings):
    from django.core.management import call_command

    article = tmp_path / "article.txt"
    article.write_text(NEW_PROJECT_ARTICLE, encoding="utf-8")
    settings.DATA_SITE_URL = ""
    call_command("ingest_article", str(article))
    source = Source.objects.get()
    assert f"Review them on the desk: /admin/desk/{source.pk}/\n" in capsys.readouterr().out

    settings.DATA_SITE_URL = "https://tracker.example.org/"
    call_command("ingest_article", str(article), "--url", "https://news.example.org/cambrai", "--format", "json")
    other = Source.objects.get(url="https://news.example.org/cambrai")
    assert f'"review": "https://tracker.example.org/admin/desk/{other.pk}/"' in capsys.readouterr().out


def test_the_projects_a_draft_probably_duplicates_are_shown_and_offered(client, reviewer):
    recorded = ProjectFactory(name="Cambrai data centre campus", municipality="Cambrai", latitude=None, longitude=None)
    elsewhere = ProjectFactory(name="Lille data campus", municipality="Lille", latitude=None, longitude=None)
    client.force_login(reviewer)
    paste(client, NEW_PROJECT_ARTICLE)
    page = source_page(client, Source.objects.get())
    (group,) = page.context["groups"]
    assert group.project.is_draft
    assert [other for other, _suggestion in group.duplicates] == [recorded]
    html = page.content.decode()
    assert "Possibly the same project as" in html and "same municipality: Cambrai" in html
    assert reverse("admin:projects_project_merge", args=[recorded.pk, group.project.pk]) in html
    assert recorded in group.targets and elsewhere not in group.targets  # its facts can move there


ROUNDUP = """Deux projets de data centers dans le Nord

À Cambrai, le projet occupera 33 hectares de l'ancienne base aérienne, pour une capacité de 700 mégawatts.

À Gravelines, la start-up Foo Data prévoit un centre de 50 MW près de la centrale, pour 300 millions d'euros.
"""


def test_a_roundup_shows_each_part_beside_its_own_project(client, reviewer):
    client.force_login(reviewer)
    paste(client, ROUNDUP)
    page = source_page(client, Source.objects.get())
    groups = [group for group in page.context["groups"] if group.project is not None]
    assert [group.project.municipality for group in groups] == ["Cambrai", "Gravelines"]
    cambrai, gravelines = groups
    assert {fact.claim.value_number for fact in cambrai.facts if fact.claim.attribute == "capacity_mw"} == {700}
    assert {fact.claim.value_number for fact in gravelines.facts if fact.claim.attribute == "capacity_mw"} == {50}
    assert ROUNDUP.index("À Gravelines") <= gravelines.start and cambrai.end <= gravelines.start
    html = page.content.decode()
    # each part of the article opens on its project's name, in the colour of its facts
    for group in groups:
        assert f'<span class="desk-section tone-{group.tone}">{group.project.name}</span>' in html
    assert cambrai.tone != gravelines.tone


def test_the_admin_links_to_the_desk(client, reviewer):
    source = SourceFactory(text="Some text")
    client.force_login(reviewer)
    assert f'href="{reverse("desk:index")}"' in client.get(reverse("admin:index")).content.decode()
    change = client.get(reverse("admin:projects_source_change", args=[source.pk])).content.decode()
    assert f'href="{reverse("desk:source", args=[source.pk])}"' in change


def test_facts_about_organizations_come_last_and_are_decided_the_same_way(client, reviewer):
    text = "Kao Data and Foo Power form a joint venture. The campus in Escaudain will reach 100 MW."
    source = SourceFactory(text=text)
    start = text.index("The campus")
    on_project = ClaimFactory(source=source, quote=text[start:], quote_start=start, quote_end=len(text))
    on_organization = ClaimFactory(
        source=source,
        project=None,
        organization=OrganizationFactory(name="Kao Data"),
        attribute="other",
        value_number=None,
        value_text="Joint venture: Kao Data, Foo Power",
        quote=text[:44],
        quote_start=0,
        quote_end=44,
    )
    client.force_login(reviewer)
    page = source_page(client, source)
    assert [fact.claim for fact in page.context["facts"]] == [on_project, on_organization]
    assert "About organizations" in page.content.decode()
    response = decide(client, on_project, "accept")
    assert response["Location"].endswith(f"#fact-{on_organization.pk}")  # the next one to review, wherever it is
    decide(client, on_organization, "accept")
    on_organization.refresh_from_db()
    assert on_organization.status == "accepted"
