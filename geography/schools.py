"""Schools as points in British National Grid (EPSG:27700), and the ward, LA and sub-ICB
location each one falls in.

The points come from ``geography.school_register.school_register()``: every school in the
January 2024 census with GIAS easting and northing. Point-in-polygon is done in EPSG:27700
against the shipped (generalised) boundaries. A school on the coast or an estuary can fall
just outside a generalised ward; it is reported by ``unmatched_schools`` with the nearest
ward and how far away it is, and is never silently dropped or moved.

The LA of a school is the upper-tier LA of its ward (so ward totals add up to the LA's);
a school in no ward gets the LA whose generalised polygon it falls in, if any.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import pandas as pd

from geography import boundaries
from geography.derived_cache import cached_frame, source_key
from geography.school_register import SOURCES, school_register

BNG = boundaries.BNG


# One LA's school points are kept for this many LAs; all of England's 24,000 points held 10 MB
# in every server that drew one area's map, so they are made only to build the derived files.
AREAS_KEPT = 16


def _as_points(register: pd.DataFrame) -> gpd.GeoDataFrame:
    located = register[register["easting"].notna() & register["northing"].notna()]
    return gpd.GeoDataFrame(
        located.rename(columns={"la_code": "census_la_code"}).reset_index(drop=True),
        geometry=gpd.points_from_xy(located["easting"], located["northing"]),
        crs=BNG,
    )


def _points() -> gpd.GeoDataFrame:
    return _as_points(school_register())


@lru_cache(maxsize=AREAS_KEPT)
def _la_points(la_code: str) -> gpd.GeoDataFrame:
    located = _school_areas()
    register = school_register()
    return _as_points(
        register[register["urn"].isin(located.loc[located["la_code"] == la_code, "urn"])]
    )


def school_points(la_code: str | None = None) -> gpd.GeoDataFrame:
    """Every census school with coordinates, as points in EPSG:27700; with ``la_code``, only
    the schools ``school_areas`` places in that LA (by the ward they fall in), in the same order.

    Columns: urn, census_la_code (the LA DfE records), dfe_la, name, school_type, pupils,
    easting, northing, geometry.
    """
    return _points() if la_code is None else _la_points(la_code).copy()


def _within(points: gpd.GeoDataFrame, level: str) -> pd.Series:
    """The code of the ``level`` polygon each point lies within (NA if none), in 27700."""
    code = boundaries.KEYS[level][0]
    polygons = boundaries.layer(level)[[code, "geometry"]]
    joined = gpd.sjoin(points[["urn", "geometry"]], polygons, how="left", predicate="within")
    # Generalised polygons do not overlap, so each point has at most one match; keep the
    # first in case a point sits exactly on a shared vertex.
    joined = joined.drop_duplicates("urn")
    return joined.set_index("urn")[code].astype("string")


@lru_cache(maxsize=1)
def _school_areas() -> pd.DataFrame:
    # The register's sources and the boundaries the points are joined to.
    key = source_key((*SOURCES, boundaries.DATA))
    return cached_frame("school_areas", key, _locate_schools)


def _locate_schools() -> pd.DataFrame:
    points = _points()
    ward = _within(points, "ward")
    la_of_ward = boundaries.ward_lookup().set_index("ward_code")["la_code"]
    la = ward.map(la_of_ward).astype("string")
    no_ward = la.isna()
    if no_ward.any():
        la_direct = _within(points[points["urn"].isin(la.index[no_ward])], "la")
        la = la.fillna(la_direct)
    sub_icb = _within(points, "sub_icb")
    out = pd.DataFrame(
        {
            "urn": points["urn"].astype("string").to_numpy(),
            "ward_code": ward.reindex(points["urn"]).to_numpy(),
            "la_code": la.reindex(points["urn"]).to_numpy(),
            "sub_icb_code": sub_icb.reindex(points["urn"]).to_numpy(),
        }
    )
    for col in ("ward_code", "la_code", "sub_icb_code"):
        out[col] = out[col].astype("string")
    return out


def school_areas() -> pd.DataFrame:
    """urn, ward_code, la_code, sub_icb_code for every school with coordinates.

    Codes are December 2023 wards, today's upper-tier LAs and April 2023 sub-ICB locations;
    a code is missing (NA) where the school lies outside every generalised polygon.
    """
    return _school_areas().copy()


def school_wards() -> pd.DataFrame:
    """urn, ward_code, la_code: the ward (December 2023) and LA each school with coordinates
    falls in, by point-in-polygon in EPSG:27700.

    Schools in no ward are kept with ward_code NA; their URNs are in ``attrs["unmatched"]``
    and ``unmatched_schools()`` says where they are.
    """
    out = _school_areas()[["urn", "ward_code", "la_code"]].copy()
    out.attrs["unmatched"] = out.loc[out["ward_code"].isna(), "urn"].tolist()
    return out


@lru_cache(maxsize=1)
def _unmatched() -> pd.DataFrame:
    # Kept in the data cache: finding the nearest ward needs every ward and every school,
    # 20 MB that the Map page held in each server for a dozen rows.
    key = source_key((*SOURCES, boundaries.DATA))
    return cached_frame("unmatched_schools", key, _find_unmatched)


def _find_unmatched() -> pd.DataFrame:
    areas = _school_areas()
    lost = areas[areas["ward_code"].isna()]["urn"]
    points = _points()
    points = points[points["urn"].isin(set(lost))]
    columns = [
        "urn",
        "name",
        "census_la_code",
        "easting",
        "northing",
        "nearest_ward_code",
        "distance_m",
    ]
    if points.empty:
        return pd.DataFrame(columns=columns)
    wards = boundaries.layer("ward")[["ward_code", "geometry"]]
    near = gpd.sjoin_nearest(points, wards, how="left", distance_col="distance_m")
    near = near.drop_duplicates("urn").rename(columns={"ward_code": "nearest_ward_code"})
    near["distance_m"] = near["distance_m"].round(0)
    return pd.DataFrame(near[columns]).reset_index(drop=True)


def unmatched_schools(la_code: str | None = None) -> pd.DataFrame:
    """Schools with coordinates that fall in no ward: urn, name, census_la_code, easting,
    northing, nearest_ward_code, distance_m (EPSG:27700 metres). Optionally for one LA (by
    the LA DfE records for the school)."""
    out = _unmatched().copy()
    if la_code is not None:
        out = out[out["census_la_code"] == la_code].reset_index(drop=True)
    return out
