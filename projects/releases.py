"""Dated releases of the data package: files written once into ``settings.RELEASES_DIR/<date>/``,
never changed afterwards, each with its sha256, and what changed since the previous release.

A release directory holds the four CSV tables, ``datapackage.json`` (with each table's hash, the
release's version and how to cite it), ``release.json`` (counts and changes) and ``SHA256SUMS``
(every other file's hash, as ``sha256sum -c`` reads it). It is written in a temporary directory
beside its final place and renamed into place in one step, so a reader never sees half of one.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import os
import re
import tempfile
from pathlib import Path

import orjson
from django.conf import settings

from projects import data

CHECKSUMS = "SHA256SUMS"
MANIFEST = "release.json"
PACKAGE = "datapackage.json"
VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The project columns whose change between two releases counts as a figure changed.
FIGURE_COLUMNS = (
    "status",
    "capacity_mw",
    "investment_amount",
    "investment_currency",
    "jobs_permanent",
    "jobs_construction",
    "site_area_ha",
    "floor_area_m2",
    "announced_on",
    "operational_year",
)


class ReleaseExists(Exception):
    pass


def releases_dir() -> Path:
    return Path(settings.RELEASES_DIR)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def list_releases() -> list[dict]:
    """The releases made so far, newest first, each as its manifest."""
    root = releases_dir()
    if not root.is_dir():
        return []
    found = []
    for entry in sorted(root.iterdir(), reverse=True):
        manifest = entry / MANIFEST
        if VERSION.match(entry.name) and manifest.is_file():
            found.append(orjson.loads(manifest.read_bytes()))
    return found


def release_path(version: str, filename: str) -> Path | None:
    """A file of a release, or None: only the names a release writes, under a date-named directory."""
    if not VERSION.match(version) or filename not in (*_table_files(), PACKAGE, MANIFEST, CHECKSUMS):
        return None
    path = releases_dir() / version / filename
    return path if path.is_file() else None


def _table_files() -> tuple[str, ...]:
    return tuple(table.filename for table in data.TABLES.values())


def _project_figures(directory: Path) -> dict[str, dict[str, str]]:
    with (directory / data.PROJECTS.filename).open(newline="", encoding="utf-8") as file:
        return {row["slug"]: {name: row.get(name, "") for name in FIGURE_COLUMNS} for row in csv.DictReader(file)}


def changes_between(previous: Path | None, current: Path) -> dict:
    """Projects added and removed, and the figures changed on the projects in both releases."""
    now = _project_figures(current)
    before = _project_figures(previous) if previous is not None else {}
    figure_changes = [
        {"project": slug, "column": name, "before": before[slug][name], "after": figures[name]}
        for slug, figures in sorted(now.items())
        if slug in before
        for name in FIGURE_COLUMNS
        if before[slug][name] != figures[name]
    ]
    return {
        "since": previous.name if previous is not None else None,
        "projects_added": sorted(set(now) - set(before)),
        "projects_removed": sorted(set(before) - set(now)),
        "figures_changed": len(figure_changes),
        "figure_changes": figure_changes,
    }


def make_release(version: str | None = None) -> Path:
    """Write the release of ``version`` (today's date by default); refuses to replace one."""
    version = version or datetime.date.today().isoformat()
    if not VERSION.match(version):
        raise ValueError(f"A release is named by its date, YYYY-MM-DD: {version!r}.")
    root = releases_dir()
    root.mkdir(parents=True, exist_ok=True)
    final = root / version
    if final.exists():
        raise ReleaseExists(f"The release {version} exists already; releases are never overwritten.")
    previous = next(
        (
            entry
            for entry in sorted(root.iterdir(), reverse=True)
            if VERSION.match(entry.name) and entry.name < version and (entry / MANIFEST).is_file()
        ),
        None,
    )
    selection = data.Selection.everything()
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=root))
    hashes, counts = {}, {}
    for table in data.TABLES.values():
        path = staging / table.filename
        with path.open("w", encoding="utf-8", newline="") as file:
            counts[table.name] = data.write_csv(table, selection, file)
        hashes[table.filename] = _sha256(path)
    descriptor = data.datapackage(selection, version=version, hashes=hashes)
    (staging / PACKAGE).write_bytes(orjson.dumps(descriptor, option=orjson.OPT_INDENT_2))
    hashes[PACKAGE] = _sha256(staging / PACKAGE)
    manifest = {
        "version": version,
        "created": descriptor["created"],
        "license": descriptor["licenses"][0]["name"],
        "citation": descriptor["citation"],
        "counts": counts,
        "changes": changes_between(previous, staging),
        "files": {
            name: {"sha256": digest, "path": f"/data/releases/{version}/{name}"} for name, digest in hashes.items()
        },
    }
    (staging / MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    hashes[MANIFEST] = _sha256(staging / MANIFEST)
    (staging / CHECKSUMS).write_text("".join(f"{digest}  {name}\n" for name, digest in sorted(hashes.items())))
    for path in staging.iterdir():
        path.chmod(0o444)  # written once
    staging.chmod(0o755)
    try:
        os.rename(staging, final)  # refuses a non-empty directory made meanwhile
    except OSError as error:
        raise ReleaseExists(f"The release {version} exists already; releases are never overwritten.") from error
    return final
