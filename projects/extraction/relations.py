"""What a page says that is no project's figure: ties between organizations and market indicators.

Relationships: partnerships ("Evroc et Suse s'associent pour ...", "l'alliance entre
Nexity ... et GSE"), joint ventures ("a joint venture between X and Y") and acquisitions
("X a finalisé le rachat de Y", "X acquired Y"), each with its purpose when the sentence
gives one ("pour proposer des terrains ..."). Indicators: a forecast, a share or a total
for a market or a country, with its unit and year ("75 % des entreprises européennes
utiliseront le cloud d'ici 2030", "le marché devrait atteindre 27 milliards d'euros en 2028").
"""

from __future__ import annotations

import re

from . import context
from .document import Document
from .facts import Indicator, Relationship
from .numbers import as_number
from .organizations import ORG, organization_mentions
from .quantities import MONEY, POWER, find_quantities

_I = re.IGNORECASE

PARTNERSHIP, JOINT_VENTURE, ACQUISITION = "partnership", "joint_venture", "acquisition"

# Cue words and which side of them the organizations stand: "both" before the cue ("X et Y
# s'associent"), "between" after it ("alliance entre X et Y"), "buyer-target" around it.
_CUES: list[tuple[str, str, re.Pattern[str]]] = [
    (JOINT_VENTURE, "between", re.compile(
        r"\b(?:(?:a |une |the )?joint[- ]venture|coentreprise|co-entreprise|JV)\s+(?:between|entre|of|de|formed by"
        r"|réunissant)\b", _I)),
    (JOINT_VENTURE, "both", re.compile(
        r"\b(?:form(?:ed)? a joint venture|créent une (?:co-?entreprise|filiale commune)"
        r"|have set up a joint venture)\b", _I)),
    (PARTNERSHIP, "between", re.compile(
        r"\b(?:alliance|partenariat|partnership|accord de partenariat|collaboration)\s+(?:entre|between)\b", _I)),
    (PARTNERSHIP, "both", re.compile(
        r"\b(?:s['’]associent|se sont associés|s['’]allient|nouent un partenariat|signent un partenariat|ont noué"
        r" un partenariat|(?:have )?partner(?:ed)?(?: up)?|(?:have )?team(?:ed)? up|join(?:ed)? forces|have signed a"
        r" partnership|are partnering)\b", _I)),
    (ACQUISITION, "buyer-target", re.compile(
        r"\b(?:a (?:finalisé|bouclé|annoncé|conclu) (?:le rachat|l['’]acquisition)|rachète|a racheté|acquiert"
        r"|a acquis|(?:has )?(?:acquired|bought|agreed to buy|completed the acquisition of|is buying|acquires|buys))"
        r"\b", _I)),
]  # fmt: skip
_PURPOSE = re.compile(r"[^.;]*?\b(?:pour|afin de|to|in order to)\s+(?P<purpose>[^.;]{8,160})", _I)


def _orgs_in(doc: Document, start: int, end: int) -> list[str]:
    names: list[str] = []
    for found in organization_mentions(doc):
        inside = start <= found.start and found.end <= end
        if inside and found.name not in names and not any(found.name in name for name in names):
            names.append(found.name)
    if not names:
        names = [m.group() for m in re.finditer(ORG, doc.text[start:end])]
    return names


def relationships(doc: Document) -> list[Relationship]:
    found: list[Relationship] = []
    for sentence in doc.sentences:
        text = sentence.of(doc.text)
        for kind, sides, pattern in _CUES:
            for match in pattern.finditer(text):
                cue_start, cue_end = sentence.start + match.start(), sentence.start + match.end()
                if sides == "between":
                    names = _orgs_in(doc, cue_end, _cut(doc, text, sentence.start, match.end()))
                elif sides == "both":
                    names = _orgs_in(doc, sentence.start, cue_start)[-3:]
                else:
                    names = _orgs_in(doc, sentence.start, cue_start)[-1:] + _orgs_in(doc, cue_end, sentence.end)[:1]
                if len(names) < 2:
                    continue
                purpose = _PURPOSE.match(doc.text, cue_end, sentence.end)
                relationship = Relationship(
                    kind=kind,
                    organizations=names,
                    quote=text,
                    start=sentence.start,
                    end=sentence.end,
                    confidence=0.7 if sides != "both" else 0.6,
                    purpose=purpose.group("purpose").strip() if purpose else "",
                )
                if not any(set(r.organizations) == set(names) for r in found):
                    found.append(relationship)
    return found


def _cut(doc: Document, text: str, offset: int, after: int) -> int:
    """Where the names after "entre"/"between" end: at "pour", "to", a full stop."""
    rest = re.search(r"\b(?:pour|afin|to|in order|qui|which|that)\b|[.;]", text[after:])
    return offset + after + (rest.start() if rest else len(text) - after)


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_PERCENT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d+)?)\s?(?:%|pour ?cent|per ?cent)")
# An institution's name may end on an adjective: "la Commission européenne", "l'Agence internationale".
_ADJECTIVE = r"(?:\s+(?:européenne|européen|internationale|international|nationale|national|fédérale|mondiale))?"
_STATED_BY = re.compile(
    rf"\b(?:selon|d['’]après|according to)\s+(?:le |la |l['’]|les |the )?(?:cabinet |institut |agence |firm )?"
    rf"(?P<name>{ORG})|(?:^|\s)(?:la |le |l['’]|the )?(?P<subject>{ORG}{_ADJECTIVE}),?\s+(?:prévoyant|prévoit|estime"
    r"|expects"
    r"|forecasts|predicts|says)",
)
_FORECAST_WORDS = re.compile(
    r"\b(?:devrai\w*|pourrai\w*|prévo\w*|prévision\w*|d['’]ici|à l['’]horizon|utiliseront|atteindr\w*|expected|expects"
    r"|forecast\w*|predict\w*|will|could|would|by (?:19|20)\d{2})\b",
    _I,
)


def indicators(doc: Document) -> list[Indicator]:
    """Shares, sums and capacities the page gives for a market or a country."""
    found: list[Indicator] = []
    for sentence in doc.sentences:
        text = sentence.of(doc.text)
        if not context.is_off_project(text):
            continue
        years = [int(y) for y in _YEAR.findall(text)]
        year = years[-1] if years else None
        forecast = bool(_FORECAST_WORDS.search(text))
        stated = _STATED_BY.search(text)
        stated_by = (stated.group("name") or stated.group("subject") or "") if stated else ""
        stated_by = re.sub(r"^(?:La|Le|Les|L['’]|The)\s*", "", stated_by.strip())
        items: list[tuple[float, str, int, int]] = []
        for match in _PERCENT.finditer(text):
            value = float(match.group(1).replace(",", "."))
            items.append((value, "%", match.start(), match.end()))
        for quantity in find_quantities(text, doc.language):
            if quantity.kind == MONEY and quantity.unit and quantity.value >= 1e8:
                items.append((quantity.value, quantity.unit, quantity.start, quantity.end))
            elif quantity.kind == POWER:
                items.append((quantity.value, "MW", quantity.start, quantity.end))
        for value, unit, _start, _end in items:
            if year is not None and str(int(value)) == str(year):
                continue
            found.append(
                Indicator(
                    value=as_number(value),
                    unit=unit,
                    quote=text,
                    start=sentence.start,
                    end=sentence.end,
                    confidence=0.6 + (0.1 if year else 0),
                    year=year,
                    is_forecast=forecast,
                    stated_by=stated_by.strip(),
                )
            )
    return found
