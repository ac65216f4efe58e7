"""The jobs inline (no broker): retries, idempotency, the link check, the admin pages, and the rules
that keep the fetches safe."""

import io
import time

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django_celery_results.models import TaskResult

from projects.fetching import FetchError
from projects.models import Source
from projects.newsdesk import services, tasks
from projects.newsdesk.dedupe import normalize_url
from projects.newsdesk.models import EntryState, Feed, FeedEntry, LinkCheck, SourceArchive
from tests.factories import SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def inline_as_deployed():
    """Jobs inline as on the embedded default: a failing job is recorded as failed, not raised (the test
    settings raise it), and a retry runs again at once."""
    from tracker.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def feed(url) -> Feed:
    return services.feed_save(instance=Feed(url=url))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://News.Example.org:443/a/b.html?utm_source=rss&utm_medium=feed&b=2&a=1&fbclid=x&gclid=y#top",
            "https://news.example.org/a/b.html?a=1&b=2",
        ),
        ("https://example.org/p?mc_cid=1&mc_eid=2&id=7&_ga=3&xtor=RSS-1", "https://example.org/p?id=7"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/x?page=2&q=data+centre", "https://example.org/x?page=2&q=data+centre"),
    ],
)
def test_addresses_lose_their_tracking_parameters(url, expected):
    assert normalize_url(url) == expected


