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
from .sentences import _CLAUSE_BOUNDARY, MIN_CLAUSE_CHARS

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
    rival: bool = False  # another project set against this one, named by its company alone

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
    if "\t" in stripped and line.kind in (HEADING, BODY):
        # A table row flattened to text ("Meyzieu<tab>Datalyon<tab>24 MW<tab>Annoncé"): its first cell names its site.
        cell = stripped.split("\t", 1)[0].strip()
        anchor = _longest_place(doc, cell, offset, exclude) if cell else None
        return anchor if anchor and len(anchor.place) == len(cell) and _FIGURE.search(stripped) else None
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
    pieces: list[list] = []  # [start, end, section] of each line, refined below
    anchored: set[int] = set()  # the lines that open on a place of their own
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
                current = _new_section(sections, by_key, anchor)
        elif anchor is None and forum and current is not sections[0] and line.kind == BODY:
            if not _OPENING_REFERENCE.match(line.of(doc.text).lstrip()):
                current = sections[0]
        elif anchor is None and _BACK_TO_MAIN.search(line.of(doc.text)[:60]):
            current = sections[0]
        if anchor is not None:
            anchored.add(line.start)
        current.add(line.start, line.end)
        pieces.append([line.start, line.end, current])
    for section in sections:
        _adopt_first_site(doc, section, pieces, by_key, exclude)
        section.spans = []
    _attribute_clauses(doc, pieces, sections, by_key, exclude, anchored)
    for start, end, section in pieces:
        section.add(start, end)
    sections = [section for section in sections if section.spans]
    if not sections:
        return [Section(spans=[(0, len(doc.text))], main=True)]
    first = sections[0]
    anchored = [section for section in sections if section.place_key]
    if not first.place_key and len(anchored) >= 2 and not _has_project(doc, first):
        first.context = True  # a roundup's introduction
    main = next((section for section in sections if not section.context), None)
    if main is None:  # the page is all an aside about another project: the main one has nothing of its own
        main = Section(spans=[(0, 0)])
        sections.insert(0, main)
    main.main = True
    return sections


def _adopt_first_site(
    doc: Document, section: Section, pieces: list[list], by_key: dict[str, Section], exclude: list[tuple[int, int]]
) -> None:
    """A part of the page that opens on no place is about the first site it names ("campus in Fayetteville")."""
    if section.place_key or section.context:
        return
    for start, end, owner in pieces:
        if owner is not section:
            continue
        for anchor in _places_in(doc, start, end, exclude):
            if anchor.key in by_key or _EXISTING.search(doc.sentence_text(anchor.start)):
                continue
            before = doc.text[max(anchor.start - 60, 0) : anchor.start]
            if _SITE_BEFORE.search(before) and not _SEAT_BEFORE.search(before):
                section.place, section.place_key = anchor.place, anchor.key
                section.anchor_start, section.anchor_end = anchor.start, anchor.end
                by_key[anchor.key] = section
                return


def _new_section(sections: list[Section], by_key: dict[str, Section], anchor: _Anchor) -> Section:
    section = Section(place=anchor.place, place_key=anchor.key)
    section.anchor_start, section.anchor_end = anchor.start, anchor.end
    sections.append(section)
    by_key[anchor.key] = section
    return section


