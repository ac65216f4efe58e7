"""An article being read: its text, language, lines, sentences, and how a quote is cut from it.

``text`` is the page with its chrome blanked out (menus, banners, related links, forum
headers; see ``page``): same length and offsets as the page given (``original``), so a
quote cut from it is the page's own words.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import get_currency_name, get_territory_currencies

from .facts import Fact, KnownOrganization
from .page import BODY, DATELINE, HEADING, Line, blank_chrome, classify_lines
from .sentences import Segment, clause_around, split_sentences


@dataclass
class Document:
    text: str
    language: str
    sentences: list[Segment] = field(init=False)
    original: str = field(init=False)
    lines: list[Line] = field(init=False)
    # Country of the article (ISO alpha-2) once the municipality or a country name has told it.
    country: str | None = None
    # Results readers compute once per sentence or per name (keyed by the reader).
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)
    # Organisations the tracker knows (from its records), recognised by whole name or alias.
    known_organizations: tuple[KnownOrganization, ...] = ()

    def __post_init__(self) -> None:
        self.original = self.text
        self.lines = classify_lines(self.text)
        self.text = blank_chrome(self.text, self.lines)
        self.sentences = split_sentences(self.text)
        self._starts = [s.start for s in self.sentences]

    @property
    def headings(self) -> list[Line]:
        return [line for line in self.lines if line.kind == HEADING]

    @property
    def dateline(self) -> Line | None:
        return next((line for line in self.lines if line.kind == DATELINE), None)

    @property
    def title(self) -> Line | None:
        """The first heading, or the first line of the article when it has none."""
        return next((line for line in self.lines if line.kind in (HEADING, BODY)), None)

    def line_at(self, position: int) -> Line | None:
        return next((line for line in self.lines if line.start <= position < line.end), None)

    def local_currency(self) -> str | None:
        """The currency of the article's country; EUR for a French article of unknown country."""
        if self.country:
            currencies = get_territory_currencies(self.country)
            if currencies:
                return currencies[0]
        return "EUR" if self.language == "fr" else None

    def currency_for_dollar(self) -> str:
        """What a bare "$" means here: the local dollar (CAD, AUD...) in a dollar country, else USD."""
        local = self.local_currency() if self.country else None
        if local and "dollar" in get_currency_name(local, locale="en").casefold():
            return local
        return "USD"

    def sentence_at(self, position: int) -> Segment:
        index = max(bisect.bisect_right(self._starts, position) - 1, 0)
        return self.sentences[index] if self.sentences else Segment(0, len(self.text))

    def clause(self, start: int, end: int) -> Segment:
        return clause_around(self.text, self.sentence_at(start), start, end)

    def clause_text(self, start: int, end: int) -> str:
        return self.clause(start, end).of(self.text)

    def sentence_text(self, position: int) -> str:
        return self.sentence_at(position).of(self.text)

    def fact(self, field_name: str, value: Any, start: int, end: int, confidence: float, **extras: Any) -> Fact:
        """A fact quoting the clause around ``text[start:end]``."""
        quote = self.clause(start, end)
        return Fact(
            field=field_name,
            value=value,
            quote=quote.of(self.text),
            start=quote.start,
            end=quote.end,
            confidence=max(0.05, min(confidence, 0.99)),
            at=start,
            **extras,
        )
