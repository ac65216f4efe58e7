"""The production environment the README documents: `check --deploy` finds nothing to warn about
in it, and each HTTPS setting follows its environment variable. Settings are read in a fresh
process, as a server would read them at start."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def documented_production_environment() -> dict[str, str]:
    deployment = (ROOT / "README.md").read_text().split("## Deployment", 1)[1]
    block = re.search(r"```sh\n(.*?)```", deployment, re.S).group(1)
    exports = dict(re.findall(r"^export (\w+)=(\S+)", block, re.M))
    assert {"DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DJANGO_SECURE_HSTS_SECONDS"} <= set(exports)
    # the README shows a placeholder; a real deployment has a long random key
    exports["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    return exports


def clean_environment(**variables) -> dict[str, str]:
    # nothing from the test run (DJANGO_*, DATABASE_URL...) may leak into the server's settings
    kept = {name: value for name, value in os.environ.items() if name in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    return {**kept, "DJANGO_SETTINGS_MODULE": "tracker.settings", **variables}


def settings_in(environment: dict[str, str]) -> dict:
    names = [
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    ]
    script = f"import json, tracker.settings as s; print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_check_deploy_is_silent_in_the_documented_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_environment(**documented_production_environment()),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_documented_production_environment_turns_https_on():
    settings = settings_in(clean_environment(**documented_production_environment()))
    assert settings == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_without_those_variables_a_plain_http_server_still_works_with_secure_cookies():
    settings = settings_in(clean_environment(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50)))
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0
    # no proxy named: a client's X-Forwarded-Proto is not taken for HTTPS
    assert settings["SECURE_PROXY_SSL_HEADER"] is None
    assert settings["SESSION_COOKIE_SECURE"] is True and settings["CSRF_COOKIE_SECURE"] is True


def test_secure_cookies_can_be_turned_off_and_are_off_in_debug():
    off = settings_in(
        clean_environment(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_SECURE_COOKIES="0")
    )
    assert off["SESSION_COOKIE_SECURE"] is False and off["CSRF_COOKIE_SECURE"] is False
    debug = settings_in(clean_environment(DJANGO_DEBUG="1"))
    assert debug["SESSION_COOKIE_SECURE"] is False
