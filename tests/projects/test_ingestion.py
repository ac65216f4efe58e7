import http.server
import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command

from projects.fetching import FetchError, fetch_article
from projects.ingestion import ingest_source, store_source
from projects.models import Claim, Project

pytestmark = pytest.mark.django_db

REVISED_ARTICLE = """Escaudain : le data center d'intelligence artificielle se précise

Le projet de centre de données d'Escaudain, près de Valenciennes, s'étendra finalement sur 33 hectares \
de l'ancienne friche Usinor, selon le dossier présenté aux élus. Sa capacité reste de 700 mégawatts.
"""

NEW_PROJECT_ARTICLE = """Hyperscale campus planned in Cambrai

A developer has unveiled plans for a 250 MW data centre campus in Cambrai, northern France, \
with an investment of €1.2bn and 300 permanent jobs.
"""


def test_second_article_attaches_to_the_demo_project_and_flags_the_area_conflict(demo):
    source = store_source(text=REVISED_ARTICLE, title="Le data center se précise", publisher="La Voix")
    result = ingest_source(source=source)

    assert result.project == demo and not result.project_created
    area = Claim.objects.get(source=source, attribute="site_area_ha")
    assert area.status == "proposed" and area.value_number == Decimal("33")
    assert area.in_conflict  # contradicts the accepted 38 ha
    assert REVISED_ARTICLE[area.quote_start : area.quote_end] == area.quote
    capacity = Claim.objects.get(source=source, attribute="capacity_mw")
    assert not capacity.in_conflict  # agrees with the accepted 700 MW
    demo.refresh_from_db()
    assert demo.site_area_ha == Decimal("38")  # a proposal never changes the headline

    # Once a reviewer accepts it, both figures stand and the project shows the conflict.
    from projects import services

    services.claim_accept(claim=area)
    demo.refresh_from_db()
    assert demo.conflict_count == 1
    assert demo.site_area_ha == Decimal("38")


def test_ingesting_the_same_source_twice_adds_nothing(demo):
    source = store_source(text=REVISED_ARTICLE, title="Le data center se précise")
    first = ingest_source(source=source)
    second = ingest_source(source=source)
    assert first.claims and second.claims == []


def test_article_about_an_unknown_site_proposes_a_draft_project(db):
    source = store_source(text=NEW_PROJECT_ARTICLE, title="Hyperscale campus planned in Cambrai")
    result = ingest_source(source=source)
    project = result.project
    assert result.project_created and project.is_draft
    assert (project.municipality, project.country) == ("Cambrai", "FR")
    assert project.latitude == pytest.approx(50.17, abs=0.05)
    attributes = dict(Claim.objects.filter(project=project).values_list("attribute", "value_number"))
    assert attributes["capacity_mw"] == Decimal("250")
    assert attributes["investment"] == Decimal("1200000000")
    assert attributes["jobs_permanent"] == Decimal("300")
    assert not Claim.objects.exclude(status="proposed").exists()


def test_ingest_article_command_reports_the_claims(demo, tmp_path, capsys):
    article = tmp_path / "revised.txt"
    article.write_text(REVISED_ARTICLE, encoding="utf-8")
    call_command("ingest_article", str(article), "--project", demo.slug, "--publisher", "La Voix")
    output = capsys.readouterr().out
    assert "Escaudain AI data center" in output
    assert "33 ha  CONFLICT" in output


# Fetching ------------------------------------------------------------------------------------

PAGE = """<html><head><title>Data centre approved</title><meta property="og:site_name" content="Local Times"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a> Subscribe now</nav>
<article><h1>Data centre approved</h1>
<p>The council approved a 120 MW data centre in Cambrai on Tuesday, after a long consultation with residents
who had raised questions about noise, water and traffic on the roads leading to the industrial estate.</p>
<p>The operator expects the first hall to open in 2028 and says 80 permanent jobs will be created on the site,
which lies next to the existing substation and a former sugar factory that closed two decades ago.</p>
</article><footer>Copyright Local Times. All rights reserved.</footer></body></html>"""


class ArticleHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/slow":
            time.sleep(2)
        if self.path == "/redirect-elsewhere":
            self.send_response(302)
            self.send_header("Location", "http://unresolvable-host.invalid/article")
            self.end_headers()
            return
        body = (PAGE * (200 if self.path == "/huge" else 1)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def article_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ArticleHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def allow_local(settings):
    settings.FETCH_ALLOW_PRIVATE = True
    return settings


def test_fetch_keeps_the_main_text_without_navigation(article_server, allow_local):
    article = fetch_article(f"{article_server}/article")
    assert "120 MW data centre in Cambrai" in article.text
    assert "Subscribe now" not in article.text and "All rights reserved" not in article.text
    assert article.title == "Data centre approved"


def test_ingest_article_from_a_url(article_server, allow_local, db):
    call_command("ingest_article", f"{article_server}/article")
    source = Project.objects.get().claims.first().source
    assert source.url == f"{article_server}/article" and source.retrieved_at is not None
    assert Claim.objects.filter(attribute="capacity_mw", value_number=Decimal("120")).exists()


def test_private_addresses_are_refused_by_default(article_server, settings):
    settings.FETCH_ALLOW_PRIVATE = False
    with pytest.raises(FetchError, match="not a public address"):
        fetch_article(f"{article_server}/article")


@pytest.mark.parametrize("url", ["ftp://example.org/article", "file:///etc/passwd", "javascript:alert(1)"])
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(FetchError, match="Only http and https"):
        fetch_article(url)


def test_redirects_are_checked_too(article_server, allow_local):
    with pytest.raises(FetchError, match="cannot be resolved"):
        fetch_article(f"{article_server}/redirect-elsewhere")


def test_size_cap(article_server, allow_local):
    allow_local.FETCH_MAX_BYTES = 10_000
    with pytest.raises(FetchError, match="larger than"):
        fetch_article(f"{article_server}/huge")


def test_timeout(article_server, allow_local):
    allow_local.FETCH_TIMEOUT = 0.5
    with pytest.raises(FetchError, match="did not answer"):
        fetch_article(f"{article_server}/slow")
