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
from core.geo import distance_km
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
# A suggestion scores at least this much out of 100.
THRESHOLD = 45
# Names at least this alike count (0-100, rapidfuzz's token set ratio).
NAME_SIMILAR = 60
NAME_WEIGHT = 45
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


def words(name: str) -> list[str]:
    """The words of a name: case, accents and punctuation aside."""
    decomposed = unicodedata.normalize("NFKD", name.casefold().replace("’", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [w for w in re.split(r"[^\w]+", plain) if w]


def distinctive_words(name: str, place_words: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The words that set a project's name apart: generic words, legal forms and the town's name aside."""
    return tuple(w for w in words(name) if w not in _GENERIC_WORDS and w not in _LEGAL_FORMS and w not in place_words)


def organization_words(name: str) -> tuple[str, ...]:
    kept = [w for w in words(name) if w not in _LEGAL_FORMS]
    return tuple(kept or words(name))


def name_similarity(names_a, names_b, place_words: frozenset[str] = frozenset()) -> tuple[int, str, str]:
    """(0-100, the name of each side that scored it): the best token set ratio over names and aliases.

    Two names saying nothing but the place and what the project is ("Escaudain data center",
    "Campus IA d'Escaudain") are the same name; one saying nothing apart is no evidence either way (0).
    """
    best = (0, "", "")
    for a in names_a:
        wa = distinctive_words(a, place_words)
        for b in names_b:
            wb = distinctive_words(b, place_words)
            if not wa and not wb:
                score = 100 if words(a) or words(b) else 0
            elif not wa or not wb:
                score = 0
            elif not set(wa) & set(wb) and min(len(" ".join(wa)), len(" ".join(wb))) < SHORT_NAME:
                score = 0  # short names with no word in common: "RTE" is not "Porte", whatever their letters
            else:
                score = round(fuzz.token_set_ratio(" ".join(sorted(wa)), " ".join(sorted(wb))))
            if score > best[0]:
                best = (score, a, b)
    return best


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
    place: str
    organizations: dict[int, str]


def _place_key(country, municipality: str) -> tuple[str, str]:
    return (str(country or ""), " ".join(words(municipality or "")))


def _names(record) -> list[str]:
    return [record.name, *(a for a in record.aliases or () if isinstance(a, str) and a.strip())]


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
    score, reasons = 0, []
    same_town = bool(a.place[1]) and a.place == b.place
    place_words = frozenset(words(pa.municipality)) | frozenset(words(pb.municipality))
    similarity, name_a, name_b = name_similarity(a.names, b.names, place_words)
    if similarity >= NAME_SIMILAR:
        score += round(NAME_WEIGHT * similarity / 100)
        reasons.append(
            _("names alike (%(score)s%%): “%(a)s” and “%(b)s”") % {"score": similarity, "a": name_a, "b": name_b}
        )
    if same_town:
        score += SAME_MUNICIPALITY
        reasons.append(_("same municipality: %(town)s") % {"town": pa.municipality})
    if pa.country and pb.country and pa.country != pb.country:
        score += DIFFERENT_COUNTRIES
        reasons.append(_("different countries"))
    km = distance_km(pa.point, pb.point) if pa.latitude is not None and pb.latitude is not None else None
    if a.place[1] and b.place[1] and not same_town and (km is None or km > NEAR_KM):
        score += OTHER_MUNICIPALITY
        reasons.append(_("different municipalities: %(a)s and %(b)s") % {"a": pa.municipality, "b": pb.municipality})
    if km is not None:
        if km <= SAME_SITE_KM:
            score += SAME_SITE
            reasons.append(_("sites %(km)s km apart") % {"km": format_number(round(km, 1))})
        elif km <= NEAR_KM:
            score += NEAR_SITE
            reasons.append(_("sites %(km)s km apart") % {"km": format_number(round(km, 1))})
        elif km >= FAR_KM:
            score += FAR_APART
            reasons.append(_("sites %(km)s km apart") % {"km": format_number(round(km))})
    common = sorted(set(a.organizations) & set(b.organizations))
    if common:
        score += ORGANIZATIONS_IN_COMMON
        names = ", ".join(a.organizations[pk] for pk in common)
        reasons.append(
            ngettext("organization in common: %(names)s", "organizations in common: %(names)s", len(common))
            % {"names": names}
        )
    score = max(0, min(100, score))
    if score < THRESHOLD or not (similarity >= NAME_SIMILAR or common):
        return None  # the same place alone is not a reason: towns have several projects
    first, second = sorted((pa, pb), key=lambda p: p.pk)
    return Suggestion(first=first, second=second, score=score, reasons=reasons)


def _profiles(projects) -> dict[int, _Profile]:
    projects = list(projects)
    organizations = _organizations_of([p.pk for p in projects])
    return {
        p.pk: _Profile(p, _names(p), _place_key(p.country, p.municipality), organizations.get(p.pk, {}))
        for p in projects
    }


def _may_pair(seed: Project, candidate: Project) -> bool:
    """Whether the candidate is in one of the seed's blocks (the query read the blocks of several seeds)."""
    if seed.municipality.strip() and _place_key(seed.country, seed.municipality) == _place_key(
        candidate.country, candidate.municipality
    ):
        return True
    located = seed.latitude is not None and candidate.latitude is not None
    if located and abs(seed.latitude - candidate.latitude) * KM_PER_DEGREE <= NEAR_KM * 1.5:
        return True
    seed_words = {w for name in _names(seed) for w in distinctive_words(name)}
    return bool(seed_words & {w for name in _names(candidate) for w in distinctive_words(name)})


def project_suggestions(seeds, *, limit: int = CANDIDATES) -> list[Suggestion]:
    """The probable duplicates of each of ``seeds``, best first, each pair once (three queries)."""
    seeds = list(seeds)
    if not seeds:
        return []
    candidates = _project_candidates(seeds, limit)
    profiles = _profiles({p.pk: p for p in [*candidates, *seeds]}.values())
    found: dict[tuple[int, int], Suggestion] = {}
    for seed in seeds:
        for candidate in candidates:
            if candidate.pk == seed.pk or not _may_pair(seed, candidate):
                continue
            key = tuple(sorted((seed.pk, candidate.pk)))
            if key in found:
                continue
            suggestion = score_projects(profiles[seed.pk], profiles[candidate.pk])
            if suggestion is not None:
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
