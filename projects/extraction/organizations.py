"""Organisations taking part in the project, with their role when the text gives it.

Press articles introduce companies in a few ways: with a descriptor ("le
géant américain Microsoft", "developer Ark Data Centres"), as an agent ("built
by Digital Realty", "porté par ..."), in apposition ("Nexity, leader français
de l'immobilier"), as partners ("X et Y s'associent"), as the subject of what
companies do ("Essex Compute has unveiled"), by a possessive ("Orchard
Data's 90MW campus"), or by a legal or industry word ("... Data Centres", "...
Ltd", "... Compute"). Public bodies are named by what they are ("... Borough
Council", "Établissement public d'aménagement ...", "Port of ..."). No company
name is written here: the organisations the tracker already knows are passed in
(``Document.known_organizations``, from its Organization records) and matched as
whole names or aliases. People ("Le maire, Philippe Bonnin") are left out.

The role comes from the words around each mention: its descriptor, the verb it is
the agent or subject of, and the cue words of its clause (a connection, a fund,
the land, the works).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import context
from .document import Document
from .facts import Fact
from .names import NAME, TOKEN, is_common_word
from .places import country_names, lookup_place

_I = re.IGNORECASE

# Company names: capitalised words, "&" allowed ("AT&T", "Marks & Spencer"), no lower-case connectors.
ORG = rf"{TOKEN}(?:[^\S\n\t]+(?:&[^\S\n\t]+)?{TOKEN}){{0,3}}"
_ORG_FULL = re.compile(ORG)
# After a descriptor, a name may hold "de", "d'", "of" ("Bâtisseurs d'Île-de-France", "Port of Tilbury").
ORG_LONG = rf"{TOKEN}(?:[^\S\n\t]+(?:(?:de|d['’]|du|des|of)[^\S\n\t]*)?(?:&[^\S\n\t]+)?{TOKEN}){{0,4}}"

DEVELOPER, OPERATOR, OWNER, INVESTOR = "developer", "operator", "owner", "investor"
TENANT, BUILDER, PUBLIC_AUTHORITY, GRID_OPERATOR = "tenant", "builder", "public_authority", "grid_operator"

# Descriptors and verbs that say what an organisation does in the project, most telling first.
_ROLE_WORDS = [
    (GRID_OPERATOR, r"gestionnaire (?:du|de) réseau|grid operator|transmission operator|network operator"
     r"|raccord\w*|connexion|connect\w*|substations?|poste (?:source|électrique|de transformation)"
     r"|distribution network|switching station|switchyard"
     r"|alimenter\w* (?:le|la|les) (?:site|campus|bâtiments?|data ?center)"),
    (BUILDER, r"contractant|entreprise générale|constructeur|construction (?:company|firm|group)|general contractor"
     r"|contractor|builder|confiée? à|assurera la construction|main contractor|construit|réalisé|bâti|built"
     r"|constructed"),
    (INVESTOR, r"investisseur|fonds|financé|financera|financer|actionnaire|entrera au capital|au capital"
     r"|investor|fund|backed|financed|funded|asset manager|private equity|shareholder|equity partner"),
    (OWNER, r"propriétaire|propriété|détenu|appartient|appartenant|landowner|owner|owned|owns|landlord|bail"
     r"|lease[ds]? (?:from|to)|loués? (?:au|à)"),
    (OPERATOR, r"opérateur|exploitant|hébergeur|exploité|exploitera|exploite|opéré|operator|operated|operates?|run"
     r"|will run|colocation provider|provider"),
    (TENANT, r"locataire|client|tenant|leased|loué|customer|hyperscaler|serveurs|servers|host|héberg\w+"),
    (DEVELOPER, r"développeur|promoteur|porteur de projet|porté|développé|developer|developed|proposed|promoted"
     r"|submitted|lodged|filed|applied|déposé|a déposé|applicant|application|backed the plans"
     r"|behind (?:the|this) (?:project|scheme|plans|campus)|plans (?:a|an|for|to)|wants to build"
     r"|veut (?:implanter|construire)"
     r"|prévoit|vise|has unveiled"
     r"|a présenté|a officialisé|a dévoilé|va (?:investir|construire)|will invest|to invest|has started|a lancé"
     r"|lance|has withdrawn|renonc\w+|scrapp\w+|broke ground|breaks ground|has opened|a ouvert"
     r"|voulait (?:bâtir|construire|implanter)|veut bâtir|souhaite (?:bâtir|construire|implanter)|appeal by"
     r"|appel de|is seeking|seeks|is proposing|proposes|has secured|secured|a obtenu|obtient|ambitionne|projette"
     r"|porte (?:le|ce) projet|à l['’]origine du projet|pour (?:construire|développer|bâtir|implanter)"
     r"|to (?:build|develop)|prépare|closed on"),
]  # fmt: skip
# The role a public body or a company has by what its name says it is, when no cue tells otherwise.
_ROLE_BY_NAME = [
    (PUBLIC_AUTHORITY, re.compile(
        r"\b(?:Council|Conseil|Commission|Authority|Agency|Préfecture|Ministry|Ministère|Mairie"
        r"|Communauté|Métropole|Eurométropole|Département|Région|Development Corporation|Établissement public"
        r"|Etablissement public|Bord Pleanála|Planning Commission|Government|Gouvernement|Business France"
        r"|Port Maritime|Port of|Port Authority|Inspectorate|Consents Unit|Ministers|Secretary of State|Department for"
        r"|Department of|DREAL|DDTM?|Préfet|Direction régionale|Direction départementale)\b")),
    (GRID_OPERATOR, re.compile(r"(?:\bPowergrid|\bPower Networks|\bGrid|\bTransmission|Réseau de Transport\b.*)$")),
    (INVESTOR, re.compile(r"\b(?:Fund|Fonds|Capital|Investments?|Asset Management|Banque des Territoires)\b")),
    (BUILDER, re.compile(r"\b(?:Builders?|Build|Construction|Bâtisseurs|BTP|Contractors)\b")),
]  # fmt: skip

_DESCRIPTORS_FR = (
    r"géant|groupe|société|entreprise|opérateur|promoteur|développeur|hébergeur|fonds|start-?up|spécialiste"
    r"|intégrateur|propriétaire|aménageur|bailleur|énergéticien|électricien|entreprise générale"
    r"|industriel|investisseur|fournisseur|gestionnaire|exploitant|acteur|leader|firme|filiale"
    r"|éditeur|fabricant|constructeur|consortium|partenaire|contractant|américain|français|britannique|chinois"
    r"|allemand|japonais|émirati|canadien|suédois|néerlandais|espagnol|italien|irlandais|australien"
    r"|association|collectif|fédération|syndicat|coopérative"
)
_DESCRIPTORS_EN = (
    r"grid operator|transmission (?:system )?operator|network operator|distribution network operator"
    r"|giant|group|company|firm|operator|developer|provider|hyperscaler|investor|fund|start-?up|contractor"
    r"|builder|owner|utility|REIT|landlord|specialist|manufacturer|maker|consortium|subsidiary|asset manager"
    r"|infrastructure investor|partner|campaign group|residents['’] group|association|coalition|landowner"
    r"|private equity firm|equity firm|cooperative|co-op|general contractor|applicant|promoter|agency"
)
# What an organisation does to the site, in an apposition ("X, which will operate the site").
_ROLE_VERBS = (
    r"operates?|runs?|manages?|owns?|develops?|builds?|finances?|invests?|hosts?|leases?|exploite\w*|gère\w*"
    r"|possède\w*|développe\w*|construi\w*|financ\w*|investi\w*|héberge\w*|lou\w+"
)

# A sentence may open on the descriptor: "Developer Elsham Park, backed by ..."
_CAPITALISED_EN = r"Developer|Operator|Investor|Contractor|Hyperscaler|Landlord|Applicant"
# What companies do, as the subject: "Essex Compute has unveiled", "Hexaflux exploitera".
_SUBJECT_VERBS = (
    r"(?:to|will|would|plans to|is to|wants to|hopes to|aims to) (?:spend|invest|build|develop|operate|run|connect"
    r"|finance|supply|provide)|plans (?:a|an|to)\b|wants to\b|expects\b|estimates\b"
    r"|(?:has|have|had) (?:applied|submitted|filed|lodged|secured|received|scrapped|shelved|paused|unveiled"
    r"|announced|started|begun|opened|withdrawn|bought|acquired|signed|partnered|confirmed|broken ground|been"
    r" (?:granted|refused|selected|chosen))|(?:today )?(?:announced|unveiled|broke ground|breaks ground|files"
    r"|filed|lodged|submitted|withdrew|scrapped|opened|started|acquired|bought)\b|walks away"
    r"|said(?: on \w+| \w+day)?(?: that)? (?:it|the|its|their|a|an)\b|says (?:it|the|its|a|an)\b|will build\b"
    r"|va (?:investir|construire|implanter|exploiter)|investit|a inauguré|inaugure|a présenté|a officialisé"
    r"|a annoncé|annonce\b|a dévoilé|a déposé|a obtenu|a mis en pause|a (?:abandonné|renoncé)|renonce"
    r"|prévoit\b|vise\b|veut\b|exploitera|construira|financera|raccordera|assurera|a finalisé|a signé"
    r"|lance\b|a lancé|a indiqué|a confirmé|entrera au capital|is seeking|seeks|is proposing|proposes\b|has secured"
    r"|secured\b|(?:has|have) been granted|obtient|ambitionne|projette|porte (?:le|ce) projet|alimentera|prépare"
    r"|has closed on|closed on"
)

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
    # "Polderhost, which will operate the site", "Teesworks, qui gère la zone", "the Port of Tilbury, which owns"
    (re.compile(
        rf"(?P<name>{ORG_LONG}),\s+(?:which|who|qui)\s+(?:will\s+|would\s+|va\s+)?(?P<desc>{_ROLE_VERBS})\b"
    ), 0.65),
    # A company as the subject of what companies do: "Vantor Cloud to spend $6.5 billion",
    # "Kestrel Digital had applied", "Sudalys a inauguré", "X said on Tuesday it would" (a person says "he").
    (re.compile(
        rf"(?P<name>{ORG})\s+(?P<desc>(?:to|will|plans to|is to) (?:spend|invest|build|develop)|plans (?:a|an)\b"
        r"|(?:has|had) (?:applied|submitted|filed|secured|received|scrapped|shelved|paused)|walks away"
        r"|said(?: on \w+| \w+day)? (?:that )?it\b|va investir|investit|a inauguré|inaugure|a présenté"
        r"|a déposé|a obtenu|a mis en pause|a (?:abandonné|renoncé)|prévoit de construire)"
    ), 0.6),
    # The project of a company: "le permis de construire du data center de Garonne Numérique"
    (re.compile(
        rf"\b(?i:le |du |au )(?:projet (?:de |d['’]))?(?P<desc>data ?cent(?:er|re)|projet|campus)\s+(?:de |d['’])"
        rf"(?P<name>{ORG})(?!['’]s)"
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
    # "Orchard Data's 90MW campus", "Yorkshire Hyperscale's campus"
    (re.compile(
        rf"(?P<name>{ORG})['’]s\s+(?:[\w-]+\s+){{0,3}}?(?P<desc>campus|data ?cent(?:re|er)|project|scheme|facility"
        r"|site|expansion|plans?|application|development|proposal|substation|grid|network)"
    ), 0.65),
    # "The developer is Estuary Grid Ventures", "l'exploitant sera Datanef"
    (re.compile(
        rf"\b(?P<desc>developer|operator|owner|landowner|builder|contractor|investor|tenant|applicant|développeur"
        rf"|promoteur|exploitant|opérateur|propriétaire|constructeur)\s+(?:is|was|will be|est|sera)\s+(?P<name>{ORG})"
    ), 0.7),
    # "The application, from Vale Compute Ltd,", "plans by Weald Digital"
    (re.compile(
        rf"\b(?:application|plans|proposal|scheme|request|bid|appeal),?\s+(?P<desc>from|by)\s+(?P<name>{ORG})"
    ), 0.7),
    # "assuré par RTE", "confié à l'entreprise générale Batiloire", "accompagné par Business France"
    (re.compile(
        r"\b(?P<desc>assurée?s?|confiée?s?|accompagnée?s?|soutenue?s?|instruite?s?|autorisée?s?|refusée?s?"
        r"|chiffrée?s?|évaluée?s?|estimée?s?|approved|refused|granted|supported|estimated|put)\s+(?:par|à|by)\s+"
        r"(?:le |la |l['’]|les |the )?"
        rf"(?:[a-zà-ÿ'’-]+\s+){{0,3}}?(?P<name>{ORG_LONG})"
    ), 0.75),
    # "X, which will be the operator", "Business France, qui a accompagné le dossier"
    (re.compile(
        rf"(?P<name>{ORG}),\s+(?:which|who|qui)\s+(?:will |would |va |a |has |is |est )?(?:be |être )?"
        r"(?:the |l['’]|le |la )?(?P<desc>landowner|owner|operator|developer|propriétaire|exploitant|opérateur"
        r"|actionnaire|accompagn\w+|soutien\w*|instrui\w+|support\w*)"
    ), 0.65),
    # "the Port of Tilbury", "du Grand Port Maritime de Dunkerque", "La Banque des Territoires"
    (re.compile(
        r"\b(?P<name>(?:Grand Port Maritime|Port Autonome|Port of|Banque|Caisse|Établissement public"
        r"|Etablissement public|Office|Institut|Chambre|Autorité|Direction)\b(?:[^\S\n\t]+(?:de la |de l['’]|du |des "
        rf"|de |d['’]|of |d['’]aménagement )?{TOKEN}){{1,4}})"
    ), 0.7),
    # "Construction will be carried out by X", "les travaux, confiés au groupe X", "the contract was awarded to X"
    (re.compile(
        r"\b(?P<desc>(?i:travaux|chantier|construction|works|building work|contract)\b[^.;\n]{0,40}?\b"
        r"(?:confiée?s?|attribuée?s?|réalisée?s?|menée?s?|carried out|undertaken|awarded|delivered|handled))\s+"
        r"(?:par|à|au|aux|by|to)\s+(?:le |la |l['’]|les |the )?(?:[a-zà-ÿ'’-]+\s+){0,3}?"
        rf"(?P<name>{ORG_LONG})"
    ), 0.75),
    # "le terrain a été cédé par la Foncière X", "bought the land from X", "leased from X"
    (re.compile(
        r"\b(?P<desc>cédée?s?|vendue?s?|sold|bought\b[^.;\n]{0,40}?\bfrom|acquired\b[^.;\n]{0,40}?\bfrom"
        r"|leased? from|leases? it from|rachetée?s? à)\s+(?:par\s+|à\s+)?(?:le |la |l['’]|les |the )?"
        rf"(?P<name>{ORG_LONG})"
    ), 0.7),
    # "Quote a public body by its kind": "Temple Economic Development Corporation", "An Bord Pleanála"
    (re.compile(
        rf"(?P<name>(?:An\s+)?{TOKEN}(?:\s+{TOKEN}){{0,3}}\s+(?:Economic Development Corporation|Development "
        r"Corporation|Planning Commission|Bord Pleanála|Planning Board|Authority|Agency|Inspectorate|Consents Unit"
        r"|Directorate))\b"
    ), 0.75),
    # "la DREAL Grand Est", "la DDTM du Nord": the State's regional and departmental services
    (re.compile(
        rf"\b(?P<name>(?:DREAL|DRIEAT|DDTM?|DRAC)(?:[^\S\n\t]+(?:de la |de l['’]|du |des |de )?{TOKEN}){{0,3}})"
    ), 0.75),
]  # fmt: skip
_PATTERNS += [
    # "Campaigners from Save Sevington Fields", "les riverains du collectif X"
    (
        re.compile(
            r"\b(?:[Cc]ampaigners|[Rr]esidents|[Mm]embers|[Aa]ctivists|[Mm]ilitants|[Rr]iverains|[Mm]embres)\s+"
            rf"(?:from|of|de|du|d['’])\s+(?:the\s+|la\s+|l['’])?(?P<name>{ORG})"
        ),
        0.6,
    ),
    # "on the National Grid network", "sur le réseau de RTE"
    (re.compile(rf"\b(?:the|le|du)\s+(?P<name>{ORG})\s+(?P<desc>network|grid|transmission network)\b"), 0.6),
    # "Selon RTE, ...": an acronym quoted as a source is an organisation (a person has a first name).
    (re.compile(r"\b(?:[Ss]elon|[Aa]ccording to|[Dd]['’]après)\s+(?P<name>[A-Z][A-Z0-9&]{1,6})\b"), 0.55),
]
_PATTERNS += [
    # "Keystone Grid Campus (developer) has filed": the role in brackets after the name
    (re.compile(
        rf"(?P<name>{ORG})\s*\((?P<desc>developer|operator|owner|landowner|tenant|investor|builder|contractor"
        r"|applicant|développeur|promoteur|exploitant|opérateur|propriétaire|locataire|investisseur|constructeur)\)"
    ), 0.8),
    # "Northfield Cloud has signed a lease", "X a signé un bail": who signs a lease is its tenant
    (re.compile(
        rf"(?P<name>{ORG})\s+(?:has |have |had |a |ont )?(?P<desc>(?:signed|signé|taken|pris|agreed)\s+"
        r"(?:a |an |un |une )?(?:[\w-]+\s+){0,2}?(?:lease|bail|pre-let))\b"
    ), 0.75),
    # "X is the tenant", "Y sera l'exploitant", "Z will be the anchor tenant"
    (re.compile(
        rf"(?P<name>{ORG})\s+(?:is|will be|would be|est|sera|serait|becomes|devient)\s+"
        r"(?:the |l['’]|le |la |its |son )?(?:anchor |main |first |sole |premier |principal |futur |future )?"
        r"(?P<desc>tenant|locataire|operator|exploitant|opérateur|owner|propriétaire|landowner|developer|développeur|investor|investisseur|builder|constructeur)\b"
    ), 0.75),
    # "X, which is behind the project", "X, qui porte le projet": the page says outright who carries it, which
    # outweighs what else the company is or does ("l'opérateur X", "qui exploitera le site")
    (re.compile(
        rf"(?P<name>{ORG_LONG}),\s+(?:which|who|qui)\s+(?:is |est |was |était )?(?P<desc>behind (?:the|this) "
        r"(?:project|scheme|plans|campus)|porte (?:le|ce|son) projet|est à l['’]origine (?:du|de ce) projet)"
    ), 0.85),
    # "Le terrain appartient à la Ville de Grenoble", "land owned by the county", "propriété de la commune"
    (re.compile(
        r"\b(?P<desc>appartient|appartiennent|appartenant|belongs|belonging|land owned|site owned|terrain détenu)"
        r"\s+(?:à|au|aux|to|by|par)\s+(?:la |le |l['’]|les |the )?"
        rf"(?P<name>{ORG_LONG})"
    ), 0.8),
    # "le projet de 96 MW de la société Parc Rhône Data", "le campus de 24 MW du groupe X": the company's project
    (re.compile(
        r"\b(?i:le |du |au |ce )(?P<desc>projet|campus|data ?cent(?:er|re))\s+(?:de |d['’])[\d,. ]+\s*(?:MW|GW)\s+"
        r"(?:de la société |du groupe |de l['’]entreprise |de la start-up |de l['’]opérateur |de |d['’])"
        rf"(?P<name>{ORG})(?!['’]s)"
    ), 0.7),
]  # fmt: skip
# A company's parent: "Thameside Compute is a subsidiary of Harwell Holdings", "filiale du groupe X". The parent
# carries the project with it, unless the words or its name say it is a fund ("filiale du fonds X").
_PARENT = re.compile(
    r"\b(?:subsidiary|filiale|a unit|a division|a wholly[- ]owned subsidiary)\s+(?:of|de|du|d['’]|des)\s*"
    r"(?:the |le |la |l['’])?(?P<words>(?:[a-zà-ÿ'’-]+\s+){0,3}?)"
    rf"(?P<name>{ORG})"
)
_FUND_WORDS = re.compile(r"\b(?:fonds|fund|investisseur|investor|asset manager|private equity|capital)\b", _I)


def _parents(text: str) -> Iterator[_Found]:
    for match in _PARENT.finditer(text):
        name = match.group("name")
        fund = _FUND_WORDS.search(match.group("words")) or dict(_ROLE_BY_NAME)[INVESTOR].search(name)
        role = INVESTOR if fund else DEVELOPER
        yield _Found(name, match.start("name"), match.end("name"), 0.75, role, cue="parent company", introduced=True)


# "Prairie Quantum, a hyperscale data center developer": up to three words between the article and the descriptor.
# The grid operator named with the connection: "a signé avec RTE une convention de raccordement",
# "sa puissance auprès de RTE", "Enedis assurera le raccordement", "SSEN has offered a grid connection".
_GRID_PATTERNS = [
    re.compile(
        r"\b(?P<desc>raccordement|puissance|connexion|grid connection|connection|raccordée?s?|connected)\s+"
        r"(?:[\wà-ÿ'’-]+,?\s+){0,4}?(?:(?:avec|auprès de|par|with|from|by)\s+|auprès d['’]\s*)(?:the\s+|le\s+|l['’])?"
        rf"(?P<name>{ORG})"
    ),
    re.compile(
        rf"(?P<name>{ORG})\s+(?:assurera|assure|réalisera|réalise|étudie|a proposé|propose|will provide|provides"
        r"|has offered|offered|is to provide)\s+(?:le |la |l['’]|un |une |a |an |the |its )?(?:[\wà-ÿ'’-]+\s+){0,2}?"
        r"(?P<desc>raccordement|connexion|connection)"
    ),
    # "Enedis alimentera le site depuis le poste de Boulay", "Northern Powergrid will supply the campus"
    re.compile(
        rf"(?P<name>{ORG})\s+(?P<desc>alimentera|alimente|va alimenter|raccordera|will supply|supplies|will power"
        r"|will connect)\s+"
        r"(?:le|la|les|the)\s+(?:site|campus|data|centre|center|bâtiments?|buildings?|scheme|projet|project)\b"
    ),
    # "le poste RTE des Murs", "the SSEN substation at Keith": the network's owner named on its substation
    re.compile(r"\b(?i:le |du |au |the )(?P<desc>poste(?: source)?|substation)\s+(?P<name>[A-Z][A-Z0-9]{1,5})\b"),
    # "attend une réponse de RTE sur le renforcement du poste", "awaiting an offer from SSEN for the connection"
    re.compile(
        r"\b(?P<desc>réponse|accord|offre|proposition|étude|response|offer|answer|approval)\s+(?:de\s|d['’]|du\s|from\s)"
        rf"(?:the\s+)?(?P<name>{ORG})\s+[^.;\n]{{0,50}}?\b(?:raccordement|renforcement|poste|connection|substation"
        r"|grid|réseau)"
    ),
    # "EirGrid had said the campus could not be connected before 2028"
    re.compile(
        rf"(?P<name>{ORG})\s+(?:had |has |have )?(?P<desc>said|says|warned|indicated|a indiqué|a prévenu|estime)\b"
        r"[^.;\n]{0,40}?\b(?:could|can|cannot|would|will|pourra|pourrait|ne pourra|ne pourrait)\s+(?:not\s+|pas\s+)?"
        r"(?:be\s+|être\s+)?(?:connected|raccordée?s?)\b"
    ),
    # "Le poste source de Seclin sera renforcé par Enedis", "the substation will be upgraded by SSEN"
    re.compile(
        r"\b(?:postes?|substations?|sous-stations?|lignes?|lines?|réseau|network)\b[^.;\n]{0,60}?\b"
        r"(?P<desc>renforcée?s?|reinforced|upgraded|built|construite?s?|créée?s?|étendue?s?|extended)\s+(?:par|by)\s+"
        rf"(?:the\s+)?(?P<name>{ORG})"
    ),
    # "Enedis assurera le raccordement des bâtiments annexes, RTE celui du campus"
    re.compile(rf"\b(?:raccordement|connexion)\b[^.;\n]{{0,80}},\s+(?P<name>{ORG})\s+(?P<desc>celui|celle)\s+d"),
]

# Roles given in order: "X and Y, which will respectively develop and finance it",
# "X et le fonds Y seront respectivement le développeur et l'investisseur".
_ITEM = rf"(?:(?<![\w'’-])(?:le |la |les |l['’]|the )?(?:[a-zà-ÿ-]+\s+){{0,2}}?)?{ORG}"
_RESPECTIVE = re.compile(
    rf"(?P<list>{_ITEM}(?:\s*,\s*{_ITEM})*\s*,?\s+(?:et|and|&)\s+{_ITEM})(?:,?\s+(?:which|who|qui))?"
    r"\s+(?:[\wà-ÿ'’-]+\s+){0,3}?(?:respectively|respectivement)\s+(?P<roles>[^.;:\n]{3,120})",
)
_ROLE_STEMS = [
    (DEVELOPER, r"develop|promot|porte"), (INVESTOR, r"financ|fund|invest"), (BUILDER, r"build|constru"),
    (OPERATOR, r"operat|run|exploit|opér"), (OWNER, r"own|propriét"), (TENANT, r"tenant|locataire|client"),
]  # fmt: skip


_RESPECTIVELY = re.compile(r"\b(?:respectively|respectivement)\b", _I)


def _respective_roles(text: str) -> Iterator[_Found]:
    # Only around the word itself: the list pattern is costly to try at every position of a page.
    matches = {
        match.start(): match
        for word in _RESPECTIVELY.finditer(text)
        for match in _RESPECTIVE.finditer(text, max(word.start() - 200, 0), min(word.end() + 150, len(text)))
    }
    for match in matches.values():
        names = list(_ORG_FULL.finditer(text, match.start("list"), match.end("list")))
        names = [n for n in names if not is_common_word(n.group())]
        parts = re.split(r"\s*(?:,|\bet\b|\band\b)\s*", match.group("roles"))
        roles = []
        for part in parts[: len(names)]:
            role = _role(part) or next((r for r, stem in _ROLE_STEMS if re.search(rf"\b(?:{stem})", part, _I)), None)
            roles.append(role)
        if len(roles) == len(names) and all(roles):
            for name, role in zip(names, roles, strict=True):
                yield _Found(name.group(), name.start(), name.end(), 0.8, role, cue="respectively", introduced=True)


# A table flattened to text, one row a line and its cells between tabs: the column its header names
# ("Developer", "Porteur", "Opérateur") holds organisations with that role.
_COLUMN_ROLES = [
    (DEVELOPER, r"developers?|applicants?|promoters?|porteurs?|développeurs?|promoteurs?|maîtres? d['’]ouvrage"),
    (OPERATOR, r"operators?|opérateurs?|exploitants?"),
    (OWNER, r"owners?|propriétaires?"),
    (INVESTOR, r"investors?|investisseurs?"),
    (TENANT, r"tenants?|customers?|locataires?|clients?"),
]


def _table_cells(text: str) -> Iterator[_Found]:
    columns: dict[int, str] = {}
    for line in re.finditer(r"[^\n]+", text):
        if "\t" not in line.group():
            columns = {}
            continue
        cells = list(re.finditer(r"[^\t]+", line.group()))
        header = {
            index: role
            for index, cell in enumerate(cells)
            for role, pattern in _COLUMN_ROLES
            if re.fullmatch(rf"\s*(?:{pattern})\s*", cell.group(), _I)
        }
        if header:
            columns = header
            continue
        for index, role in columns.items():
            if index < len(cells):
                cell = cells[index]
                name = _ORG_FULL.fullmatch(cell.group().strip())
                if name:
                    start = line.start() + cell.start() + cell.group().index(name.group())
                    yield _Found(name.group(), start, start + len(name.group()), 0.7, role, cue="table column")


_APPOSITION = re.compile(
    rf"(?P<name>{ORG}),\s+(?:le |la |l['’]|un |une |a |an |the |son |its )(?:[a-zà-ÿA-Z-]+\s+){{0,3}}?"
    rf"(?P<desc>{_DESCRIPTORS_FR}|{_DESCRIPTORS_EN})\b"
)
_NAME_GOES_ON = re.compile(rf"[^\S\n\t]+(?!(?:{'|'.join(('The', 'Le', 'La', 'Les', 'A', 'An'))})\b){TOKEN}")
_NAME_FOLLOWS = re.compile(r"[^\S\n\t]+(?:[a-zà-ÿ'’-]+[^\S\n\t]+){0,3}?[A-ZÀ-Ý]")
_SUBJECT = re.compile(rf"(?P<name>{ORG})(?:,\s+(?:which|qui))?\s+(?P<desc>{_SUBJECT_VERBS})")
# Acronyms that are not organisations.
_NOT_ACRONYMS = frozenset(
    re.findall(
        r"\S+",
        "MW GW KW MWH GWH TWH KV IT AI IA UK US USA EU UE PUE ZAC ZI ZAE CEO PDG HQ GPU CPU RER TGV PDF KO PLU ICPE"
        " RGPD SA SAS NB OK TV FAQ PME PMI ETI CDI CDD BTP HT THT HTB AC DC UPS VAT TVA NSIP DCO HGV A1 A13 M1 M25",
    )
)

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

# The members of a consortium or joint venture develop the project, unless their name says they fund it:
# "un consortium réunissant X, Y et l'énergéticien Z", "a joint venture between X and Y".
_CONSORTIUM = re.compile(
    r"\b(?:consortium|groupement|joint[- ]venture|coentreprise|co-entreprise)\s+(?:[a-zà-ÿ-]+\s+){0,2}?"
    r"(?:réunissant|formée? par|composée? de|associant|comprenant|regroupant|between|of|comprising|made up of"
    rf"|formed by|entre)\s+(?P<list>{_ITEM}(?:\s*,\s*{_ITEM})*\s*,?\s+(?:et|and|&)\s+{_ITEM})"
)


def _consortium_members(text: str) -> Iterator[_Found]:
    for match in _CONSORTIUM.finditer(text):
        for item in _ORG_FULL.finditer(text, match.start("list"), match.end("list")):
            name = item.group()
            if is_common_word(name):
                continue
            role = INVESTOR if dict(_ROLE_BY_NAME)[INVESTOR].search(name) else DEVELOPER
            yield _Found(name, item.start(), item.end(), 0.7, role, cue="consortium member", introduced=True)


# Local and national authorities: "la communauté d'agglomération de la Porte du Hainaut", "Slough Borough Council".
_AUTHORITY = [
    # Only the kind of authority ignores case: the name itself is capitalised ("mairie de Wattrelos pour ...").
    re.compile(
        r"\b(?P<name>(?i:communauté (?:d['’]agglomération|de communes|urbaine)|(?:euro)?métropole(?: européenne)?"
        r"|conseil (?:départemental|régional|municipal)|syndicat mixte|établissement public territorial|mairie"
        r"|(?:sous-)?préfecture"
        r"|ville)\s+"
        rf"(?i:de la\s|de l['’]|du\s|des\s|de\s|d['’])\s*{NAME})",
    ),
    # "la communauté de communes Vierzon-Sologne-Berry": the grouping's own name after its kind
    re.compile(rf"\b(?P<name>(?i:communauté (?:d['’]agglomération|de communes|urbaine))\s+{NAME})"),
    # "Slough Borough Council", "Redcar and Cleveland Borough Council"
    re.compile(
        rf"(?P<name>{TOKEN}(?:[^\S\n\t]+(?:and[^\S\n\t]+)?{TOKEN}){{0,2}}[^\S\n\t]+(?:Borough |District |County |City "
        r"|Town |Parish )?Council)\b"
    ),
    re.compile(r"\b(?P<name>(?:Greater London Authority|Mayor of London|Scottish Government|Welsh Government))\b"),
    # A US county as the planning authority: "filed a plan with Lancaster County", "Loudoun County approved"
    re.compile(
        r"\b(?:filed|submitted|lodged|applied)\b[^.;\n]{0,60}?\b(?:with|to)\s+(?:the\s+)?"
        rf"(?P<name>{TOKEN}(?:[^\S\n\t]+{TOKEN})?[^\S\n\t]+County)\b(?!\s+(?:Council|Board))"
    ),
    re.compile(
        rf"(?P<name>{TOKEN}(?:[^\S\n\t]+{TOKEN})?[^\S\n\t]+County)[^\S\n\t]+(?:has[^\S\n\t]+)?(?:approved|granted"
        r"|refused|rezoned|denied)\b"
    ),
    # French groupings named after their towns: "Lannion-Trégor Communauté", "Rennes Métropole"
    re.compile(
        rf"(?P<name>(?!(?:La|Le|Les|The)\s){TOKEN}(?:[^\S\n\t]+{TOKEN}){{0,2}}[^\S\n\t]+"
        r"(?:Communauté|Agglo|Agglomération|Métropole))\b"
    ),
]

# Suffixes that make a capitalised sequence a company ("Ark Data Centres", "Kao Data Ltd").
_SUFFIX = re.compile(
    rf"(?P<name>{TOKEN}(?:[^\S\n\t]+{TOKEN}){{0,3}}[^\S\n\t]+(?:Data Parks?|Data Campus|Datacenter Group"
    r"|SA|SAS|SE|Inc\.?|Ltd|Limited|plc|LLC|GmbH|AG|NV|BV|Group|Groupe"
    r"|Holdings?|Capital|Partners|Data Cent(?:re|er)s|Datacenters?|Technologies|Infrastructure|Properties"
    r"|Investments|Realty|REIT|Compute|Computing|Digital|Data|Cloud|Hyperscale|Ventures|Networks|Powergrid"
    r"|Energy|Energies|Énergies|Energie|Construction|Builders|Developments|Cooperative|Fund|Hosting|Edge|IA|AI"
    r"|Calcul|Numérique|Télécom|Telecom|Serveurs|Informatique|Electric|Systems|Solutions|Labs|Grid)(?:[^\S\n\t]+(?:Ltd|Limited|plc|Inc\.?|LLC|SA|SAS|GmbH))?)(?![\w-])"
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


# Words that open a sentence or a name's phrase without being part of the name ("The", "À", "Le").
_OPENERS = frozenset(
    re.findall(
        r"\S+",
        "the a an this that these those its their our le la les l un une ce cet cette ces de du des d au aux à a en"
        " dans in on at et and or mais but for pour par by with avec from après after selon unlike contrairement"
        " like comme than whereas while",
    )
)
_NATIONALITIES = frozenset(
    re.findall(
        r"\S+",
        "french american british german chinese japanese irish dutch swiss norwegian swedish danish finnish spanish"
        " italian canadian australian european",
    )
)


@dataclass
class _Found:
    name: str
    start: int
    end: int
    confidence: float
    role: str | None
    site_reference: bool = False  # an authority named after the municipality ("mairie de X")
    cue: str = ""  # the words that told the organisation (and its role)
    # Introduced as an organisation ("le groupe Orange"): a common word is then a name.
    introduced: bool = False
    # The role read from the context around the mention rather than its own descriptor or verb.
    weak_role: bool = False


_ROLE_PATTERNS = [(role, re.compile(rf"\b(?:{pattern})\b", _I)) for role, pattern in _ROLE_WORDS]
# What a verb says of its agent or source, read only from a pattern's own descriptor: works entrusted
# to a builder, land sold by its owner, a permit examined or granted by an authority.
_DESC_ROLES = [
    (BUILDER, re.compile(r"(?:travaux|chantier|construction|works|building work|contract)\b.*", _I | re.S)),
    (OWNER, re.compile(r"cédée?s?|vendue?s?|sold|(?:bought|acquired)\b.*\bfrom|leased? from|leases? it from"
                       r"|rachetée?s? à", _I | re.S)),
    (PUBLIC_AUTHORITY, re.compile(r"instruite?s?|autorisée?s?|refusée?s?|approved|refused|granted", _I)),
    (TENANT, re.compile(r"(?:signed|signé|taken|pris|agreed)\b.*\b(?:lease|bail|pre-let)", _I | re.S)),
]  # fmt: skip


def _role(words: str) -> str | None:
    if not words.strip():
        return None
    for role, pattern in _DESC_ROLES:
        if pattern.fullmatch(words.strip()):
            return role
    for role, pattern in _ROLE_PATTERNS:
        if pattern.search(words):
            return role
    return None


def _clean(name: str) -> str:
    name = name.replace("’", "'").strip(" ,.'")
    return name[:1].upper() + name[1:]


def _key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _is_person(doc: Document, start: int, end: int, name: str) -> bool:
    if _SUFFIX.fullmatch(name) or _known(doc).fullmatch(name):
        return False
    before = doc.text[max(start - 25, 0) : start]
    after = doc.text[end : end + 30]
    return len(name.split()) <= 3 and bool(_PERSON_BEFORE.search(before) or _PERSON_AFTER.search(after))


def _acceptable(doc: Document, name: str, start: int, end: int, introduced: bool = False) -> bool:
    if not name or name.casefold() in _NOT_ORGANISATIONS:
        return False
    if start > 0 and doc.text[start - 1].isalnum():
        return False  # the tail of a word or a unit glued to its number ("100MW, the company said")
    if is_common_word(name) and not introduced and not _known(doc).fullmatch(name):
        return False  # "Orange" the operator is known to the tracker; "Start" is a word
    if name.isupper() and name.replace("-", "") in _NOT_ACRONYMS:
        return False
    if re.sub(r"['’]s$", "", name).casefold() in country_names():
        return False  # "Ireland's data centre pipeline" speaks of a country
    if _LOCATIVE_BEFORE.search(doc.text, max(start - 4, 0), start) and lookup_place(doc, name):
        return False  # "À Lacq, un consortium ...", "In Culpeper, a joint venture ...": the place, not a company
    return not _is_person(doc, start, end, name)


_LOCATIVE_BEFORE = re.compile(r"(?:^|(?<=\s))(?:[àÀ]|[Aa]u|[Ii]n|[Aa]t|[Ee]n)\s+$")


def _known(doc: Document) -> re.Pattern[str]:
    """The organisations the tracker knows, as one pattern of whole names and aliases (case kept for acronyms)."""
    pattern = doc.cache.get("known-organizations")
    if pattern is None:
        names = sorted(
            {name for known in doc.known_organizations for name in (known.name, *known.aliases) if len(name) >= 2},
            key=len,
            reverse=True,
        )
        parts = [re.escape(n) if n.isupper() and len(n) <= 6 else f"(?i:{re.escape(n)})" for n in names]
        pattern = re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])") if parts else re.compile(r"(?!)")
        doc.cache["known-organizations"] = pattern
    return pattern


def _known_kind(doc: Document, name: str) -> str:
    key = _key(name)
    for known in doc.known_organizations:
        if key in {_key(n) for n in (known.name, *known.aliases)}:
            return known.kind
    return ""


def _seen_mid_sentence(doc: Document, name: str) -> bool:
    """A single capitalised word written so elsewhere than at a sentence's start is a name ("Hexaflux")."""
    for match in re.finditer(rf"(?<![\w'’-]){re.escape(name)}(?![\w-])", doc.text):
        if doc.sentence_at(match.start()).start != match.start() and not re.search(
            r"[\n:—–-]\s*$", doc.text[max(match.start() - 3, 0) : match.start()]
        ):
            return True
    return False


