"""The towns a site map names, from the offline gazetteer: a bounded query by box, one row per town."""

from core import geo


def test_towns_around_escaudain_are_the_most_populous_nearby_first():
    towns = geo.towns_around([(50.33315, 3.3443)], 20, 12)
    names = [town.name for town in towns]
    assert len(towns) == 12
    assert {"Valenciennes", "Douai", "Denain"} <= set(names)
    assert [town.population for town in towns] == sorted((town.population for town in towns), reverse=True)
    assert len(set(names)) == len(names)  # one row per town, not one per name it is known by
    for town in towns:
        # inside the box: 20 km in latitude, a little more in longitude at 50° N (the box's corners)
        assert abs(town.latitude - 50.33315) <= 20 / geo.EARTH_KM_PER_DEGREE_LAT + 1e-9
        assert geo.distance_km((50.33315, 3.3443), town.point) <= 20 * 1.5


def test_the_box_covers_every_point_and_the_limit_bounds_it():
    site, substation = (50.33315, 3.3443), (50.30613, 3.30471)
    assert len(geo.towns_around([site, substation], 25, 3)) == 3
    assert geo.towns_around([], 25, 3) == []
    # a larger box holds at least the towns of a smaller one
    small = {town.name for town in geo.towns_around([site], 5, 50)}
    large = {town.name for town in geo.towns_around([site, substation], 5, 50)}
    assert small and small <= large


def test_a_box_across_the_antimeridian_is_searched_on_both_sides():
    # just west of the 180th meridian, by Fiji: its towns lie east of it, at +179°
    towns = geo.towns_around([(-16.85, -179.99)], 80, 50)
    assert {"Labasa", "Savusavu"} <= {town.name for town in towns}
    assert all(town.longitude > 179 for town in towns)


def test_the_open_sea_has_no_towns():
    assert geo.towns_around([(0.0, -30.0)], 25, 10) == []