# Where a clause turns to another project: a place introduced as a site ("à Blagnac", "at
# Grangemouth"), a project named after its place ("the Livingston site", "le projet de Feyzin").
_SITE_BEFORE = re.compile(
    r"(?:\b(?:à|in|at|sur la commune de|near to)|\b(?:projet|site|campus|data ?cent(?:er|re)|dossier|scheme|plans?)"
    r"\s+(?:de|d['’]|du|at|in)"
    # "a second, larger building near Wokingham", "un second projet, à Vénissieux"
    r"|\b(?:second|another|new|autre|nouveau)\b[,\w\s-]{0,25}?\b(?:building|campus|project|site|scheme|projet"
    r"|data ?cent(?:re|er))\s*,?\s+(?:near|outside|close to|près de))\s*$",
    _I,
)
_NAMED_SITE_AFTER = re.compile(
    r"^\s*(?:site|campus|scheme|project|plans?|data ?cent(?:re|er)|facility|application)\b",
    _I,
)
# A place named as where a company is, not as a project's site ("basée à Paris", "headquartered in").
_SEAT_BEFORE = re.compile(
    r"\b(?:basée?s?|siège|sièges|installée? depuis|headquartered|based|head office|offices?|bureaux|originaire|née?"
    r"|compte déjà|already)\b[^,;.]{0,25}$",
    _I,
)
# What makes the rest of a sentence another project's: a figure, a project word.
_FIGURE_SIGNAL = re.compile(
    rf"\d\s?(?:MW|GW|mégawatts?|megawatts?)\b|[€£$]\s?\d|\d\s?(?:millions?|milliards?|bn|m)\b"
    rf"|{context.DATA_CENTRE.pattern}",
    _I,
)
# Words that set another project against this one ("smaller than", "contrairement au", "unlike").
_CONTRAST = re.compile(
    r"\b(?:than|unlike|contrairement (?:au|à|aux)|à la différence d\w*|comme celui|like the|whereas|while"
    r"|tandis que|alors que|a week before|before|après|after)\b",
    _I,
)
_RESPECTIVELY = re.compile(r"\b(?:respectively|respectivement)\b", _I)
_FIGURE = re.compile(
    r"(?:[€£$]\s?)?\d+(?:[.,]\d+)?\s?(?:MW|GW|mégawatts?|megawatts?|millions?|milliards?|bn|m\b|hectares|ha\b|acres)",
    _I,
)
_CONJUNCTION = re.compile(r"(?:,\s*|\s+)(?:and|et|&|,)\s*$|,\s*$", _I)


def _clauses(doc: Document, start: int, end: int) -> list[tuple[int, int]]:
    """The clauses of the sentence ``text[start:end]``, as the quotes are cut (see ``sentences``)."""
    bounds = [start]
    for boundary in _CLAUSE_BOUNDARY.finditer(doc.text, start, end):
        bounds.append(boundary.end())
    bounds.append(end)
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


_DETERMINERS = frozenset({"The", "This", "That", "Le", "La", "Les", "Ce", "Cette", "Un", "Une", "A", "An"})


def _places_in(doc: Document, start: int, end: int, exclude: list[tuple[int, int]]) -> list[_Anchor]:
    """Gazetteer places named in ``text[start:end]`` (whole names, longest first within each name)."""
    found = []
    for name in find_names(doc.text[start:end]):
        words = name.text.split()
        offset = start + name.start
        if len(words) > 1 and words[0] in _DETERMINERS:  # "The Newark scheme would cost £300m"
            offset += len(words[0]) + 1
            words = words[1:]
        for length in range(len(words), 0, -1):
            anchor = _place(doc, " ".join(words[:length]), offset, exclude)
            if anchor:
                found.append(anchor)
                break
    return found


# A place named as the area around the site ("in Loudoun County", "dans le département du Nord").
_AREA_AFTER = re.compile(r"\s*(?:County|Shire|District|Borough|Region|Province|Council|Valley|Bay|Metro)\b")


_FOLLOWING_NAME = re.compile(rf",\s*(?P<name>{NAME})")


def _locality_of(doc: Document, anchor: _Anchor, section: Section, exclude: list[tuple[int, int]]) -> bool:
    """A place written before the section's own town ("at Southfield, Glenrothes") is a locality of that town."""
    match = _FOLLOWING_NAME.match(doc.text, anchor.end)
    if match is None or not section.place_key:
        return False
    town = _place(doc, match.group("name"), match.start("name"), exclude)
    return town is not None and town.key == section.place_key