def _looks_named(doc: Document, name: str) -> bool:
    """Whether a subject of a company verb is a name: several words, an acronym, "Data4", or seen mid-sentence."""
    if " " in name:
        return True
    if name.isupper() and len(name) >= 2 or re.search(r"\d|[a-z][A-Z]", name):
        return True
    return _seen_mid_sentence(doc, name)


_ELIDED_WORD = re.compile(r"^[LlDd]['’][a-zà-ÿ]")


def _trim_leading(name: str, start: int) -> tuple[str, int]:
    """Drop a capitalised article, sentence opener or nationality before the name ("The Paris Digital Park")."""
    words = name.split()
    while len(words) > 1 and (
        words[0].casefold().strip("'’") in _OPENERS
        or words[0].casefold() in _NATIONALITIES
        or _ELIDED_WORD.match(words[0])  # "L'opérateur Garance Data": a descriptor opening the sentence
    ):
        start += len(words[0]) + 1
        words = words[1:]
    return " ".join(words), start


_KIND_ROLES = {"grid_operator": GRID_OPERATOR, "public_authority": PUBLIC_AUTHORITY, "investor": INVESTOR}


def _candidates(doc: Document) -> Iterator[_Found]:
    text = doc.text
    for match in _known(doc).finditer(text):
        role = _KIND_ROLES.get(_known_kind(doc, match.group()))
        yield _Found(match.group(), match.start(), match.end(), 0.75, role, cue="known to the tracker")
    for index, (pattern, confidence) in enumerate([*_PATTERNS, (_APPOSITION, 0.65)]):
        for match in pattern.finditer(text):
            appositive = "desc" in pattern.groupindex and match.start("desc") > match.end("name")
            if (
                appositive
                and text[match.end("name") : match.end("name") + 1] == ","
                and _NAME_FOLLOWS.match(text, match.end())
            ):
                continue  # "À Denain, la start-up Hainaut Compute": the descriptor is the next name's
            name, start = _trim_leading(match.group("name"), match.start("name"))
            desc = match.groupdict().get("desc") or ""
            role = _role(desc)
            if appositive and context.is_existing_assets(doc.clause_text(match.start("desc"), match.end())):
                role = None  # "X, which operates 120MW across four sites": its business elsewhere, not its role here
            found = _Found(name, start, match.end("name"), confidence, role, cue=desc, introduced=index <= 1)
            yield found
    yield from _respective_roles(text)
    yield from _consortium_members(text)
    yield from _parents(text)
    yield from _table_cells(text)
    for pattern in _GRID_PATTERNS:
        for match in pattern.finditer(text):
            name, start = _trim_leading(match.group("name"), match.start("name"))
            yield _Found(name, start, match.end("name"), 0.7, GRID_OPERATOR, cue=match.group("desc"), introduced=True)
    for match in _SUBJECT.finditer(text):
        name, start = _trim_leading(match.group("name"), match.start("name"))
        if _looks_named(doc, name):
            desc = match.group("desc")
            yield _Found(name, start, match.end("name"), 0.6, _role(desc), cue=desc)
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
        if _NAME_GOES_ON.match(text, match.end("name")):
            continue  # "Keystone Grid Campus": the industry word is inside a longer name, which says what it is
        name, start = _trim_leading(match.group("name"), match.start("name"))
        yield _Found(name, start, match.end("name"), 0.6, None)


