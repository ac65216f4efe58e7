"""``manage.py extract_facts FILE``: print the candidate facts of an article. Writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.extraction import Extraction, extract_facts

# Columns of the text table; the quote comes last and is shortened to keep rows on one line.
_COLUMNS = ("field", "value", "detail", "confidence", "span", "quote")
QUOTE_WIDTH = 70


def _detail(fact: dict[str, Any]) -> str:
    keys = ("currency", "unit", "basis", "precision", "country", "role", "job_type")
    parts = [str(fact[key]) for key in keys if key in fact]
    if fact.get("scope", "project") != "project":
        parts.append(fact["scope"])
    if fact.get("bound", "exact") != "exact":
        parts.append(fact["bound"] + (f" {fact['value_max']}" if fact.get("value_max") is not None else ""))
    if fact.get("low_confidence"):
        parts.append("low confidence")
    return " ".join(parts)


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(extraction: Extraction) -> str:
    lines = [f"language: {extraction.language}", ""]
    lines.append(_table([fact.as_dict() for fact in extraction.facts]))
    for project in extraction.projects:
        if project.main:
            continue
        lines += ["", f"another project of the page: {project.anchor or '(unnamed)'}", ""]
        lines.append(_table([fact.as_dict() for fact in project.facts]))
    for relationship in extraction.relationships:
        lines.append(f"relationship: {relationship.kind} {', '.join(relationship.organizations)}")
    for indicator in extraction.indicators:
        lines.append(f"indicator: {indicator.value} {indicator.unit} {indicator.year or ''}".rstrip())
    return "\n".join(lines)


def _table(facts: list[dict[str, Any]]) -> str:
    rows = [
        (
            fact["field"],
            str(fact["value"]),
            _detail(fact),
            f"{fact['confidence']:.2f}",
            f"{fact['start']}-{fact['end']}",
            _shorten(fact["quote"], QUOTE_WIDTH),
        )
        for fact in facts
    ]
    widths = [max(len(row[i]) for row in [_COLUMNS, *rows]) for i in range(len(_COLUMNS))]
    lines = []
    for row in [_COLUMNS, tuple("-" * w for w in widths), *rows]:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    if not rows:
        lines.append("(no facts found)")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Extract candidate facts about a data-centre project from a plain-text article (UTF-8)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of a UTF-8 plain-text article")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--language", choices=("fr", "en"), help="skip language detection")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {path}") from error
        except IsADirectoryError as error:
            raise CommandError(f"{path} is a directory, not an article") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text ({error.reason} at byte {error.start})") from error

        extraction = extract_facts(text, language=options["language"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(extraction.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(format_table(extraction))
