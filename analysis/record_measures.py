"""Small-area counts from the area's child-level uploads, for the map.

An EHC needs assessment tracker or an agency cohort extract has one row per request or per
child, with the child's home ``ward_code`` and ``school_urn``. Here those rows become tidy
rows (``tidy``) of a few measures by ward, school or locality, which the map
then draws through disclosure control like any other small-area figure.

The results are counts of children: callers must keep them out of any cache shared between
sessions and must show them through ``analysis.mapping.map_table(protect=True)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import tracker as tr
from indicators import Indicator

PREFIX = "records:"
LEVEL_COLUMNS = {"ward": "ward_code", "school": "school_urn", "locality": "ward_code"}
ID_COLUMNS = ("upn", "uln", "nhs_number", "local_id")  # a cohort child's pseudonyms, best first


@dataclass(frozen=True)
class RecordMeasure:
    """One map measure made from child-level rows; ``flags`` marks, for each row, whether it
    counts in the numerator and (for a percentage) the denominator."""

    indicator: Indicator
    kind: str
    flags: Callable[[pd.DataFrame, dt.date], pd.DataFrame]


@dataclass(frozen=True)
class RecordRows:
    """Tidy rows of one measure at one level, and the records that could not be placed."""

    rows: pd.DataFrame
    period: str
    counted: int  # records the measure counts (its denominator; a count's numerator), anywhere
    outside: int  # of those, in an area not on this map (another LA's ward or school)
    unplaced: int  # of those, with no ward or school recorded (or a ward in no locality)


def _measure(
    key: str,
    kind: str,
    title: str,
    definition: str,
    unit: str,
    polarity: str,
    words: tuple[str, str],
    flags: Callable[[pd.DataFrame, dt.date], pd.DataFrame],
) -> RecordMeasure:
    ind = Indicator(
        id=f"{PREFIX}{kind}:{key}",
        title=title,
        definition=definition,
        unit=unit,
        polarity=polarity,
        lens="map",
        rba="how much" if unit == "count" else "how well",
        source="local",
        numerator=words[0],
        denominator=words[1],
        period_type="calendar",
    )
    return RecordMeasure(ind, kind, flags)


def _flags(
    index: pd.Index, numerator: pd.Series, denominator: pd.Series | None = None
) -> pd.DataFrame:
    num = numerator.reindex(index, fill_value=False).astype(bool)
    den = num if denominator is None else denominator.reindex(index, fill_value=False).astype(bool)
    return pd.DataFrame({"numerator": num, "denominator": den}, index=index)


def _requests(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    start, end = tr.window(as_of)
    request = tr.dates(frame, "request_date")
    return _flags(frame.index, (request > start) & (request <= end))


def _issued(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    issued = tr.issued_in_window(frame, as_of)
    return _flags(frame.index, pd.Series(True, index=issued.index))


def _within_20_weeks(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    issued = tr.issued_in_window(frame, as_of)
    counted = ~tr.exceptions(issued)
    on_time = counted & (issued["days_to_issue"] <= tr.TWENTY_WEEKS_DAYS)
    return _flags(frame.index, on_time, counted)


def _open_over_20_weeks(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    waiting = tr.open_assessments(frame, as_of)
    return _flags(frame.index, waiting["days_waiting"] > tr.TWENTY_WEEKS_DAYS)


def _sen_status(frame: pd.DataFrame) -> pd.Series:
    return frame["sen_status"].astype("string").fillna("")


def _with_ehc_plan(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    return _flags(frame.index, _sen_status(frame) == "EHC plan")


def _on_sen_support(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    return _flags(frame.index, _sen_status(frame) == "SEN support")


def _ehc_share(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    status = _sen_status(frame)
    return _flags(frame.index, status == "EHC plan", status.isin(["EHC plan", "SEN support"]))


_TRACKER = "ehc_tracker"
_COHORT = "cohort"
MEASURES: dict[str, RecordMeasure] = {
    m.indicator.id: m
    for m in (
        _measure(
            "requests",
            _TRACKER,
            "Requests for an EHC needs assessment (12 months)",
            "Requests received in the 12 months up to the tracker's latest date, by the child's "
            "home ward or school.",
            "count",
            "none",
            ("requests", ""),
            _requests,
        ),
        _measure(
            "plans_issued",
            _TRACKER,
            "New EHC plans issued (12 months)",
            "New plans issued in the 12 months up to the tracker's latest date.",
            "count",
            "none",
            ("new plans", ""),
            _issued,
        ),
        _measure(
            "within_20_weeks_pct",
            _TRACKER,
            "New EHC plans issued within 20 weeks, excluding exceptions",
            "Of the new plans issued in the 12 months without a 20-week exception, the share issued "
            "within 20 weeks (140 days) of the request.",
            "%",
            "high",
            ("plans within 20 weeks", "plans issued without an exception"),
            _within_20_weeks,
        ),
        _measure(
            "open_over_20_weeks",
            _TRACKER,
            "Assessments open more than 20 weeks",
            "Requests with no plan issued and no decision not to assess, waiting more than 20 weeks "
            "on the tracker's latest date.",
            "count",
            "low",
            ("children waiting", ""),
            _open_over_20_weeks,
        ),
        _measure(
            "ehc_plan",
            _COHORT,
            "Children and young people with an EHC plan (cohort extract)",
            "Children in the cohort extracts recorded with an EHC plan, each counted once.",
            "count",
            "none",
            ("children with an EHC plan", ""),
            _with_ehc_plan,
        ),
        _measure(
            "sen_support",
            _COHORT,
            "Children on SEN support (cohort extract)",
            "Children in the cohort extracts recorded on SEN support, each counted once.",
            "count",
            "none",
            ("children on SEN support", ""),
            _on_sen_support,
        ),
        _measure(
            "ehc_share_pct",
            _COHORT,
            "Children with SEN who have an EHC plan (cohort extract)",
            "Of the children recorded with SEN (EHC plan or SEN support), the share with an EHC plan.",
            "%",
            "none",
            ("children with an EHC plan", "children with SEN"),
            _ehc_share,
        ),
    )
}


def measures_for(kinds: Iterable[str]) -> list[RecordMeasure]:
    wanted = set(kinds)
    return [m for m in MEASURES.values() if m.kind in wanted]


def as_of_date(frame: pd.DataFrame, kind: str, today: dt.date | None = None) -> dt.date:
    """The date a record-level upload describes: a tracker's latest date (as the governance
    page uses) or a cohort's latest extract date, never after today."""
    if kind == _TRACKER:
        return tr.latest_date(frame, today)
    today = today or dt.date.today()
    latest = (
        pd.to_datetime(frame["extract_date"], errors="coerce").max()
        if "extract_date" in frame
        else pd.NaT
    )
    return today if pd.isna(latest) else min(latest.date(), today)


