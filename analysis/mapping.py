"""Pure functions behind the map: aggregating school counts to areas, the table behind a
map (with disclosure control, ranks, classes and colours), tooltips, and reading which area
a click selected. Class breaks and colour ramps are in ``analysis.classes``.

Everything here works on tidy frames (see ``tidy``) at any small-area level,
so local data loaded later (a KPI return by ward, a cohort by locality) maps the same way
as the shipped school census.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.classes import Classes, classify, colour_ramp
from analysis.disclosure import (
    GREYED_COLUMN,
    REASON_COLUMN,
    SmallNumberRule,
    apply_disclosure_control,
    apply_rate_suppression,
    min_denominator_flag,
)
from tidy import TIDY_COLUMNS, period_order

GREY = "#bdbdbd"  # areas with no value shown; the legend says why


# --- Aggregation ------------------------------------------------------------------------------


def aggregate(
    rows: pd.DataFrame,
    school_areas: pd.DataFrame,
    level: str,
    code_column: str,
    areas: Iterable[str] | None = None,
    scale: float = 100.0,
) -> pd.DataFrame:
    """School rows summed to a larger area: tidy rows at ``level``.

    ``rows`` are tidy school rows (area_code = URN) with numerator and denominator;
    ``school_areas`` maps ``urn`` to the area code in ``code_column``. Numerators and
    denominators are summed over schools with both counts and the value is recomputed as
    ``scale * numerator / denominator`` (a pooled percentage, not a mean of schools'
    percentages). ``schools`` counts the schools summed. Areas in ``areas`` with no school
    get a row with status ``not_available``.
    """
    keys = ["indicator", "period", "breakdown"]
    link = school_areas[["urn", code_column]].rename(
        columns={"urn": "area_code", code_column: "_area"}
    )
    data = rows[rows["numerator"].notna() & rows["denominator"].notna()]
    data = data.merge(link.astype({"area_code": "string"}), on="area_code", how="inner")
    data = data[data["_area"].notna()]
    summed = (
        data.groupby([*keys, "_area"], observed=True, dropna=False)
        .agg(
            numerator=("numerator", "sum"),
            denominator=("denominator", "sum"),
            schools=("area_code", "nunique"),
        )
        .reset_index()
        .rename(columns={"_area": "area_code"})
    )
    if areas is not None:
        combos = rows[keys].drop_duplicates()
        grid = combos.merge(pd.DataFrame({"area_code": list(areas)}), how="cross")
        summed = grid.merge(summed, on=[*keys, "area_code"], how="left")
        summed["schools"] = summed["schools"].fillna(0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = scale * summed["numerator"] / summed["denominator"]
    summed["value"] = value.where(summed["denominator"] > 0)
    summed["status"] = np.where(summed["value"].isna(), "not_available", "")
    summed["area_level"] = level
    summed["source"] = "schools, summed by SEND Lens"
    cols = [*TIDY_COLUMNS, "schools"]
    return summed[cols].sort_values(["indicator", "area_code"]).reset_index(drop=True)


# --- Selection --------------------------------------------------------------------------------


def selected_area(
    event: Mapping[str, Any] | None, layers: Sequence[str] | None = None, key: str = "code"
) -> str | None:
    """The area code a map click selected, from Streamlit's pydeck event, or None.

    ``event`` looks like ``{"selection": {"indices": {layer: [i]}, "objects": {layer:
    [object]}}}``; an object is a row (``{"code": ...}``) or, from a GeoJsonLayer, a
    feature (``{"properties": {"code": ...}}``). ``layers`` gives the layer ids to look
    in, first match wins (points drawn over areas should come first).
    """
    if not event:
        return None
    selection = event.get("selection") or {}
    objects = selection.get("objects") or {}
    for layer in layers if layers is not None else list(objects):
        for obj in objects.get(layer) or []:
            if not isinstance(obj, Mapping):
                continue
            props = obj.get("properties")
            code = obj.get(key) if key in obj else (props or {}).get(key)
            if code not in (None, ""):
                return str(code)
    return None


# --- The table behind a map -------------------------------------------------------------------


def format_value(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not shown"
    return {"%": f"{value:.1f}%", "count": f"{value:,.0f}", "£": f"£{value:,.0f}"}.get(
        unit, f"{value:,.1f}"
    )


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def map_table(
    rows: pd.DataFrame,
    names: Mapping[str, str],
    unit: str,
    *,
    protect: bool,
    method: str = "quantiles",
    k: int = 5,
    palette: str = "viridis",
    area_word: str = "areas",
    count_words: tuple[str, str] = ("", ""),
    rule: SmallNumberRule | None = None,
) -> tuple[pd.DataFrame, Classes, list[str]]:
    """One row per area to draw: value, counts, greyed reason, rank, class, colour and the
    tooltip texts (``v``, ``c``, ``r``: see ``tooltip_template``).

    ``rows`` are tidy rows of one indicator, period and breakdown, one per ``area_code``
    (areas without data included, status not empty). ``protect`` applies disclosure
    control by ``rule`` (NHS England's by default): small counts hidden, others rounded; the
    rate hidden with a hidden count; areas with a small denominator greyed out. Published
    figures (``protect=False``) are shown as published. ``count_words`` names numerator
    and denominator in tooltips ("pupils with an EHC plan", "pupils on roll").
    Returns the table, the classes and their colours (lightest first).
    """
    t = pd.DataFrame(
        {
            "code": rows["area_code"].astype(str).to_numpy(),
            "value": pd.to_numeric(rows["value"], errors="coerce").to_numpy(dtype="float64"),
            "numerator": pd.to_numeric(rows["numerator"], errors="coerce").to_numpy(
                dtype="float64"
            ),
            "denominator": pd.to_numeric(rows["denominator"], errors="coerce").to_numpy(
                dtype="float64"
            ),
            "status": rows["status"].fillna("").astype(str).to_numpy(),
        }
    )
    if "schools" in rows:
        t["schools"] = rows["schools"].to_numpy()
    t.insert(1, "name", t["code"].map(lambda c: names.get(c, c)))
    t[REASON_COLUMN] = np.where(
        t["status"] != "", "no data: " + t["status"].str.replace("_", " "), ""
    )
    t["disclosure"] = "shown as published"
    if protect and unit == "count":
        t = _protect_counts(t, rule or SmallNumberRule(), count_words)
    elif protect:
        t = _protect_rates(t, rule or SmallNumberRule(), count_words)
    t.loc[(t[REASON_COLUMN] == "") & t["value"].isna(), REASON_COLUMN] = "no value"
    t[GREYED_COLUMN] = t[REASON_COLUMN] != ""
    t.loc[t[GREYED_COLUMN], "value"] = np.nan

    shown = t["value"].where(~t[GREYED_COLUMN])
    t["rank"] = shown.rank(method="min", ascending=False).astype("Int64")
    n_ranked = int(shown.notna().sum())
    # Never more classes than distinct values: two sub-ICBs make two classes, not five.
    classes = classify(shown, max(1, min(k, int(shown.nunique()))), method)
    colours = colour_ramp(len(classes.breaks), palette)
    t["class"] = classes.assign(shown)
    labels = classes.labels(0 if unit == "count" else 1)
    t["class_label"] = [labels[c] if c >= 0 else "not shown" for c in t["class"]]
    t["colour"] = [colours[c] if c >= 0 else GREY for c in t["class"]]
    lines = [_tooltip_lines(r, unit, n_ranked, area_word, count_words) for r in t.itertuples()]
    for i, key in enumerate(TOOLTIP_KEYS):
        t[key] = [parts[i] for parts in lines]
    return t, classes, colours


def _protect_counts(
    t: pd.DataFrame, rule: SmallNumberRule, count_words: tuple[str, str]
) -> pd.DataFrame:
    """A count is its own numerator: 1 to the rule's threshold hidden, others rounded, and the value
    shown is the protected count."""
    hidden = t["value"].between(1, rule.threshold)
    t = apply_disclosure_control(
        t.assign(count=t["value"]), ["count"], rule.threshold, rule.rounding
    )
    t["value"] = t["numerator"] = t.pop("count")
    t["denominator"] = np.nan
    t.loc[(t[REASON_COLUMN] == "") & hidden, REASON_COLUMN] = (
        f"fewer than {rule.threshold + 1} {count_words[0] or 'people'}: hidden to protect privacy"
    )
    return t


def _protect_rates(
    t: pd.DataFrame, rule: SmallNumberRule, count_words: tuple[str, str]
) -> pd.DataFrame:
    """Counts behind a rate protected, the rate hidden with its count, small areas greyed.

    The numerator and the rest of the denominator are controlled together, so that a hidden
    numerator cannot be recovered as total minus the rest; the total itself is only rounded.
    A rate uploaded without its counts is shown as uploaded: there is nothing to protect.
    """
    no_counts = t["numerator"].isna() & t["denominator"].isna() & t["value"].notna()
    true_num, true_den, true_value = (
        t["numerator"].copy(),
        t["denominator"].copy(),
        t["value"].copy(),
    )
    t["others"] = t["denominator"] - t["numerator"]
    t = apply_disclosure_control(t, ["numerator", "others"], rule.threshold, rule.rounding)
    t["denominator"] = apply_disclosure_control(
        t[["denominator"]], ["denominator"], rule.threshold, rule.rounding
    )["denominator"]
    hidden_num = t["numerator"].isna() & true_num.notna()
    t = apply_rate_suppression(
        t, "value", "numerator", "denominator", _scale(true_value, true_num, true_den)
    )
    small = min_denominator_flag(
        pd.DataFrame({"d": true_den}), "d", rule.min_denominator, unit=count_words[1] or "people"
    )
    judged = (t[REASON_COLUMN] == "") & ~no_counts
    t.loc[judged & small[GREYED_COLUMN].to_numpy(), REASON_COLUMN] = small[REASON_COLUMN]
    t.loc[(t[REASON_COLUMN] == "") & hidden_num, REASON_COLUMN] = (
        f"fewer than {rule.threshold + 1} {count_words[0] or 'people'}: hidden to protect privacy"
    )
    t.loc[no_counts, "value"] = true_value[no_counts]
    t.loc[no_counts, "disclosure"] = "no counts given: value shown as uploaded"
    # A greyed-out area shows no counts: with its rate gone they would still be a small number.
    greyed = t[REASON_COLUMN] != ""
    t.loc[greyed, ["numerator", "denominator"]] = np.nan
    return t.drop(columns="others")


def _scale(value: pd.Series, numerator: pd.Series, denominator: pd.Series) -> float:
    """What the value is of numerator over denominator: 100 for a percentage, 10,000 for a rate
    per 10,000; the power of ten nearest the typical ratio, 1 when there is none."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (value * denominator / numerator).replace([np.inf, -np.inf], np.nan).dropna()
    ratio = ratio[ratio > 0]
    if ratio.empty:
        return 100.0
    return float(10 ** round(math.log10(float(ratio.median()))))


TOOLTIP_KEYS = ("v", "c", "r")  # short: a whole-England ward map repeats them 6,862 times


def tooltip_template(count_words: tuple[str, str] = ("", "")) -> str:
    """The map's tooltip: words common to every area live here, once, not in each area's
    data; ``{name}``, ``{v}``, ``{c}`` and ``{r}`` are filled from the area hovered."""
    lines = ["<b>{name}</b>", "{v}"]
    if count_words[0]:
        lines.append(f"{count_words[0][:1].upper()}{count_words[0][1:]}: {{c}}")
    lines.append("Rank, highest first: {r}")
    return "<br/>".join(lines)


def _tooltip_lines(
    r: Any, unit: str, n_ranked: int, area_word: str, count_words: tuple[str, str]
) -> tuple[str, str, str]:
    """Value (or why it is not shown), counts and rank of one area, as plain text.

    Plain text, not HTML: the map escapes what it is given, so names need no care here.
    """
    if r.greyed:
        value, rank = f"Not shown: {r.greyed_reason}", "not ranked"
    else:
        value = format_value(r.value, unit)
        rank = f"{_ordinal(int(r.rank))} of {n_ranked:,} {area_word}"
    counts = "none"
    if unit == "count":  # the count is the value: no denominator to show beside it
        hidden = r.greyed and "privacy" in r.greyed_reason
        counts = (
            "hidden" if hidden else ("none" if math.isnan(r.numerator) else f"{r.numerator:,.0f}")
        )
    elif r.greyed:  # no counts beside a rate not shown: they would be a small number
        counts = "not shown"
    elif not (math.isnan(r.numerator) and math.isnan(r.denominator)):
        num = "hidden" if math.isnan(r.numerator) else f"{r.numerator:,.0f}"
        den = "hidden" if math.isnan(r.denominator) else f"{r.denominator:,.0f}"
        counts = f"{num} of {den} {count_words[1]}".rstrip()
    schools = getattr(r, "schools", None)
    if schools is not None and not pd.isna(schools):
        counts = f"{counts} ({int(schools)} schools)"
    return value, counts, rank


def indexed_trend(frame: pd.DataFrame) -> pd.DataFrame:
    """Each series of ``frame`` (from ``comparison_series``) as an index, 100 in the first
    period in which every series has a value; ``index`` and ``base_period`` columns added.

    A council's count is a few hundredths of England's, so on one axis it is a flat line
    along zero. Indexed, every line is on its own scale and the chart compares growth; the
    counts stay in ``value`` for the tooltip. Periods before the base are left out.
    """
    data = frame[frame["value"].notna()]
    data = data.assign(order=period_order(data["period"])).sort_values("order")
    complete = data.groupby("order")["role"].nunique() == data["role"].nunique()
    if data.empty or not complete.any():
        return data.drop(columns="order").assign(index=float("nan"), base_period="")
    base = complete[complete].index.min()
    data = data[data["order"] >= base]
    base_value = data[data["order"] == base].set_index("role")["value"]
    scale = data["role"].map(base_value.where(base_value > 0))
    base_period = data.loc[data["order"] == base, "period"].iloc[0]
    out = data.assign(index=data["value"] / scale * 100, base_period=base_period)
    return out.drop(columns="order").reset_index(drop=True)
