"""Records that are probably the same project (or organization), with a score and its reasons.

Candidates come from indexed blocks, never from a scan of the table: the projects of the same
country and municipality (``UPPER(municipality)``, served by its trigram index on PostgreSQL),
those in a bounding box of ``NEAR_KM`` around the site (the coordinates' index), and those whose
name holds one of the words that set the project's name apart (the name's trigram index). Each
pair is then scored in Python on what it shares:

- names: rapidfuzz's token set ratio of the names and aliases, compared word by word after
  accents, case, punctuation, legal forms and generic words ("data center", "campus"...) are
  set aside, and the town's own name too (the place is scored on its own). Never a substring:
  "Porte du Hainaut" is not "RTE";
- place: the same municipality, or sites a few km apart; sites far apart count against;
- organizations in common: roles, and claims naming an organization that were not rejected
  (the drafts made from an article have only those).

Work is bounded: at most ``CANDIDATES`` candidates per request, a page of projects at a time
for the admin's list; queries do not grow with the number of candidates or of pages.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rapidfuzz import fuzz

from core.formatting import format_number
from projects import choices
from projects.models import Claim, Organization, Project, ProjectRole

# Sites this close are one place; a little farther they may still be one campus.
SAME_SITE_KM = 1.0
NEAR_KM = 5.0
# Both located and this far apart: two sites.
FAR_KM = 15.0
KM_PER_DEGREE = 111.32
# Candidates read for one request, whatever the size of the table.
CANDIDATES = 500
# Suggestions kept for one record: the best.
PER_RECORD = 10
# A suggestion scores at least this much out of 100.
THRESHOLD = 45
# Names at least this alike count (0-100, rapidfuzz's token set ratio).
NAME_SIMILAR = 60
NAME_WEIGHT = 45
# Names and aliases of one record compared.
MAX_NAMES = 10
# Names shorter than this (their distinctive words) are alike only with a word in common.
SHORT_NAME = 8
SAME_MUNICIPALITY = 20
SAME_SITE = 30
NEAR_SITE = 20
FAR_APART = -45
OTHER_MUNICIPALITY = -30
ORGANIZATIONS_IN_COMMON = 25
DIFFERENT_COUNTRIES = -45

_GENERIC_WORDS = frozenset(
    re.findall(
        r"\S+",
        # what every project name says, in the languages the press we read writes
        "data datacenter datacentre datacenters center centre centers centres dc campus campuses project projet "
        "proyecto site sites park parc hub facility facilities cloud hyperscale ai ia artificial intelligence "
        "intelligence artificielle de donnees données calcul computing compute the of and et du des d l la le les "
        "a an in en at au aux by pour for new nouveau nouvelle",
    )
)
# Legal forms, as organization names are compared at ingestion.
_LEGAL_FORMS = frozenset(
    re.findall(r"\S+", "ltd limited plc inc llc sa sas sarl se ag gmbh nv bv co corp corporation group groupe")
)


@functools.lru_cache(maxsize=4096)
def words(name: str) -> tuple[str, ...]:
    """The words of a name: case, accents and punctuation aside (worked out once per name for a page of pairs)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold().replace("’", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return tuple(w for w in re.split(r"[^\w]+", plain) if w)


def distinctive_words(name: str, place_words: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The words that set a project's name apart: generic words, legal forms and the town's name aside."""
    return tuple(w for w in words(name) if w not in _GENERIC_WORDS and w not in _LEGAL_FORMS and w not in place_words)


def organization_words(name: str) -> tuple[str, ...]:
    kept = tuple(w for w in words(name) if w not in _LEGAL_FORMS)
    return kept or words(name)


@functools.lru_cache(maxsize=4096)
def _word_digits(word: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\d+", word))


def _digits(words_: tuple[str, ...]) -> frozenset[str]:
    return frozenset(d for w in words_ for d in _word_digits(w))


def _forms(names) -> list[tuple[str, tuple[str, ...], bool]]:
    """Each name with its distinctive words (the town's name not yet set aside) and whether it has any word."""
    return [(name, distinctive_words(name), bool(words(name))) for name in names]


def name_similarity(names_a, names_b, place_words: frozenset[str] = frozenset()) -> tuple[int, str, str]:
    """(0-100, the name of each side that scored it): the best token set ratio over names and aliases.

    Two names saying nothing but the place and what the project is ("Escaudain data center",
    "Campus IA d'Escaudain") are the same name; one saying nothing apart is no evidence either way (0).
    Numbers tell sites apart: "Campus 2" is not "Campus 3", "PAR1" not "PAR2".
    """
    return _best_name(_forms(names_a), _forms(names_b), place_words)


def _best_name(forms_a, forms_b, place_words: frozenset[str]) -> tuple[int, str, str]:
    def apart(form):
        name, distinctive, worded = form
        kept = tuple(w for w in distinctive if w not in place_words) if place_words else distinctive
        return name, kept, worded, _digits(kept)

    side_b = [apart(form) for form in forms_b]
    best = (0, "", "")
    for form in forms_a:
        a, wa, worded_a, digits_a = apart(form)
        for b, wb, worded_b, digits_b in side_b:
            if not wa and not wb:
                score = 100 if worded_a or worded_b else 0
            elif not wa or not wb or (digits_a and digits_b and digits_a != digits_b):
                score = 0
            elif not set(wa) & set(wb) and min(len(" ".join(wa)), len(" ".join(wb))) < SHORT_NAME:
                score = 0  # short names with no word in common: "RTE" is not "Porte", whatever their letters
            else:
                score = round(fuzz.token_set_ratio(" ".join(sorted(wa)), " ".join(sorted(wb))))
            if score > best[0]:
                best = (score, a, b)
                if score == 100:
                    return best
    return best


def _km(a: Project, b: Project) -> float:
    """Great-circle distance (haversine): precise enough to tell one site from another a few km away."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class Suggestion:
    """Two records that are probably one, the one to keep first (the older, by ID)."""

    first: Project | Organization
    second: Project | Organization
    score: int
    reasons: list[str] = field(default_factory=list)

    @property
    def pair(self) -> tuple[int, int]:
        return (self.first.pk, self.second.pk)


@dataclass
class _Profile:
    record: Project
    names: list[str]
    place: tuple[str, str]
    organizations: dict[int, str]
    forms: list = field(default_factory=list)
    town_words: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()


def _place_key(country, municipality: str) -> tuple[str, str]:
    return (str(country or ""), " ".join(words(municipality or "")))


def _names(record) -> list[str]:
    """The name and the first aliases: a pair's work stays bounded whatever a record was given."""
    aliases = [a[:200] for a in record.aliases or () if isinstance(a, str) and a.strip()]
    return [record.name, *aliases[: MAX_NAMES - 1]]


def _box(latitude: float, longitude: float, km: float) -> Q:
    dlat = km / KM_PER_DEGREE
    dlon = km / (KM_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return Q(latitude__range=(latitude - dlat, latitude + dlat), longitude__range=(longitude - dlon, longitude + dlon))


def _project_blocks(project: Project) -> Q:
    blocks = []
    if project.municipality.strip():
        blocks.append(Q(country=project.country, municipality__iexact=project.municipality))
    if project.latitude is not None:
        blocks.append(_box(project.latitude, project.longitude, NEAR_KM))
    for word in sorted({w for name in _names(project) for w in distinctive_words(name)}, key=len, reverse=True)[:3]:
        if len(word) >= 4:  # a short word is in too many names to narrow anything
            same_country = Q(country=project.country) if project.country else Q()
            blocks.append(same_country & (Q(name__icontains=word) | Q(aliases__icontains=word)))
    return reduce(or_, blocks) if blocks else Q(pk__in=[])


def _project_candidates(seeds: list[Project], limit: int) -> list[Project]:
    blocks = reduce(or_, (_project_blocks(seed) for seed in seeds), Q(pk__in=[]))
    return list(
        Project.objects.filter(blocks)
        .only("id", "name", "slug", "aliases", "country", "municipality", "latitude", "longitude", "is_draft")
        .order_by("-last_updated", "-id")[:limit]
    )


def _organizations_of(project_ids) -> dict[int, dict[int, str]]:
    """Project -> {organization ID: name}, from its roles and the claims naming one (two queries)."""
    found: dict[int, dict[int, str]] = defaultdict(dict)
    roles = ProjectRole.objects.filter(project_id__in=project_ids, organization__isnull=False)
    for project_id, organization_id, name in roles.values_list("project_id", "organization_id", "organization__name"):
        found[project_id][organization_id] = name
    claims = Claim.objects.filter(
        project_id__in=project_ids,
        attribute=choices.ClaimAttribute.ORGANIZATION,
        value_organization__isnull=False,
    ).exclude(status=choices.ClaimStatus.REJECTED)
    for project_id, organization_id, name in claims.values_list(
        "project_id", "value_organization_id", "value_organization__name"
    ):
        found[project_id][organization_id] = name
    return found


def score_projects(a: _Profile, b: _Profile) -> Suggestion | None:
    pa, pb = a.record, b.record
    same_town = bool(a.place[1]) and a.place == b.place
    km = _km(pa, pb) if pa.latitude is not None and pb.latitude is not None else None
    other_town = bool(a.place[1] and b.place[1]) and not same_town and (km is None or km > NEAR_KM)
    other_country = bool(a.place[0] and b.place[0] and a.place[0] != b.place[0])
    common = sorted(set(a.organizations) & set(b.organizations))
    # What the place, the country and the organizations give, before the names are compared
    score = SAME_MUNICIPALITY * same_town + OTHER_MUNICIPALITY * other_town + DIFFERENT_COUNTRIES * other_country
    if km is not None:
        score += SAME_SITE if km <= SAME_SITE_KM else NEAR_SITE if km <= NEAR_KM else FAR_APART if km >= FAR_KM else 0
    score += ORGANIZATIONS_IN_COMMON if common else 0
    if score + NAME_WEIGHT < THRESHOLD:
        return None  # not even names alike could make it one
    similarity, name_a, name_b = _best_name(a.forms, b.forms, a.town_words | b.town_words)
    alike = similarity >= NAME_SIMILAR
    score = max(0, min(100, score + (round(NAME_WEIGHT * similarity / 100) if alike else 0)))
    if score < THRESHOLD or not (alike or common):
        return None  # the same place alone is not a reason: towns have several projects
    reasons = []
    if alike:
        reasons.append(
            _("names alike (%(score)s%%): “%(a)s” and “%(b)s”") % {"score": similarity, "a": name_a, "b": name_b}
        )
    if same_town:
        reasons.append(_("same municipality: %(town)s") % {"town": pa.municipality})
    if other_country:
        reasons.append(_("different countries"))
    if other_town:
        reasons.append(_("different municipalities: %(a)s and %(b)s") % {"a": pa.municipality, "b": pb.municipality})
    if km is not None and (km <= NEAR_KM or km >= FAR_KM):
        shown = round(km, 1) if km <= NEAR_KM else round(km)
        reasons.append(_("sites %(km)s km apart") % {"km": format_number(shown)})
    if common:
        names = ", ".join(a.organizations[pk] for pk in common)
        reasons.append(
            ngettext("organization in common: %(names)s", "organizations in common: %(names)s", len(common))
            % {"names": names}
        )
    first, second = sorted((pa, pb), key=lambda p: p.pk)
    return Suggestion(first=first, second=second, score=score, reasons=reasons)


def _profiles(projects) -> dict[int, _Profile]:
    projects = list(projects)
    organizations = _organizations_of([p.pk for p in projects])
    profiles = {}
    for p in projects:
        names = _names(p)
        forms = _forms(names)
        profiles[p.pk] = _Profile(
            record=p,
            names=names,
            place=_place_key(p.country, p.municipality),
            organizations=organizations.get(p.pk, {}),
            forms=forms,
            town_words=frozenset(words(p.municipality)),
            words=frozenset(w for _name, distinctive, _worded in forms for w in distinctive),
        )
    return profiles


def _may_pair(seed: _Profile, candidate: _Profile) -> bool:
    """Whether the candidate is in one of the seed's blocks (the query read the blocks of several seeds)."""
    if seed.place[1] and seed.place == candidate.place:
        return True
    a, b = seed.record, candidate.record
    if a.latitude is not None and b.latitude is not None and abs(a.latitude - b.latitude) * KM_PER_DEGREE <= NEAR_KM:
        return True
    return bool(seed.words & candidate.words)


def project_suggestions(seeds, *, limit: int = CANDIDATES, per_record: int = PER_RECORD) -> list[Suggestion]:
    """The probable duplicates of each of ``seeds`` (the best ``per_record`` of each), best first, each pair
    once, in three queries."""
    seeds = list(seeds)
    if not seeds:
        return []
    candidates = _project_candidates(seeds, limit)
    profiles = _profiles({p.pk: p for p in [*candidates, *seeds]}.values())
    found: dict[tuple[int, int], Suggestion] = {}
    for seed in seeds:
        mine = []
        for candidate in candidates:
            if candidate.pk == seed.pk or not _may_pair(profiles[seed.pk], profiles[candidate.pk]):
                continue
            key = tuple(sorted((seed.pk, candidate.pk)))
            suggestion = found.get(key) or score_projects(profiles[seed.pk], profiles[candidate.pk])
            if suggestion is not None:
                mine.append((key, suggestion))
        for key, suggestion in sorted(mine, key=lambda item: -item[1].score)[:per_record]:
            found[key] = suggestion
    return sorted(found.values(), key=lambda s: (-s.score, s.pair))


def duplicates_for(project: Project, *, limit: int = CANDIDATES) -> list[Suggestion]:
    """The projects that are probably the same as ``project``, best first: for the review desk."""
    suggestions = project_suggestions([project], limit=limit)
    for suggestion in suggestions:
        if suggestion.first.pk != project.pk:  # the project asked about first, whichever is older
            suggestion.first, suggestion.second = suggestion.second, suggestion.first
    return suggestions


# Organizations


ORGANIZATION_NAME_SIMILAR = 90
ORGANIZATION_THRESHOLD = 60


def _organization_blocks(organization: Organization) -> Q:
    words_ = sorted({w for name in _names(organization) for w in organization_words(name)}, key=len, reverse=True)
    blocks = [Q(name__icontains=w) for w in words_[:3] if len(w) >= 3]
    return reduce(or_, blocks) if blocks else Q(pk__in=[])


def _website_host(url: str) -> str:
    host = re.sub(r"^[a-z]+://", "", (url or "").casefold()).split("/")[0].split(":")[0]
    return host.removeprefix("www.")


def score_organizations(a: Organization, b: Organization) -> Suggestion | None:
    best, name_a, name_b = 0, "", ""
    for x in _names(a):
        wx = organization_words(x)
        for y in _names(b):
            wy = organization_words(y)
            if not wx or not wy:
                continue
            if set(wx) == set(wy):
                score = 100
            elif min(len(" ".join(wx)), len(" ".join(wy))) < 5:
                score = 0  # short names and acronyms are the same or not at all
            else:
                score = round(fuzz.token_sort_ratio(" ".join(wx), " ".join(wy)))
            if score > best:
                best, name_a, name_b = score, x, y
    if best < ORGANIZATION_NAME_SIMILAR:
        return None
    score = round(60 * best / 100)
    reasons = [_("names alike (%(score)s%%): “%(a)s” and “%(b)s”") % {"score": best, "a": name_a, "b": name_b}]
    if a.country and b.country:
        if a.country == b.country:
            score += 15
            reasons.append(_("same country"))
        else:
            score += DIFFERENT_COUNTRIES
            reasons.append(_("different countries"))
    host_a, host_b = _website_host(a.website), _website_host(b.website)
    if host_a and host_b:
        if host_a == host_b:
            score += 25
            reasons.append(_("same website: %(host)s") % {"host": host_a})
        else:
            score -= 15
            reasons.append(_("different websites"))
    score = max(0, min(100, score))
    if score < ORGANIZATION_THRESHOLD:
        return None
    first, second = sorted((a, b), key=lambda o: o.pk)
    return Suggestion(first=first, second=second, score=score, reasons=reasons)


def organization_suggestions(seeds, *, limit: int = CANDIDATES) -> list[Suggestion]:
    """The probable duplicates of each of ``seeds`` among organizations, best first (one query)."""
    seeds = list(seeds)
    if not seeds:
        return []
    blocks = reduce(or_, (_organization_blocks(seed) for seed in seeds), Q(pk__in=[]))
    candidates = list(
        Organization.objects.filter(blocks)
        .only("id", "name", "slug", "aliases", "country", "website", "kind")
        .order_by("-last_updated", "-id")[:limit]
    )
    found: dict[tuple[int, int], Suggestion] = {}
    for seed in seeds:
        for candidate in candidates:
            key = tuple(sorted((seed.pk, candidate.pk)))
            if candidate.pk == seed.pk or key in found:
                continue
            suggestion = score_organizations(seed, candidate)
            if suggestion is not None:
                found[key] = suggestion
    return sorted(found.values(), key=lambda s: (-s.score, s.pair))


def organization_duplicates_for(organization: Organization, *, limit: int = CANDIDATES) -> list[Suggestion]:
    suggestions = organization_suggestions([organization], limit=limit)
    for suggestion in suggestions:
        if suggestion.first.pk != organization.pk:
            suggestion.first, suggestion.second = suggestion.second, suggestion.first
    return suggestions