def one_row_per_child(cohort: pd.DataFrame) -> pd.DataFrame:
    """A cohort with each child once: rows with an SEN status first (the education extract),
    deduplicated on the first pseudonymised id each row has (UPN, ULN, NHS number, local id)."""
    ids = [c for c in ID_COLUMNS if c in cohort]
    key = pd.Series(pd.NA, index=cohort.index, dtype="string")
    for column in ids:
        key = key.fillna(column + ":" + cohort[column].astype("string"))
    ordered = cohort.assign(_key=key, _has=cohort["sen_status"].notna()).sort_values(
        "_has", ascending=False, kind="stable"
    )
    keyed = ordered[ordered["_key"].notna()].drop_duplicates("_key")
    return (
        pd.concat([keyed, ordered[ordered["_key"].isna()]])
        .drop(columns=["_key", "_has"])
        .sort_index()
    )


def record_rows(
    frame: pd.DataFrame,
    measure_id: str,
    level: str,
    codes: Iterable[str],
    ward_localities: Mapping[str, str] | None = None,
    as_of: dt.date | None = None,
) -> RecordRows:
    """One tidy row per area in ``codes`` for ``measure_id`` at ``level``.

    ``level`` is ``ward`` (the child's home ward), ``school`` (the school URN) or
    ``locality`` (the home ward through ``ward_localities``, ward code -> locality code).
    ``numerator`` counts the records flagged in each area; a percentage also has its
    ``denominator`` and ``value = 100 * numerator / denominator``; a count's value is its
    numerator. Areas with no record get zero counts (a count of zero is a true zero).
    """
    measure = MEASURES[measure_id]
    if level not in LEVEL_COLUMNS:
        raise ValueError(f"level must be one of {sorted(LEVEL_COLUMNS)}, not {level!r}")
    if measure.kind == _COHORT:
        frame = one_row_per_child(frame)
    as_of = as_of or as_of_date(frame, measure.kind)
    flags = measure.flags(frame, as_of)
    area = frame[LEVEL_COLUMNS[level]].astype("string").str.strip().str.upper()
    if level == "locality":
        area = area.map(dict(ward_localities or {}))
    codes = [str(c) for c in codes]
    counted = flags["numerator"] | flags["denominator"]
    where = area[counted]
    placed = where.isin(codes)
    grouped = flags[counted & area.isin(codes)].groupby(area[counted & area.isin(codes)])
    sums = grouped.sum().reindex(codes, fill_value=0)
    numerator = sums["numerator"].astype(float)
    percentage = measure.indicator.unit == "%"
    denominator = (
        sums["denominator"].astype(float) if percentage else pd.Series(np.nan, index=sums.index)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (100 * numerator / denominator).where(denominator > 0) if percentage else numerator
    period = pd.Timestamp(as_of).strftime("%Y-%m")
    rows = pd.DataFrame(
        {
            "indicator": measure_id,
            "area_code": codes,
            "area_level": level,
            "period": period,
            "breakdown": "",
            "numerator": numerator.to_numpy(),
            "denominator": denominator.to_numpy(),
            "value": value.to_numpy(),
            "source": f"{measure.kind} upload, summed by SEND Lens",
        }
    )
    rows["status"] = np.where(rows["value"].isna(), "not_available", "")
    return RecordRows(
        rows,
        period,
        int(counted.sum()),
        int((where.notna() & ~placed).sum()),
        int(where.isna().sum()),
    )
