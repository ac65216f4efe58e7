"""A news site on 127.0.0.1: three articles (two French, one English), an Atom feed listing them,
and a wire's RSS feed listing the same articles again under other addresses: one with tracking
parameters, one copy at another address, one lightly edited copy."""

import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ARTICLES = Path(__file__).parent / "articles"
SLUGS = ("lannion", "vierzon", "wrexham")


def article(slug: str) -> bytes:
    return (ARTICLES / f"{slug}.html").read_bytes()


def edited_wrexham() -> bytes:
    """The Wrexham article as a partner site runs it: another headline, a credit line, a word changed."""
    html = article("wrexham").decode()
    html = html.replace("gets planning approval", "approved by councillors")
    html = html.replace("approved on Tuesday", "approved this week")
    html = html.replace("</article>", "<p>Reporting by the North Wales Business Wire.</p></article>")
    return html.encode()


def atom(base: str) -> bytes:
    entries = "".join(
        f"""<entry><title>{title}</title><link rel="alternate" href="{base}/articles/{slug}.html"/>
<id>urn:uuid:{number:08d}-0000-4000-8000-000000000000</id><updated>{updated}</updated>
<summary>{title}</summary></entry>"""
        for number, (slug, title, updated) in enumerate(
            [
                ("lannion", "Lannion : un centre de données de 120 MW", "2026-03-04T07:30:00Z"),
                ("vierzon", "Vierzon accueillera un centre de données de 60 MW", "2026-02-17T09:00:00Z"),
                ("wrexham", "Wrexham data centre of 90 MW gets planning approval", "2026-01-21T09:15:00Z"),
            ]
        )
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Le desk énergie &amp; numérique</title>
<id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id><updated>2026-03-04T07:30:00Z</updated>
<link rel="self" href="{base}/feeds/desk.atom"/>{entries}</feed>""".encode()


def rss(base: str) -> bytes:
    items = [
        (
            "Lannion mise sur les données",
            f"{base}/articles/lannion.html?utm_source=rss&amp;utm_medium=feed"
            "&amp;fbclid=IwAR3xyz&amp;mc_cid=a1b2#commentaires",
        ),
        ("Vierzon : 60 MW", f"{base}/syndication/vierzon-copy.html"),
        ("Wrexham data centre approved by councillors", f"{base}/partners/wrexham.html?ref=wire"),
    ]
    body = "".join(
        f'<item><title>{title}</title><link>{link}</link><guid isPermaLink="false">wire-{n}</guid>'
        f"<pubDate>Wed, 04 Mar 2026 10:00:00 GMT</pubDate></item>"
        for n, (title, link) in enumerate(items)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>{base}/</link><description>Data centres</description>
{body}</channel></rss>""".encode()


class NewsSite:
    """The site's pages; the RSS feed answers 304 to its own ETag, the Atom feed has none."""

    RSS_ETAG = '"wire-1"'

    def __init__(self):
        self.requests: list[tuple[str, str]] = []
        self.broken: set[str] = set()
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append(("GET", self.path))
                site.answer(self)

            def do_HEAD(self):
                site.requests.append(("HEAD", self.path))
                site.answer(self, head=True)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def page(self, path: str):
        if path in self.broken:
            return 404, b"gone", "text/plain", {}
        if path == "/feeds/desk.atom":
            return 200, atom(self.base), "application/atom+xml; charset=utf-8", {}
        if path == "/feeds/wire.rss":
            return 200, rss(self.base), "application/rss+xml", {"ETag": self.RSS_ETAG}
        if path.startswith("/articles/") and path.removeprefix("/articles/").removesuffix(".html") in SLUGS:
            return 200, article(path.removeprefix("/articles/").removesuffix(".html")), "text/html; charset=utf-8", {}
        if path == "/syndication/vierzon-copy.html":
            return 200, article("vierzon"), "text/html; charset=utf-8", {}
        if path == "/partners/wrexham.html":
            return 200, edited_wrexham(), "text/html; charset=utf-8", {}
        if path == "/not-a-feed":
            return 200, b"<html><body>Hello</body></html>", "text/html", {}
        if path == "/flaky":
            return 503, b"busy", "text/plain", {}
        return 404, b"not found", "text/plain", {}

    def answer(self, handler, head=False):
        path = urlsplit(handler.path).path
        status, body, content_type, headers = self.page(path)
        if headers.get("ETag") and handler.headers.get("If-None-Match") == headers["ETag"]:
            status, body = 304, b""
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if not head:
            handler.wfile.write(body)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def news_site(settings):
    settings.FETCH_ALLOW_PRIVATE = True
    site = NewsSite()
    yield site
    site.close()
