"""RAG ratings of an area's local KPIs: against their targets and against England.

The rules, the same for every KPI (each has a hand-worked case in tests/test_rag.py):

* **Green**: the value meets the target: at or above it when higher is better, at or below
  it when lower is better. A value exactly on the target is Green.
* **Amber**: the value misses the target by no more than the tolerance. A value exactly on
  the edge of the tolerance is Amber.
* **Red**: the value misses the target by more than the tolerance.
* **No target**: no target has been set (shown grey).
* **Not rated**: there is no value, or neither higher nor lower is better for the KPI (a
  count of requests, say), so meeting a number says nothing about performance (grey).

The tolerance is set by the user (default 5). For a percentage it is in percentage points
(target 60%: Amber from 55.0% up to 60%, Red below 55.0%); for any other unit it is a
per cent of the target (target 10 children waiting, lower is better: Amber above 10 up to
10.5, Red above 10.5). Comparisons are made on values rounded to 9 decimal places, so
that 90 - 4.5 is exactly the edge 85.5 and not a hair either side of it.

Against England the same rules apply with England's latest published value as the target,
only where the KPI mirrors a national indicator in the same unit (a percentage against a
percentage: a month's count cannot be set against England's yearly total). The national
figure is usually for a different period (a calendar year against a month), and the table
says which.

A KPI's target stays in force until a later period of the return gives another (returns
often state it only once a year); its baseline is its first value in the return.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

import indicators
from analysis import trend as trend_mod
from tidy import period_sort_key

RED, AMBER, GREEN, NO_TARGET, NOT_RATED = "Red", "Amber", "Green", "No target", "Not rated"
STATUSES: tuple[str, ...] = (RED, AMBER, GREEN, NO_TARGET, NOT_RATED)
# A shape for each status, so that no rating is told by colour alone.
SYMBOLS: dict[str, str] = {RED: "✖", AMBER: "▲", GREEN: "✔", NO_TARGET: "○", NOT_RATED: "○"}
DEFAULT_TOLERANCE = 5.0
RECENT_POINTS = 6
_PLACES = 9
PREFIX = indicators.LOCAL_PREFIX


@dataclass(frozen=True)
class Rating:
    """A status from ``STATUSES`` and the reason for it in plain English."""

    status: str
    reason: str


def labelled(status: str) -> str:
    """ "Red" -> "✖ Red": the word and its shape, for tables and exports."""
    return f"{SYMBOLS.get(status, '○')} {status}"


def tolerance_for(target: float, unit: str, tolerance: float = DEFAULT_TOLERANCE) -> float:
    """How far from ``target`` is still Amber: points for "%", else a per cent of the target."""
    if tolerance < 0:
        raise ValueError("the tolerance cannot be negative")
    return float(tolerance) if unit == "%" else abs(float(target)) * float(tolerance) / 100.0


def _shown(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "£":
        return f"£{value:,.0f}"
    # Two places at most, so an edge such as 5.25 (5% of 105) is said exactly.
    return f"{value:,.2f}".rstrip("0").rstrip(".") + ("" if unit == "count" else f" {unit}")


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float | np.floating) and np.isnan(x)) or x is pd.NA


def rate(
    value: float | None,
    target: float | None,
    polarity: str,
    unit: str,
    tolerance: float = DEFAULT_TOLERANCE,
    against: str = "target",
) -> Rating:
    """The RAG status of ``value`` against ``target`` (see the module docstring).

    ``against`` names the benchmark in the reason ("target", "England").
    """
    if _missing(value):
        return Rating(NOT_RATED, "no value reported")
    if polarity not in ("high", "low"):
        return Rating(NOT_RATED, "neither higher nor lower is better for this measure")
    if _missing(target):
        return Rating(NO_TARGET, f"no {against} to compare with")
    value, target = float(value), float(target)  # type: ignore[arg-type]
    band = tolerance_for(target, unit, tolerance)
    edge = target - band if polarity == "high" else target + band
    v, t, e = (round(x, _PLACES) for x in (value, target, edge))
    word = "at or above" if polarity == "high" else "at or below"
    name = "the target" if against == "target" else against
    shown_target, shown_edge = _shown(target, unit), _shown(edge, unit)
    if (v >= t) if polarity == "high" else (v <= t):
        return Rating(GREEN, f"{word} {name} ({shown_target})")
    if (v >= e) if polarity == "high" else (v <= e):
        return Rating(
            AMBER,
            f"misses {name} ({shown_target}) by no more than the amber band (to {shown_edge})",
        )
    return Rating(
        RED, f"misses {name} ({shown_target}) by more than the amber band (beyond {shown_edge})"
    )


def comparable_equivalents(catalogue: pd.DataFrame) -> dict[str, str]:
    """KPI id -> national indicator id, where both are percentages and England can be a target."""
    out = {}
    for kpi, unit, national in zip(
        catalogue["id"], catalogue["unit"], catalogue["national_equivalent"]
    ):
        if (
            national
            and national in indicators.CATALOGUE
            and unit == "%"
            and indicators.CATALOGUE[national].unit == "%"
        ):
            out[str(kpi)] = str(national)
    return out


# --- the area's KPIs over time ----------------------------------------------------------------


SERIES_COLUMNS = [
    "indicator",
    "kpi",
    "period",
    "value",
    "numerator",
    "denominator",
    "target",
    "commentary",
    "source",
]


def kpi_series(local_rows: pd.DataFrame, details: pd.DataFrame, area: str) -> pd.DataFrame:
    """Every reported value of the area's KPIs, oldest first, with the target in force.

    ``local_rows`` are local tidy rows (``ui.local.local_table``); ``details`` their targets
    and commentary (``store.local_data.kpi_details``). Surveys and other areas'
    rows are left out. The target is carried forward to later periods that give none.
    """
    rows = local_rows[
        local_rows["indicator"].astype(str).str.startswith(PREFIX)
        & ~local_rows["indicator"].astype(str).str.startswith(PREFIX + "survey:")
        & (local_rows["area_code"].astype(str) == area)
        & (local_rows["breakdown"].astype(str) == "")
    ]
    if rows.empty:
        return pd.DataFrame(
            {
                c: pd.Series(
                    dtype="float64"
                    if c in ("value", "numerator", "denominator", "target")
                    else "str"
                )
                for c in SERIES_COLUMNS
            }
        )
    keys = ["indicator", "area_code", "period"]
    own = details[details["area_code"].astype(str) == area]
    # The latest upload's target wins, as the latest upload's value does in the tidy table.
    own = own.drop_duplicates(keys, keep="last")[keys + ["target", "commentary"]]
    frame = rows[keys + ["value", "numerator", "denominator", "source"]].merge(
        own, on=keys, how="left"
    )
    frame["indicator"] = frame["indicator"].astype(str)
    frame["period"] = frame["period"].astype(str)
    frame["kpi"] = frame["indicator"].str.removeprefix(PREFIX)
    frame["order"] = frame["period"].map(period_sort_key)
    frame = frame.sort_values(["indicator", "order"], ignore_index=True)
    frame["target"] = pd.to_numeric(frame["target"], errors="coerce").astype("float64")
    frame["target"] = frame.groupby("indicator")["target"].ffill()
    frame["commentary"] = frame["commentary"].astype("string").fillna("").astype(str)
    for col in ("value", "numerator", "denominator"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    return frame[SERIES_COLUMNS]


def kpi_meta(kpi: str, catalogue: pd.DataFrame) -> dict[str, str]:
    """Title, group, unit and polarity of a KPI: built in, or plain for an area's own KPI."""
    match = catalogue[catalogue["id"] == kpi]
    if not match.empty:
        entry = match.iloc[0]
        return {
            k: str(entry[k]) for k in ("title", "group", "unit", "polarity", "national_equivalent")
        }
    # Not built in: SEND Lens cannot know whether higher is better, so it is not rated.
    return {
        "title": kpi.replace("_", " ").strip().capitalize(),
        "group": "The area's own KPIs",
        "unit": "count",
        "polarity": "none",
        "national_equivalent": "",
    }


