"""Conditional requests: an ``ETag`` on every record read, ``If-None-Match`` and ``If-Match``.

The tag is ``"<version>-<digest>"``: the record's edit version and a digest of
its whole representation. The version alone would not do, because a project's
representation also shows its claims, roles and sources, whose edits do not
change the project's version. A client that sends back the tag in ``If-Match``
is refused with 412 when anything it saw has changed since.
"""

import hashlib

import orjson
from django.utils.http import parse_etags


def entity_tag(instance, data) -> str:
    digest = hashlib.sha256(orjson.dumps(data, default=str, option=orjson.OPT_SORT_KEYS)).hexdigest()[:24]
    return f'"{instance.version}-{digest}"'


def header_tags(request, header: str) -> list[str] | None:
    """The tags of a conditional header, or None when the header is absent."""
    value = request.headers.get(header)
    return None if value is None else parse_etags(value)


def none_match(tags: list[str], current: str) -> bool:
    """``If-None-Match`` compares weakly: a ``W/`` prefix is ignored."""
    return "*" in tags or any(tag.removeprefix("W/") == current for tag in tags)


def match(tags: list[str], current: str) -> bool:
    """``If-Match`` compares strongly (RFC 9110): a weak tag never matches."""
    return "*" in tags or current in tags
