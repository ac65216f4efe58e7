"""Organisations taking part in the project, with their role when the text gives it.

Press articles introduce companies in a few ways: with a descriptor ("le
géant américain Microsoft", "developer Ark Data Centres"), as an agent ("built
by Digital Realty", "porté par ..."), in apposition ("Nexity, leader français
de l'immobilier"), as partners ("X et Y s'associent"), or by a legal or
industry suffix ("... Data Centres", "... Ltd"). Well-known industry names
are recognised anywhere. People ("Le maire, Philippe Bonnin") are left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .document import Document
from .facts import Fact
from .names import NAME, TOKEN, is_common_word

_I = re.IGNORECASE

# Company names: capitalised words, "&" allowed ("AT&T", "Marks & Spencer"), no lower-case connectors.
ORG = rf"{TOKEN}(?:[^\S\n]+(?:&[^\S\n]+)?{TOKEN}){{0,3}}"
_ORG_FULL = re.compile(ORG)

DEVELOPER, OPERATOR, OWNER, INVESTOR = "developer", "operator", "owner", "investor"
TENANT, BUILDER, PUBLIC_AUTHORITY, GRID_OPERATOR = "tenant", "builder", "public_authority", "grid_operator"

# Names known to the data-centre trade; matched case-sensitively as whole words.
_KNOWN = {
    GRID_OPERATOR: "RTE|Enedis|National Grid|UK Power Networks|SSEN|EirGrid|Elia|TenneT|Amprion|50Hertz"
    "|Hydro-Québec|Hydro One|Red Eléctrica|Terna|Fingrid|Statnett|Svenska kraftnät|Transpower",
    None: "Microsoft|Amazon Web Services|Amazon|AWS|Google|Alphabet|Meta|Facebook|Apple|Oracle|IBM|OpenAI"
    "|Anthropic|Nvidia|NVIDIA|xAI|Mistral AI|Fluidstack|CoreWeave|Nscale|Nebius|Scaleway|OVHcloud|OVH"
    "|Outscale|Iliad|Bouygues Telecom|Salesforce|Alibaba|Tencent|ByteDance|TikTok|Huawei|Equinix"
    "|Digital Realty|Interxion|Data4|DATA4|NTT Data|NTT|Global Switch|Telehouse|CyrusOne|Vantage Data Centers"
    "|Vantage|Stack Infrastructure|STACK Infrastructure|Iron Mountain|Colt DCS|Ark Data Centres|Virtus"
    "|Kao Data|Pure DC|Yondr|Goodman|Prologis|Segro|SEGRO|Brookfield|Blackstone|QTS|EdgeConneX|AirTrunk"
    "|NextDC|NEXTDC|CDC Data Centres|Keppel|ST Telemedia|Princeton Digital Group|Start Campus|atNorth|Verne"
    "|Green Mountain|Nautilus|Sesterce|Eclairion|Evroc|evroc|Etix|Ciron|Thésée DataCenter|Nexity|Vinci|Eiffage"
    "|Bouygues|Spie|Schneider Electric|Engie|EDF|TotalEnergies|MGX|G42|Apollo|KKR|Macquarie|BlackRock"
    "|DigitalBridge|Stonepeak|Partners Group|Ardian|Caisse des Dépôts|Banque des Territoires|Bpifrance"
    "|Suse|SUSE|Orange|SFR|Telstra|Sify|Yotta|Reliance|Adani|Khazna|Aligned Data Centers|Switch Datacenters"
    "|Compass Datacenters|Pure Data Centres|Latos|Echelon|Edgeconnex|Vantage Towers|Proximity Data Centres",
}
_KNOWN_PATTERN = re.compile(
    r"(?<![\w-])(?:" + "|".join(f"(?P<k{i}>{names})" for i, names in enumerate(_KNOWN.values())) + r")(?![\w-])"
)
_KNOWN_ROLES = list(_KNOWN)

# Descriptors and verbs that say what an organisation does in the project.
_ROLE_WORDS = [
    (GRID_OPERATOR, r"gestionnaire (?:du|de) réseau|grid operator|transmission operator|network operator"),
    (DEVELOPER, r"développeur|promoteur|porteur de projet|porté|développé|developer|developed|proposed|promoted"
     r"|submitted|déposé|backed the plans|behind the (?:project|scheme|plans)"),
    (OPERATOR, r"opérateur|exploitant|hébergeur|exploité|exploitera|opéré|operator|operated|operates?|run"
     r"|colocation provider|provider"),
    (OWNER, r"propriétaire|propriété|détenu|owner|owned|landlord"),
    (INVESTOR, r"investisseur|fonds|financé|investor|fund|backed|financed|funded|asset manager"),
    (TENANT, r"locataire|client|tenant|leased|loué|customer|hyperscaler|serveurs|servers|host|héberg\w+"),
    (BUILDER, r"contractant|entreprise générale|construit|réalisé|bâti|contractor|builder|built|constructed"),
]  # fmt: skip

_DESCRIPTORS_FR = (
    r"géant|groupe|société|entreprise|opérateur|promoteur|développeur|hébergeur|fonds|start-?up|spécialiste"
    r"|industriel|énergéticien|investisseur|fournisseur|gestionnaire|exploitant|acteur|leader|firme|filiale"
    r"|éditeur|fabricant|constructeur|consortium|partenaire|contractant|américain|français|britannique|chinois"
    r"|allemand|japonais|émirati|canadien|suédois|néerlandais|espagnol|italien|irlandais|australien"
    r"|association|collectif|fédération|syndicat|coopérative"
)
_DESCRIPTORS_EN = (
    r"giant|group|company|firm|operator|developer|provider|hyperscaler|investor|fund|start-?up|contractor"
    r"|builder|owner|utility|REIT|landlord|specialist|manufacturer|maker|consortium|subsidiary|asset manager"
    r"|infrastructure investor|partner|campaign group|residents['’] group|association|coalition"
)
# What an organisation does to the site, in an apposition ("X, which will operate the site").
_ROLE_VERBS = (
    r"operates?|runs?|manages?|owns?|develops?|builds?|finances?|invests?|hosts?|leases?|exploite\w*|gère\w*"
    r"|possède\w*|développe\w*|construi\w*|financ\w*|investi\w*|héberge\w*|lou\w+"
)

# A sentence may open on the descriptor: "Developer Elsham Park, backed by ..."
_CAPITALISED_EN = r"Developer|Operator|Investor|Contractor|Hyperscaler|Landlord"

_PATTERNS = [
    # "le géant américain Microsoft", "le constructeur automobile PSA", "l'opérateur de data centers Data4"
    (re.compile(
        rf"\b(?i:le|la|l['’]|les|du|de la|de l['’]|d['’]|au|à la|un|une)\s*(?P<desc>{_DESCRIPTORS_FR})"
        rf"(?:\s+[a-zà-ÿ'’-]+){{0,4}}?\s+(?P<name>{ORG})"
    ), 0.75),
    # "US tech giant Microsoft", "data centre developer Ark Data Centres"
    (re.compile(rf"\b(?P<desc>{_DESCRIPTORS_EN}|{_CAPITALISED_EN}),?\s+(?P<name>{ORG})"), 0.7),
    # "built by Digital Realty", "porté par le groupe X"
    (re.compile(
        r"\b(?P<desc>built|developed|operated|owned|run|backed|financed|funded|designed|constructed|led|proposed"
        r"|submitted|acquired|leased|promoted|delivered)\s+by\s+(?:the\s+)?(?:[a-z-]+\s+){0,3}?"
        rf"(?P<name>{ORG})"
    ), 0.8),
    (re.compile(
        r"\b(?P<desc>construit|développé|porté|exploité|opéré|détenu|financé|piloté|conçu|réalisé|acquis|loué"
        r"|mené|soutenu|lancé|déposé)e?s?\s+par\s+(?:le |la |l['’]|les )?(?:[a-zà-ÿ'’-]+\s+){0,3}?"
        rf"(?P<name>{ORG})"
    ), 0.8),
    # "hydropower supplied by Statkraft", "propriété du Grand Port Maritime", "alimenté par EDF"
    (re.compile(
        r"\b(?P<desc>supplied|provided|powered|fourni\w*|alimenté\w*|propriété)\s+(?:by|par|de|du|de la|des)\s+"
        rf"(?:the\s+|l['’])?(?P<name>{ORG})"
    ), 0.7),
    # "hébergera les serveurs de Mistral AI", "to host servers for French AI company Mistral AI"
    (re.compile(
        r"\b(?P<desc>héberg\w+|accueill\w+|host\w*|house\w*)\s+(?:notamment\s+)?(?:les\s+)?(?:servers|serveurs"
        r"|calculs|capacités|infrastructures?|workloads|computing|GPUs?)\s+(?:for|de|du|des|d['’])\s*"
        rf"(?:[\wà-ÿ'’-]+\s+){{0,4}}?(?P<name>{ORG})(?!\w)(?!\s+(?:{_DESCRIPTORS_EN}|lab|maker)\b)"
    ), 0.75),
    # "Polderhost, which will operate the site", "Teesworks, qui gère la zone"
    (re.compile(
        rf"(?P<name>{ORG}),\s+(?:which|who|qui)\s+(?:will\s+|would\s+|va\s+)?(?P<desc>{_ROLE_VERBS})\b"
    ), 0.65),
    # A company as the subject of what companies do: "Vantor Cloud to spend $6.5 billion",
    # "Kestrel Digital had applied", "Sudalys a inauguré", "X said on Tuesday it would" (a person says "he").
    (re.compile(
        rf"(?P<name>{ORG})\s+(?P<desc>(?:to|will|plans to|is to) (?:spend|invest|build|develop)|plans (?:a|an)\b"
        r"|(?:has|had) (?:applied|submitted|filed|secured|received|scrapped|shelved|paused)|walks away"
        r"|said(?: on \w+| \w+day)? (?:that )?it\b|va investir|investit|a inauguré|inaugure|a présenté"
        r"|a déposé|a obtenu|a mis en pause|a (?:abandonné|renoncé)|prévoit de construire)"
    ), 0.6),
    # "the Blackstone-owned firm", "a KKR-backed developer"
    (re.compile(rf"(?P<name>{ORG})-(?P<desc>owned|backed|funded|financed)\b"), 0.7),
    # "a development agreement with Canyon Ridge Data", "un accord avec Orange"
    (re.compile(
        r"\b(?:agreement|deal|contract|partnership|accord|contrat|partenariat)\s+(?:signed\s+|signé\s+)?"
        rf"(?:with|avec)\s+(?:the\s+)?(?P<name>{ORG})"
    ), 0.6),
    # "Nexity, leader français de l'immobilier", "GSE, contractant général", "Equinix, the operator"
    (re.compile(
        rf"(?P<name>{ORG}),\s+(?:le |la |l['’]|un |une |a |an |the |son |its )?(?:[a-zà-ÿA-Z-]+\s+){{0,2}}?"
        rf"(?P<desc>{_DESCRIPTORS_FR}|{_DESCRIPTORS_EN})\b"
    ), 0.7),
    # "C'est le cas d'Outscale"
    (re.compile(rf"\b(?:le cas|l['’]exemple|the case|the example)\s+(?:de\s|d['’]|of\s)(?P<name>{ORG})"), 0.55),
]  # fmt: skip

# Two or more names introduced together: "Evroc et Suse s'associent", "acteurs comme X et Y".
_LIST = rf"(?P<list>{ORG}(?:\s*,\s*{ORG})*\s*,?\s+(?:et|and|&)\s+{ORG})"
_LIST_PATTERNS = [
    re.compile(
        rf"{_LIST}\s+(?:s['’]associent|se sont associés|s['’]allient|ont signé|signent|partner|have partnered"
        r"|are partnering|join forces|have joined forces|team up|have teamed up|have signed|sign|form|créent|lancent)"
    ),
    re.compile(
        r"\b(?:acteurs|entreprises|sociétés|opérateurs|groupes|companies|firms|players|operators|hyperscalers"
        rf"|géants|clients|customers|tenants|partenaires|partners)\s+(?:comme|tels? que|such as|like|including"
        rf"|dont|notamment)\s+{_LIST}"
    ),
    re.compile(
        rf"\b(?:alliance|partenariat|accord|coentreprise|joint[- ]venture|partnership|agreement|deal)\s+"
        rf"(?:entre|between)\s+{_LIST}"
    ),
]

# Local and national authorities: "la communauté d'agglomération de la Porte du Hainaut", "Slough Borough Council".
_AUTHORITY = [
    # Only the kind of authority ignores case: the name itself is capitalised ("mairie de Wattrelos pour ...").
    re.compile(
        r"\b(?P<name>(?i:communauté (?:d['’]agglomération|de communes|urbaine)|métropole(?: européenne)?"
        r"|conseil (?:départemental|régional|municipal)|syndicat mixte|établissement public territorial|mairie"
        r"|ville)\s+"
        rf"(?i:de la\s|de l['’]|du\s|des\s|de\s|d['’])\s*{NAME})",
    ),
    # "Slough Borough Council", "Redcar and Cleveland Borough Council"
    re.compile(
        rf"(?P<name>{TOKEN}(?:\s+(?:and\s+)?{TOKEN}){{0,2}}\s+(?:Borough |District |County |City |Town |Parish )?"
        r"Council)\b"
    ),
    re.compile(r"\b(?P<name>(?:Greater London Authority|Mayor of London|Scottish Government|Welsh Government))\b"),
    # French groupings named after their towns: "Lannion-Trégor Communauté", "Rennes Métropole"
    re.compile(
        rf"(?P<name>(?!(?:La|Le|Les|The)\s){TOKEN}(?:[^\S\n]+{TOKEN}){{0,2}}[^\S\n]+"
        r"(?:Communauté|Agglo|Agglomération|Métropole))\b"
    ),
]

# Suffixes that make a capitalised sequence a company ("Ark Data Centres", "Kao Data Ltd").
_SUFFIX = re.compile(
    rf"(?P<name>{TOKEN}(?:\s+{TOKEN}){{0,3}}?\s+(?:SA|SAS|SE|Inc\.?|Ltd|Limited|plc|LLC|GmbH|AG|NV|BV|Group|Groupe"
    r"|Holdings?|Capital|Partners|Data Cent(?:re|er)s|Datacenters?|Technologies|Infrastructure|Properties"
    r"|Investments|Realty|REIT))(?![\w-])"
)

# Titles and roles that announce a person, not an organisation.
_PERSON_BEFORE = re.compile(
    r"\b(?:M\.|Mme|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|maire|président\w*|directeur\w*|directrice|PDG|CEO|ministre|minister"
    r"|said|a déclaré|selon|explique|according to|député\w*|sénat\w*|adjoint\w*|chief|head|founder|fondat\w+)"
    r"[\s,]*$",
    _I,
)
_PERSON_AFTER = re.compile(
    r"^,?\s+(?:le |la |the )?(?:maire|président\w*|directeur\w*|directrice|PDG|CEO|chief|head|ministre|minister"
    r"|député\w*|sénat\w*|porte-parole|spokes\w+|founder|fondat\w+)\b",
    _I,
)
# Capitalised words that are not organisations in this context.
_NOT_ORGANISATIONS = {
    "ia", "ai", "cloud", "kubernetes", "internet", "europe", "france", "état", "etat", "gouvernement",
    "government", "rer", "data", "centre", "center", "campus", "projet", "project", "site", "le", "la",
    "les", "the", "un", "une", "this", "ce", "cette",
    # nationalities that open a description ("French AI company Mistral AI")
    "french", "american", "british", "german", "chinese", "japanese", "irish", "dutch", "swiss", "norwegian",
    "swedish", "danish", "finnish", "spanish", "italian", "canadian", "australian", "european", "us", "uk",
    "uk-based", "us-based",
}  # fmt: skip


@dataclass
class _Found:
    name: str
    start: int
    end: int
    confidence: float
    role: str | None
    site_reference: bool = False  # an authority named after the municipality ("mairie de X")
    cue: str = ""  # the words that told the organisation (and its role)


def _role(words: str) -> str | None:
    for role, pattern in _ROLE_WORDS:
        if re.search(rf"\b(?:{pattern})\b", words, _I):
            return role
    return None


def _clean(name: str) -> str:
    name = name.replace("’", "'").strip(" ,.'")
    return name[:1].upper() + name[1:]


def _key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _is_person(doc: Document, start: int, end: int, name: str) -> bool:
    if _SUFFIX.fullmatch(name) or _KNOWN_PATTERN.fullmatch(name):
        return False
    before = doc.text[max(start - 25, 0) : start]
    after = doc.text[end : end + 30]
    return len(name.split()) <= 3 and bool(_PERSON_BEFORE.search(before) or _PERSON_AFTER.search(after))


def _acceptable(doc: Document, name: str, start: int, end: int) -> bool:
    if not name or name.casefold() in _NOT_ORGANISATIONS:
        return False
    if start > 0 and doc.text[start - 1].isalnum():
        return False  # the tail of a word or a unit glued to its number ("100MW, the company said")
    if is_common_word(name) and not _KNOWN_PATTERN.fullmatch(name):
        return False  # "Orange" the operator is known; "Start" is a word
    return not _is_person(doc, start, end, name)


def _trim_leading(name: str, start: int) -> tuple[str, int]:
    """Drop a capitalised article or sentence opener before the name ("The Paris Digital Park")."""
    words = name.split()
    while len(words) > 1 and is_common_word(words[0]):
        start += len(words[0]) + 1
        words = words[1:]
    return " ".join(words), start


def _candidates(doc: Document) -> Iterator[_Found]:
    text = doc.text
    for match in _KNOWN_PATTERN.finditer(text):
        group = next(g for g in match.groupdict() if match.group(g))
        role = _KNOWN_ROLES[int(group[1:])] or _role(doc.text[max(match.start() - 40, 0) : match.end() + 40])
        yield _Found(match.group(), match.start(), match.end(), 0.7, role)
    for pattern, confidence in _PATTERNS:
        for match in pattern.finditer(text):
            name, start = _trim_leading(match.group("name"), match.start("name"))
            yield _Found(name, start, match.end("name"), confidence, _role(match.groupdict().get("desc") or ""))
    for pattern in _LIST_PATTERNS:
        for match in pattern.finditer(text):
            role = _role(text[match.end() : match.end() + 40])
            for item in _ORG_FULL.finditer(text, match.start("list"), match.end("list")):
                yield _Found(item.group(), item.start(), item.end(), 0.6, role)
    for index, pattern in enumerate(_AUTHORITY):
        for match in pattern.finditer(text):
            name = match.group("name")
            yield _Found(
                name,
                match.start("name"),
                match.end("name"),
                0.8,
                PUBLIC_AUTHORITY,
                site_reference=index == 0 and name.casefold().startswith(("mairie", "ville")),
            )
    for match in _SUFFIX.finditer(text):
        name, start = _trim_leading(match.group("name"), match.start("name"))
        yield _Found(name, start, match.end("name"), 0.6, _role(text[max(start - 40, 0) : start]))


def organization_mentions(doc: Document) -> list[_Found]:
    """Every acceptable mention of an organisation, found once per document."""
    cached = doc.cache.get("organization-mentions")
    if cached is None:
        cached = []
        for found in _candidates(doc):
            name = _clean(found.name)
            if _acceptable(doc, name, found.start, found.end):
                found.name = name
                cached.append(found)
        doc.cache["organization-mentions"] = cached
    return cached


def organization_facts(doc: Document, section: Any = None) -> tuple[list[Fact], list[tuple[int, int]]]:
    """Organisation facts (one per name) and the spans they cover, which cannot be place names.

    ``section`` (see ``sections``) keeps the mentions in its part of the page.
    """
    best: dict[str, tuple[_Found, int]] = {}
    spans: list[tuple[int, int]] = []
    for original in organization_mentions(doc):
        if not original.site_reference:
            spans.append((original.start, original.end))
        if section is not None and not section.contains(original.start):
            continue
        found = _Found(**vars(original))
        name = found.name
        key = _key(name)
        # The same organisation under a longer name ("Digital Realty Trust") is merged into the first.
        key = next((k for k in best if k.startswith(key) or key.startswith(k)), key)
        previous, mentions = best.get(key, (None, 0))
        if previous is None:
            best[key] = (found, 1)
            continue
        keep = found if found.confidence > previous.confidence else previous
        # "Vantor Cloud" and later "Vantor": the full name is the one to report.
        if len(found.name) > len(keep.name) or len(previous.name) > len(keep.name):
            keep.name = max(found.name, previous.name, key=len)
        # A grid operator stays one whatever else is said of it ("the substation owned by National Grid").
        grid = GRID_OPERATOR in (found.role, previous.role)
        keep.role = GRID_OPERATOR if grid else keep.role or found.role or previous.role
        best[key] = (keep, mentions + 1)
    facts = []
    for found, mentions in best.values():
        confidence = found.confidence + 0.05 * (mentions - 1)
        fact = doc.fact("organization", _clean(found.name), found.start, found.end, confidence, role=found.role)
        fact.reason = f"cue words: {found.cue}" if found.cue else "inferred: a company name"
        facts.append(fact)
    return facts, spans
