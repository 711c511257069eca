"""geography.map_layers: the shapes a map draws, per level, in British National Grid."""

from __future__ import annotations

import pytest

from geography.map_layers import map_layers

BRADFORD = "E08000032"


def test_bradford_wards_are_its_30_wards_in_bng():
    layer = map_layers("ward", BRADFORD)
    # Bradford has 30 wards (City of Bradford Metropolitan District Council, since 2004).
    assert len(layer.shapes) == 30
    assert layer.shapes.crs.to_epsg() == 27700
    assert all(code.startswith("E05") for code in layer.codes)
    assert layer.names["E05001341"]  # every ward has its name


def test_sub_icb_locations_are_those_over_the_la():
    # Bradford lies within one sub-ICB location: NHS West Yorkshire ICB - 36J
    # (Bradford District and Craven).
    assert map_layers("sub_icb", BRADFORD).codes == ["E38000232"]


def test_england_views_hold_every_area():
    las = map_layers("la", BRADFORD, england=True)
    assert len(las.shapes) == 153  # the LAs SEND Lens reports on
    wards = map_layers("ward", BRADFORD, england=True)
    assert len(wards.shapes) > 6000 and BRADFORD not in wards.codes


def test_schools_are_points_with_pupils_and_names():
    layer = map_layers("school", BRADFORD)
    assert set(layer.shapes.geom_type) == {"Point"}
    assert "pupils" in layer.shapes.columns
    assert set(layer.codes) <= set(layer.names)


def test_a_locality_map_needs_the_lookup_and_levels_are_checked():
    with pytest.raises(ValueError, match="lookup"):
        map_layers("locality", BRADFORD)
    with pytest.raises(ValueError, match="no map level"):
        map_layers("parish", BRADFORD)