_REPORTED = re.compile(
    r"\b(?:said|says|told|added|a (?:indiqué|déclaré|précisé|expliqué)|explique|précise|indique"
    r"|filiale|subsidiary|a unit of|part of|owned by|backed by|détenue? par|soutenue? par)\b",
    _I,
)


# A company as the subject of building or planning its site: "X construit un data center", "X is building".
_BUILDS = re.compile(
    r"^,?\s+(?:(?:is|are|was|will|would|va|vont|compte|is now|est en train de)\s+)?(?:building|build|builds|construit"
    r"|construire|construira|bâtit|bâtir|aménage|aménager|développe|développer|develops|developing|is developing"
    r"|erects?|erecting)\s+(?:un |une |le |la |son |sa |a |an |its |the )",
    _I,
)


# The project of a sentence's subject, named by a possessive: "son projet", "its plans", "their campus".
_ITS_PROJECT = re.compile(
    r"\b(?:son|sa|ses|leur|its|their)\s+(?:propre |own |premier |first )?(?:projet|project|plans?|campus"
    r"|data ?cent(?:re|er)|centre de données|application|demande de permis|proposal|scheme)\b",
    _I,
)
_SENTENCE_OPENING = re.compile(
    r"^\W*(?:(?:le|la|l['’]|les|the)\s+)?(?:[a-zà-ÿ'’-]+\s+){0,3}$",
)


