"""The tidy table of observations that every source is turned into (see DESIGN.md).

One row is one published or computed value for an indicator, an area, a period and a
breakdown. Published suppression symbols never become zero: they become a missing value
with a status saying why.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

TIDY_COLUMNS: list[str] = [
    "indicator",
    "area_code",
    "area_level",
    "period",
    "breakdown",
    "numerator",
    "denominator",
    "value",
    "status",
    "source",
]

# "icb": an NHS integrated care board (ONS code E54...), for NHS data published by ICB only;
# one ICB covers several councils, and a council can lie in more than one ICB.
AREA_LEVELS = ("national", "region", "la", "ward", "sub_icb", "icb", "school", "locality")

# Symbols used across DfE, ONS and MoJ tables. Each maps to the status we record.
SYMBOL_STATUS: dict[str, str] = {
    "c": "suppressed",  # confidential
    "x": "not_available",
    "z": "not_applicable",
    "low": "low",  # rounds to zero but is not zero
    "k": "low",  # DfE's older "less than 0.5"
    "u": "not_available",  # low reliability: withheld rather than shown
    ":": "not_available",
    "~": "low",
    "..": "not_available",
    ".": "not_available",
    "-": "not_available",
    "n/a": "not_available",
    "na": "not_available",
    "": "not_available",
}

# A published value that the plausibility checks (data_loaders/quality.py) found impossible,
# e.g. a council given its whole region's total; the reason is in the findings table.
PUBLISHER_ERROR = "publisher_error"
# Every status a row can carry: "" for a value, else why the value is missing.
STATUSES: tuple[str, ...] = ("", *sorted(set(SYMBOL_STATUS.values())), PUBLISHER_ERROR)
# Why a value is missing, in words a reader of a page understands.
STATUS_WORDS: dict[str, str] = {
    "suppressed": "suppressed by the publisher to protect small numbers",
    "not_applicable": "not collected for this year",
    "not_available": "not available",
    "low": "below 0.5, published only as 'low'",
    PUBLISHER_ERROR: "set aside: publisher error",
    # Not a published status: a figure SEND Lens hides in workshop mode (analysis.disclosure).
    "protected": "hidden to protect privacy (a count of fewer than 8, or too few people)",
}


def status_words(status: str | None, reason: str = "") -> str:
    """A missing value's status in words; a publisher error with its reason in brackets."""
    words = STATUS_WORDS.get(status or "", "not available")
    return f"{words} ({reason})" if reason and status == PUBLISHER_ERROR else words


_NUMBER_CLEAN = re.compile(r"[,\s%£]")


def parse_numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Turn a column of published cells into floats and a status for each cell.

    Thousands separators, percent signs and pound signs are removed; any recognised
    symbol becomes NaN with its status; anything else that is not a number becomes NaN
    with status ``not_available``. Numbers get an empty status.
    """
    values, status = parse_number_arrays(raw)
    return (
        pd.Series(values, index=raw.index, dtype="float64"),
        pd.Series(status, index=raw.index).astype("string"),
    )


def parse_number_arrays(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``parse_numbers`` as plain arrays (floats, and statuses as objects), for a reader that
    works on arrays: a pandas string column per status costs about a millisecond, and the
    national build parses ~300 columns."""
    if not isinstance(raw.dtype, pd.StringDtype):
        raw = raw.astype("string")  # a spreadsheet's cells: numbers and text as written
    # Most cells are plain numbers, which need none of the cleaning: parsed directly first,
    # and the others cleaned once per distinct text (pandas' string methods cost ~8 ms a
    # call whatever the length; a column's other cells are mostly a few symbols repeated).
    values = pd.to_numeric(raw, errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan, copy=True
    )
    status = np.full(len(raw), "", dtype=object)
    rest = np.flatnonzero(np.isnan(values))
    if len(rest):
        codes, distinct = pd.factorize(raw.iloc[rest], use_na_sentinel=False)
        cells = np.asarray(distinct.to_numpy(dtype=object, na_value=None))
        texts = [c.strip() if isinstance(c, str) else None for c in cells]
        cleaned = pd.array(
            [_NUMBER_CLEAN.sub("", t) if t is not None else None for t in texts], dtype="string"
        )
        parsed = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        statuses = np.array(
            [
                "" if not np.isnan(v) else _symbol_status(t)
                for v, t in zip(parsed, texts, strict=True)
            ],
            dtype=object,
        )
        values[rest] = parsed[codes]
        status[rest] = statuses[codes]
    return values, status


def _symbol_status(text: str | None) -> str:
    return "not_available" if text is None else SYMBOL_STATUS.get(text.lower(), "not_available")


