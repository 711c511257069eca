"""DfE "Special educational needs in England" (January school census) as tidy rows.

Nothing is shipped for this publication: ``python -m data_loaders.refresh.command`` fetches it into
``data/refreshed/sen_in_england/``, and until then this loader returns an empty table.

Two files are read, in either of the shapes DfE has published (column names checked on stored
copies of the EES data catalogue, e.g. data sets bd752797 and 338ca34e (phase type, 2024/25
and "2026 format"), ba8c091f and ccf14a1e (NC year), d20897c2 (2023/24)):
- ``phase_type`` ("Pupils in all schools, by type of SEN provision"): filters
  ``phase_type_grouping``, ``type_of_establishment`` or ``establishment_type``,
  ``hospital_school``; counts either wide (``total_pupils``, ``sen_support``, ``ehc_plan``, to
  the 2024/25 release) or long (``sen_provision`` + ``pupil_count``, the "2026 format").
- ``primary_need`` ("NC year by type of SEN provision and type of need"): filters
  ``phase_type_grouping``, ``sen_provision`` (earlier ``sen_status``, ``pupil_sen_status``) and
  ``sen_primary_need`` (earlier ``primary_need``); count ``total_pupil_count`` (earlier
  ``number_of_pupils``).
Only the all-phases, all-school-types totals are kept: national, regional and LA rows. The
phase type file counts independent schools; the NC year file (so the primary need indicators)
does not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import tidy
from geography.areas import ENGLAND, current_codes, dfe_number_to_code

DATA = Path(__file__).resolve().parents[2] / "data"
FOLDER = DATA / "refreshed/sen_in_england"
SOURCE = "sen_in_england"

EHC, SUPPORT, ALL_SEN, ALL_PUPILS = "EHC plan", "SEN support", "All SEN", "All pupils"
# DfE's provision labels over the years, lower-cased; "No identified SEN" and others are dropped.
PROVISIONS = {
    "education, health and care plan": EHC,
    "ehc plan": EHC,
    "ehc plan or statement": EHC,
    "statement or ehc plan": EHC,
    "sen with a statement or ehc plan": EHC,
    "sen support / sen without an ehc plan": SUPPORT,
    "sen support": SUPPORT,
    "sen no statement or ehc": SUPPORT,
    "all sen provision": ALL_SEN,
    "all sen": ALL_SEN,
    "total": ALL_PUPILS,
    "all pupils": ALL_PUPILS,
}
# One spelling per need: DfE capitalised them differently before the 2026 format.
NEEDS = {
    "autistic spectrum disorder": "Autistic spectrum disorder",
    "down syndrome": "Down syndrome",
    "hearing impairment": "Hearing impairment",
    "moderate learning difficulty": "Moderate learning difficulty",
    "multi-sensory impairment": "Multi-sensory impairment",
    "other difficulty/disability": "Other difficulty or disability",
    "other difficulty / disability": "Other difficulty or disability",
    "physical disability": "Physical disability",
    "profound & multiple learning difficulty": "Profound and multiple learning difficulty",
    "profound and multiple learning difficulty": "Profound and multiple learning difficulty",
    "social, emotional and mental health": "Social, emotional and mental health",
    "speech, language and communications needs": "Speech, language and communication needs",
    "speech, language and communication needs": "Speech, language and communication needs",
    "severe learning difficulty": "Severe learning difficulty",
    "specific learning difficulty": "Specific learning difficulty",
    "visual impairment": "Vision impairment",
    "vision impairment": "Vision impairment",
    "sen support but no specialist assessment of type of need": "No specialist assessment of need",
}
LEVELS = {"National": "national", "Regional": "region", "Local authority": "la"}
TOTAL_FILTERS = (
    "phase_type_grouping",
    "type_of_establishment",
    "establishment_type",
    "hospital_school",
)
PROVISION_COLUMNS = ("sen_provision", "sen_status", "pupil_sen_status")
NEED_COLUMNS = ("sen_primary_need", "primary_need")
COUNT_COLUMNS = ("total_pupil_count", "pupil_count", "number_of_pupils", "headcount")
WIDE = {"ehc_plan": EHC, "sen_support": SUPPORT, "total_pupils": ALL_PUPILS}
AREA_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "region_code",
    "new_la_code",
    "old_la_code",
)


def load_sen_in_england(folder: Path | None = None) -> pd.DataFrame:
    """Tidy rows for ``sen_pupils``, ``sen_primary_need_pupils`` and ``sen_primary_need_pct``.

    ``folder`` defaults to where the refresh command writes (looked up at call time).
    """
    folder = FOLDER if folder is None else folder
    return load_files(_find(folder, "phase_type"), _find(folder, "primary_need"))


def load_files(phase_type: Path | None, primary_need: Path | None) -> pd.DataFrame:
    """The same from explicit files (the refresh checks new downloads with this before use)."""
    frames = []
    if phase_type is not None:
        frames.append(pupils_by_provision(read_totals(phase_type)))
    if primary_need is not None:
        frames.append(pupils_by_need(read_totals(primary_need)))
    if not frames:
        return tidy.empty()
    table = tidy.normalise(pd.concat(frames, ignore_index=True))
    problems = tidy.validate(table)
    if problems:
        raise ValueError("SEN in England breaks the tidy contract: " + "; ".join(problems))
    return table


def _find(folder: Path, stem: str) -> Path | None:
    for name in (f"{stem}.csv.gz", f"{stem}.csv"):
        if (folder / name).is_file():
            return folder / name
    return None


def _first(columns: pd.Index, candidates: tuple[str, ...]) -> str | None:
    return next((c for c in candidates if c in columns), None)


def read_totals(path: Path) -> pd.DataFrame:
    """A file's all-phase, all-school-type rows, with ``area_code``, ``area_level``, ``period``.

    Read in chunks with only the columns we use: the primary need file has hundreds of
    thousands of rows, nearly all of them phase, year-group or constituency detail we drop.
    """
    header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
    missing = [c for c in ("time_period", "time_identifier", "geographic_level") if c not in header]
    if missing or "phase_type_grouping" not in header:
        no = ", ".join(missing) or "phase_type_grouping"
        raise ValueError(f"{path.name} is not a SEN in England file (no {no})")
    used = {*AREA_COLUMNS, *TOTAL_FILTERS, *PROVISION_COLUMNS, *NEED_COLUMNS, *WIDE}
    used.add(_first(header, COUNT_COLUMNS) or "")
    parts = []
    for chunk in pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
        usecols=lambda c: c in used,
        chunksize=200_000,
    ):
        keep = chunk["geographic_level"].isin(LEVELS)
        for col in TOTAL_FILTERS:
            if col in chunk.columns:
                keep &= chunk[col].str.strip() == "Total"
        parts.append(chunk[keep])
    df = pd.concat(parts, ignore_index=True)
    df["area_level"] = df["geographic_level"].map(LEVELS)
    published = _published_codes(df)
    df["area_code"] = current_codes(published)
    df = df[df["area_code"] != ""].copy()
    # EES files say 202425; an API rendering may say 2024/2025 (as its JSON does).
    api_style = r"^(\d{4})/\d{2}(\d{2})$"
    df["time_period"] = df["time_period"].str.replace(api_style, r"\1\2", regex=True)
    pairs = df[["time_period", "time_identifier"]].drop_duplicates().itertuples(index=False)
    periods = {(p, i): tidy.canonical_period(p, i) for p, i in pairs}
    df["period"] = [periods[k] for k in zip(df["time_period"], df["time_identifier"])]
    # DfE can publish an area under an old and a new code in one file (North Yorkshire as
    # E10000023 and E06000065): keep the row it published under today's code.
    df["_alias"] = published[df.index] != df["area_code"]
    df = df.sort_values("_alias", kind="stable")
    keys = ["area_code", "period", *[c for c in PROVISION_COLUMNS + NEED_COLUMNS if c in df]]
    return df.drop_duplicates(keys).drop(columns="_alias").reset_index(drop=True)


def _published_codes(df: pd.DataFrame) -> pd.Series:
    """Each row's area code as published (before aliases); "" when it has none."""
    blank = pd.Series("", index=df.index, dtype=object)
    codes = pd.Series(ENGLAND, index=df.index, dtype=object)
    region = df["area_level"] == "region"
    codes[region] = df.get("region_code", blank)[region]
    la = df["area_level"] == "la"
    new = df.get("new_la_code", blank).str.strip()
    # Some older rows carry only DfE's three-digit LA number.
    number = df.get("old_la_code", blank).str.strip().map(dfe_number_to_code()).fillna("")
    codes[la] = new.where(new != "", number)[la]
    return codes.fillna("").astype(str).str.strip()


