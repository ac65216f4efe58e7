"""Sentence and clause segmentation that keeps character offsets.

Every fact quotes the words it came from, so segments are (start, end) pairs
into the original text rather than copies: ``text[start:end]`` is the quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


# A sentence ends at . ! ? or … followed by whitespace and something that can open a sentence.
_SENTENCE_END = re.compile(r"[.!?…]+[»”\"')]*\s+(?=[«“\"'(A-ZÀ-ÖØ-Þ0-9])")

# Tokens that end with a dot without ending the sentence ("M. Dupont", "St. Albans", "Inc. said").
_ABBREVIATIONS = {
    "m", "mm", "mme", "mmes", "mlle", "mr", "mrs", "ms", "dr", "pr", "st", "ste", "inc", "ltd", "co",
    "corp", "no", "nº", "vs", "env", "av", "bd", "jan", "feb", "fév", "apr", "avr", "aug", "sept",
    "sep", "oct", "nov", "dec", "déc",
}  # fmt: skip

# Clause boundaries inside a sentence: semicolons, colons, dashes and comma-space
# (a comma without a space is a decimal or thousands separator, never a boundary).
# A comma between digits ("December 9, 2025") is not one either.
_CLAUSE_BOUNDARY = re.compile(r"\s*(?:[;:]|(?<!\d),(?=\s)|,(?=\s+\D)|\s[–—-](?=\s))\s*")

# Shorter clauses ("In 2027, ...") carry too little context to stand alone as a quote.
MIN_CLAUSE_CHARS = 30
# Nor is a quote longer than this: the readers search it, and a run-on line must not cost them its length.
MAX_QUOTE_CHARS = 600


def _trim(text: str, start: int, end: int) -> Segment | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Segment(start, end) if end > start else None


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the dot at ``dot`` closes an abbreviation or an initial, not a sentence."""
    word = re.search(r"(\w+)$", text[:dot])
    if not word:
        return False
    token = word.group(1)
    return token.casefold() in _ABBREVIATIONS or (len(token) == 1 and token.isupper())


# A run-on "sentence" (a list or a table on one line, a page without punctuation) is cut into parts
# of at most this length, at a clause boundary or a space: every reader's work per sentence stays bounded.
MAX_SENTENCE_CHARS = 1000


def _bounded(text: str, segment: Segment) -> list[Segment]:
    parts = []
    start = segment.start
    while segment.end - start > MAX_SENTENCE_CHARS:
        limit = start + MAX_SENTENCE_CHARS
        cut = max(text.rfind(";", start, limit), text.rfind(",", start, limit), text.rfind(" ", start, limit))
        cut = cut + 1 if cut > start else limit
        part = _trim(text, start, cut)
        if part:
            parts.append(part)
        start = cut
    part = _trim(text, start, segment.end)
    if part:
        parts.append(part)
    return parts


def split_sentences(text: str) -> list[Segment]:
    """Sentences of ``text``; each line break also ends a sentence (headlines, datelines)."""
    return [part for segment in _split_sentences(text) for part in _bounded(text, segment)]


def _split_sentences(text: str) -> list[Segment]:
    segments: list[Segment] = []
    for line in re.finditer(r"[^\n]+", text):
        cursor = line.start()
        for boundary in _SENTENCE_END.finditer(text, line.start(), line.end()):
            if _is_abbreviation(text, boundary.start()):
                continue
            punctuation_end = boundary.start() + len(boundary.group().rstrip())
            segment = _trim(text, cursor, punctuation_end)
            if segment:
                segments.append(segment)
            cursor = boundary.end()
        segment = _trim(text, cursor, line.end())
        if segment:
            segments.append(segment)
    return segments


def clause_around(text: str, sentence: Segment, start: int, end: int) -> Segment:
    """The clause of ``sentence`` holding ``text[start:end]``; the sentence if that clause is too short."""
    clause_start, clause_end = sentence.start, sentence.end
    for boundary in _CLAUSE_BOUNDARY.finditer(text, sentence.start, sentence.end):
        if boundary.end() <= start:
            clause_start = boundary.end()
        elif boundary.start() >= end:
            clause_end = boundary.start()
            break
    clause = _trim(text, clause_start, clause_end)
    if clause is None or clause.end - clause.start < MIN_CLAUSE_CHARS:
        if sentence.end - sentence.start > MAX_QUOTE_CHARS:
            # A run-on "sentence" (a list, a table on one line): the words around the figure, not all of it.
            window = _trim(
                text, max(sentence.start, start - MAX_QUOTE_CHARS // 2), min(sentence.end, end + MAX_QUOTE_CHARS // 2)
            )
            return window or sentence
        return sentence
    return clause
