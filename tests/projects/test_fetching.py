"""Outgoing requests go to the address that was checked, redirects included (no DNS rebinding).

The network is simulated at the socket level: ``socket.getaddrinfo`` answers what each test
says for its host names, and ``socket.socket.connect`` routes the "public" addresses the
tests use to servers on 127.0.0.1. Nothing leaves the machine: a connection to any other
non-loopback address is refused before it is attempted.
"""

import http.server
import ipaddress
import socket
import ssl
import threading
from urllib.parse import parse_qs, urlsplit

import pytest

from core.geo import geocode
from projects.fetching import FetchError, fetch, fetch_article

PUBLIC = "93.184.215.14"
OTHER_PUBLIC = "151.101.1.69"

PAGE = """<html><head><title>Public article</title></head><body><article>
<h1>Data centre approved</h1>
<p>The council approved a 120 MW data centre in Cambrai on Monday, after a public inquiry
that lasted six weeks and heard from residents, the grid operator and the developer.</p>
<p>Construction is expected to start next year, with a first building in service in 2028.</p>
</article></body></html>"""


class Server:
    """A threaded HTTP server on 127.0.0.1 that records the requests it gets."""

    def __init__(self, handler_factory, tls_context: ssl.SSLContext | None = None):
        self.requests: list[dict] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append({"path": self.path, "host": self.headers.get("Host")})
                handler_factory(self)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls_context is not None:
            self.httpd.socket = tls_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def answer(handler, status=200, body=b"", headers=()):
    handler.send_response(status)
    for name, value in headers:
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def public_site(handler):
    """/redirect?to=URL redirects there; anything else is the article."""
    parts = urlsplit(handler.path)
    if parts.path == "/redirect":
        answer(handler, 302, headers=[("Location", parse_qs(parts.query)["to"][0])])
    elif parts.path == "/search":  # a Nominatim answer
        body = b'[{"lat": "50.1234", "lon": "3.4321", "display_name": "Somewhere, France"}]'
        answer(handler, 200, body, [("Content-Type", "application/json")])
    elif parts.path == "/loop":
        answer(handler, 301, headers=[("Location", "/loop")])
    else:
        answer(handler, 200, PAGE.encode(), [("Content-Type", "text/html; charset=utf-8")])


def internal_service(handler):
    answer(handler, 200, b"<html><body><article><p>internal secret</p></article></body></html>")


class Network:
    """Host names answer what the test says, in turn (the last answer repeats).

    An answer is one address, or several separated by spaces.
    """

    def __init__(self, monkeypatch):
        self.answers: dict[str, list[str]] = {}
        self.routes: dict[str, tuple[str, int]] = {}
        self.lookups: list[str] = []
        self.connections: list[str] = []
        real_getaddrinfo = socket.getaddrinfo
        real_connect = socket.socket.connect

        def getaddrinfo(host, port, *args, **kwargs):
            if host not in self.answers:
                return real_getaddrinfo(host, port, *args, **kwargs)
            self.lookups.append(host)
            queue = self.answers[host]
            addresses = queue.pop(0) if len(queue) > 1 else queue[0]
            return [
                (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port or 0, 0, 0))
                if ":" in address
                else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))
                for address in addresses.split()
            ]

        def connect(sock, address):
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                self.connections.append(address[0])
                if address[0] in self.routes:
                    address = self.routes[address[0]]
                elif not ipaddress.ip_address(address[0].split("%")[0]).is_loopback:
                    raise ConnectionRefusedError(f"the tests never connect to {address[0]}")
            return real_connect(sock, address)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def network(monkeypatch, settings):
    settings.FETCH_ALLOW_PRIVATE = False
    settings.FETCH_TIMEOUT = 5
    return Network(monkeypatch)


@pytest.fixture
def public_server(network):
    server = Server(public_site)
    network.routes[PUBLIC] = ("127.0.0.1", server.port)
    yield server
    server.close()


@pytest.fixture
def loopback_server():
    """What DNS rebinding would reach: a service on 127.0.0.1 that must never be asked."""
    server = Server(internal_service)
    yield server
    server.close()


def test_a_rebinding_answer_never_reaches_loopback(network, public_server, loopback_server):
    # First answer public (what is checked), then 127.0.0.1 (what a second lookup would connect to).
    network.answers["rebind.example"] = [PUBLIC, "127.0.0.1"]
    article = fetch_article(f"http://rebind.example:{loopback_server.port}/article")

    assert "120 MW data centre in Cambrai" in article.text
    assert loopback_server.requests == []
    assert network.lookups == ["rebind.example"], "resolved once, then connected to the checked address"
    assert network.connections == [PUBLIC]
    assert public_server.requests == [{"path": "/article", "host": f"rebind.example:{loopback_server.port}"}]
    # The resolver did turn: a second lookup would have gone to loopback.
    assert socket.getaddrinfo("rebind.example", 80)[0][4][0] == "127.0.0.1"


def test_a_rebinding_answer_refused_when_the_public_address_is_down(network, loopback_server):
    network.answers["rebind.example"] = [OTHER_PUBLIC, "127.0.0.1"]
    with pytest.raises(FetchError, match="could not be fetched"):
        fetch(f"http://rebind.example:{loopback_server.port}/")
    assert loopback_server.requests == []
    assert network.connections == [OTHER_PUBLIC]


