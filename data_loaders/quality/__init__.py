"""Plausibility checks on the national tidy table: publisher errors caught before use.

Published tables are sometimes wrong (the 2025 SEN2 release gives every Yorkshire and the
Humber council the regional total of new plans for 2022). Passed through, one such cell
ranks first, inflates England's sum and feeds every sentence built on it. So build_tidy
runs the rules below on every national load:

(a) ``region_total_copies``: a council's count equals its region's total although other
    councils in the region report counts too;
(b) ``sums_above_england``: councils' counts add up to more than England's;
(c) ``tenfold_jumps``: a council's count grows more than tenfold in a year;
(d) ``percent_mismatches``: a published percentage disagrees with its own counts by more
    than rounding. The cell takes 100 x numerator / denominator (``take_counts``), so its
    value, interval, rank and significance all rest on one basis, the counts; the published
    figure is kept in the finding and said beside the value (``published_note``).

A cell failing (a)-(c) takes the value of a trustworthy second source where one exists
(DfE's SEN2 management information file for new plans up to 2022), else becomes missing
with status ``publisher_error``. Every cell so treated is a row of the findings table;
``python -m data_loaders.quality`` prints it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

import indicators
import tidy
from geography import areas

KEYS = ["indicator", "area_code", "area_level", "period", "breakdown"]
FINDING_COLUMNS = [*KEYS, "rule", "field", "published", "action", "reason"]
COUNT_FIELDS = ("value", "numerator", "denominator")

RULES = {
    "region_total": "a council's count equals its region's total",
    "above_england": "councils' counts add up to more than England's",
    "tenfold_jump": "a council's count grew more than tenfold in a year",
    "percent_mismatch": "a published percentage disagrees with its own counts",
}
# A tenfold rise from 3 to 40 is ordinary for a rare event or a service starting up (EHC
# plans began in September 2014, so 2014 counts are tiny): the rule judges only rises to at
# least MIN_JUMP_COUNT from at least MIN_JUMP_BASE.
MIN_JUMP_COUNT = 100
MIN_JUMP_BASE = 50
# DfE publishes percentages to one decimal place, so up to 0.05 points is rounding.
PERCENT_TOLERANCE = 0.1
# DfE's England totals differ from the sum of its councils by a few children (late returns,
# children counted by two councils): up to 1% over is not an error. A council carrying its
# region's total puts the sum several percent over.
ENGLAND_TOLERANCE = 0.01

TAKEN_FROM_COUNTS = "value taken from its counts"

SECOND_SOURCE = "sen2_2022"
NUMBERS = ("value", "numerator", "denominator")
SECOND_SOURCE_NAME = "DfE's SEN2 management information (2014-2022)"
# Cells whose count is the number of new plans in a calendar year, which the management
# information file also gives per council (``new_all_ehc``).
NEW_PLAN_CELLS: dict[tuple[str, str], str] = {
    ("ehc_new_plans", "value"): "new_all_ehc",
    ("ehc_new_mainstream_pct", "denominator"): "new_all_ehc",
    ("ehc_new_special_pct", "denominator"): "new_all_ehc",
    ("ehc_new_ap_pct", "denominator"): "new_all_ehc",
    ("ehc_new_fe_pct", "denominator"): "new_all_ehc",
}


def _empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in FINDING_COLUMNS})


def count_indicators(table: pd.DataFrame) -> set[str]:
    """Indicators in ``table`` whose value is itself a count (per the catalogue)."""
    counts = set()
    for indicator_id in table["indicator"].unique():
        try:
            if indicators.get(str(indicator_id)).unit == "count":
                counts.add(str(indicator_id))
        except KeyError:
            continue  # not catalogued: its value is not known to be a count
    return counts


def count_cells(table: pd.DataFrame, counts: set[str] | None = None) -> pd.DataFrame:
    """Every count in the table, one row per cell: the keys, ``field`` and ``count``.

    Numerators and denominators are always counts; a value only for count indicators. The
    keys and ``field`` are categoricals (categories in sorted order, so they sort as the
    text does): the rules group, merge and filter 100,000-200,000 cells several times, and
    on integer codes that costs a fraction of doing it on the text (findings come back as
    text, see ``_findings``).
    """
    counts = count_indicators(table) if counts is None else counts
    keys = pd.DataFrame({c: pd.Categorical(table[c]) for c in KEYS}, index=table.index)
    fields = sorted(COUNT_FIELDS)
    frames = []
    for field in COUNT_FIELDS:
        present = table[field].notna().to_numpy(copy=True)
        if field == "value":
            present &= table["indicator"].isin(counts).to_numpy()
        rows = keys[present]
        code = np.full(len(rows), fields.index(field), dtype=np.int8)
        frames.append(
            rows.assign(
                field=pd.Categorical.from_codes(code, categories=fields),
                count=table[field].to_numpy()[present],
            )
        )
    return pd.concat(frames, ignore_index=True)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its categorical columns (``count_cells``'s keys) as the text they code."""
    coded = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if not coded:
        return frame
    text = {c: frame[c].astype(frame[c].cat.categories.dtype) for c in coded}
    if "field" in text:  # as a plain count_cells frame would have it
        text["field"] = frame["field"].astype(str)
    return frame.assign(**text)


