"""Ready shapes for a map: the areas of one level, in British National Grid (EPSG:27700),
with their names.

A council's own map shows its schools, its wards or the sub-ICB locations that overlap it;
the England map shows every area of a level, simplified (a pixel is about a kilometre
there). Schools are points and carry their pupils on roll, so a map can size them.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from geography import boundaries
from geography import schools as geo_schools
from geography.localities import Localities

CODE_COLUMNS = {"ward": "ward_code", "sub_icb": "sub_icb_code", "la": "la_code"}
ENGLAND_TOLERANCE_M = 1000.0  # whole-England views: a pixel is about a kilometre


@dataclass(frozen=True)
class MapShapes:
    shapes: gpd.GeoDataFrame  # code, geometry in EPSG:27700 (and pupils, for schools)
    names: dict[str, str]  # code -> name

    @property
    def codes(self) -> list[str]:
        return self.shapes["code"].astype(str).tolist()


def map_layers(
    level: str, area: str, england: bool = False, localities: Localities | None = None
) -> MapShapes:
    """The shapes of ``level`` for the LA ``area`` (or all England), in EPSG:27700.

    ``level`` is one of school, ward, sub_icb, la or locality (the area's own localities,
    drawn from its ward-to-locality lookup, which must then be given). Schools are mapped one
    LA at a time: all 23,565 would be an 8 MB map.
    """
    if level == "school":
        points = geo_schools.school_points(area)
        shapes = points.rename(columns={"urn": "code"})[["code", "pupils", "geometry"]]
        names = dict(zip(shapes["code"].astype(str), points["name"].fillna("").astype(str)))
    elif level == "la":
        shapes = boundaries.las().rename(columns={"la_code": "code"})[["code", "geometry"]]
        names = boundaries.names("la")
    elif level == "locality":
        if localities is None:
            raise ValueError("a locality map needs the area's ward-to-locality lookup")
        shapes, names = localities.shapes[["code", "geometry"]], localities.names()
    elif level in CODE_COLUMNS:
        if england:
            source = boundaries.simplified(level, ENGLAND_TOLERANCE_M)
        elif level == "ward":
            source = boundaries.wards(area)
        else:
            source = boundaries.layer(level)
            source = source[
                source["sub_icb_code"].isin(boundaries.la_sub_icbs(area)["sub_icb_code"])
            ]
        shapes = source.rename(columns={CODE_COLUMNS[level]: "code"})[["code", "geometry"]]
        names = boundaries.names(level)
    else:
        raise ValueError(f"no map level {level!r}")
    return MapShapes(shapes.reset_index(drop=True), names)
