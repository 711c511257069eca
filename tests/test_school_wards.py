"""Schools placed in wards and LAs by point-in-polygon in EPSG:27700, checked against
schools located by hand in ONS's raw ward file, with unmatched schools reported."""

from __future__ import annotations

import pandas as pd
import pytest

import geography
from geography import boundaries
from geography.schools import (
    school_areas,
    school_points,
    school_wards,
    unmatched_schools,
)
from tests.conftest import fresh_python_prints

# URN -> (easting, northing, ward, LA). Each point was tested by hand with shapely against
# the raw, unsimplified ONS file (Wards_December_2023_Boundaries_UK_BSC_England), after
# converting the GIAS easting/northing to WGS84 with pyproj.
HAND_CHECKED = {
    # The Aldgate School, City of London: Aldgate ward.
    "100000": (533498.0, 181201.0, "E05009289", "E09000001"),
    # Strong Close Nursery School, Bradford: Keighley East, 584 m inside the ward's edge.
    "107185": (407464.0, 441577.0, "E05001356", "E08000032"),
    # Frizington Nursery School, Cumberland (the 2023 unitary): Cleator Moor East and Frizington.
    "112090": (303715.0, 517617.0, "E05014179", "E06000063"),
    # Chertsey Nursery School: Chertsey St Ann's ward of Runnymede district, so Surrey the LA.
    "124911": (503346.0, 166818.0, "E05012890", "E10000030"),
}


@pytest.fixture(scope="module")
def placed() -> pd.DataFrame:
    return school_wards()


def test_interface(placed):
    assert list(placed.columns) == ["urn", "ward_code", "la_code"]
    points = school_points()
    # One row per shipped school with coordinates: none dropped.
    assert len(placed) == len(points) == placed["urn"].nunique() > 23_000
    assert points.crs.to_epsg() == 27700
    assert set(placed["ward_code"].dropna()) <= set(boundaries.wards()["ward_code"])
    assert set(placed["la_code"].dropna()) <= set(boundaries.las()["la_code"])
    assert geography.school_wards is school_wards


@pytest.mark.parametrize("urn", list(HAND_CHECKED))
def test_hand_checked_schools(placed, urn):
    easting, northing, ward, la = HAND_CHECKED[urn]
    point = school_points().set_index("urn").loc[urn]
    assert (point["easting"], point["northing"]) == (easting, northing)
    row = placed.set_index("urn").loc[urn]
    assert (row["ward_code"], row["la_code"]) == (ward, la)


def test_la_is_the_upper_tier_parent_of_the_ward(placed):
    parents = boundaries.ward_lookup().set_index("ward_code")["la_code"]
    matched = placed.dropna(subset=["ward_code"])
    assert (matched["ward_code"].map(parents) == matched["la_code"]).all()


def test_unmatched_schools_are_reported_not_dropped(placed):
    lost = unmatched_schools()
    assert sorted(placed.attrs["unmatched"]) == sorted(lost["urn"])
    assert placed.set_index("urn").loc[lost["urn"], "ward_code"].isna().all()
    # All lie just off a generalised coastline or river bank: the nearest ward is close.
    assert 0 < len(lost) < 50
    assert (lost["distance_m"] < 500).all() and lost["nearest_ward_code"].notna().all()
    # Ormiston Bridge Academy, by the Thames in Hammersmith and Fulham: in no raw ward either.
    row = lost.set_index("urn").loc["139509"]
    assert row["census_la_code"] == "E09000013" and row["nearest_ward_code"] == "E05013744"
    assert placed.set_index("urn").loc["139509", "la_code"] == "E09000013"
    assert set(unmatched_schools("E09000013")["urn"]) == {"139509"}


def test_school_areas_add_sub_icb_locations():
    areas = school_areas()
    assert list(areas.columns) == ["urn", "ward_code", "la_code", "sub_icb_code"]
    # Bradford's schools are in NHS West Yorkshire ICB's Bradford District and Craven location.
    bradford = areas[areas["la_code"] == "E08000032"]
    assert (bradford["sub_icb_code"] == "E38000232").mean() > 0.99


def test_importing_area_codes_stays_light():
    code = "import sys, geography.areas; print('geopandas' in sys.modules)"
    out = fresh_python_prints(code)
    assert out.strip() == "False"


@pytest.mark.parametrize("la", ["E08000032", "E06000053", "E09000001"])
def test_one_las_points_are_those_school_areas_place_in_it(la):
    every = school_points()
    areas = school_areas()
    own = every[every["urn"].isin(areas.loc[areas["la_code"] == la, "urn"])]
    mine = school_points(la)
    pd.testing.assert_frame_equal(
        pd.DataFrame(mine.drop(columns="geometry")),
        pd.DataFrame(own.drop(columns="geometry")).reset_index(drop=True),
    )
    assert mine.geometry.equals(own.geometry.reset_index(drop=True)) and mine.crs == every.crs
    assert len(mine) == (areas["la_code"] == la).sum() > 0


def test_unmatched_schools_are_kept_in_the_data_cache(tmp_path, monkeypatch):
    # Finding the nearest ward needs every ward and school: done once, then read back.
    from geography import schools

    monkeypatch.setenv("SEND_LENS_CACHE_DIR", str(tmp_path))
    schools._school_areas.cache_clear()
    schools._unmatched.cache_clear()
    try:
        built = unmatched_schools()
        schools._unmatched.cache_clear()

        def not_again():
            raise AssertionError("the nearest wards were found again instead of read back")

        monkeypatch.setattr(schools, "_find_unmatched", not_again)
        read_back = unmatched_schools()
    finally:
        schools._school_areas.cache_clear()
        schools._unmatched.cache_clear()
    assert len(list(tmp_path.glob("unmatched_schools-*.parquet"))) == 1
    pd.testing.assert_frame_equal(built, read_back)
    assert read_back.set_index("urn").loc["139509", "nearest_ward_code"] == "E05013744"
