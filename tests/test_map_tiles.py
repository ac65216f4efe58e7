"""The optional tile layer of the public maps: off by default, and when MAP_TILE_URL is set,
its origin (and only it) joins the Content-Security-Policy's img-src."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.settings import tile_image_source

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "url, source",
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
        ("https://user:secret@tiles.example.org/{z}/{x}/{y}", "https://tiles.example.org"),
        ("", None),
        ("javascript:alert(1)//{z}", None),
        ("/tiles/{z}/{x}/{y}.png", None),
    ],
)
def test_the_policy_entry_is_the_tile_servers_origin(url, source):
    assert tile_image_source(url) == source


def policy_with(environment: dict) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAP_TILE")}
    env.update(environment, DJANGO_SETTINGS_MODULE="tracker.settings", DJANGO_DEBUG="1")
    script = "import json, django; django.setup(); from django.conf import settings; print(json.dumps({"
    script += "'img': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'], 'url': settings.MAP_TILE_URL}))"
    command = [sys.executable, "-c", script]
    output = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def test_tiles_are_allowed_only_when_configured():
    default = policy_with({})
    assert default == {"img": ["'self'", "data:"], "url": ""}
    configured = policy_with({"MAP_TILE_URL": "https://{s}.tile.example.org/{z}/{x}/{y}.png"})
    assert configured["img"] == ["'self'", "data:", "https://*.tile.example.org"]


@pytest.mark.django_db
def test_maps_carry_the_tile_layer_only_when_configured(client, settings):
    from tests.factories import ProjectFactory

    project = ProjectFactory()
    for path in ("/map/", project.get_absolute_url()):
        assert "data-tile-url" not in client.get(path).content.decode()
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = '© <a href="x">Example</a> & co'
    for path in ("/map/", project.get_absolute_url()):
        page = client.get(path).content.decode()
        assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in page
        assert 'data-tile-attribution="© &lt;a href=&quot;x&quot;&gt;Example&lt;/a&gt; &amp; co"' in page