# What the site used to be, named after its owner or its place: "sur l'ancien site de PSA La Janais".
_FORMER_SITE_BEFORE = re.compile(
    r"\b(?:ancien(?:ne)?s?|ex-?)\s*(?:site|usine|base|terrain|emprise|centrale)\s+(?:de\s+|d['’]|du\s+)?$"
    r"|\b(?:former|old|disused)\s+(?:site|works|plant|factory|base)\s+(?:of\s+)?$",
    _I,
)


def _turns_to(doc: Document, anchor: _Anchor, known: bool) -> bool:
    """Whether a place named mid-paragraph is another project's site, not a company's seat or a landmark."""
    before = doc.text[max(anchor.start - 60, 0) : anchor.start]
    if _SEAT_BEFORE.search(before) or _AREA_AFTER.match(doc.text, anchor.end) or _FORMER_SITE_BEFORE.search(before):
        return False
    if _SITE_BEFORE.search(before) or _NAMED_SITE_AFTER.match(doc.text, anchor.end):
        return True
    return known  # a place another part of the page is about ("a week before Hinckley and Bosworth's ...")


def _attribute_clauses(
    doc: Document,
    pieces: list[list],
    sections: list[Section],
    by_key: dict[str, Section],
    exclude: list[tuple[int, int]],
    anchored: set[int],
) -> None:
    """Gives the clauses of a paragraph that speak of another project to that project's section.

    A roundup's paragraph may name the next project in passing ("; à quelques kilomètres, à Blagnac,
    le projet concurrent ..., annoncé à 35 MW", "smaller than the 250MW campus ... at Grangemouth",
    "80MW and 40MW respectively"), and a paragraph may open on the company of another section
    ("Pyrène Cloud, de son côté, ..."). Such clauses, to the end of their sentence or to a clause
    naming the section's own place again, are the other project's.
    """
    refined: list[list] = []
    for start, end, section in pieces:
        line = doc.line_at(start)
        if section.context or line is None or line.kind != BODY:
            refined.append([start, end, section])
            continue
        cursor = start
        for sentence in [s for s in doc.sentences if start <= s.start < end]:
            for piece_start, piece_end, other in _sentence_turns(doc, sentence, section, sections, by_key, exclude):
                if piece_start > cursor:
                    refined.append([cursor, piece_start, section])
                refined.append([piece_start, piece_end, other])
                cursor = piece_end
        if cursor < end:
            refined.append([cursor, end, section])
    # A paragraph that opens on no place but on the company another part of the page is about is that part's.
    for start, end, section in pieces:
        line = doc.line_at(start)
        if section.context or line is None or line.kind != BODY or start in anchored:
            continue
        opener = _opening_company(doc, start, end, refined) or _opening_authority(doc, start, by_key, exclude)
        if opener is None or opener is section or _names_place(doc, start, end, section, exclude):
            continue
        for piece in refined:
            if start <= piece[0] < end and piece[2] is section:
                piece[2] = opener
    pieces[:] = refined


# A paragraph opening on an authority named after a town: "Mansfield District Council has not set a date".
_OPENING_AUTHORITY = re.compile(
    r"\s*(?:La |Le |L['’])?(?:[Mm]airie|[Vv]ille|[Cc]ommunauté (?:d['’]agglomération|de communes|urbaine))"
    rf"\s+(?:de\s+|d['’]|du\s+)?(?P<fr>{NAME})"
    rf"|\s*(?P<en>{NAME})\s+(?:(?:City|District|Borough|Town|Parish)\s+)?Council\b"
)


def _opening_authority(doc: Document, start: int, by_key: dict[str, Section], exclude) -> Section | None:
    """The section of the town a paragraph's opening authority is named after, when another part is about it."""
    match = _OPENING_AUTHORITY.match(doc.text, start)
    if match is None:
        return None
    group = "fr" if match.group("fr") else "en"
    words = match.group(group).split()
    for length in range(len(words), 0, -1):
        anchor = _place(doc, " ".join(words[:length]), match.start(group), [])
        if anchor is not None:
            return by_key.get(anchor.key)
    return None


