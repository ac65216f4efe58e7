"""The page around an article: which lines are chrome, which are headings, which is the dateline.

Pages reach the extractor as text, a browser's copy or trafilatura's output, still holding
what surrounds the article: menus, breadcrumbs, cookie banners, share buttons, related links,
paywall notices, forum headers (user names, post counts, quoted posts) and a company's
boilerplate at the foot of a press release. Lines are classified, never removed: offsets
stay those of the text given, and ``blank_chrome`` returns a copy of the same length in which
chrome lines are spaces, so that no reader finds a figure in them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_I = re.IGNORECASE

BODY, HEADING, DATELINE, CHROME = "body", "heading", "dateline", "chrome"


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    kind: str
    # Why a line is chrome ("menu", "cookie", "related", "forum", "paywall", "boilerplate"...).
    reason: str = ""

    def of(self, text: str) -> str:
        return text[self.start : self.end]


# Words of navigation and page furniture, in both languages (the words a menu is made of).
_UI_WORDS = frozenset(
    """
    accueil home menu recherche search connexion login sign in se connecter abonnez-vous
    subscribe subscribers newsletter partager share imprimer print twitter
    youtube e-mail lien whatsapp commentaires comments contact contacts
    répondre reply citer quote signaler report suivant next précédent prev previous back top haut
    page menu fermer close user notifications notification image images news articles sources explorer
    actualités actus infos info économie industrie énergie numérique territoires emploi emplois
    entreprises dossiers une sport sports démarches mairie ma mes
    villes politique faits divers agenda cloud ia infrastructures tech
    markets power data podcast events jobs features cooling awards opinion
    lifestyle property business energy transport announcements what's on real estate
    commercial residents planning council democracy and et du de la le les des
    cadre vie régions région menu☰ ☰ videos vidéos photos direct abonnement abonnés s'inscrire
    register registered forum forums du quick advertisement publicité sponsored
    mode light dark modedark aucune non lue lire suite plus more most read popular voir
    """.split()  # noqa: SIM905
)

_COOKIE = re.compile(r"\b(?:cookies?|en poursuivant votre navigation)\b", _I)
_FOOTER = re.compile(
    r"(?:\bAccessibilit(?:y|é)\b|\bPrivacy\b|\bTerms\b|\bUnsubscribe\b|\bView in browser\b|^Advertisement$"
    r"|^SPONSORED\b|^Infos pratiques$|^Share (?:this|:)|^Partager (?:cette|:)|^Tags?\s*:|^Voir les commentaires"
    r"|^Contact us\b)",
    _I,
)
# Forum headers and furniture: who posted, when, how many posts; quoted posts repeat earlier ones.
_FORUM = re.compile(
    r"^(?:Messages\s*:|Membre depuis\b|Posts\s*:|Registered\s*:|Posté le\b|#\d+\b|Page \d+ (?:sur|of) \d+"
    r"|Quote(?: from)?\b[^:]{0,40}:|>|Répondre\b|Quick reply\b|Sujet\s*:\s*$|Vous devez être connecté"
    r"|Accueil du forum\b|Forum\b.*[›‹»>])",
    _I,
)
# A paywall notice after the article's first lines: what follows is the page's foot.
_PAYWALL = re.compile(
    r"(?:réservée? aux abonnés|\bLire la suite\b|\bSubscribe now\b|for subscribers only|Already a subscriber)",
    _I,
)
_ACCOUNT = re.compile(
    r"(?:^Abonnez-vous|^Subscribe\b|^Sign (?:in|up)\b|^Se connecter\b|dès 1 ?€|\bnewsletter\b"
    r"|^Inscrivez-vous\b)",
    _I,
)
# Related links: the headlines after such a marker are other articles, often with their own figures.
_RELATED = re.compile(
    r"^(?:À lire aussi|A lire aussi|Lire aussi|Vous aimerez aussi|Most popular|Related(?: articles| stories"
    r"| news)?\b|Read more\b)",
    _I,
)
# The company's own description at the foot of a press release ("About X", "À propos de X").
_BOILERPLATE = re.compile(
    r"^(?:About (?!the\b|this\b)\S|À propos (?:de|d['’])|A propos (?:de|d['’])|Forward-looking statements"
    r"|Contacts? presse\b|Contact\s*:)",
)
_SEPARATORS = re.compile(r"\s*(?:[|›‹»>/•·]|\s{2,})\s*")
_SENTENCE_END = re.compile(r"[.!;:]$")
_DATE_HINT = re.compile(
    r"\b(?:\d{1,2}/\d{1,2}/\d{4}|(?:19|20)\d{2})\b",
)
_DATELINE_WORDS = re.compile(
    r"^(?:Publié|Published|Mis à jour|Posté|Par\b|By\b|Mis en ligne|Paris, le|[A-ZÀ-Ý][\wÀ-ÿ' -]+, le \d)",
    _I,
)
_USER_NAME = re.compile(r"^(?=[\w.-]*(?:\d|_|[a-z][A-Z]))[\w.-]+$|^[a-z][\w.-]*$")


def _words(line: str) -> list[str]:
    return [w for w in re.split(r"[\s|›‹»>/•·,]+", line.casefold()) if w]


def _is_menu(line: str) -> bool:
    """A row of navigation words or of short links ("Accueil  Économie  Sports", "Home | News | Events")."""
    if _SENTENCE_END.search(line) or len(line) > 160:
        return False
    words = _words(line)
    if not words:
        return True
    ui = sum(word.strip("'’") in _UI_WORDS for word in words)
    if ui == len(words) or (len(words) >= 3 and ui / len(words) >= 0.6):
        return True
    segments = [s for s in _SEPARATORS.split(line) if s]
    if len(segments) >= 3 and all(len(s.split()) <= 4 and not re.search(r"\d{2,}", s) for s in segments):
        # Short items side by side: a breadcrumb or a menu, unless it reads as a sentence.
        return not re.search(r"\b(?:est|sont|a|is|are|has|have|will|va)\b", line)
    return False


def _chrome_reason(line: str) -> str:
    stripped = line.strip()
    if _COOKIE.search(stripped):
        return "cookie"
    if _FORUM.search(stripped):
        return "forum"
    if _PAYWALL.search(stripped):
        return "paywall"
    if _ACCOUNT.search(stripped):
        return "account"
    if _FOOTER.search(stripped):
        return "footer"
    if re.fullmatch(r"[\d\W]+", stripped) and not _DATE_HINT.search(stripped):
        return "furniture"
    if " " not in stripped and _USER_NAME.match(stripped):
        return "forum"  # a user name alone on its line, or a word of page furniture
    if _is_menu(stripped):
        return "menu"
    return ""


_DATE_WORDS = re.compile(
    r"\b(?:jan\w*|feb\w*|fév\w*|mar\w*|apr\w*|avr\w*|may|mai|jun\w*|juin|jul\w*|juil\w*|aug\w*|août|sep\w*|oct\w*"
    r"|nov\w*|dec\w*|déc\w*|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday|le|the|on|à|at|of|\d[\d/:h.,]*(?:st|nd|rd|th|er)?)\b\.?",
    _I,
)


def _is_dateline(line: str) -> bool:
    words = line.split()
    if not _DATE_HINT.search(line) or len(words) > 24:
        return False
    rest = _DATE_WORDS.sub(" ", line).split()
    return bool(_DATELINE_WORDS.search(line)) or len(rest) <= 2 or "|" in line or "·" in line


def classify_lines(text: str) -> list[Line]:
    """Every non-empty line of ``text`` with its kind."""
    raw = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    kinds: list[tuple[str, str]] = []
    tail = ""  # once a paywall, a related-links marker or a boilerplate heading is met
    body_seen = False
    for start, end in raw:
        line = text[start:end].strip()
        long_paragraph = len(line.split()) >= 25 and _SENTENCE_END.search(line[-1:] or "")
        if tail and not (tail == "related" and long_paragraph):
            kinds.append((CHROME, tail))
            continue
        tail = ""
        if _BOILERPLATE.search(line):
            tail = "boilerplate"
            kinds.append((CHROME, tail))
            continue
        if _RELATED.search(line):
            tail = "related"
            kinds.append((CHROME, tail))
            continue
        reason = _chrome_reason(line)
        if reason == "paywall" and body_seen:
            tail = "paywall"
        body_seen = body_seen or (not reason and len(line.split()) >= 12)
        kinds.append((CHROME, reason) if reason else (BODY, ""))
    lines = [Line(start, end, kind, reason) for (start, end), (kind, reason) in zip(raw, kinds, strict=True)]
    return _mark_headings_and_dateline(text, lines)


def _mark_headings_and_dateline(text: str, lines: list[Line]) -> list[Line]:
    marked = list(lines)
    dateline_seen = False
    body_seen = 0
    for index, line in enumerate(lines):
        if line.kind != BODY:
            continue
        content = line.of(text).strip()
        if not dateline_seen and body_seen <= 2 and _is_dateline(content):
            marked[index] = Line(line.start, line.end, DATELINE)
            dateline_seen = True
            continue
        following = next((other for other in lines[index + 1 :] if other.kind == BODY), None)
        short = len(content.split()) <= 16 and not re.search(r"[.!;]$", content)
        if short and following is not None:
            marked[index] = Line(line.start, line.end, HEADING)
            continue
        body_seen += 1
    return marked


def blank_chrome(text: str, lines: list[Line]) -> str:
    """``text`` with every chrome line turned to spaces (same length, line breaks kept)."""
    parts = []
    cursor = 0
    for line in lines:
        if line.kind != CHROME:
            continue
        parts.append(text[cursor : line.start])
        parts.append(" " * (line.end - line.start))
        cursor = line.end
    parts.append(text[cursor:])
    return "".join(parts)
