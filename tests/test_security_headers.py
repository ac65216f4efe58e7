"""Every HTML response carries a strict Content-Security-Policy and the other security headers,
and the HTML itself has nothing that policy would block: no inline script without the
response's nonce, no event-handler attribute, no style attribute."""

from html.parser import HTMLParser

import pytest

from tests.factories import UserFactory

PUBLIC_PAGES = [
    "/",
    "/projects/",
    "/projects/escaudain-ai-data-center/",
    "/map/",
    "/stats/",
    "/admin/login/",
    "/api/docs/",
    "/projects/no-such-project/",  # the 404 page is HTML too
]
ADMIN_PAGES = [
    "/admin/",
    "/admin/projects/project/",
    "/admin/projects/project/add/",
    "/admin/projects/claim/",
    "/admin/projects/project/export/",
    "/admin/projects/project/import/",
]


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class InlineCode(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.blocked: list[str] = []
        self.nonces: set[str] = set()
        self._tag_attrs = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, _value in attrs:
            if name == "style" or name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=…>")
        if tag in ("script", "style"):
            self._tag_attrs = (tag, attributes)
        for name in ("href", "src", "action"):
            if (attributes.get(name) or "").strip().lower().startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}=javascript:…>")

    def handle_data(self, data):
        if self._tag_attrs and data.strip():
            tag, attributes = self._tag_attrs
            # a JSON data block (json_script) is not run, so the policy does not apply to it
            if tag == "script" and attributes.get("type") == "application/json":
                return
            if "nonce" in attributes:
                self.nonces.add(attributes["nonce"])
            else:
                self.blocked.append(f"inline <{tag}> without a nonce")

    def handle_endtag(self, tag):
        self._tag_attrs = None


def assert_strict(response):
    assert response["Content-Type"].startswith("text/html")
    directives = policy(response)
    header = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    assert directives["script-src"][0] == "'self'"
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"

    parser = InlineCode()
    parser.feed(response.content.decode())
    assert parser.blocked == []
    # an inline block runs only with this response's nonce, which the policy names
    allowed = {value.removeprefix("'nonce-").removesuffix("'") for value in directives["script-src"][1:]}
    assert parser.nonces <= allowed
    return parser


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_html_has_a_strict_policy_and_no_inline_code(client, demo, url):
    response = client.get(url)
    assert response.status_code == (404 if "no-such" in url else 200)
    assert_strict(response)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_html_has_a_strict_policy_and_no_inline_code(client, demo, url):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(url)
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.django_db
def test_the_admin_change_form_has_a_strict_policy(client, demo):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(f"/admin/projects/project/{demo.pk}/change/")
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.django_db
def test_swagger_ui_start_up_script_runs_by_a_fresh_nonce(client):
    nonces = []
    for _ in range(2):
        response = client.get("/api/docs/")
        parser = assert_strict(response)
        (nonce,) = parser.nonces
        assert f"'nonce-{nonce}'" in policy(response)["script-src"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


@pytest.mark.django_db
def test_pages_without_inline_code_get_no_nonce(client, demo):
    # a nonce in the policy of a page that does not need one would only widen it
    assert policy(client.get("/map/"))["script-src"] == ["'self'"]
