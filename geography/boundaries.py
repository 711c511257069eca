"""Shipped ONS boundaries and geography lookups, in British National Grid (EPSG:27700).

Layers (``data/geography/*.parquet``, written by ``scripts/make_boundaries.py``):

* ``la``: the 153 upper-tier local authorities (CTYUA May 2023, BUC), ``la_code``, ``la_name``;
* ``region``: the 9 English regions, ``region_code``, ``region_name``;
* ``ward``: the 6,862 English wards of December 2023, ``ward_code``, ``ward_name``,
  ``lad_code`` (district) and ``la_code`` (upper-tier LA);
* ``sub_icb``: the 106 sub-ICB locations of April 2023 (the former CCGs), ``sub_icb_code``,
  ``sub_icb_name``;
* ``icb``: the 42 integrated care boards of April 2023, ``icb_code``, ``icb_name``.

All geometry work happens in EPSG:27700 (metres); ``to_wgs84`` is the last step, for
drawing. Loaded layers are cached: callers get a copy, so they may add columns freely. The
ward layer is the exception: held whole it was 11 MB of every server that drew one area's
map, so ``wards(la_code)`` reads and keeps only that area's rows, and the whole layer is read
afresh when asked for (the England map keeps only its simplified copy).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

DATA = Path(__file__).resolve().parent.parent / "data" / "geography"
BNG = "EPSG:27700"
WGS84 = "EPSG:4326"

LAYERS: dict[str, str] = {
    "la": "las.parquet",
    "region": "regions.parquet",
    "ward": "wards.parquet",
    "sub_icb": "sub_icbs.parquet",
    "icb": "icbs.parquet",
}
# Code and name columns of each layer.
KEYS: dict[str, tuple[str, str]] = {
    "la": ("la_code", "la_name"),
    "region": ("region_code", "region_name"),
    "ward": ("ward_code", "ward_name"),
    "sub_icb": ("sub_icb_code", "sub_icb_name"),
    "icb": ("icb_code", "icb_name"),
}


# Layers read whole once and kept; the ward layer is not (see the module's docstring).
KEPT = frozenset(LAYERS) - {"ward"}
# One area's wards are kept for this many areas (Bradford's 30 wards are about 0.2 MB).
AREAS_KEPT = 16


def _read_file(level: str, filters: list[tuple[str, str, str]] | None = None) -> gpd.GeoDataFrame:
    if level not in LAYERS:
        raise KeyError(f"no boundary layer {level!r}; choose from {sorted(LAYERS)}")
    frame = gpd.read_parquet(DATA / LAYERS[level], filters=filters, use_threads=False)
    if frame.crs is None or frame.crs.to_epsg() != 27700:
        raise ValueError(f"{LAYERS[level]} must be in EPSG:27700, found {frame.crs}")
    return frame


@lru_cache(maxsize=len(KEPT))
def _read(level: str) -> gpd.GeoDataFrame:
    return _read_file(level)


def layer(level: str) -> gpd.GeoDataFrame:
    """One boundary layer in EPSG:27700 (a copy: the cached frame is never handed out)."""
    return _read(level).copy() if level in KEPT else _read_file(level)


def las() -> gpd.GeoDataFrame:
    return layer("la")


def wards(la_code: str | None = None) -> gpd.GeoDataFrame:
    """English wards (EPSG:27700), optionally only those of one upper-tier LA."""
    if la_code is None:
        return layer("ward")
    return _area_wards(la_code).copy()


@lru_cache(maxsize=AREAS_KEPT)
def _area_wards(la_code: str) -> gpd.GeoDataFrame:
    # Arrow filters the rows before their geometries are made: only the area's are built.
    return _read_file("ward", filters=[("la_code", "==", la_code)]).reset_index(drop=True)


def sub_icbs(codes: list[str] | None = None) -> gpd.GeoDataFrame:
    frame = layer("sub_icb")
    if codes is not None:
        frame = frame[frame["sub_icb_code"].isin(codes)].reset_index(drop=True)
    return frame


@lru_cache(maxsize=32)
def la_outline(la_code: str) -> shapely.Geometry:
    """The LA's boundary (EPSG:27700) as the union of its wards.

    Built from the wards rather than taken from the LA layer so that, drawn over a ward map,
    it runs exactly along the ward edges (the LA file is generalised separately, to 500 m).
    """
    own = wards(la_code)
    if own.empty:
        raise KeyError(f"no wards for LA {la_code!r}")
    return shapely.coverage_union_all(own.geometry.values)


@lru_cache(maxsize=4)
def simplified(level: str, tolerance_m: float) -> gpd.GeoDataFrame:
    """A layer simplified further as one coverage (EPSG:27700), for whole-England views.

    ``shapely.coverage_simplify`` keeps shared borders identical, so neighbours still meet.
    """
    frame = layer(level)
    frame.geometry = shapely.coverage_simplify(frame.geometry.values, tolerance_m)
    return frame


def to_wgs84(frame: gpd.GeoDataFrame, decimals: int = 5) -> gpd.GeoDataFrame:
    """Reproject to WGS84 longitude/latitude for drawing, rounding coordinates.

    Five decimals of a degree are about a metre: finer than the generalised boundaries and
    a third shorter in the map's JSON than full precision.
    """
    if frame.crs is None:
        raise ValueError("frame has no CRS; boundaries here are EPSG:27700")
    out = frame.to_crs(WGS84)
    out.geometry = shapely.transform(out.geometry.values, lambda xy: np.round(xy, decimals))
    return out


def geometry_to_wgs84(geometry: shapely.Geometry, decimals: int = 5) -> shapely.Geometry:
    """One EPSG:27700 geometry to rounded WGS84 (for an outline drawn over the map)."""
    frame = gpd.GeoDataFrame(geometry=[geometry], crs=BNG)
    return to_wgs84(frame, decimals).geometry.iloc[0]


def ward_lookup() -> pd.DataFrame:
    """Ward (December 2023) to district and upper-tier LA: ward_code, ward_name, lad_code,
    lad_name, la_code, la_name."""
    return _lookup_copy("ward_la.csv")


def sub_icb_lookup() -> pd.DataFrame:
    """Sub-ICB location to ICB (April 2023): sub_icb_code, sub_icb_name, icb_code, icb_name."""
    return _lookup_copy("sub_icb_icb.csv")


def la_sub_icbs(la_code: str | None = None) -> pd.DataFrame:
    """Which sub-ICB locations each LA overlaps: la_code, sub_icb_code, area_share, lsoas,
    lsoa_share (shares of the LA), largest overlap first."""
    frame = _lookup_copy("la_sub_icb.csv")
    for col in ("area_share", "lsoa_share"):
        frame[col] = frame[col].astype(float)
    frame["lsoas"] = frame["lsoas"].astype(int)
    if la_code is not None:
        frame = frame[frame["la_code"] == la_code]
    return frame.sort_values(["la_code", "area_share"], ascending=[True, False]).reset_index(
        drop=True
    )


def _lookup_copy(name: str) -> pd.DataFrame:
    # lru_cache on a str-keyed helper keeps one read per file; copies keep it unchanged.
    return _cached_lookup(name).copy()


@lru_cache(maxsize=4)
def _cached_lookup(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / "lookups" / name, dtype=str)


def names(level: str) -> dict[str, str]:
    """Code to name for every area of a layer."""
    return dict(_names(level))


@lru_cache(maxsize=len(LAYERS))
def _names(level: str) -> tuple[tuple[str, str], ...]:
    # The two columns alone: the ward layer's geometries are not read for its names.
    if level not in LAYERS:
        raise KeyError(f"no boundary layer {level!r}; choose from {sorted(LAYERS)}")
    code, name = KEYS[level]
    frame = pd.read_parquet(DATA / LAYERS[level], columns=[code, name])
    return tuple(zip(frame[code], frame[name]))
