import pytest

from core.geo import bounding_box, distance_km, gazetteer, geocode


def test_escaudain_geocodes_offline():
    place = geocode("Escaudain")
    assert place.country == "FR"
    assert place.latitude == pytest.approx(50.33, abs=0.01)
    assert place.longitude == pytest.approx(3.34, abs=0.01)


def test_lookup_ignores_case_and_accents():
    assert geocode("escaudain") == geocode("ESCAUDAIN")
    assert geocode("Chartres de Bretagne").name == "Chartres-de-Bretagne"


def test_country_narrows_homonyms():
    assert geocode("London", "GB").country == "GB"
    assert geocode("London", "CA").country == "CA"


def test_unknown_place_gives_nothing():
    assert geocode("Nowhereville-sur-Mer") is None
    assert geocode("") is None


def test_escaudain_to_mastaing_is_about_four_km():
    escaudain, mastaing = geocode("Escaudain"), geocode("Mastaing")
    assert distance_km(escaudain.point, mastaing.point) == pytest.approx(4.1, abs=0.1)


@pytest.mark.parametrize("latitude", [0.0, 50.36, 69.0, -45.0])
def test_bounding_box_encloses_the_circle(latitude):
    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, 3.52, 50)
    # Points 49.9 km away due north, south, east and west fall inside the box.
    from geopy.distance import geodesic

    for bearing in (0, 90, 180, 270):
        point = geodesic(kilometers=49.9).destination((latitude, 3.52), bearing)
        assert min_lat <= point.latitude <= max_lat
        assert min_lon <= point.longitude <= max_lon


def test_gazetteer_is_built_once():
    assert gazetteer() is gazetteer()
    assert "Mastaing" in gazetteer()


def test_gazetteer_index_is_built_once_into_a_file(tmp_path):
    from core.geo import OfflineGazetteer

    built = OfflineGazetteer(min_population=15000, cache_dir=tmp_path)
    assert built.path.exists()
    assert built.lookup("Lille").country == "FR"
    assert built.lookup("Escaudain") is None  # below the population threshold
    reopened = OfflineGazetteer(min_population=15000, cache_dir=tmp_path)
    assert reopened.lookup("Londres", "GB").name == "London"  # alternate names of large cities