def _names_place(doc: Document, start: int, end: int, section: Section, exclude: list[tuple[int, int]]) -> bool:
    return bool(section.place_key) and any(a.key == section.place_key for a in _places_in(doc, start, end, exclude))


def _opening_company(doc: Document, start: int, end: int, pieces: list[list]) -> Section | None:
    """The section of the company a paragraph opens on, when the page named it before in that section alone."""
    from .organizations import organization_mentions  # organisations read places: imported late

    mentions = organization_mentions(doc)
    text = doc.text[start:end]
    offset = len(text) - len(text.lstrip())
    opening = next((m for m in mentions if m.start == start + offset), None)
    if opening is None or opening.role in ("public_authority", "grid_operator"):
        return None
    key = opening.name.casefold()
    owners = {
        id(owner): owner
        for found in mentions
        if found.start < start and found.name.casefold() == key
        for a, b, owner in pieces
        if a <= found.start < b and not owner.context
    }
    return next(iter(owners.values())) if len(owners) == 1 else None


def _sentence_turns(
    doc: Document,
    sentence,
    section: Section,
    sections: list[Section],
    by_key: dict[str, Section],
    exclude: list[tuple[int, int]],
) -> list[tuple[int, int, Section]]:
    """The parts of one sentence that belong to another project than ``section``'s."""
    text = sentence.of(doc.text)
    if _SEVERAL_PROJECTS_OPENING.match(text) and not re.search(r"(?<![A-Za-z])\d", text):  # a road's "A1" is no figure
        # "Two data centre schemes ... are heading for committees, one on a former colliery and one ...":
        # a roundup's summary of its projects, about none of them.
        return [(sentence.start, sentence.end, _aside(sections))]
    ordinal = _ordinal_turns(doc, sentence, section, sections)
    if ordinal:
        return ordinal
    if _RESPECTIVELY.search(text):
        distributed = _respectively(doc, sentence, section, sections, by_key, exclude)
        if distributed is not None:
            return distributed
    clauses = _clauses(doc, sentence.start, sentence.end)
    turns: list[tuple[int, int, Section]] = []
    turned: Section | None = None
    turn_start = 0
    for index, (clause_start, clause_end) in enumerate(clauses):
        places = _places_in(doc, clause_start, clause_end, exclude)
        own = [a for a in places if section.place_key and a.key == section.place_key]
        if turned is not None:
            if not own:
                continue
            # "..., celui de Corbas n'a fait l'objet d'aucun recours"; the same clause may turn again
            # ("while Newark would create 70 jobs and Mansfield 40").
            turns.append((turn_start, clause_start, turned))
            turned = None
        for anchor in places:
            if anchor.key == section.place_key or _locality_of(doc, anchor, section, exclude):
                continue
            known = anchor.key in by_key
            if not _turns_to(doc, anchor, known) or _EXISTING.search(doc.text[clause_start:clause_end]):
                continue
            if not known and not _FIGURE_SIGNAL.search(doc.text[clause_start : sentence.end]):
                continue
            if not section.place_key and not known:
                continue  # a section that names no place of its own: no other place to set it against
            begin = _turn_start(doc, clauses, index, anchor, own)
            turned = by_key.get(anchor.key) or _new_section(sections, by_key, anchor)
            turn_start = begin
            break
    if turned is not None:
        turns.append((turn_start, sentence.end, turned))
    elif not turns:
        turns = _passing_mentions(doc, sentence, sections)
    return turns


# Another project set against this one, named by its company or its size but by no place ("larger than
# the 60MW campus Riverside Compute is building nearby", "Unlike Kestrel Digital's 300MW proposal, ...").
_PASSING = re.compile(
    r"\b(?:(?:larger|smaller|bigger|more advanced) than|unlike|contrairement (?:au|à|aux)|à la différence d\w*"
    r"|compared (?:with|to)|par rapport (?:au|à)|(?:plus|moins) (?:grand|important|avancé)e? que)\s+"
    r"(?:the\s+|that of\s+|celui\s+|celle\s+|le\s+|la\s+|l['’]|those\s+|ceux\s+)?"
    r"|\b(?:rival|competing|neighbouring|concurrent|voisin)\s+(?:scheme|project|campus|plans?|projet|site)\b"
    r"|\b(?:projet|campus|site)\s+(?:concurrent|rival|voisin)\b",
    _I,
)
_PROJECT_WORD = re.compile(
    r"\b(?:campus|project|projet|scheme|proposal|plans?|data ?cent(?:re|er)|site|facility|application)\b", _I
)


