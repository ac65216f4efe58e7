"""Fetch an article by URL, safely, and reduce its HTML to the main text.

Every outgoing HTTP request of the project goes through :func:`fetch` (article fetches, and
the online geocoder through :class:`GeocoderAdapter`):

- only http(s); the host name is resolved once per request, every address it resolves to
  must be public (unless ``FETCH_ALLOW_PRIVATE``, for tests), and the connection goes to the
  address that was checked (*pinned*), so an answer that changes between the check and the
  connection (DNS rebinding) cannot reach another host;
- over https the certificate is verified against the host name of the URL (sent as SNI),
  while the connection goes to the pinned address;
- redirects are followed by hand, at most ``MAX_REDIRECTS``, each one checked and pinned
  the same way;
- the body is capped at ``FETCH_MAX_BYTES`` and each socket operation at ``FETCH_TIMEOUT``
  seconds.
"""

from __future__ import annotations

import datetime
import email.message
import ipaddress
import json
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _
from geopy.adapters import AdapterHTTPError, BaseSyncAdapter
from geopy.exc import GeocoderParseError, GeocoderUnavailable

MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}


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


@dataclass(frozen=True)
class Target:
    """Where one request goes: the URL's parts and the address that was checked."""

    scheme: str
    host: str
    port: int
    address: str
    path: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


@dataclass
class Response:
    url: str
    status: int
    headers: urllib3.HTTPHeaderDict
    body: bytes

    def text(self) -> str:
        message = email.message.Message()
        message["content-type"] = self.headers.get("Content-Type", "")
        charset = message.get_content_charset() or "utf-8"
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(url: str) -> Target:
    """Resolve the URL's host once and return where to connect.

    Refuses schemes other than http(s), and hosts resolving to any non-public address.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(_("Only http and https addresses can be fetched."))
    if not parts.hostname:
        raise FetchError(_("The address has no host name."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(_("The page could not be fetched: %(reason)s.") % {"reason": exc}) from exc
    try:
        # An internationalised name in its ASCII form: what DNS, the Host header and SNI carry.
        host = parts.hostname.encode("idna").decode("ascii")
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(_("The host name %(host)s cannot be resolved.") % {"host": parts.hostname}) from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise FetchError(_("The host name %(host)s cannot be resolved.") % {"host": parts.hostname})
    if not settings.FETCH_ALLOW_PRIVATE and not all(_is_public(address) for address in addresses):
        raise FetchError(_("%(host)s is not a public address; it cannot be fetched.") % {"host": parts.hostname})
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=host, port=port, address=str(addresses[0]), path=path)


def _pool(target: Target, timeout: float) -> urllib3.HTTPConnectionPool:
    """A connection pool to the pinned address; over https, SNI and the certificate check use the host name."""
    options = {
        "timeout": urllib3.Timeout(connect=timeout, read=timeout),
        "retries": False,
        "maxsize": 1,
    }
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            target.address, target.port, server_hostname=target.host, cert_reqs="CERT_REQUIRED", **options
        )
    return urllib3.HTTPConnectionPool(target.address, target.port, **options)


def _timeout_error(timeout: float) -> FetchError:
    return FetchError(_("The page did not answer within %(seconds)s seconds.") % {"seconds": timeout})


def _too_large() -> FetchError:
    limit = settings.FETCH_MAX_BYTES
    return FetchError(_("The page is larger than the %(limit)s bytes allowed.") % {"limit": limit})


def _send(target: Target, method: str, headers: dict[str, str], body: bytes | None, timeout: float) -> Response | str:
    """One exchange with the pinned address: the response, or the next URL of a redirect."""
    limit = settings.FETCH_MAX_BYTES
    pool = _pool(target, timeout)
    try:
        response = pool.urlopen(
            method,
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            assert_same_host=False,
            preload_content=False,
        )
        try:
            if response.status in REDIRECT_STATUSES and response.headers.get("Location"):
                return response.headers["Location"]
            declared = response.headers.get("Content-Length", "")
            if declared.isascii() and declared.isdigit() and int(declared) > limit:
                raise _too_large()
            content = response.read(limit + 1)
            if len(content) > limit:
                raise _too_large()
            return Response(url="", status=response.status, headers=response.headers, body=content)
        finally:
            response.release_conn()
    except urllib3.exceptions.NewConnectionError as exc:  # before TimeoutError, which it derives from
        reason = exc.__cause__ or exc
        raise FetchError(_("The page could not be fetched: %(reason)s.") % {"reason": reason}) from exc
    except (urllib3.exceptions.TimeoutError, TimeoutError) as exc:
        raise _timeout_error(timeout) from exc
    except urllib3.exceptions.SSLError as exc:
        raise FetchError(
            _("The certificate of %(host)s could not be verified: %(reason)s.") % {"host": target.host, "reason": exc}
        ) from exc
    except urllib3.exceptions.HTTPError as exc:
        reason = getattr(exc, "reason", None) or exc
        raise FetchError(_("The page could not be fetched: %(reason)s.") % {"reason": reason}) from exc
    finally:
        pool.close()


def fetch(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float | None = None,
) -> Response:
    """Send one request, following redirects; each hop is checked and pinned (see the module).

    ``timeout`` (seconds per socket operation) defaults to ``FETCH_TIMEOUT``.
    """
    timeout = settings.FETCH_TIMEOUT if timeout is None else timeout
    headers = {"User-Agent": settings.GEOCODER_USER_AGENT, **(headers or {})}
    for _hop in range(MAX_REDIRECTS + 1):
        target = check_url(url)
        result = _send(target, method, headers, body, timeout)
        if isinstance(result, Response):
            result.url = url
            return result
        url = urljoin(url, result)
        if method not in ("GET", "HEAD"):
            # A redirected write becomes a plain read, as browsers do, without its body.
            method, body = "GET", None
            headers = {name: value for name, value in headers.items() if name.lower() != "content-type"}
    raise FetchError(_("The page redirects more than %(count)s times.") % {"count": MAX_REDIRECTS})


def fetch_html(url: str) -> tuple[str, str]:
    """(final URL, decoded body) of a page, within the size and time limits."""
    response = fetch(url, headers={"Accept": "text/html"})
    if not 200 <= response.status < 300:
        raise FetchError(_("The server answered %(status)s.") % {"status": response.status})
    return response.url, response.text()


class GeocoderAdapter(BaseSyncAdapter):
    """geopy's requests, sent by :func:`fetch` (same checks, pinning and limits as everything else)."""

    def __init__(self, *, proxies=None, ssl_context=None):
        super().__init__(proxies=proxies, ssl_context=ssl_context)

    def get_text(self, url, *, timeout, headers):
        try:
            response = fetch(url, headers=headers, timeout=timeout)
        except FetchError as exc:
            raise GeocoderUnavailable(str(exc)) from exc
        if not 200 <= response.status < 300:
            raise AdapterHTTPError(
                f"Non-successful status code {response.status}",
                status_code=response.status,
                headers=response.headers,
                text=response.text(),
            )
        return response.text()

    def get_json(self, url, *, timeout, headers):
        text = self.get_text(url, timeout=timeout, headers=headers)
        try:
            return json.loads(text)
        except ValueError as exc:
            raise GeocoderParseError(f"Could not deserialize the geocoder's answer as JSON: {text[:200]!r}") from exc


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
