"""The shipped boundaries: complete, in British National Grid, small, and still a clean
coverage after simplification (neighbours meet: no gaps, no overlaps)."""

from __future__ import annotations

import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from geography import boundaries
from tests.conftest import ROOT

EXPECTED = {"la": 153, "ward": 6862, "sub_icb": 106, "icb": 42, "region": 9}


@pytest.mark.parametrize("level", list(EXPECTED))
def test_layers_load_complete_in_27700(level):
    frame = boundaries.layer(level)
    assert len(frame) == EXPECTED[level]
    assert frame.crs.to_epsg() == 27700
    code, name = boundaries.KEYS[level]
    assert frame[code].is_unique and frame[code].str.startswith("E").all()
    assert frame[name].notna().all()
    assert shapely.is_valid(frame.geometry.values).all()


@pytest.mark.parametrize("level", list(EXPECTED))
def test_simplified_layers_are_still_a_coverage(level):
    geoms = boundaries.layer(level).geometry.values
    # Edge-matched and non-overlapping, so the union's area is the sum of the parts.
    assert shapely.coverage_is_valid(geoms)
    union = shapely.coverage_union_all(geoms)
    assert union.area == pytest.approx(shapely.area(geoms).sum(), rel=1e-9)
    # England is about 130,300 km2; generalised and clipped to the coast, within 1%.
    assert union.area / 1e6 == pytest.approx(130_500, rel=0.01)


def test_neighbours_still_share_their_border():
    las = boundaries.las().set_index("la_code").geometry
    leeds, bradford = las["E08000035"], las["E08000032"]
    shared = shapely.intersection(leeds.boundary, bradford.boundary)
    assert shared.length > 20_000  # metres: the Leeds-Bradford border is about 30 km
    assert shapely.intersection(leeds, bradford).area < 1.0  # touching, not overlapping
    # The same border between wards on either side of it.
    wards = boundaries.wards()
    leeds_w = shapely.coverage_union_all(wards.loc[wards["la_code"] == "E08000035"].geometry.values)
    brad_w = shapely.coverage_union_all(wards.loc[wards["la_code"] == "E08000032"].geometry.values)
    assert shapely.intersection(leeds_w.boundary, brad_w.boundary).length > 20_000


def test_wards_carry_their_district_and_upper_tier_la():
    wards = boundaries.wards()
    assert set(wards.columns) == {"ward_code", "ward_name", "lad_code", "la_code", "geometry"}
    assert set(wards["la_code"]) == set(boundaries.las()["la_code"])
    # Two-tier: a Runnymede ward belongs to Surrey; Cumberland's wards to the new unitary.
    row = wards.set_index("ward_code").loc["E05012890"]
    assert (row["lad_code"], row["la_code"]) == ("E07000212", "E10000030")
    assert len(boundaries.wards("E06000063")) == 46
    lookup = boundaries.ward_lookup()
    assert (
        len(lookup) == 6862
        and lookup.set_index("ward_code").loc["E05012890", "la_name"] == "Surrey"
    )


def test_la_outline_is_the_union_of_its_wards():
    outline = boundaries.la_outline("E08000032")
    wards = boundaries.wards("E08000032")
    assert outline.area == pytest.approx(wards.area.sum(), rel=1e-9)
    # And close to the separately generalised LA polygon (Bradford is 366 km2).
    la = boundaries.las().set_index("la_code").geometry["E08000032"]
    assert outline.area / 1e6 == pytest.approx(366, rel=0.02)
    assert shapely.intersection(outline, la).area / la.area > 0.97


def test_lookups():
    sub_icbs = boundaries.sub_icb_lookup()
    assert len(sub_icbs) == 106 and sub_icbs["icb_code"].nunique() == 42
    # Recoded in April 2023 (Surrey Heath moved to Surrey Heartlands): the 2023 codes are used.
    assert (
        sub_icbs.set_index("sub_icb_code")
        .loc["E38000264", "icb_name"]
        .startswith("NHS Surrey Heartlands")
    )
    overlaps = boundaries.la_sub_icbs()
    assert set(overlaps["la_code"]) == set(boundaries.las()["la_code"])
    bradford = boundaries.la_sub_icbs("E08000032")
    assert (
        bradford["sub_icb_code"].tolist() == ["E38000232"] and bradford["lsoa_share"].iloc[0] == 1.0
    )
    surrey = boundaries.la_sub_icbs("E10000030").set_index("sub_icb_code")
    assert surrey.loc["E38000264", "lsoa_share"] == pytest.approx(0.866, abs=0.001)


def test_to_wgs84_is_the_last_step_and_rounds():
    frame = boundaries.to_wgs84(boundaries.wards("E08000032"))
    assert frame.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = frame.total_bounds
    assert -2.1 < minx < maxx < -1.6 and 53.7 < miny < maxy < 54.0  # Bradford
    coords = shapely.get_coordinates(frame.geometry.values)
    assert (abs(coords * 1e5 - (coords * 1e5).round()) < 1e-6).all()
    with pytest.raises(ValueError):
        boundaries.to_wgs84(frame.set_crs(None, allow_override=True))


def test_england_view_is_simpler_and_still_meets():
    full = boundaries.layer("ward").geometry.values
    simple = boundaries.simplified("ward", 1000.0).geometry.values
    assert shapely.count_coordinates(simple) < 0.6 * shapely.count_coordinates(full)
    assert shapely.coverage_is_valid(simple)


def test_boundaries_are_small():
    folder = ROOT / "data" / "geography"
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert total < 10 * 1024 * 1024


@pytest.mark.parametrize(
    "la",
    ["E08000032", "E06000053", "E09000001", "E09000033", "E10000016"],  # Bradford, Scilly,
)  # the City of London, Westminster, Kent
def test_one_areas_wards_are_the_whole_layers_rows(la):
    whole = boundaries.wards()
    assert_geodataframe_equal(
        boundaries.wards(la), whole[whole["la_code"] == la].reset_index(drop=True)
    )
    # As many as the ONS ward-to-LA lookup (a separate file) gives the LA.
    assert len(boundaries.wards(la)) == (boundaries.ward_lookup()["la_code"] == la).sum()


def test_one_areas_map_reads_only_its_own_wards(monkeypatch):
    # Holding the whole ward layer for one area's map was 11 MB of every server: the rows
    # are filtered as they are read, and the whole layer is never kept.
    reads: list[tuple[str, object]] = []
    real = boundaries._read_file

    def counted(level, filters=None):
        reads.append((level, filters))
        return real(level, filters)

    monkeypatch.setattr(boundaries, "_read_file", counted)
    boundaries._area_wards.cache_clear()
    boundaries.la_outline.cache_clear()
    from geography.map_layers import map_layers

    assert len(map_layers("ward", "E06000053").shapes) == len(boundaries.wards("E06000053"))
    boundaries.la_outline("E06000053")
    assert reads == [("ward", [("la_code", "==", "E06000053")])]
    boundaries.layer("ward")
    boundaries.layer("ward")
    assert [level for level, _ in reads].count("ward") == 3  # read each time, not kept


def test_names_are_the_layers_codes_and_names():
    wards = boundaries.wards()
    names = boundaries.names("ward")
    assert names == dict(zip(wards["ward_code"], wards["ward_name"])) and len(names) == 6862
    assert boundaries.names("la")["E08000032"] == "Bradford"
    with pytest.raises(KeyError, match="parish"):
        boundaries.names("parish")