def _long_counts(
    df: pd.DataFrame, provision: str, count: str, need: str | None = None
) -> pd.DataFrame:
    """One row per area, period, (need) and provision: value, status."""
    out = df[["area_code", "area_level", "period"]].copy()
    out["provision"] = df[provision].str.strip().str.lower().map(PROVISIONS)
    if need:
        label = df[need].str.strip()
        sentence_case = label.str[:1].str.upper() + label.str[1:].str.lower()
        out["need"] = label.str.lower().map(NEEDS).fillna(sentence_case)
    out["value"], out["status"] = tidy.parse_numbers(df[count])
    return out[out["provision"].notna()]


def _add_all_sen(counts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """All SEN = EHC plan + SEN support where DfE does not publish it; unknown if either is."""
    if (counts["provision"] == ALL_SEN).any():
        return counts
    grouped = counts[counts["provision"].isin([EHC, SUPPORT])].groupby(keys, sort=False)
    total = grouped["value"].sum(min_count=2)  # both parts known, else unknown
    status = grouped["status"].agg(lambda s: next((x for x in s if x), ""))
    summed = pd.DataFrame({"value": total, "status": status.where(total.isna(), "")}).reset_index()
    return pd.concat([counts, summed.assign(provision=ALL_SEN)], ignore_index=True)


def pupils_by_provision(df: pd.DataFrame) -> pd.DataFrame:
    """``sen_pupils``: pupils with SEN, by provision ("" for all SEN)."""
    count = _first(df.columns, COUNT_COLUMNS)
    provision = _first(df.columns, PROVISION_COLUMNS)
    if provision and count:
        counts = _long_counts(df, provision, count)
    elif all(c in df.columns for c in WIDE):
        long = df.melt(["area_code", "area_level", "period"], list(WIDE), "column", "raw")
        counts = long[["area_code", "area_level", "period"]].copy()
        counts["provision"] = long["column"].map(WIDE)
        counts["value"], counts["status"] = tidy.parse_numbers(long["raw"])
    else:
        raise ValueError("phase_type file has neither provision counts nor ehc_plan/sen_support")
    counts = _add_all_sen(counts, ["area_code", "area_level", "period"])
    counts = counts[counts["provision"] != ALL_PUPILS]
    breakdown = np.where(counts["provision"] == ALL_SEN, "", "sen_provision=" + counts["provision"])
    return tidy.tidy_frame(
        indicator="sen_pupils",
        area_code=counts["area_code"],
        area_level=counts["area_level"],
        period=counts["period"],
        value=counts["value"],
        status=counts["status"],
        breakdown=pd.Series(breakdown, index=counts.index),
        source=SOURCE,
    )


def pupils_by_need(df: pd.DataFrame) -> pd.DataFrame:
    """``sen_primary_need_pupils`` and ``sen_primary_need_pct`` by provision and primary need.

    The share's denominator is the provision's "Total" need row, or the sum over needs if
    DfE gives none. All SEN is written ``primary_need=<need>`` (no provision), as the total.
    """
    provision, need = _first(df.columns, PROVISION_COLUMNS), _first(df.columns, NEED_COLUMNS)
    count = _first(df.columns, COUNT_COLUMNS)
    if not (provision and need and count):
        raise ValueError("primary_need file lacks a provision, primary need or pupil count column")
    keys = ["area_code", "area_level", "period", "need"]
    counts = _add_all_sen(_long_counts(df, provision, count, need), keys)
    counts = counts[counts["provision"] != ALL_PUPILS]
    is_total = counts["need"].str.lower() == "total"
    needs, totals = counts[~is_total], counts[is_total]
    group = ["area_code", "period", "provision"]
    published = totals.set_index(group)["value"]
    # No "Total" row: add the needs up, unknown if any of them is.
    summed = needs.groupby(group)["value"].agg(lambda v: v.sum() if v.notna().all() else np.nan)
    denominators = pd.concat([published, summed[~summed.index.isin(published.index)]])
    at = pd.MultiIndex.from_frame(needs[group])
    den = pd.Series(denominators.reindex(at).to_numpy(), index=needs.index)
    breakdown = np.where(
        needs["provision"] == ALL_SEN,
        "primary_need=" + needs["need"],
        "sen_provision=" + needs["provision"] + ";primary_need=" + needs["need"],
    )
    common = dict(
        area_code=needs["area_code"],
        area_level=needs["area_level"],
        period=needs["period"],
        breakdown=pd.Series(breakdown, index=needs.index),
        source=SOURCE,
    )
    value, status = needs["value"], needs["status"]
    pupils = tidy.tidy_frame(
        indicator="sen_primary_need_pupils", value=value, status=status, **common
    )
    share = (value / den * 100).where(den > 0)
    # A missing count keeps its reason; a known count over an unknown total is not available.
    share_status = status.where(value.isna(), "")
    share_status = share_status.where(share.notna() | value.isna(), "not_available")
    pct = tidy.tidy_frame(
        indicator="sen_primary_need_pct",
        value=share,
        status=share_status,
        numerator=value,
        denominator=den,
        **common,
    )
    return pd.concat([pupils, pct], ignore_index=True)
