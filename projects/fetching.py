"""Fetch an article by URL, safely, and reduce its HTML to the main text.

Only http(s) is fetched; every address the host name resolves to, on the first
request and on each redirect, must be public (unless ``FETCH_ALLOW_PRIVATE``);
the body is capped at ``FETCH_MAX_BYTES`` and the whole exchange at
``FETCH_TIMEOUT`` seconds per socket operation.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class FetchError(Exception):
    """The article could not be fetched; the message says why, for the user."""


@dataclass
class FetchedArticle:
    url: str
    text: str
    title: str = ""
    publisher: str = ""
    author: str = ""
    published_on: datetime.date | None = None


def check_url(url: str):
    """Refuse schemes other than http(s) and hosts resolving to non-public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(_("Only http and https addresses can be fetched."))
    if not parts.hostname:
        raise FetchError(_("The address has no host name."))
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror as exc:
        raise FetchError(_("The host name %(host)s cannot be resolved.") % {"host": parts.hostname}) from exc
    if settings.FETCH_ALLOW_PRIVATE:
        return
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise FetchError(_("%(host)s is not a public address; it cannot be fetched.") % {"host": parts.hostname})


class _CheckedRedirectHandler(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_html(url: str) -> tuple[str, str]:
    """(final URL, decoded body) of a page, within the size and time limits."""
    check_url(url)
    opener = urllib.request.build_opener(_CheckedRedirectHandler)
    request = urllib.request.Request(url, headers={"User-Agent": settings.GEOCODER_USER_AGENT, "Accept": "text/html"})
    limit = settings.FETCH_MAX_BYTES
    try:
        with opener.open(request, timeout=settings.FETCH_TIMEOUT) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(_("The page is larger than the %(limit)s bytes allowed.") % {"limit": limit})
            body = response.read(limit + 1)
            if len(body) > limit:
                raise FetchError(_("The page is larger than the %(limit)s bytes allowed.") % {"limit": limit})
            charset = response.headers.get_content_charset() or "utf-8"
            return response.geturl(), body.decode(charset, errors="replace")
    except FetchError:
        raise
    except TimeoutError as exc:
        raise FetchError(
            _("The page did not answer within %(seconds)s seconds.") % {"seconds": settings.FETCH_TIMEOUT}
        ) from exc
    except urllib.error.HTTPError as exc:
        raise FetchError(_("The server answered %(status)s.") % {"status": exc.code}) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, FetchError):
            raise exc.reason from exc
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise FetchError(
                _("The page did not answer within %(seconds)s seconds.") % {"seconds": settings.FETCH_TIMEOUT}
            ) from exc
        raise FetchError(_("The page could not be fetched: %(reason)s.") % {"reason": exc.reason}) from exc


def html_to_article(url: str, html: str) -> FetchedArticle:
    """The main text and metadata of a page, without menus, footers and comments."""
    import trafilatura

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False, favor_precision=True)
    if not text:
        raise FetchError(_("No article text was found on the page."))
    metadata = trafilatura.extract_metadata(html, default_url=url)
    published_on = None
    if metadata is not None and metadata.date:
        try:
            published_on = datetime.date.fromisoformat(metadata.date[:10])
        except ValueError:
            published_on = None
    return FetchedArticle(
        url=url,
        text=text,
        title=(metadata.title if metadata and metadata.title else "")[:500],
        publisher=(metadata.sitename if metadata and metadata.sitename else "")[:200],
        author=(metadata.author if metadata and metadata.author else "")[:200],
        published_on=published_on,
    )


def fetch_article(url: str) -> FetchedArticle:
    final_url, html = fetch_html(url)
    return html_to_article(final_url, html)