def test_the_jobs_run_inline_and_their_results_are_listed_in_the_admin(news_site, admin_client):
    desk = feed(f"{news_site.base}/feeds/desk.atom")
    result = tasks.poll_all_feeds.delay()
    assert result.get() == {"feeds": 1}
    assert Source.objects.count() == 3
    names = set(TaskResult.objects.values_list("task_name", flat=True))
    assert names == {
        "projects.newsdesk.tasks.poll_all_feeds",
        "projects.newsdesk.tasks.poll_feed",
        "projects.newsdesk.tasks.ingest_entry",
    }
    assert set(TaskResult.objects.values_list("status", flat=True)) == {"SUCCESS"}

    # a job run again creates nothing
    tasks.poll_feed.delay(desk.pk)
    for entry in FeedEntry.objects.all():
        assert tasks.ingest_entry.delay(entry.pk).get()["state"] == EntryState.INGESTED
    assert (Source.objects.count(), FeedEntry.objects.count(), SourceArchive.objects.count()) == (3, 3, 3)

    page = admin_client.get(reverse("admin:django_celery_results_taskresult_changelist"))
    assert page.status_code == 200 and "projects.newsdesk.tasks.ingest_entry" in page.content.decode()
    page = admin_client.get(reverse("admin:newsdesk_feed_changelist"))
    assert page.status_code == 200 and "Le desk énergie &amp; numérique" in page.content.decode()
    page = admin_client.get(reverse("admin:newsdesk_feed_change", args=[desk.pk])).content.decode()
    assert "Lannion : un centre de données de 120 MW" in page
    for source in Source.objects.all():
        assert reverse("admin:projects_source_change", args=[source.pk]) in page
    for name in ("feedentry", "sourcearchive", "linkcheck"):
        assert admin_client.get(reverse(f"admin:newsdesk_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 200


def test_the_feed_list_costs_the_same_queries_for_more_feeds(admin_client, django_assert_max_num_queries):
    for number in range(3):
        feed(f"https://news{number}.example.org/feed.xml")
    url = reverse("admin:newsdesk_feed_changelist")
    with django_assert_max_num_queries(12) as few:
        admin_client.get(url)
    for number in range(3, 30):
        feed(f"https://news{number}.example.org/feed.xml")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_client.get(url).status_code == 200


def test_a_fetch_error_is_retried_then_the_entry_is_marked_failed(news_site, monkeypatch, inline_as_deployed):
    desk = feed(f"{news_site.base}/feeds/desk.atom")
    calls = []

    def unreachable(url):
        calls.append(url)
        raise FetchError("The page did not answer within 10 seconds.")

    monkeypatch.setattr("projects.newsdesk.polling.fetch_html", unreachable)
    assert tasks.poll_feed.delay(desk.pk).successful()
    assert FeedEntry.objects.filter(state=EntryState.FAILED).count() == 3
    for entry in FeedEntry.objects.all():
        assert entry.attempts == tasks.FETCH_RETRIES + 1 and "did not answer" in entry.error
        assert calls.count(entry.url) == tasks.FETCH_RETRIES + 1
    failures = TaskResult.objects.filter(task_name="projects.newsdesk.tasks.ingest_entry", status="FAILURE")
    assert failures.count() == 3 and "did not answer" in failures.first().result
    assert not Source.objects.exists()


def test_a_feed_that_does_not_answer_is_retried_and_its_error_kept(news_site, inline_as_deployed):
    flaky = feed(f"{news_site.base}/flaky")
    assert tasks.poll_feed.delay(flaky.pk).failed()
    flaky.refresh_from_db()
    assert flaky.consecutive_failures == tasks.FETCH_RETRIES + 1
    assert "503" in flaky.last_error
    assert [path for _method, path in news_site.requests].count("/flaky") == tasks.FETCH_RETRIES + 1


def test_a_feed_on_a_private_address_is_refused_without_the_test_exception(news_site, settings):
    settings.FETCH_ALLOW_PRIVATE = False
    local = feed(f"{news_site.base}/feeds/desk.atom")
    out = io.StringIO()
    call_command("poll_feeds", stdout=out, stderr=out)
    local.refresh_from_db()
    assert "not a public address" in local.last_error
    assert news_site.requests == []


def test_feedparser_never_reads_a_local_file_named_by_the_answer(news_site, monkeypatch, tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_text('<rss version="2.0"><channel><title>Local file</title></channel></rss>')
    news_site_page = news_site.page

    def page(path):
        if path == "/path-feed":
            return 200, str(secret).encode(), "application/xml", {}
        return news_site_page(path)

    monkeypatch.setattr(news_site, "page", page)
    local = feed(f"{news_site.base}/path-feed")
    call_command("poll_feeds", stdout=io.StringIO(), stderr=io.StringIO())
    local.refresh_from_db()
    assert local.title == "" and "not a readable feed" in local.last_error


def test_a_feed_declaring_entities_is_refused_before_it_is_parsed(news_site, monkeypatch):
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{laughs}]><rss version="2.0"><channel>'
    bomb += "<title>&l9;</title><item><title>x</title><link>https://example.org/a</link></item></channel></rss>"
    news_site_page = news_site.page
    monkeypatch.setattr(
        news_site,
        "page",
        lambda path: (200, bomb.encode(), "application/rss+xml", {}) if path == "/bomb" else news_site_page(path),
    )
    hostile = feed(f"{news_site.base}/bomb")
    started = time.monotonic()
    call_command("poll_feeds", stdout=io.StringIO(), stderr=io.StringIO())
    assert time.monotonic() - started < 5
    hostile.refresh_from_db()
    assert "<!ENTITY>" in hostile.last_error and not hostile.entries.exists()


def test_hostile_entries_are_skipped_and_their_titles_stay_text(news_site, monkeypatch, admin_client):
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link></item>"
        for title, link in [
            ("&lt;script&gt;alert(1)&lt;/script&gt; Lannion", f"{news_site.base}/articles/lannion.html"),
            ("script", "javascript:alert(1)"),
            ("file", "file:///etc/passwd"),
            ("long", "https://example.org/" + "a" * 3000),
        ]
    )
    body = f'<rss version="2.0"><channel><title>Hostile</title>{items}</channel></rss>'
    news_site_page = news_site.page
    monkeypatch.setattr(
        news_site,
        "page",
        lambda path: (200, body.encode(), "application/rss+xml", {}) if path == "/hostile" else news_site_page(path),
    )
    hostile = feed(f"{news_site.base}/hostile")
    call_command("poll_feeds", stdout=io.StringIO(), stderr=io.StringIO())
    assert list(hostile.entries.values_list("normalized_url", flat=True)) == [f"{news_site.base}/articles/lannion.html"]
    page = admin_client.get(reverse("admin:newsdesk_feed_change", args=[hostile.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_link_check_marks_the_sources_whose_address_no_longer_answers(news_site):
    alive = SourceFactory(url=f"{news_site.base}/articles/lannion.html")
    gone = SourceFactory(url=f"{news_site.base}/articles/removed.html")
    SourceFactory(url=None)
    assert tasks.check_source_links.delay().get() == {"sources": 2}
    assert LinkCheck.objects.get(source=alive).answers is True
    check = LinkCheck.objects.get(source=gone)
    assert (check.answers, check.status_code, check.consecutive_failures) == (False, 404, 1)
    assert ("HEAD", "/articles/lannion.html") in news_site.requests
    # checked a moment ago: not again until LINK_CHECK_RECHECK_HOURS have passed
    assert tasks.check_source_links.delay().get() == {"sources": 0}
    LinkCheck.objects.update(checked_at=check.checked_at.replace(year=check.checked_at.year - 1))
    tasks.check_source_links.delay()
    check.refresh_from_db()
    assert check.consecutive_failures == 2 and check.failing_since < check.checked_at


def test_every_new_text_of_a_source_is_archived_once():
    source = SourceFactory(text="Le centre de données de 120 MW.")
    assert SourceArchive.objects.filter(source=source).count() == 1
    from projects import services as project_services

    project_services.record_save(instance=source, data={"title": "Renamed"})
    assert SourceArchive.objects.filter(source=source).count() == 1
    project_services.record_save(instance=source, data={"text": "Le centre de données de 150 MW."})
    assert list(SourceArchive.objects.filter(source=source).order_by("id").values_list("text", flat=True)) == [
        "Le centre de données de 120 MW.",
        "Le centre de données de 150 MW.",
    ]


def test_editors_manage_feeds_in_the_admin_and_readers_only_see_them(client):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="editors"))
    client.force_login(editor)
    response = client.post(
        reverse("admin:newsdesk_feed_add"),
        {"url": "https://news.example.org/feed.atom", "title": "", "publisher": "", "language": "fr", "active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Feed.objects.get()
    assert created.language == "fr"
    reader = UserFactory(is_staff=True)
    reader.groups.add(Group.objects.get(name="readers"))
    client.force_login(reader)
    assert client.get(reverse("admin:newsdesk_feed_change", args=[created.pk])).status_code == 200
    assert client.post(reverse("admin:newsdesk_feed_add"), {"url": "https://x.example.org/f"}).status_code == 403


def test_the_news_desk_speaks_french(admin_client):
    feed("https://news.example.org/feed.atom")
    page = admin_client.get(reverse("admin:newsdesk_feed_changelist"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Dernière relève" in page and "Relever maintenant" in page and "Articles apportés" in page
    assert "Veille de presse" in admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    page = admin_client.get(reverse("admin:newsdesk_linkcheck_changelist"), HTTP_ACCEPT_LANGUAGE="fr").content
    assert "ne répond plus" in page.decode()


def test_an_article_longer_than_a_source_holds_fails_once_and_is_not_asked_again(news_site, settings):
    from projects.models.limits import SOURCE_TEXT_MAX_LENGTH

    sentence = "Le centre de données de Lannion atteindra 120 MW. " * 40
    paragraphs = "".join(f"<p>{n} {sentence}</p>" for n in range(SOURCE_TEXT_MAX_LENGTH // 2000 + 2))
    long_page = f"<html><body><article><h1>Long</h1>{paragraphs}</article></body></html>"
    body = '<rss version="2.0"><channel><title>Long</title><item><title>Long</title>'
    body += f"<link>{news_site.base}/long.html</link></item></channel></rss>"
    pages = {
        "/long.xml": (200, body.encode(), "application/rss+xml", {}),
        "/long.html": (200, long_page.encode(), "text/html", {}),
    }
    original = news_site.page
    news_site.page = lambda path: pages.get(path) or original(path)
    settings.FETCH_MAX_BYTES = 2 * SOURCE_TEXT_MAX_LENGTH
    feed(f"{news_site.base}/long.xml")
    call_command("poll_feeds", stdout=io.StringIO(), stderr=io.StringIO())
    entry = FeedEntry.objects.get()
    assert entry.state == EntryState.FAILED and f"at most {SOURCE_TEXT_MAX_LENGTH}" in entry.error
    assert not Source.objects.exists()
    output = io.StringIO()
    call_command("poll_feeds", stdout=output, stderr=output)
    assert "0 new entries" in output.getvalue()
    assert [path for _method, path in news_site.requests].count("/long.html") == 1


def test_a_job_queued_from_a_french_request_stores_its_error_in_the_site_s_language(settings):
    """What a job stores does not depend on the language active where it was queued."""
    from django.utils import translation

    from projects.newsdesk.tasks import ingest_entry

    seen = {}

    @ingest_entry.app.task(name="tests.language_probe")
    def language_probe():
        seen["language"] = translation.get_language()

    with translation.override("fr"):
        language_probe.delay()
        assert translation.get_language() == "fr"
    assert seen["language"] == settings.LANGUAGE_CODE
