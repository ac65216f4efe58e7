"""LOG_FORMAT=json: every log line, Django's and gunicorn's, is one JSON object."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

DJANGO_LOGS = """
import logging
import django

django.setup()
log = logging.getLogger("projects.ingestion")
log.info("fetched %s", "https://news.example/a", extra={"source_id": 7})
log.warning("Écaudain: quotes \\" and newlines\\n stay inside one line")
try:
    1 / 0
except ZeroDivisionError:
    log.exception("ingestion failed")
"""

GUNICORN_LOGS = """
import runpy
from gunicorn.config import Config
from gunicorn.glogging import Logger

cfg = Config()
cfg.set("logconfig_dict", runpy.run_path("gunicorn.conf.py")["logconfig_dict"])
Logger(cfg).error("Worker (pid:%s) exited", 123)
"""


def run(script: str, log_format: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.test_settings", "LOG_FORMAT": log_format}
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_django_logs_are_json_lines():
    result = run(DJANGO_LOGS, "json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(line["level"], line["logger"]) for line in lines] == [
        ("INFO", "projects.ingestion"),
        ("WARNING", "projects.ingestion"),
        ("ERROR", "projects.ingestion"),
    ]
    assert lines[0]["message"] == "fetched https://news.example/a" and lines[0]["source_id"] == 7
    assert lines[0]["time"][:2] == "20"
    assert lines[1]["message"].startswith("Écaudain") and "\n" in lines[1]["message"]
    assert "ZeroDivisionError" in lines[2]["exc_info"]


def test_gunicorn_logs_are_json_lines_too():
    result = run(GUNICORN_LOGS, "json")
    assert result.returncode == 0, result.stderr
    (line,) = [json.loads(line) for line in result.stderr.splitlines()]
    assert line["logger"] == "gunicorn.error" and line["message"] == "Worker (pid:123) exited"


def test_text_is_the_default():
    result = run(DJANGO_LOGS, "")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == "fetched https://news.example/a"


@pytest.mark.parametrize("script", [DJANGO_LOGS, "import runpy; runpy.run_path('gunicorn.conf.py')"])
def test_an_unknown_format_is_refused(script):
    result = run(script, "xml")
    assert result.returncode != 0 and "LOG_FORMAT must be one of text, json" in result.stderr