_RELATIVE = re.compile(r",\s*(?:which|who|qui|dont)\b", _I)


def _passing_mentions(doc: Document, sentence, sections: list[Section]) -> list[tuple[int, int, Section]]:
    """The clause of a sentence about another, unplaced project: that project's, when it names its company.

    "larger than the 60MW campus Riverside Compute is building nearby" is Riverside Compute's project, a
    candidate of its own; a rival named by nothing but its size belongs to no project.
    """
    from .organizations import organization_mentions  # organisations read places: imported late

    for match in _PASSING.finditer(doc.text, sentence.start, sentence.end):
        end = _clause_end(doc, sentence, match.end())
        span = doc.text[match.end() : end]
        if not (_FIGURE.search(span) and _PROJECT_WORD.search(doc.text[match.start() : end])):
            continue
        company = next(
            (
                m
                for m in organization_mentions(doc)
                if match.start() <= m.start < end and m.role not in ("public_authority", "grid_operator")
            ),
            None,
        )
        if company is None:
            return [(match.start(), end, _aside(sections))]
        relative = _RELATIVE.match(doc.text, end)
        if relative:  # "Unlike Kestrel Digital's 300MW proposal, which was withdrawn last year, ...": still the rival
            end = _clause_end(doc, sentence, relative.end())
        rival = next((s for s in sections if s.rival and s.place.casefold() == company.name.casefold()), None)
        if rival is None:
            rival = Section(place=company.name, rival=True)
            sections.append(rival)
        return [(match.start(), end, rival)]
    return []


def _aside(sections: list[Section]) -> Section:
    """The page's part that belongs to no project (asides and summaries)."""
    aside = next((s for s in sections if s.context and s.place == "(aside)"), None)
    if aside is None:
        aside = Section(place="(aside)", context=True)
        sections.append(aside)
    return aside


_SEVERAL_PROJECTS_OPENING = re.compile(
    r"^\W*(?:two|three|four|five|several|deux|trois|quatre|cinq|plusieurs)\s+(?:[\w'’-]+\s+){0,3}?"
    r"(?:schemes|projects|projets|data ?cent(?:re|er)s|centres de données|campuses|applications|dossiers)\b",
    _I,
)
# "Le premier, à Vierzon, ...; le second, de Berry Numérique, ...", "the first ... and the second ...":
# the projects of the page in the order they were named.
_ORDINAL = re.compile(
    r"(?:^|(?<=[,;:]\s)|(?<=\bet\s)|(?<=\band\s))(?P<word>(?:le |la |the )(?:premi(?:er|ère)|first|former"
    r"|second|seconde|deuxième|latter|dernier|dernière))\b",
    _I,
)


def _ordinal_turns(doc: Document, sentence, section: Section, sections: list[Section]) -> list:
    """The parts of a sentence that name the page's first and second projects by their order."""
    projects = [s for s in sections if not s.context and s.place_key]
    if len(projects) < 2:
        return []
    marks = [
        (m.start("word"), projects[0] if re.search(r"premi|first|former", m.group("word"), _I) else projects[1])
        for m in _ORDINAL.finditer(doc.text, sentence.start, sentence.end)
    ]
    if not any(target is not section for _, target in marks):
        return []
    turns = []
    for index, (start, target) in enumerate(marks):
        end = marks[index + 1][0] if index + 1 < len(marks) else sentence.end
        turns.append((start, end, target))
    return turns