def _mapped(codes: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    """``codes.map(mapping)``, a categorical of ``codes``' categories when ``codes`` is one
    (a code mapped to a value not among them, or to nothing, becomes missing)."""
    if not isinstance(codes.dtype, pd.CategoricalDtype):
        return codes.map(mapping)
    categories = codes.cat.categories
    targets = categories.get_indexer(pd.Index(categories.map(mapping)))
    new_codes = np.where(codes.cat.codes >= 0, targets[codes.cat.codes], -1)
    return pd.Series(
        pd.Categorical.from_codes(new_codes, dtype=codes.dtype), index=codes.index, name=codes.name
    )


def _findings(cells: pd.DataFrame, rule: str, reasons: pd.Series) -> pd.DataFrame:
    out = _as_text(cells[KEYS + ["field"]]).assign(
        rule=rule, published=cells["count"].to_numpy(), action="", reason=reasons.to_numpy()
    )
    return out[FINDING_COLUMNS].reset_index(drop=True)


def region_total_copies(cells: pd.DataFrame, la_region: Mapping[str, str]) -> pd.DataFrame:
    """Rule (a): council counts equal to their region's total while other councils count too.

    A council that really holds the whole region's count leaves its neighbours at zero, so
    that case is not flagged.
    """
    la = cells[cells["area_level"] == "la"].copy()
    la["region"] = _mapped(la["area_code"], la_region)
    group = ["indicator", "region", "period", "breakdown", "field"]
    la["others"] = la.groupby(group, observed=True)["count"].transform("sum") - la["count"]
    regions = cells[cells["area_level"] == "region"].rename(
        columns={"area_code": "region", "count": "region_count"}
    )[group + ["region_count"]]
    merged = la.merge(regions, on=group)
    hit = merged[
        (merged["count"] > 0) & (merged["count"] == merged["region_count"]) & (merged["others"] > 0)
    ]
    if hit.empty:
        return _empty_findings()
    hit = _as_text(hit)
    names = hit["region"].map(areas.REGIONS).fillna(hit["region"])
    reasons = (
        "equals the "
        + names
        + " total ("
        + hit["region_count"].map("{:,.0f}".format)
        + ") though the region's other councils report "
        + hit["others"].map("{:,.0f}".format)
    )
    return _findings(hit, "region_total", reasons)


def sums_above_england(cells: pd.DataFrame) -> pd.DataFrame:
    """Rule (b): council cells of a count whose councils add up to more than England.

    When leaving out one council brings the rest closest to England, and within tolerance,
    and no other council does as well, that council alone is set aside: without Surrey's 665
    plans for specific learning difficulty in January 2025 (its own published share is
    0.1%, not 665 / 16,069 = 4.1%) councils add up to 14,365 against England's 14,374;
    without Lincolnshire's 612, 14,418. Otherwise which council is wrong cannot be told from
    the totals, and every council's cell is set aside.
    """
    group = ["indicator", "period", "breakdown", "field"]
    la = cells[cells["area_level"] == "la"].copy()
    la["la_sum"] = la.groupby(group, observed=True)["count"].transform("sum")
    england = cells[cells["area_code"] == areas.ENGLAND].rename(columns={"count": "england"})
    merged = la.merge(england[group + ["england"]], on=group)
    allowed = merged["england"] * (1 + ENGLAND_TOLERANCE)
    hit = merged[merged["la_sum"] > allowed]
    if hit.empty:
        return _empty_findings()
    # The council without whose count the rest comes closest to England, within tolerance.
    rest = hit["la_sum"] - hit["count"]
    gap = (rest - hit["england"]).abs()
    keys = [hit[c] for c in group]
    closest = gap == gap.groupby(keys, observed=True).transform("min")
    explains = closest & (gap <= hit["england"] * ENGLAND_TOLERANCE)
    culprits = explains.groupby(keys, observed=True).transform("sum")
    hit = hit[(culprits != 1) | explains]
    rest = rest[hit.index]
    reasons = (
        "councils' counts add up to "
        + hit["la_sum"].map("{:,.0f}".format)
        + ", more than England's "
        + hit["england"].map("{:,.0f}".format)
        + np.where(
            culprits[hit.index] == 1, "; without this one, " + rest.map("{:,.0f}".format), ""
        )
    )
    return _findings(hit, "above_england", reasons)


def tenfold_jumps(cells: pd.DataFrame) -> pd.DataFrame:
    """Rule (c): a council's count (an indicator's value) more than ten times its previous
    year's, judged only from a base of ``MIN_JUMP_BASE`` to at least ``MIN_JUMP_COUNT``."""
    # Only counts that are indicators in their own right: the numerator of a percentage
    # may rise tenfold when performance does (27 to 533 plans issued within 20 weeks).
    la = cells[(cells["area_level"] == "la") & (cells["field"] == "value")].copy()
    la["order"] = tidy.period_order(la["period"])
    la = la.sort_values(["indicator", "area_code", "breakdown", "field", "order"])
    series = ["indicator", "area_code", "breakdown", "field"]
    la["previous"] = la.groupby(series, observed=True)["count"].shift()
    la["previous_period"] = la.groupby(series, observed=True)["period"].shift()
    hit = la[
        (la["previous"] >= MIN_JUMP_BASE)
        & (la["count"] > 10 * la["previous"])
        & (la["count"] >= MIN_JUMP_COUNT)
    ]
    if hit.empty:
        return _empty_findings()
    hit = _as_text(hit)
    reasons = (
        hit["count"].map("{:,.0f}".format)
        + " is more than ten times "
        + hit["previous"].map("{:,.0f}".format)
        + " in "
        + hit["previous_period"].astype(str)
    )
    return _findings(hit, "tenfold_jump", reasons)


def percent_mismatches(table: pd.DataFrame) -> pd.DataFrame:
    """Rule (d): a published percentage more than ``PERCENT_TOLERANCE`` points away from
    100 x numerator / denominator (or from the range its rounded counts allow). Finds
    only; ``take_counts`` treats the cells."""
    percents = {i for i in table["indicator"].unique() if _unit(str(i)) == "%"}
    judged = (
        table["indicator"].isin(percents)
        & (table["denominator"] > 0)
        & table["numerator"].notna()
        & table["value"].notna()
    ).to_numpy()
    # Only the columns the rule computes with: the keys of the few cells found are taken after.
    positions = np.flatnonzero(judged)
    rows = table.iloc[positions][["indicator", "area_level", "numerator", "denominator", "value"]]
    computed = 100 * rows["numerator"] / rows["denominator"]
    # Counts published rounded (children in need regions: to the nearest 10) can be out by half the
    # step each way, so the percentage they allow is a range, not a point.
    groups = rows.groupby(["indicator", "area_level"], sort=False).ngroup().to_numpy()
    steps = _rounding_steps(rows["numerator"].to_numpy(dtype="float64"), groups)
    half = pd.Series(steps, index=rows.index) / 2
    low = 100 * (rows["numerator"] - half).clip(lower=0) / (rows["denominator"] + half)
    high = 100 * (rows["numerator"] + half) / (rows["denominator"] - half).clip(lower=1)
    off = (rows["value"] < low - PERCENT_TOLERANCE) | (rows["value"] > high + PERCENT_TOLERANCE)
    if not off.any():
        return _empty_findings()
    hit = table.iloc[positions[off.to_numpy()]]
    computed = computed[off]
    reasons = (
        "published "
        + hit["value"].map("{:.1f}".format)
        + "% but "
        + hit["numerator"].map("{:,.0f}".format)
        + " / "
        + hit["denominator"].map("{:,.0f}".format)
        + " = "
        + computed.map("{:.1f}".format)
        + "%"
    )
    out = _findings(hit.assign(field="value", count=hit["value"]), "percent_mismatch", reasons)
    out["action"] = TAKEN_FROM_COUNTS
    return out


def take_counts(table: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """The table with each of rule (d)'s cells valued at 100 x numerator / denominator."""
    if found.empty:
        return table
    out = table.copy()
    # Only rows of the findings' indicators can match: the others' keys are not indexed.
    rows = np.flatnonzero(out["indicator"].astype(str).isin(found["indicator"].astype(str)))
    keys = pd.MultiIndex.from_frame(out.iloc[rows][KEYS].astype(str))
    hit = np.zeros(len(out), dtype=bool)
    hit[rows[keys.isin(pd.MultiIndex.from_frame(found[KEYS].astype(str)))]] = True
    out.loc[hit, "value"] = 100 * out.loc[hit, "numerator"] / out.loc[hit, "denominator"]
    return out


def published_note(
    findings: pd.DataFrame, indicator: str, area: str, period: str, breakdown: str = ""
) -> str:
    """ "DfE published 58.6%; SEN Lens uses 269 / 432 = 62.3%." for a cell whose published
    percentage disagreed with its counts, else ""."""
    hit = _cell(findings, indicator, area, period, breakdown)
    hit = hit[hit["rule"] == "percent_mismatch"]
    if hit.empty:
        return ""
    # The reason reads "published 58.6% but 269 / 432 = 62.3%".
    published, _, counts = str(hit["reason"].iloc[0]).removeprefix("published ").partition(" but ")
    return f"DfE published {published}; SEN Lens uses {counts}."


def set_aside_reason(
    findings: pd.DataFrame, indicator: str, area: str, period: str, breakdown: str = ""
) -> str:
    """Why a cell was set aside as a publisher error ("equals the Yorkshire and The Humber
    total (6,078)"), else ""."""
    hit = _cell(findings, indicator, area, period, breakdown)
    hit = hit[hit["action"].astype(str).str.startswith("set aside")]
    return "" if hit.empty else str(hit["reason"].iloc[0])


def _cell(
    findings: pd.DataFrame, indicator: str, area: str, period: str, breakdown: str
) -> pd.DataFrame:
    """The findings about one cell (an old area code is read as its successor)."""
    if findings.empty:
        return findings
    return findings[
        (findings["indicator"] == indicator)
        & (findings["area_code"] == areas.current_code(area))
        & (findings["period"] == period)
        & (findings["breakdown"] == breakdown)
    ]


def _rounding_steps(counts: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """For each count, 10 or 5 when every count of its group (an indicator at a level) is a
    multiple of it (published rounded), else 0; a group needs 20 counts to tell."""
    present = ~np.isnan(counts)
    size = np.bincount(groups, weights=present)
    step = np.zeros(len(size))
    for unit in (5, 10):  # 10 where both hold
        off = np.bincount(groups, weights=present & (counts % unit != 0), minlength=len(size))
        step = np.where((size >= 20) & (off == 0), float(unit), step)
    return step[groups]


def _unit(indicator_id: str) -> str:
    try:
        return indicators.get(indicator_id).unit
    except KeyError:
        return ""


def management_information_counts() -> pd.DataFrame:
    """New plans per council and calendar year from DfE's SEN2 management information:
    columns ``area_code``, ``period``, ``column`` and ``count``."""
    # Imported here: the national readers are heavy and only a build needs them.
    from data_loaders.national import sen2
    from data_loaders.national.ees import read_ees

    columns = sorted(set(NEW_PLAN_CELLS.values()))
    mi = read_ees(sen2.R2022 / "sen2_mi_2014_2022.csv", columns=columns)
    mi = mi[mi["area_level"] == "la"]
    frames = []
    for column in columns:
        values, _ = tidy.parse_numbers(mi[column])
        frames.append(
            pd.DataFrame(
                {"area_code": mi["area_code"], "period": mi["period"], "column": column}
            ).assign(count=values.to_numpy())
        )
    out = pd.concat(frames, ignore_index=True)
    return out[out["count"].notna()].drop_duplicates(["area_code", "period", "column"])


def set_aside(
    table: pd.DataFrame, found: pd.DataFrame, second: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Treat the cells in ``found``: take the second source's count where it has one,
    else make the row missing with status ``publisher_error``. Returns the treated table
    and ``found`` with its ``action`` filled in."""
    if found.empty:
        return table, found
    out = table.copy()
    found = found.copy()
    # Only rows of the findings' indicators can be found: the others' keys are not indexed.
    rows = np.flatnonzero(out["indicator"].isin(found["indicator"].unique()))
    index = out.iloc[rows].set_index(KEYS).index
    lookup: dict[tuple[str, str, str], float] = {}
    if second is not None and not second.empty:
        lookup = {
            (a, p, c): float(n)
            for a, p, c, n in second[["area_code", "period", "column", "count"]].itertuples(
                index=False
            )
        }
    # The cells are treated one by one, in order (a row whose value was replaced keeps its
    # other cells as published), on plain arrays written back once: a DataFrame cell
    # assignment per finding cost about a second of every rebuild. The text columns are
    # taken out and written back for the findings' indicators' rows only.
    numbers = {c: out[c].to_numpy(dtype="float64", copy=True) for c in NUMBERS}
    text = {c: out[c].iloc[rows].to_numpy(dtype=object, copy=True) for c in ("source", "status")}
    source, status = text["source"], text["status"]
    actions = []
    for cell in found.to_dict("records"):
        local = index.get_loc(tuple(cell[k] for k in KEYS))  # among ``rows``
        position = rows[local]
        column = NEW_PLAN_CELLS.get((cell["indicator"], cell["field"]))
        replacement = lookup.get((cell["area_code"], cell["period"], column or ""))
        # A cell already taken from the second source has no other to fall back on.
        if replacement is not None and source[local] != SECOND_SOURCE:
            numbers[cell["field"]][position] = replacement
            if cell["field"] == "value":
                source[local] = SECOND_SOURCE
            actions.append(f"replaced by {replacement:,.0f} from {SECOND_SOURCE_NAME}")
        else:
            for c in NUMBERS:
                numbers[c][position] = np.nan
            status[local] = tidy.PUBLISHER_ERROR
            actions.append("set aside: shown as missing (publisher error)")
    for c in NUMBERS:
        out[c] = numbers[c]
    for c, values in text.items():
        column = out[c].copy()
        column.iloc[rows] = values
        out[c] = column
    found["action"] = actions
    return out, found


def check(
    table: pd.DataFrame,
    second: pd.DataFrame | None = None,
    la_region: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every rule in order, treating each rule's cells before the next looks.

    Order matters: once the copied regional totals are caught, England's sum and the
    year-on-year series are judged on the published cells that are left. Returns the treated table and the
    findings (one row per cell, see ``FINDING_COLUMNS``).
    """
    if la_region is None:
        register = areas.local_authorities()
        la_region = dict(zip(register["la_code"], register["region_code"]))
    cells = count_cells(table)
    rules: list[Callable[[pd.DataFrame], pd.DataFrame]] = [
        lambda c: region_total_copies(c, la_region),
        sums_above_england,
        tenfold_jumps,
    ]
    caught = []
    # The cells' keys as one integer each, made once and kept beside them (indexing 200,000
    # cells' string keys was most of a check's time).
    keys = _coded(cells, cells)
    for rule in rules:
        found = rule(cells)
        caught.append(found)
        if found.empty:
            continue
        # Later rules judge the published cells that are left, not the replacements: a
        # second source's counts need not add up exactly with the first's.
        left = ~np.isin(keys, _coded(cells, found))
        cells, keys = cells[left], keys[left]
    found = pd.concat([f for f in caught if not f.empty] or [_empty_findings()])
    table, found = set_aside(table, found.reset_index(drop=True), second)
    mismatched = percent_mismatches(table)
    table = take_counts(table, mismatched)
    return tidy.normalise(table), in_order(pd.concat([found, mismatched]))


def _coded(cells: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """One integer per row of ``rows`` for its keys and field, in the codes of ``cells``
    (``count_cells``'s categoricals), so that equal keys give equal integers; -1 for a row
    with a value the cells do not have."""
    coded = np.zeros(len(rows), dtype=np.int64)
    missing = np.zeros(len(rows), dtype=bool)
    for column in [*KEYS, "field"]:
        categories = cells[column].cat.categories
        values = rows[column]
        codes = (
            values.cat.codes.to_numpy()
            if values.dtype == cells[column].dtype
            else categories.get_indexer(values.astype(categories.dtype))
        )
        missing |= codes < 0
        # At most a few hundred values per key: six keys' codes fit one int64 many times over.
        coded = coded * (len(categories) + 1) + codes
    return np.where(missing, -1, coded)


def in_order(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings in one order however the table was checked (whole, or in parts by indicator,
    as a first start does): by rule as they run, then by cell, a count before the shares
    whose denominator it is. A cell has at most one finding per rule, so the order is total."""
    rank = {rule: i for i, rule in enumerate(RULES)}
    fields = {field: i for i, field in enumerate(COUNT_FIELDS)}
    findings = findings.reset_index(drop=True)
    order = findings.assign(_rule=findings["rule"].map(rank), _field=findings["field"].map(fields))
    order = order.sort_values(["_rule", *KEYS, "_field"], kind="stable")
    return findings.iloc[order.index].reset_index(drop=True)


def report(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings as a readable table: rule, indicator, area, period, published value,
    what was done and why; rules in the order they run."""
    if findings.empty:
        return pd.DataFrame(
            columns=["rule", "indicator", "area", "period", "published", "action", "reason"]
        )
    names = areas.area_names()
    order = {rule: i for i, rule in enumerate(RULES)}
    titles = {i: _title(i) for i in findings["indicator"].unique()}
    breakdown = findings["breakdown"].str.replace("=", ": ").str.replace(";", ", ")
    out = findings.assign(
        area=findings["area_code"].map(lambda c: names.get(c, c)),
        _order=findings["rule"].map(order),
        # The count itself before the shares whose denominator it is.
        _field=(findings["field"] != "value").astype(int),
        indicator=findings["indicator"].map(titles)
        + np.where(findings["breakdown"] != "", " (" + breakdown + ")", "")
        + np.where(findings["field"] != "value", ": its " + findings["field"], ""),
        rule=findings["rule"].map(RULES),
    )
    out = out.sort_values(["_order", "_field", "indicator", "period", "area"])
    columns = ["rule", "indicator", "area", "period", "published", "action", "reason"]
    return out[columns].reset_index(drop=True)


def _title(indicator_id: str) -> str:
    try:
        return indicators.get(indicator_id).title
    except KeyError:
        return indicator_id