def tidy_frame(
    *,
    indicator: str | pd.Series,
    area_code: pd.Series,
    area_level: str | pd.Series,
    period: str | pd.Series,
    value: pd.Series,
    status: pd.Series | None = None,
    numerator: pd.Series | None = None,
    denominator: pd.Series | None = None,
    breakdown: str | pd.Series = "",
    source: str | pd.Series = "",
) -> pd.DataFrame:
    """Assemble tidy rows from aligned columns, filling what is not given."""
    index = area_code.index
    frame = pd.DataFrame(
        {
            "indicator": indicator,
            "area_code": area_code,
            "area_level": area_level,
            "period": period,
            "breakdown": breakdown,
            "numerator": numerator if numerator is not None else np.nan,
            "denominator": denominator if denominator is not None else np.nan,
            "value": value,
            "status": status if status is not None else "",
            "source": source,
        },
        index=index,
    )
    frame.loc[frame["value"].isna() & (frame["status"] == ""), "status"] = "not_available"
    return normalise(frame)


def empty() -> pd.DataFrame:
    return normalise(pd.DataFrame({c: [] for c in TIDY_COLUMNS}))


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Put a frame into the exact column order and dtypes of the tidy table."""
    missing = [c for c in TIDY_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"tidy table is missing columns: {missing}")
    out = frame[TIDY_COLUMNS].copy()
    for col in ("indicator", "area_code", "area_level", "period", "breakdown", "status", "source"):
        out[col] = out[col].fillna("").astype("string")
    for col in ("numerator", "denominator", "value"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    return out.reset_index(drop=True)


def validate(frame: pd.DataFrame) -> list[str]:
    """Problems that would break the contract; an empty list means the frame is sound."""
    problems: list[str] = []
    if list(frame.columns) != TIDY_COLUMNS:
        problems.append(f"columns are {list(frame.columns)}, expected {TIDY_COLUMNS}")
        return problems
    bad_levels = set(frame["area_level"].unique()) - set(AREA_LEVELS)
    if bad_levels:
        problems.append(f"unknown area levels: {sorted(bad_levels)}")
    no_reason = frame["value"].isna() & (frame["status"] == "")
    if no_reason.any():
        problems.append(f"{int(no_reason.sum())} missing values have no status")
    keys = ["indicator", "area_code", "period", "breakdown"]
    dupes = frame.duplicated(keys, keep=False)
    if dupes.any():
        sample = frame.loc[dupes, keys].head(3).to_dict("records")
        problems.append(f"{int(dupes.sum())} rows share a key, e.g. {sample}")
    bad_periods = ~frame["period"].str.fullmatch(PERIOD_PATTERN)
    if bad_periods.any():
        problems.append(
            f"non-canonical periods: {sorted(frame.loc[bad_periods, 'period'].unique())[:5]}"
        )
    return problems


# 2024 (calendar or reporting year), 2024/25 (academic or financial year), 2025-03 (month).
PERIOD_PATTERN = r"\d{4}(/\d{2})?|\d{4}-\d{2}"


def academic_year(start_year: int) -> str:
    """``2024`` -> ``"2024/25"``."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def canonical_period(time_period: str | int, time_identifier: str = "") -> str:
    """Turn an explore-education-statistics time period into the canonical label.

    ``202425`` (academic or financial year) becomes ``2024/25``; ``2024``
    stays ``2024``; ``2024`` with a month identifier like ``March`` becomes ``2024-03``.
    """
    text = str(time_period).strip()
    ident = (time_identifier or "").strip().lower()
    if re.fullmatch(r"\d{6}", text):
        start = int(text[:4])
        end = int(text[4:])
        if (start + 1) % 100 != end:
            raise ValueError(f"time period {text!r} is not a two-year span")
        return academic_year(start)
    if re.fullmatch(r"\d{4}", text):
        month = _MONTHS.get(ident)
        if month:
            return f"{text}-{month:02d}"
        return text
    if re.fullmatch(r"\d{4}/\d{2}", text):
        return text
    raise ValueError(f"unrecognised time period {text!r} ({time_identifier!r})")


_MONTHS = {
    name: i
    for i, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}


def period_sort_key(period: str) -> tuple[int, int]:
    """Order canonical periods in time: ``2023`` < ``2023/24`` < ``2024``."""
    year = int(period[:4])
    if "/" in period:
        return (year, 6)
    if re.fullmatch(r"\d{4}-\d{2}", period):
        return (year, int(period[5:7]) - 1)
    return (year, 0)


def period_order(periods: pd.Series) -> pd.Series:
    """A sortable integer for each canonical period (see :func:`period_sort_key`)."""
    # Each distinct period worked out once (a column holds a few dozen, in up to 200,000 rows).
    codes, uniques = pd.factorize(periods, use_na_sentinel=False)
    orders = np.array([year * 100 + part for year, part in map(period_sort_key, uniques)])
    return pd.Series(orders[codes], index=periods.index, name=periods.name, dtype="int64")