def test_each_redirect_is_checked_and_pinned(network, public_server, loopback_server):
    network.answers["news.example"] = [PUBLIC]
    network.answers["cdn.example"] = [PUBLIC, "127.0.0.1"]
    target = f"http://cdn.example:{loopback_server.port}/article"
    response = fetch(f"http://news.example/redirect?to={target}")

    assert response.status == 200 and response.url == target
    assert loopback_server.requests == []
    assert network.lookups == ["news.example", "cdn.example"]
    assert network.connections == [PUBLIC, PUBLIC]


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:{port}/",
        "http://localhost:{port}/",
        "http://[::1]:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://0.0.0.0:{port}/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/",
        "http://internal.example:{port}/",
        "http://mixed.example:{port}/",
    ],
)
def test_redirects_to_private_addresses_are_refused(network, public_server, loopback_server, location):
    network.answers["news.example"] = [PUBLIC]
    network.answers["internal.example"] = ["192.168.1.10"]
    # One public and one private address: refused, whichever would be tried first.
    network.answers["mixed.example"] = [f"{PUBLIC} 127.0.0.1"]
    location = location.format(port=loopback_server.port)
    with pytest.raises(FetchError, match="not a public address"):
        fetch(f"http://news.example/redirect?to={location}")
    assert loopback_server.requests == []
    assert network.connections == [PUBLIC], "nothing but the first, public hop was connected to"


def test_an_internationalised_host_name_is_resolved_and_sent_in_its_ascii_form(network, public_server):
    network.answers["xn--bcher-kva.example"] = [PUBLIC]
    assert fetch("http://bücher.example/article").status == 200
    assert network.lookups == ["xn--bcher-kva.example"]
    assert public_server.requests == [{"path": "/article", "host": "xn--bcher-kva.example"}]


def test_redirects_to_other_schemes_are_refused(network, public_server):
    network.answers["news.example"] = [PUBLIC]
    with pytest.raises(FetchError, match="Only http and https"):
        fetch("http://news.example/redirect?to=file:///etc/passwd")


def test_redirects_are_bounded(network, public_server):
    network.answers["news.example"] = [PUBLIC]
    with pytest.raises(FetchError, match="redirects more than 5 times"):
        fetch("http://news.example/loop")
    assert len(public_server.requests) == 6


def test_private_addresses_are_allowed_only_by_the_setting(network, loopback_server, settings):
    with pytest.raises(FetchError, match="not a public address"):
        fetch(f"http://127.0.0.1:{loopback_server.port}/")
    settings.FETCH_ALLOW_PRIVATE = True
    assert b"internal secret" in fetch(f"http://127.0.0.1:{loopback_server.port}/").body


# The online geocoder's requests follow the same rules.


@pytest.fixture
def online_geocoder(settings, monkeypatch):
    import geopy.geocoders

    settings.GEOCODER = "nominatim"
    monkeypatch.setattr(geopy.geocoders.options, "default_scheme", "http")


def test_the_geocoder_connects_to_the_checked_address(network, public_server, loopback_server, online_geocoder):
    network.answers["nominatim.openstreetmap.org"] = [PUBLIC, "127.0.0.1"]
    place = geocode("Somewhere")
    assert (place.latitude, place.longitude) == (50.1234, 3.4321)
    assert network.connections == [PUBLIC] and loopback_server.requests == []
    assert public_server.requests[0]["host"] == "nominatim.openstreetmap.org"


def test_a_geocoder_on_a_private_address_is_refused(network, loopback_server, online_geocoder, caplog):
    network.answers["nominatim.openstreetmap.org"] = ["127.0.0.1"]
    place = geocode("Escaudain", "FR")  # the offline gazetteer answers instead
    assert place is not None and place.name.lower() == "escaudain"
    assert "not a public address" in caplog.text
    assert network.connections == [] and loopback_server.requests == []


# TLS: the connection goes to the pinned address, the certificate is checked against the URL's host.


@pytest.fixture
def tls_server(network, monkeypatch, tmp_path):
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("news.example").configure_cert(server_context)
    names: list[str | None] = []
    server_context.sni_callback = lambda sock, name, context: names.append(name)
    # The client trusts our test authority (OpenSSL reads SSL_CERT_FILE for its default paths).
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    server = Server(public_site, tls_context=server_context)
    server.server_names = names
    network.routes[PUBLIC] = ("127.0.0.1", server.port)
    yield server
    server.close()


def test_https_verifies_the_host_name_while_connecting_to_the_pinned_address(network, tls_server):
    network.answers["news.example"] = [PUBLIC, "127.0.0.1"]
    article = fetch_article("https://news.example/article")
    assert "120 MW data centre in Cambrai" in article.text
    assert network.connections == [PUBLIC]
    assert tls_server.server_names == ["news.example"], "SNI names the host, not the address"
    assert tls_server.requests == [{"path": "/article", "host": "news.example"}]


def test_https_refuses_a_certificate_for_another_host(network, tls_server):
    network.answers["other.example"] = [PUBLIC]
    with pytest.raises(FetchError, match="certificate of other.example could not be verified"):
        fetch("https://other.example/article")
    assert tls_server.requests == []
