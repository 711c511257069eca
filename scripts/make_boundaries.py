"""Write the shipped boundaries and geography lookups to data/geography/ from ONS's files.

Run from the repository root: ``python scripts/make_boundaries.py [--raw DIR]``. ``DIR`` is
the folder of raw ONS downloads (default ``../shared/data/raw/geography``, see the raw
``SOURCES.md``). Output, all in British National Grid (EPSG:27700):

* ``data/geography/{las,regions,wards,sub_icbs,icbs}.parquet``: GeoParquet, code and name
  columns only (wards also carry their district and upper-tier LA);
* ``data/geography/lookups/ward_la.csv``: ward (December 2023) to district and LA;
* ``data/geography/lookups/sub_icb_icb.csv``: sub-ICB location to ICB (April 2023);
* ``data/geography/lookups/la_sub_icb.csv``: which sub-ICB locations each LA overlaps.

Simplification is ``shapely.coverage_simplify`` (GEOS's coverage simplifier, Visvalingam-
Whyatt on the shared edges of the whole layer at once), so neighbouring polygons keep
identical borders: no gaps, no overlaps. The ONS ward file has one border (two Dorset
wards near Wareham) whose sides disagree by a vertex, which makes it an invalid coverage;
that layer is snapped to the finest grid (here 1 m) that makes the two sides agree first.
"""

from __future__ import annotations

import argparse
import gzip
import io
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from geography.areas import current_codes

OUT = ROOT / "data" / "geography"
BNG = "EPSG:27700"
# Grids tried, finest first, to repair a layer whose shared borders disagree: even 1 m is far
# finer than the 200-500 m generalisation of the sources.
GRIDS_M = (0.001, 0.01, 0.1, 1.0)

# layer -> (raw file, {raw column: our column}, tolerance in metres for coverage_simplify)
# Tolerances: the sources are already generalised (BSC 200 m, BUC 500 m), so these remove
# only vertices that cannot be seen below street-scale zoom, and keep every file small.
LAYERS: dict[str, tuple[str, dict[str, str], float]] = {
    "las": (
        "ctyua_may2023_buc/CTYUA_MAY_2023_UK_BUC.shp",
        {"CTYUA23CD": "la_code", "CTYUA23NM": "la_name"},
        100.0,
    ),
    "regions": (
        "ons_boundaries_bsc/Regions_December_2023_Boundaries_EN_BUC_1958740832896680092.geo.json.gz",
        {"RGN23CD": "region_code", "RGN23NM": "region_name"},
        100.0,
    ),
    "wards": (
        "wards_dec2023_bsc/Wards_December_2023_Boundaries_UK_BSC_England.geojson.gz",
        {"WD23CD": "ward_code", "WD23NM": "ward_name", "LAD23CD": "lad_code"},
        100.0,
    ),
    "sub_icbs": (
        "ons_boundaries_bsc/NHS_SubICB_April_2023_EN_BSC_8040841744469859785.geo.json.gz",
        {"SICBL23CD": "sub_icb_code", "SICBL23NM": "sub_icb_name"},
        100.0,
    ),
    "icbs": (
        "ons_boundaries_bsc/Integrated_Care_Boards_April_2023_EN_BSC_-187828753279616787.geo.json.gz",
        {"ICB23CD": "icb_code", "ICB23NM": "icb_name"},
        100.0,
    ),
}
WARD_LAD = (
    "lookups/Ward_to_Local_Authority_District_(December_2023)_Lookup_in_the_United_Kingdom.csv.gz"
)
LTLA_UTLA = "lookups/lookup_ltla23_utla23.csv"
LTLA22_23 = "lookups/lookup_ltla22_ltla23.csv"
LSOA_SICB = "lookups/lookup_lsoa11_sicbl22_icb22_ltla22.csv.gz"
SICB_ICB_2022 = (
    "lookups/Sub_ICB_Locations_to_Integrated_Care_Boards_to_NHS_England_(Region)_"
    "(July_2022)_Lookup_in_England.csv"
)
# Sub-ICB locations recoded in April 2023 when Surrey Heath moved from Frimley to Surrey
# Heartlands ICB: the 2022 LSOA lookup still uses the old codes.
SICB_RECODE = {"E38000246": "E38000264", "E38000248": "E38000265"}


def read_layer(raw: Path, name: str) -> gpd.GeoDataFrame:
    path = raw / name
    if path.suffix == ".gz":
        with gzip.open(path) as fh:
            return gpd.read_file(io.BytesIO(fh.read()))
    return gpd.read_file(path)