def _clause_end(doc: Document, sentence, position: int) -> int:
    """The end of the aside that opens at ``position``: its relative clause included, up to the main clause."""
    clauses = _clauses(doc, sentence.start, sentence.end)
    index = next((i for i, (a, b) in enumerate(clauses) if a <= position < b), len(clauses) - 1)
    end = clauses[index][1]
    # "..., which was withdrawn last year when ..., Marsh Data has ...": the relative clause goes with it.
    while index + 1 < len(clauses) - 1 and re.match(
        r"\s*(?:which|that|who|qui|que|dont|lequel|laquelle|when|where|lorsque|où)\b", doc.text[clauses[index + 1][0] :]
    ):
        index += 1
        end = clauses[index][1]
    return end


def _turn_start(doc: Document, clauses: list[tuple[int, int]], index: int, anchor: _Anchor, own: list) -> int:
    """Where a sentence turns to another project: its clause, short clauses before it, or a contrast word."""
    clause_start = clauses[index][0]
    if own and own[0].start < anchor.start:
        # "Motherwell will support 90 jobs and Livingston 45": from the word before the other place.
        conjunction = _CONJUNCTION.search(doc.text, own[0].end, anchor.start)
        return conjunction.start() if conjunction else anchor.start
    contrast = None
    for match in _CONTRAST.finditer(doc.text, clause_start, anchor.start):
        contrast = match
    if contrast is not None:
        return contrast.start()
    begin = clause_start
    while index > 0 and clauses[index - 1][1] - clauses[index - 1][0] < MIN_CLAUSE_CHARS:
        previous = doc.text[clauses[index - 1][0] : clauses[index - 1][1]]
        if _FIGURE.search(previous):
            break
        index -= 1
        begin = clauses[index][0]
    return begin


_LIST_SEPARATOR = re.compile(r"^\s*(?:,|and|et|&|,\s*(?:and|et))?\s*(?:à|at|in)?\s*$", _I)


def _place_list(doc: Document, places: list[_Anchor]) -> list[_Anchor]:
    """The longest run of different places written as a list ("Motherwell and Livingston", "Corbas, Feyzin et Bron")."""
    best: list[_Anchor] = []
    run: list[_Anchor] = []
    for anchor in places:
        if (
            run
            and _LIST_SEPARATOR.match(doc.text[run[-1].end : anchor.start])
            and anchor.key not in {a.key for a in run}
        ):
            run.append(anchor)
        else:
            run = [anchor]
        if len(run) > len(best):
            best = list(run)
    return best


def _respectively(
    doc: Document,
    sentence,
    section: Section,
    sections: list[Section],
    by_key: dict[str, Section],
    exclude: list[tuple[int, int]],
) -> list[tuple[int, int, Section]] | None:
    """ "at Motherwell and Livingston, with capacities of 80MW and 40MW respectively": each figure to its place."""
    anchors = _place_list(doc, _places_in(doc, sentence.start, sentence.end, exclude))
    if len(anchors) < 2:
        return None
    figures = list(_FIGURE.finditer(doc.text, sentence.start, sentence.end))
    keys = [a.key for a in anchors]
    units = [re.sub(r"[\d\s.,€£$]", "", f.group()).casefold() for f in figures]
    if not section.place_key:
        section.place, section.place_key = anchors[0].place, anchors[0].key
        section.anchor_start, section.anchor_end = anchors[0].start, anchors[0].end
        by_key.setdefault(anchors[0].key, section)
    parts: list[tuple[int, int, Section]] = []
    # The figures of one unit, as many as the places, in the order of the places.
    for unit in dict.fromkeys(units):
        run = [f for f, u in zip(figures, units, strict=True) if u == unit]
        if len(run) != len(keys):
            continue
        for figure, anchor in zip(run, anchors, strict=True):
            owner = section if anchor.key == section.place_key else by_key.get(anchor.key)
            if owner is None:
                owner = _new_section(sections, by_key, anchor)
            if owner is not section:
                parts.append((figure.start(), figure.end(), owner))
    return sorted(parts, key=lambda part: part[0]) or None


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
