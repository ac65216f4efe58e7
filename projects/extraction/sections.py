"""The parts of a page, one per project it is about.

Most pages speak of one project. A roundup ("trois projets qui redessinent le Grand Est",
"four projects on the move this week") gives each project a heading or a paragraph that
opens on its place ("Gravelines, le plus avancé", "TEMPLE, Texas, July 22, 2025 — ...",
"À Denain, la start-up ..."); a news page may end on another project ("Meanwhile in X ...");
a forum thread quotes another site. A section runs from the line that opens on a place
to the next such line about another place; lines that open on no place continue the
section before them (in a forum thread, where each post speaks of the thread's topic unless
it names another site, they return to the main section). A roundup's introduction, which
names no site of its own, belongs to no project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import context
from .document import Document
from .names import NAME, find_names, is_common_word
from .page import BODY, CHROME, HEADING
from .places import lookup_place

_I = re.IGNORECASE

# "LOON-PLAGE (Nord), 6 mars 2026 – ...", "TEMPLE, Texas, July 22, 2025 — ..."
_OPENING_DATELINE = re.compile(rf"^(?P<place>{NAME})(?:\s*\([^)\n]{{1,30}}\))?(?:,[^,—–\n]{{1,30}}){{0,3}}\s*[—–]")
# "À Trith-Saint-Léger, enfin, ...", "Un peu plus au sud, à Denain, ...", "In Clonee, Boyne Hyperscale ..."
_OPENING_LOCATIVE = re.compile(
    rf"^(?:[^,.\n]{{0,40}},\s*)?(?:À|A|Au|à|In|At|in|at|Dans|dans)\s+(?:la commune de\s+|the town of\s+)?"
    rf"(?P<place>{NAME})"
)
# "C'est pas déjà celui de Lannion ?", "the one in Slough", "Le projet de Cergy ..."
_OPENING_REFERENCE = re.compile(
    r"^(?:[^.?!\n]{0,30}\b)?(?:celui|celle|le projet|le site|le campus|le data ?center|the one|the project|the site"
    rf"|the campus|the scheme)\s+(?:de|d['’]|du|in|at|of)\s*(?P<place>{NAME})"
)
# "Denain, sur l'ancienne cokerie", "Gravelines, le plus avancé", "TALLAGHT"
_HEADING_PLACE = re.compile(rf"^(?P<place>{NAME})\s*(?:[:,—–-]|\(|$)")
# Back to the thread's project: "Non, c'est un nouveau projet."
_BACK_TO_MAIN = re.compile(r"\b(?:nouveau projet|new project|autre projet|another project|ce projet-ci|this one)\b", _I)
_PROJECT_SIGNAL = re.compile(
    rf"\d\s?(?:MW|GW|mégawatts?|megawatts?)\b|{context.DATA_CENTRE.pattern}|\b(?:permis|planning|permission|travaux"
    r"|construction|chantier|opened|ouvert)\b",
    _I,
)
_EXISTING = re.compile(
    r"\b(?:already (?:operates|runs|owns|has)|exploite déjà|opère déjà|gère déjà|possède déjà)\b", _I
)


@dataclass
class Section:
    """Where the page speaks of one project: its spans, and the place that opens it."""

    spans: list[tuple[int, int]] = field(default_factory=list)
    place: str = ""  # the name as written where the section opens
    place_key: str = ""  # the gazetteer place, "name|country"
    anchor_start: int = -1
    anchor_end: int = -1
    main: bool = False
    context: bool = False  # a roundup's introduction, about no project

    @property
    def start(self) -> int:
        return self.spans[0][0] if self.spans else 0

    @property
    def end(self) -> int:
        return self.spans[-1][1] if self.spans else 0

    def contains(self, position: int) -> bool:
        return any(start <= position < end for start, end in self.spans)

    def add(self, start: int, end: int) -> None:
        if self.spans and self.spans[-1][1] >= start - 2:
            self.spans[-1] = (self.spans[-1][0], end)
        else:
            self.spans.append((start, end))


@dataclass(frozen=True)
class _Anchor:
    place: str
    key: str
    start: int
    end: int


def _place(doc: Document, name: str, start: int, exclude: list[tuple[int, int]]) -> _Anchor | None:
    if is_common_word(name) or any(s <= start < e for s, e in exclude):
        return None
    place = lookup_place(doc, name)
    if place is None:
        return None
    return _Anchor(name, f"{place.name}|{place.country}", start, start + len(name))


def _longest_place(doc: Document, text: str, offset: int, exclude: list[tuple[int, int]]) -> _Anchor | None:
    """The place a name opening a line stands for ("Trith-Saint-Léger", not "Trith")."""
    names = find_names(text)
    if not names or names[0].start != 0:
        return None
    first = names[0]
    words = first.text.split()
    for length in range(len(words), 0, -1):
        candidate = " ".join(words[:length])
        found = _place(doc, candidate, offset + first.start, exclude)
        if found:
            return found
    return None


def _line_anchor(doc: Document, index: int, exclude: list[tuple[int, int]]) -> _Anchor | None:
    line = doc.lines[index]
    text = line.of(doc.text)
    stripped = text.lstrip()
    offset = line.start + len(text) - len(stripped)
    if line.kind == HEADING:
        if not _HEADING_PLACE.match(stripped):
            return None
        anchor = _longest_place(doc, stripped, offset, exclude)
        if anchor is None:
            return None
        following = next((other for other in doc.lines[index + 1 :] if other.kind == BODY), None)
        follows = following is not None and anchor.place.casefold() in following.of(doc.text).casefold()
        return anchor if follows or _PROJECT_SIGNAL.search(stripped) else None
    if line.kind != BODY:
        return None
    first_sentence = doc.sentence_at(offset).of(doc.text)
    if _EXISTING.search(first_sentence) or context.is_off_project(first_sentence):
        return None
    for pattern in (_OPENING_DATELINE, _OPENING_LOCATIVE, _OPENING_REFERENCE):
        match = pattern.match(stripped)
        if not match:
            continue
        anchor = _longest_place(doc, match.group("place"), offset + match.start("place"), exclude)
        if anchor and _PROJECT_SIGNAL.search(text):
            return anchor
    return None


def find_sections(doc: Document, exclude: list[tuple[int, int]]) -> list[Section]:
    """The page's sections in order; the first project section is the main one unless the title names another."""
    forum = any(line.kind == CHROME and line.reason == "forum" for line in doc.lines)
    sections: list[Section] = [Section()]
    by_key: dict[str, Section] = {}
    current = sections[0]
    for index, line in enumerate(doc.lines):
        if line.kind == CHROME:
            continue
        anchor = _line_anchor(doc, index, exclude)
        if anchor is not None and anchor.key != current.place_key:
            if current is sections[0] and not current.place_key and not _has_body(doc, current):
                # The page opens on this place: the lines before it (a title, a dateline) are its own.
                current.place, current.place_key = anchor.place, anchor.key
                current.anchor_start, current.anchor_end = anchor.start, anchor.end
                by_key[anchor.key] = current
            elif anchor.key in by_key:
                current = by_key[anchor.key]
            else:
                current = Section(place=anchor.place, place_key=anchor.key)
                current.anchor_start, current.anchor_end = anchor.start, anchor.end
                sections.append(current)
                by_key[anchor.key] = current
        elif anchor is None and forum and current is not sections[0] and line.kind == BODY:
            if not _OPENING_REFERENCE.match(line.of(doc.text).lstrip()):
                current = sections[0]
        elif anchor is None and _BACK_TO_MAIN.search(line.of(doc.text)[:60]):
            current = sections[0]
        current.add(line.start, line.end)
    sections = [section for section in sections if section.spans]
    if not sections:
        return [Section(spans=[(0, len(doc.text))], main=True)]
    first = sections[0]
    anchored = [section for section in sections if section.place_key]
    if not first.place_key and len(anchored) >= 2 and not _has_project(doc, first):
        first.context = True  # a roundup's introduction
    main = next(section for section in sections if not section.context)
    main.main = True
    return sections


def _has_body(doc: Document, section: Section) -> bool:
    """Whether a part of the page holds a paragraph with figures (not only a title and a dateline)."""
    return any(
        line.kind == BODY
        and section.contains(line.start)
        and _has_project(doc, Section(spans=[(line.start, line.end)]))
        for line in doc.lines
    )


def _has_project(doc: Document, section: Section) -> bool:
    """Whether a part of the page gives figures of its own (a title with its MW, a paragraph with a place)."""
    text = " ".join(doc.text[start:end] for start, end in section.spans)
    return bool(re.search(r"\d\s?(?:MW|GW|mégawatts?|megawatts?|hectares|ha|acres)\b", text, _I))