def _opens_sentence(doc: Document, found: _Found) -> bool:
    """Whether a mention is its sentence's subject: nothing but an article and a descriptor before it."""
    sentence = doc.sentence_at(found.start)
    return bool(_SENTENCE_OPENING.match(doc.text[sentence.start : found.start]))


def _role_around(doc: Document, found: _Found) -> str | None:
    """The role the words next to a mention give it, within its clause; else what its name says it is."""
    clause = doc.clause(found.start, found.end)
    before = doc.text[max(clause.start, found.start - 50) : found.start]
    after = doc.text[found.end : min(clause.end, found.end + 50)]
    after = _REPORTED.split(after, maxsplit=1)[0]  # "X said a hyperscale tenant has signed": the tenant is another
    role = _role(before + " " + after)
    if role is None and _opens_sentence(doc, found):
        rest = doc.text[found.end : doc.sentence_at(found.start).end]
        if _ITS_PROJECT.search(_REPORTED.split(rest, maxsplit=1)[0]):
            return DEVELOPER  # "Le groupe X nous a informés qu'il renonçait à son projet": its own project
    if _BUILDS.match(after) and role != GRID_OPERATOR:
        return DEVELOPER  # "Dauphiné Compute construit un data center" (but "Oncor will build a new substation")
    if role is None:
        role = next((kind for kind, pattern in _ROLE_BY_NAME if pattern.search(found.name)), None)
    return role