def trend_words(values: list[float], polarity: str) -> str:
    """The change since the period before, judged by polarity: "better", "worse", "no change"."""
    if len(values) < 2:
        return "no earlier value"
    change = round(values[-1] - values[-2], _PLACES)
    if change == 0:
        return "no change since the period before"
    if polarity not in ("high", "low"):
        return f"{'up' if change > 0 else 'down'} since the period before"
    better = (change > 0) == (polarity == "high")
    return f"{'better' if better else 'worse'} than the period before"


STATUS_COLUMNS = [
    "indicator",
    "kpi",
    "title",
    "group",
    "unit",
    "polarity",
    "period",
    "reported",
    "value",
    "target",
    "status",
    "reason",
    "tolerance",
    "baseline",
    "baseline_period",
    "previous",
    "change",
    "recent",
    "trend",
    "england",
    "england_period",
    "england_status",
    "england_reason",
    "commentary",
    "source",
]


def kpi_status(
    series: pd.DataFrame,
    period: str,
    catalogue: pd.DataFrame,
    england: Mapping[str, tuple[float | None, str]] | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    tolerances: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """One row per KPI: its latest value up to ``period``, rated against target and England.

    ``england`` maps a KPI id to England's latest (value, period) of its national
    equivalent (see ``comparable_equivalents``); ``tolerances`` overrides ``tolerance`` for
    single KPIs. ``reported`` is False when the KPI's latest value is older than ``period``.
    ``recent`` holds the last six values (oldest first); ``trend`` the change since the
    period before and, with five or more periods, the Fingertips-style test of the last five
    (``analysis.trend``).
    """
    england = england or {}
    tolerances = tolerances or {}
    limit = period_sort_key(period)
    records = []
    for indicator, group in series.groupby("indicator", sort=False):
        kept = group[group["period"].map(period_sort_key) <= limit]
        kept = kept[kept["value"].notna()]
        if kept.empty:
            continue
        kpi = str(indicator).removeprefix(PREFIX)
        meta = kpi_meta(kpi, catalogue)
        last = kept.iloc[-1]
        band = float(tolerances.get(kpi, tolerance))
        rating = rate(last["value"], last["target"], meta["polarity"], meta["unit"], band)
        eng_value, eng_period = england.get(kpi, (None, ""))
        vs = (
            rate(last["value"], eng_value, meta["polarity"], meta["unit"], band, against="England")
            if kpi in england
            else Rating(NOT_RATED, "no comparable national figure")
        )
        values = kept["value"].tolist()
        records.append(
            {
                "indicator": indicator,
                "kpi": kpi,
                **{k: meta[k] for k in ("title", "group", "unit", "polarity")},
                "period": last["period"],
                "reported": last["period"] == period,
                "value": last["value"],
                "target": last["target"],
                "status": rating.status,
                "reason": rating.reason,
                "tolerance": band,
                "baseline": values[0],
                "baseline_period": kept["period"].iloc[0],
                "previous": values[-2] if len(values) > 1 else np.nan,
                "change": values[-1] - values[0] if len(values) > 1 else np.nan,
                "recent": values[-RECENT_POINTS:],
                "trend": _trend(kept, meta),
                "england": np.nan if eng_value is None else eng_value,
                "england_period": eng_period,
                "england_status": vs.status,
                "england_reason": vs.reason,
                "commentary": last["commentary"],
                "source": last["source"],
            }
        )
    frame = pd.DataFrame.from_records(records, columns=STATUS_COLUMNS)
    order = {s: i for i, s in enumerate(STATUSES)}
    frame["_order"] = frame["status"].map(order)
    return frame.sort_values(["_order", "group", "title"], ignore_index=True).drop(columns="_order")


def _trend(kept: pd.DataFrame, meta: Mapping[str, str]) -> str:
    words = trend_words(kept["value"].tolist(), meta["polarity"])
    if len(kept) < trend_mod.POINTS_USED:
        return words
    counted = (
        meta["unit"] == "%"
        and kept["numerator"].notna().all()
        and kept["denominator"].notna().all()
    )
    result = trend_mod.trend_test(
        kept["value"].tolist(),
        kept["numerator"].tolist() if counted else None,
        kept["denominator"].tolist() if counted else None,
        kind="proportion" if meta["unit"] == "%" else "value",
        polarity=meta["polarity"] if meta["polarity"] in ("high", "low") else "none",
    )
    return f"{words}; last five periods: {result.verdict}"


def exceptions(status: pd.DataFrame) -> pd.DataFrame:
    """The KPIs rated Red against their target: the exception report's rows."""
    return status[status["status"] == RED].reset_index(drop=True)


def counts(status: pd.DataFrame) -> dict[str, int]:
    """How many KPIs have each status, in ``STATUSES`` order (zeros included)."""
    found = status["status"].value_counts()
    return {s: int(found.get(s, 0)) for s in STATUSES}


def rated_series(
    series: pd.DataFrame,
    catalogue: pd.DataFrame,
    tolerance: float = DEFAULT_TOLERANCE,
    tolerances: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """``series`` (from ``kpi_series``) with each period's ``status`` against its target."""
    tolerances = tolerances or {}
    out = series.copy()
    metas = {kpi: kpi_meta(kpi, catalogue) for kpi in out["kpi"].unique()}
    out["status"] = [
        rate(
            value,
            target,
            metas[kpi]["polarity"],
            metas[kpi]["unit"],
            tolerances.get(kpi, tolerance),
        ).status
        for kpi, value, target in zip(out["kpi"], out["value"], out["target"])
    ]
    return out


REPORT_COLUMNS = [
    "indicator",
    "title",
    "group",
    "unit",
    "period",
    "value",
    "target",
    "gap",
    "status",
    "reason",
    "england",
    "england_period",
    "england_status",
    "recent",
    "trend",
    "commentary",
    "action",
    "owner",
    "due_date",
    "updated_by",
    "updated_at",
    "version",
]


def exception_report(red: pd.DataFrame, actions: pd.DataFrame) -> pd.DataFrame:
    """The exception report: each red KPI with the commentary and action in force.

    ``actions`` are saved versions in force (``store.actions.latest_actions``) for the
    area. The commentary saved for the KPI's period wins; without one, the return's own
    commentary is used. ``gap`` is the value minus the target, in the KPI's units.
    """
    keys = ["indicator", "period"]
    saved = actions[
        keys + ["commentary", "action", "owner", "due_date", "created_by", "created_at", "version"]
    ]
    saved = saved.rename(
        columns={
            "commentary": "saved_commentary",
            "created_by": "updated_by",
            "created_at": "updated_at",
        }
    )
    merged = red.merge(saved, on=keys, how="left")
    written = merged["saved_commentary"].notna()
    merged["commentary"] = (
        merged["saved_commentary"].where(written, merged["commentary"]).fillna("")
    )
    merged["action"] = merged["action"].fillna("")
    merged["owner"] = merged["owner"].fillna("")
    merged["gap"] = merged["value"] - merged["target"]
    return merged[REPORT_COLUMNS]
