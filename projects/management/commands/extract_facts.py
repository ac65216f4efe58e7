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
    parts = [str(fact[key]) for key in ("currency", "unit", "basis", "precision", "country", "role") if key in fact]
    return " ".join(parts)


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(extraction: Extraction) -> str:
    rows = [
        (
            fact["field"],
            str(fact["value"]),
            _detail(fact),
            f"{fact['confidence']:.2f}",
            f"{fact['start']}-{fact['end']}",
            _shorten(fact["quote"], QUOTE_WIDTH),
        )
        for fact in (f.as_dict() for f in extraction.facts)
    ]
    widths = [max(len(row[i]) for row in [_COLUMNS, *rows]) for i in range(len(_COLUMNS))]
    lines = [f"language: {extraction.language}", ""]
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