def _tail(longer: str, shorter: str) -> bool:
    """ "portoftilbury" ends with "tilbury": one name is the other's last words."""
    return len(shorter) >= 5 and len(longer) > len(shorter) and longer.endswith(shorter)


# Authorities and ports named after their town: the town in their name may be the site's.
_NAMED_AFTER_PLACE = re.compile(
    r"^(?:Mairie|Ville|Port of|Grand Port Maritime)\b|\b(?:Borough|District|City|Town|County|Parish)? ?Council$", _I
)


_PORT = re.compile(r"\bPort\b")
_SUBJECT_VERB = re.compile(_SUBJECT_VERBS)
_OWN_PROJECT = re.compile(r"campus|data ?cent(?:re|er)|project|projet|scheme|plans?|application|proposal|expansion", _I)


def organization_mentions(doc: Document) -> list[_Found]:
    """Every acceptable mention of an organisation, found once per document, with the role its context gives."""
    cached = doc.cache.get("organization-mentions")
    if cached is None:
        cached = []
        for found in _candidates(doc):
            name = _clean(found.name)
            if _acceptable(doc, name, found.start, found.end, found.introduced):
                found.name = name
                found.site_reference = found.site_reference or bool(_NAMED_AFTER_PLACE.search(name))
                line = doc.line_at(found.start)
                if line is not None and line.of(doc.text).isupper() and found.cue != "known to the tracker":
                    continue  # "DONCASTER: IPORT DATA CAMPUS GETS FULL PERMISSION": capitals are no name there
                by_name = next((kind for kind, pattern in _ROLE_BY_NAME if pattern.search(name)), None)
                if by_name in (PUBLIC_AUTHORITY, GRID_OPERATOR) and not _PORT.search(name):
                    found.role = by_name  # what the name says it is ("... Borough Council", "... Power Networks")
                elif found.role is None:
                    found.role = _role_around(doc, found)
                    found.weak_role = found.role is not None
                if _OWN_PROJECT.fullmatch(found.cue or "") and " " not in name and lookup_place(doc, name):
                    continue  # "Tallaght's campus", "Mesa's data center" speak of a place
                if found.role is None and _OWN_PROJECT.fullmatch(found.cue or ""):
                    found.role = DEVELOPER  # "Orchard Data's 90MW campus"
                cached.append(found)
        doc.cache["organization-mentions"] = cached
    return cached


