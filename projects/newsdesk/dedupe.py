"""How the news desk recognises an article it has already read.

- by address: :func:`normalize_url` removes tracking parameters (``utm_*``, ``fbclid``, ``gclid``,
  ``mc_cid``... through courlan's list, trafilatura's own URL library) and the fragment, lowercases
  the scheme and host, drops the default port and sorts the query;
- by text: :func:`content_hash` is the SHA-256 of the article's text with its spaces normalised;
- by nearly the same text (a syndicated copy with a changed headline or a line more):
  :func:`near_duplicate` compares the beginning of the text with the sources read lately, with
  rapidfuzz's normalised Indel similarity, in a bounded window.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url as courlan_normalize
from django.conf import settings
from django.db.models.functions import Left
from django.utils import timezone
from rapidfuzz import fuzz, process

from projects.models import Source

# The first characters of each text are compared: enough to tell two articles apart, bounded in CPU.
COMPARED_CHARACTERS = 4000
# Texts shorter than this are not compared (a teaser matches too much).
MIN_COMPARED_CHARACTERS = 200

_SPACES = re.compile(r"\s+")
_TRACKING = re.compile(
    r"^(?:utm_|mc_|_hs|hsa_|pk_|mtm_|at_|oly_|vero_|wt_|__)|^(?:fbclid|gclid|dclid|msclkid|igshid|yclid|twclid|_ga|_gl|xtor|ncid|cmpid|ito)$",
    re.I,
)


def normalize_url(url: str) -> str:
    """The address of an article without what only tracks its readers.

    >>> normalize_url("HTTPS://Example.org:443/a?utm_source=x&b=2&a=1&fbclid=3#top")
    'https://example.org/a?a=1&b=2'
    """
    url = url.strip()
    try:
        cleaned = courlan_normalize(url, strict=False)
    except ValueError:
        cleaned = url
    parts = urlsplit(cleaned)
    # courlan keeps fragments and a few trackers of its own list's blind spots.
    query = "&".join(
        sorted(pair for pair in parts.query.split("&") if pair and not _TRACKING.search(pair.split("=", 1)[0]))
    )
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))


def normalize_text(text: str) -> str:
    """The text as compared: Unicode NFC, spaces collapsed, ends trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def text_sha256(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NearDuplicate:
    source_id: int
    similarity: float


def _compared(text: str) -> str:
    return normalize_text(text)[:COMPARED_CHARACTERS].casefold()


def near_duplicate(text: str, *, exclude_source: int | None = None, created_since=None) -> NearDuplicate | None:
    """The source read lately whose text is nearly this one, if any.

    Compared with the sources of the last ``FEED_NEAR_DUPLICATE_DAYS`` days, at most
    ``FEED_NEAR_DUPLICATE_CANDIDATES`` of them (newest first); a similarity of
    ``FEED_NEAR_DUPLICATE_RATIO`` (0–100) or more is the same article. ``created_since`` narrows the
    comparison to the sources made since then (the recheck under the ingestion lock).
    """
    query = _compared(text)
    if len(query) < MIN_COMPARED_CHARACTERS:
        return None
    since = timezone.now() - timedelta(days=settings.FEED_NEAR_DUPLICATE_DAYS)
    candidates = Source.objects.filter(created__gte=since).exclude(text="")
    if created_since is not None:
        candidates = candidates.filter(created__gte=created_since)
    if exclude_source is not None:
        candidates = candidates.exclude(pk=exclude_source)
    rows = candidates.annotate(head=Left("text", COMPARED_CHARACTERS + 2000)).order_by("-created", "-pk")
    rows = rows.values_list("pk", "head")[: settings.FEED_NEAR_DUPLICATE_CANDIDATES]
    choices = {pk: _compared(head) for pk, head in rows}
    choices = {pk: head for pk, head in choices.items() if len(head) >= MIN_COMPARED_CHARACTERS}
    if not choices:
        return None
    best = process.extractOne(query, choices, scorer=fuzz.ratio, score_cutoff=settings.FEED_NEAR_DUPLICATE_RATIO)
    if best is None:
        return None
    _head, score, pk = best
    return NearDuplicate(source_id=pk, similarity=round(score, 1))
