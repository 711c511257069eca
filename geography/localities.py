"""An area's own localities (family hub areas, CCG localities, ...) drawn from its wards.

Localities have no national boundary file: an area uploads a ward-to-locality lookup
(``locality_lookup``) and each locality is drawn as the union of its wards. The shipped
wards are one simplified coverage, so the union of neighbouring wards has no slivers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely

from geography import boundaries


@dataclass(frozen=True)
class Localities:
    """Locality shapes (EPSG:27700: ``code``, ``name``, ``wards``, ``geometry``), which
    locality each ward is in, and the lookup's wards that could not be drawn."""

    shapes: gpd.GeoDataFrame
    ward_localities: dict[str, str]
    unknown_wards: list[str] = field(default_factory=list)  # no December 2023 ward has the code
    other_la_wards: list[str] = field(default_factory=list)  # a ward of another LA
    uncovered_wards: list[str] = field(default_factory=list)  # the LA's wards the lookup leaves out

    def code_of(self, text: str) -> str | None:
        """The locality a KPI return means by ``text``: its code or its name, any case."""
        wanted = str(text).strip().casefold()
        for code, name in zip(self.shapes["code"], self.shapes["name"]):
            if wanted in (str(code).casefold(), str(name).casefold()):
                return str(code)
        return None

    def names(self) -> dict[str, str]:
        return dict(zip(self.shapes["code"].astype(str), self.shapes["name"].astype(str)))


def localities(lookup: pd.DataFrame, la_code: str) -> Localities:
    """The localities of ``la_code`` from an uploaded ward-to-locality lookup.

    ``lookup`` has ``ward_code`` and ``locality``, optionally ``locality_code`` (else the name
    is the code). Wards are matched to the shipped December 2023 wards of ``la_code``.
    """
    own = boundaries.wards(la_code)
    every_ward = set(boundaries.ward_lookup()["ward_code"])
    table = lookup.assign(
        ward_code=lookup["ward_code"].astype("string").str.strip().str.upper(),
        name=lookup["locality"].astype("string").str.strip(),
    )
    given = (
        table["locality_code"].astype("string").str.strip() if "locality_code" in table else None
    )
    table["code"] = (
        table["name"]
        if given is None
        else given.fillna(table["name"]).mask(given == "", table["name"])
    )
    table = table.dropna(subset=["ward_code", "code"]).drop_duplicates("ward_code")
    mine = table["ward_code"].isin(own["ward_code"])
    unknown = sorted(set(table.loc[~mine, "ward_code"]) - every_ward)
    other = sorted(set(table.loc[~mine, "ward_code"]) & every_ward)
    table = table[mine]
    joined = own.merge(table[["ward_code", "code", "name"]], on="ward_code", how="inner")
    shapes = [
        {
            "code": str(code),
            "name": str(group["name"].iloc[0]),
            "wards": len(group),
            "geometry": shapely.coverage_union_all(group.geometry.values),
        }
        for code, group in joined.groupby("code", sort=True)
    ]
    frame = gpd.GeoDataFrame(
        shapes,
        columns=["code", "name", "wards", "geometry"],
        geometry="geometry",
        crs=boundaries.BNG,
    )
    return Localities(
        shapes=frame,
        ward_localities=dict(zip(table["ward_code"], table["code"].astype(str))),
        unknown_wards=unknown,
        other_la_wards=other,
        uncovered_wards=sorted(set(own["ward_code"]) - set(table["ward_code"])),
    )