# The author of a study or a report, not a party to the project: "according to a report by consultancy X".
_SOURCE_BEFORE = re.compile(
    r"\b(?:according to|selon|d['’]après|report|rapport|étude|study|survey|consultan\w+|cabinet|analyst\w*)\b", _I
)


def _preferred(roles: list[str]) -> list[str]:
    """Of the roles a page gives one organisation, the one that says most about its part in the project:
    a public body that owns the land is its owner ("le terrain appartient à la Ville de Grenoble").
    """
    if OWNER in roles and PUBLIC_AUTHORITY in roles:
        return [OWNER]
    return roles


def organization_facts(doc: Document, section: Any = None) -> tuple[list[Fact], list[tuple[int, int]]]:
    """Organisation facts (one per name) and the spans they cover, which cannot be place names.

    ``section`` (see ``sections``) keeps the mentions in its part of the page.
    """
    best: dict[str, tuple[_Found, int]] = {}
    spans: list[tuple[int, int]] = []
    acting: set[str] = set()  # organisations that are the subject of what a project's company does
    for original in organization_mentions(doc):
        if not original.site_reference:
            spans.append((original.start, original.end))
        if section is not None and not section.contains(original.start):
            continue
        found = _Found(**vars(original))
        name = found.name
        key = _key(name)
        # The same organisation under a longer name ("Digital Realty Trust", "Port of Tilbury") is merged into one.
        key = next(
            (k for k in best if k.startswith(key) or key.startswith(k) or _tail(k, key) or _tail(key, k)),
            key,
        )
        if _SUBJECT_VERB.fullmatch(found.cue or "") or _OWN_PROJECT.fullmatch(found.cue or ""):
            acting.add(key)
        previous, mentions = best.get(key, (None, 0))
        if previous is None:
            best[key] = (found, 1)
            continue
        keep = found if found.confidence > previous.confidence else previous
        # "Vantor Cloud" and later "Vantor": the full name is the one to report.
        if len(found.name) > len(keep.name) or len(previous.name) > len(keep.name):
            keep.name = max(found.name, previous.name, key=len)
        # A grid operator stays one whatever else is said of it ("the substation owned by National Grid");
        # a role its own descriptor or verb gives wins over one read from the words around.
        grid = any(m.role == GRID_OPERATOR and not m.weak_role for m in (found, previous))
        strong = [m.role for m in (keep, found, previous) if m.role and not m.weak_role]
        strong = _preferred(strong)
        keep.role = GRID_OPERATOR if grid else (strong[0] if strong else keep.role or found.role or previous.role)
        keep.weak_role = not grid and not strong
        best[key] = (keep, mentions + 1)
    # No developer named as such: the company the project's verbs are about is it ("Essex Compute has unveiled").
    inferred = None
    if not any(found.role == DEVELOPER for found, _ in best.values()):
        inferred = next(
            (key for key, (found, _) in sorted(best.items(), key=lambda item: item[1][0].start)
             if key in acting and found.role is None),
            None,
        )  # fmt: skip
    only = False
    if inferred is None and not any(found.role == DEVELOPER for found, _ in best.values()):
        # No developer and no company acting: the one company the project's part names, with no other role, is it.
        roleless = [
            key
            for key, (found, _) in best.items()
            if found.role is None
            and not found.site_reference
            and context.DATA_CENTRE.search(doc.sentence_text(found.start))
            and not _SOURCE_BEFORE.search(doc.text[doc.sentence_at(found.start).start : found.start])
        ]  # named where the page speaks of a site or project, not as a study's author
        if len(roleless) == 1:
            inferred, only = roleless[0], True
    facts = []
    for key, (found, mentions) in best.items():
        confidence = found.confidence + 0.05 * (mentions - 1)
        role = DEVELOPER if key == inferred else found.role
        fact = doc.fact("organization", _clean(found.name), found.start, found.end, confidence, role=role)
        if key == inferred and only:
            fact.confidence = min(fact.confidence, 0.45)
            fact.reason = "inferred: the only company named with the project, with no other role"
        elif key == inferred:
            fact.reason = "inferred: the company the project's news is about"
        else:
            fact.reason = f"cue words: {found.cue}" if found.cue else "inferred: a company name"
        facts.append(fact)
    return facts, spans
