"""Proper-noun sequences ("La Courneuve", "Chartres-de-Bretagne", "Digital Realty") with offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

UPPER = "A-ZÀ-ÖØ-Þ"
# One capitalised word, hyphenated parts and elisions included ("Saint-Ouen-l'Aumône", "OVHcloud", "Data4").
TOKEN = rf"[{UPPER}][\w&'’]*(?:-[\w'’]+)*"
# Lower-case words allowed between capitalised words of one name ("Porte du Hainaut", "Stoke on Trent").
CONNECTORS = r"(?:de|du|des|la|le|les|sur|sous|en|on|upon|lès|lez|of|&|d['’]|l['’])"
# Spaces inside a name never include a line break (a headline and the next line are two names)
# nor a tab (the cells of a table row, flattened to text, are two names).
_SPACE = r"[^\S\n\t]"
NAME = rf"{TOKEN}(?:{_SPACE}+(?:{CONNECTORS}{_SPACE}*)?{TOKEN}){{0,4}}"

# A name starts a word, or follows an elided article ("d'Escaudain", "l'Essonne", "qu'Orange").
_NAME = re.compile(rf"(?:(?<![\w'’-])|(?<=\b[dlDL]['’])|(?<=\bqu['’])){NAME}")
_TOKEN = re.compile(TOKEN)

# Frequent words that open sentences or headlines, or that are also place or company names
# ("Orange", "Nice", "Sale"); a single one of them is never taken for a name on its own.
_COMMON_WORDS_TEXT = """
    a an the this that these those it its he she they we our his her their there here in on at of for by
    to from with as and or but if when while after before since during under over about into than not
    no yes all some any each every both many most more few one two three four new old first last next
    le la les l un une des du de d au aux ce cet cette ces il elle ils elles on nous vous se sa son ses
    leur leurs et ou mais donc car ni si en dans par pour sur sous avec sans chez vers entre selon comme
    face après avant depuis pendant lors dont où qui que quoi tout tous toute toutes plus moins très
    aussi ainsi alors déjà encore enfin même autre autres sur est ouest nord sud north south east west
    orange nice mars energy power data cloud centre center council street march sale deal bath wells
    porte alliance meta oracle start pure reading mayor city town village state government ministry
    january february april may june july august september october november december
    janvier février avril mai juin juillet août septembre octobre novembre décembre
    monday tuesday wednesday thursday friday saturday sunday
    lundi mardi mercredi jeudi vendredi samedi dimanche
    news image close user articles sources notifications menu home accueil
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())


@dataclass(frozen=True)
class Name:
    text: str
    start: int
    end: int


def find_names(text: str) -> list[Name]:
    """Maximal capitalised sequences; callers look for the part that names a place or company."""
    return [Name(m.group(), m.start(), m.end()) for m in _NAME.finditer(text)]


def sub_names(name: Name, max_tokens: int = 5) -> list[Name]:
    """Every run of whole words inside ``name``, longest first: "Paris Digital Park" -> ..., "Paris"."""
    words = list(re.finditer(rf"{TOKEN}|{CONNECTORS}", name.text))
    runs = []
    for i in range(len(words)):
        if not _TOKEN.fullmatch(words[i].group()):
            continue
        for j in range(i, min(i + max_tokens, len(words))):
            if not _TOKEN.fullmatch(words[j].group()):
                continue
            start, end = name.start + words[i].start(), name.start + words[j].end()
            runs.append(Name(name.text[words[i].start() : words[j].end()], start, end))
    return sorted(runs, key=lambda n: (-(n.end - n.start), n.start))


def is_common_word(text: str) -> bool:
    return " " not in text and "-" not in text and text.casefold().strip("'’") in COMMON_WORDS
