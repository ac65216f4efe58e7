"""Feeds registered through the API, read by ``poll_feeds``: each article once, however many feeds list
it and under whatever address, each read into a source with proposed claims and its archived text."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects import choices
from projects.models import Claim, Source
from projects.newsdesk.dedupe import content_hash, text_sha256
from projects.newsdesk.models import DuplicateReason, EntryState, Feed, FeedEntry, SourceArchive
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FEEDS = "/api/v1/feeds/"


@pytest.fixture
def editor_api():
    user = UserFactory(username="desk-editor")
    user.groups.add(Group.objects.get(name="editors"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def poll() -> str:
    out = io.StringIO()
    call_command("poll_feeds", stdout=out, stderr=out)
    return out.getvalue()


def test_two_feeds_polled_twice_give_three_sources_each_with_proposed_claims(news_site, editor_api):
    for url, language in ((f"{news_site.base}/feeds/desk.atom", ""), (f"{news_site.base}/feeds/wire.rss", "")):
        response = editor_api.post(FEEDS, {"url": url, "language": language, "publisher": "Desk"}, format="json")
        assert response.status_code == 201, response.content
        assert response["ETag"]
    first = poll()
    assert "6 new entries: 3 articles read into sources" in first, first
    assert "3 already read" in first, first
    assert "already read (nearly the same text, 9" in first and "% alike)" in first, first
    assert "already read (same address)" in first and "already read (same text)" in first, first

    sources = list(Source.objects.order_by("url"))
    assert [s.url for s in sources] == [
        f"{news_site.base}/articles/{slug}.html" for slug in ("lannion", "vierzon", "wrexham")
    ]
    for source in sources:
        proposed = Claim.objects.filter(source=source, status=choices.ClaimStatus.PROPOSED)
        attributes = set(proposed.values_list("attribute", flat=True))
        assert {"capacity_mw", "investment", "municipality"} <= attributes, (source.url, attributes)
        archive = SourceArchive.objects.get(source=source)
        assert archive.text == source.text and archive.sha256 == text_sha256(source.text)
        assert archive.content_hash == content_hash(source.text)
    assert {s.language for s in sources} == {"fr", "en"}
    assert Source.objects.get(url__endswith="lannion.html").publisher == "Le Courrier des Côtes"

    wire = Feed.objects.get(url__endswith="wire.rss")
    duplicates = {e.url.rsplit("/", 1)[1]: e for e in wire.entries.all()}
    assert {e.state for e in duplicates.values()} == {EntryState.DUPLICATE}
    by_reason = {e.duplicate_reason: e for e in duplicates.values()}
    assert by_reason[DuplicateReason.URL].normalized_url == f"{news_site.base}/articles/lannion.html"
    assert by_reason[DuplicateReason.URL].source.url.endswith("lannion.html")
    assert by_reason[DuplicateReason.CONTENT].source.url.endswith("vierzon.html")
    assert by_reason[DuplicateReason.NEAR].source.url.endswith("wrexham.html")
    assert 90 <= by_reason[DuplicateReason.NEAR].similarity < 100
    # the article at the tracked address was never fetched again: recognised by its address alone
    assert not [path for method, path in news_site.requests if "utm_source" in path]

    counts = (Source.objects.count(), Claim.objects.count(), FeedEntry.objects.count(), SourceArchive.objects.count())
    second = poll()
    assert "0 new entries" in second, second
    assert "unchanged since the last poll" in second  # the wire's ETag came back: 304
    assert (
        Source.objects.count(),
        Claim.objects.count(),
        FeedEntry.objects.count(),
        SourceArchive.objects.count(),
    ) == counts

    desk = editor_api.get(f"{FEEDS}{Feed.objects.get(url__endswith='desk.atom').pk}/").json()
    assert desk["title"] == "Le desk énergie & numérique"
    assert desk["articles_ingested"] == 3 and desk["last_error"] == "" and desk["last_polled_at"]
    assert editor_api.get(f"{FEEDS}{wire.pk}/").json()["articles_ingested"] == 0


def test_a_feed_that_fails_keeps_its_error_and_the_others_are_read(news_site):
    from projects.newsdesk import services

    broken = services.feed_save(instance=Feed(url=f"{news_site.base}/not-a-feed"))
    services.feed_save(instance=Feed(url=f"{news_site.base}/feeds/desk.atom"))
    output = poll()
    assert "1 failed" in output and "3 articles read" in output, output
    broken.refresh_from_db()
    assert "not a readable feed" in broken.last_error
    assert broken.consecutive_failures == 1 and broken.last_success_at is None
    assert broken.version == 1  # polling is not an edit


def test_an_article_that_cannot_be_fetched_is_marked_failed_and_read_again_later(news_site):
    from projects.newsdesk import services

    news_site.broken.add("/articles/vierzon.html")
    services.feed_save(instance=Feed(url=f"{news_site.base}/feeds/desk.atom"))
    output = poll()
    assert "2 articles read" in output, output
    failed = FeedEntry.objects.get(state=EntryState.FAILED)
    assert failed.normalized_url.endswith("vierzon.html") and "404" in failed.error
    news_site.broken.clear()
    FeedEntry.objects.filter(pk=failed.pk).update(state=EntryState.NEW)  # the admin's "read again"
    assert "1 articles read" in poll()
    assert Source.objects.count() == 3


def test_feeds_are_for_the_newsroom_only(news_site, editor_api):
    response = editor_api.post(FEEDS, {"url": f"{news_site.base}/feeds/desk.atom"}, format="json")
    assert response.status_code == 201
    detail = f"{FEEDS}{response.json()['id']}/"
    assert APIClient().get(FEEDS).status_code == 401
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=UserFactory()).key}")
    assert reader.get(FEEDS).status_code == 403
    member = UserFactory()
    member.groups.add(Group.objects.get(name="readers"))
    reader.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=member).key}")
    assert reader.get(detail).status_code == 200
    assert reader.patch(detail, {"active": False}, format="json").status_code == 403


def test_feed_writes_need_if_match_and_poll_fields_are_not_writable(news_site, editor_api):
    created = editor_api.post(FEEDS, {"url": f"{news_site.base}/feeds/desk.atom"}, format="json")
    detail = f"{FEEDS}{created.json()['id']}/"
    assert editor_api.patch(detail, {"active": False}, format="json").status_code == 428
    etag = editor_api.get(detail)["ETag"]
    response = editor_api.patch(detail, {"last_error": "x"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400, response.content
    response = editor_api.patch(detail, {"active": False}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200 and response.json()["active"] is False
    assert editor_api.patch(detail, {"active": True}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    for url in ("file:///etc/passwd", "ftp://example.org/feed", "not a url"):
        response = editor_api.post(FEEDS, {"url": url}, format="json")
        assert response.status_code in (400, 422) and "url" in response.json()["error"]["fields"], url
    # the same address again: a unique value taken, the API's 409
    assert editor_api.post(FEEDS, {"url": f"{news_site.base}/feeds/desk.atom"}, format="json").status_code == 409
    assert Feed.objects.count() == 1
    etag = editor_api.get(detail)["ETag"]
    assert editor_api.delete(detail, HTTP_IF_MATCH=etag).status_code == 204
    assert not Feed.objects.exists()


def test_feeds_are_in_the_schema(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    assert set(schema["paths"]["/api/v1/feeds/"]) >= {"get", "post"}
    assert set(schema["paths"]["/api/v1/feeds/{id}/"]) >= {"get", "put", "patch", "delete"}
    assert "401" in schema["paths"]["/api/v1/feeds/"]["get"]["responses"]
    properties = schema["components"]["schemas"]["Feed"]["properties"]
    assert properties["last_polled_at"]["readOnly"] is True