def simplify_coverage(frame: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify every polygon of the layer together, in British National Grid (27700).

    A layer that is not a valid coverage is first snapped to the finest grid that makes it
    one; snapping a valid layer is avoided, because rounding each polygon on its own can
    pull a narrow neck apart on one side of a border and not the other.
    """
    assert frame.crs.to_epsg() == 27700, "simplify in British National Grid, not degrees"
    geoms = frame.geometry.values
    for grid in GRIDS_M:
        if shapely.coverage_is_valid(geoms):
            break
        geoms = shapely.set_precision(frame.geometry.values, grid)
    if not shapely.coverage_is_valid(geoms):
        raise ValueError("layer is not a valid coverage even on a 1 m grid")
    simplified = shapely.coverage_simplify(geoms, tolerance)
    if not shapely.coverage_is_valid(simplified) or not shapely.is_valid(simplified).all():
        raise ValueError("simplified layer is not a valid coverage")
    out = frame.copy()
    out.geometry = simplified
    return out


def build_layer(raw: Path, key: str) -> gpd.GeoDataFrame:
    file, columns, tolerance = LAYERS[key]
    frame = read_layer(raw, file).to_crs(BNG)
    first_code = next(iter(columns))
    frame = frame[frame[first_code].str.startswith("E")]  # England only
    frame = frame[[*columns, "geometry"]].rename(columns=columns)
    frame = simplify_coverage(frame, tolerance)
    return frame.sort_values(frame.columns[0]).reset_index(drop=True)


def ward_lookup(raw: Path, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    """Ward (Dec 2023) -> district (LAD 2023) -> upper-tier LA (today's code)."""
    lad = pd.read_csv(raw / WARD_LAD, encoding="utf-8-sig", dtype=str)
    utla = pd.read_csv(raw / LTLA_UTLA, dtype=str)
    out = wards[["ward_code", "ward_name"]].merge(
        lad[["WD23CD", "LAD23CD", "LAD23NM"]].rename(
            columns={"WD23CD": "ward_code", "LAD23CD": "lad_code", "LAD23NM": "lad_name"}
        ),
        on="ward_code",
        how="left",
        validate="one_to_one",
    )
    out = out.merge(
        utla.rename(
            columns={"ltla23_code": "lad_code", "utla23_code": "la_code", "utla23_name": "la_name"}
        )[["lad_code", "la_code", "la_name"]],
        on="lad_code",
        how="left",
        validate="many_to_one",
    )
    out["la_code"] = current_codes(out["la_code"])
    if out[["lad_code", "la_code"]].isna().any().any():
        raise ValueError("wards without a district or LA in the ONS lookups")
    return out


def sub_icb_lookup(raw: Path, sub_icbs: gpd.GeoDataFrame, icbs: gpd.GeoDataFrame) -> pd.DataFrame:
    """Sub-ICB location -> ICB by largest overlap of the April 2023 boundaries (27700).

    The ONS lookup in the raw data is July 2022; two sub-ICBs and two ICBs were recoded in
    April 2023, so the pairing is taken from the boundaries and checked against it.
    """
    pieces = gpd.overlay(sub_icbs, icbs, how="intersection", keep_geom_type=True)
    pieces["area"] = pieces.geometry.area
    best = pieces.sort_values("area").drop_duplicates("sub_icb_code", keep="last")
    out = best[["sub_icb_code", "sub_icb_name", "icb_code", "icb_name"]].sort_values("sub_icb_code")
    old = pd.read_csv(raw / SICB_ICB_2022, encoding="utf-8-sig", dtype=str)
    check = out.merge(old, left_on="sub_icb_code", right_on="SICBL22CD")
    changed = check[check["icb_code"] != check["ICB22CD"]]
    if len(check) < 100 or len(changed) > 4:
        raise ValueError(f"sub-ICB to ICB pairs disagree with the 2022 lookup: {changed}")
    return out.reset_index(drop=True)


def la_sub_icb_overlaps(
    raw: Path, wards: gpd.GeoDataFrame, sub_icbs: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Which sub-ICB locations each LA overlaps, with two measures of how much.

    ``lsoa_share``: share of the LA's 2011 LSOAs in the sub-ICB (ONS LSOA11 -> SICBL22 ->
    LAD22 lookup, districts rolled up to today's LAs, 2022 sub-ICB codes recoded to 2023).
    ``area_share``: share of the LA's area inside the April 2023 sub-ICB boundary (27700),
    which sees the April 2023 changes the 2022 lookup cannot. The LA's shape here is the
    union of its wards: those and the sub-ICBs are both ONS's 200 m generalisations, so
    false slivers stay under 2% (against the 500 m LA file they reach 7%). A pair is kept
    when it shares an LSOA or at least 2% of the LA's area.
    """
    lsoa = pd.read_csv(raw / LSOA_SICB, dtype=str)
    l22 = pd.read_csv(raw / LTLA22_23, dtype=str)
    utla = pd.read_csv(raw / LTLA_UTLA, dtype=str)
    lsoa["lad23"] = lsoa["ltla22_code"].map(dict(zip(l22["ltla22_code"], l22["ltla23_code"])))
    lsoa["la_code"] = current_codes(
        lsoa["lad23"].map(dict(zip(utla["ltla23_code"], utla["utla23_code"])))
    )
    lsoa["sub_icb_code"] = lsoa["sicbl22_code"].replace(SICB_RECODE)
    counts = lsoa.groupby(["la_code", "sub_icb_code"]).size().rename("lsoas").reset_index()
    counts["lsoa_share"] = counts["lsoas"] / counts.groupby("la_code")["lsoas"].transform("sum")

    las = wards[["la_code", "geometry"]].dissolve("la_code").reset_index()
    pieces = gpd.overlay(
        las, sub_icbs[["sub_icb_code", "geometry"]], how="intersection", keep_geom_type=True
    )
    la_area = las.set_index("la_code").geometry.area
    pieces["area_share"] = (
        pieces.geometry.area.to_numpy() / la_area.reindex(pieces["la_code"]).to_numpy()
    )
    areas = pd.DataFrame(pieces[["la_code", "sub_icb_code", "area_share"]])

    out = areas.merge(counts, on=["la_code", "sub_icb_code"], how="outer")
    out["lsoas"] = out["lsoas"].fillna(0).astype(int)
    out["lsoa_share"] = out["lsoa_share"].fillna(0.0)
    out["area_share"] = out["area_share"].fillna(0.0)
    out = out[(out["area_share"] >= 0.02) | (out["lsoas"] > 0)]
    out["lsoa_share"] = out["lsoa_share"].round(4)
    out["area_share"] = out["area_share"].round(4)
    return out.sort_values(["la_code", "sub_icb_code"]).reset_index(drop=True)


def write_parquet(frame: gpd.GeoDataFrame, path: Path) -> None:
    frame.to_parquet(path, compression="zstd", index=False, geometry_encoding="WKB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, default=ROOT.parent / "shared/data/raw/geography")
    args = parser.parse_args()
    (OUT / "lookups").mkdir(parents=True, exist_ok=True)

    layers = {key: build_layer(args.raw, key) for key in LAYERS}
    wards = ward_lookup(args.raw, layers["wards"])
    layers["wards"] = (
        layers["wards"]
        .drop(columns="lad_code")
        .merge(wards[["ward_code", "lad_code", "la_code"]], on="ward_code", validate="one_to_one")[
            ["ward_code", "ward_name", "lad_code", "la_code", "geometry"]
        ]
    )
    if len(layers["las"]) != 153 or len(layers["wards"]) != 6862:
        raise ValueError("expected 153 English LAs and 6,862 English wards")
    if set(wards["la_code"]) != set(layers["las"]["la_code"]):
        raise ValueError("ward parents and the LA layer disagree")

    for key, frame in layers.items():
        write_parquet(frame, OUT / f"{key}.parquet")
    wards.to_csv(OUT / "lookups/ward_la.csv", index=False)
    sub_icb_lookup(args.raw, layers["sub_icbs"], layers["icbs"]).to_csv(
        OUT / "lookups/sub_icb_icb.csv", index=False
    )
    la_sub_icb_overlaps(args.raw, layers["wards"], layers["sub_icbs"]).to_csv(
        OUT / "lookups/la_sub_icb.csv", index=False
    )

    total = 0
    for path in sorted(OUT.rglob("*.*")):
        size = path.stat().st_size
        total += size
        extra = ""
        if path.suffix == ".parquet":
            frame = gpd.read_parquet(path)
            extra = f"{len(frame):>6,} features {int(shapely.count_coordinates(frame.geometry.values)):>8,} vertices"
        print(f"{path.relative_to(ROOT)}: {size / 1024:8.1f} KB {extra}")
    print(f"total: {total / 1024 / 1024:.2f} MB")


if __name__ == "__main__":
    main()
