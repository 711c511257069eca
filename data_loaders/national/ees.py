"""Read explore-education-statistics (EES) CSVs into tidy rows.

EES files share a standard: ``time_period``, ``time_identifier``, ``geographic_level`` and
area code columns, then one column per measure. A :class:`Measure` says which columns
form an indicator's value, numerator and denominator; :func:`measure_rows` does the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

import tidy
from geography.areas import ENGLAND, current_codes, dfe_number_to_code

EES_REQUIRED = ("time_period", "time_identifier", "geographic_level")

_LEVELS = {
    "National": "national",
    "Regional": "region",
    "Local authority": "la",
}


class EESFormatError(ValueError):
    """A file that does not follow the EES standard."""


def read_ees(
    path: Path | str,
    period_override: dict[str, str] | None = None,
    where: Callable[[pd.DataFrame], pd.Series] | None = None,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read an EES CSV as strings and add ``area_code``, ``area_level`` and ``period``.

    Rows at other geographic levels (e.g. parliamentary constituency) are dropped.
    ``period_override`` maps raw ``time_period`` values to canonical labels where the
    publisher's identifier is misleading (SEN2 2022 labels January caseloads as calendar
    years). ``where`` picks the rows wanted from the raw columns before anything else is
    worked out, so that a caller wanting a file's totals does not pay for its breakdowns;
    ``columns`` names the only ones it uses besides the standard and area columns (of the
    60 in SEN2's caseload file, 13 are used), so that the others are neither read nor filtered.
    """
    df = read_strings(path, None if columns is None else [*_STANDARD, *columns])
    missing = [c for c in EES_REQUIRED if c not in df.columns]
    if missing:
        raise EESFormatError(f"{Path(path).name} is not an EES data file: no {', '.join(missing)}")
    keep = df["geographic_level"].isin(_LEVELS)
    if where is not None:
        keep &= where(df)
    df = df[keep].copy()
    for col in ("region_code", "new_la_code", "old_la_code"):
        if col not in df.columns:
            df[col] = ""  # national-only files have no area columns
    df["area_level"] = df["geographic_level"].map(_LEVELS)
    df["area_code"] = _area_codes(df)
    df = df[df["area_code"] != ""]
    if period_override:
        df["period"] = df["time_period"].map(period_override)
        if df["period"].isna().any():
            bad = sorted(df.loc[df["period"].isna(), "time_period"].unique())
            raise EESFormatError(f"{Path(path).name}: no canonical period for {bad}")
    else:
        # Labelled once per distinct (period, identifier), not once per row.
        pairs = pd.MultiIndex.from_arrays([df["time_period"], df["time_identifier"]])
        distinct = pairs.unique()
        labels = np.array([tidy.canonical_period(p, i) for p, i in distinct], dtype=object)
        df["period"] = pd.array(labels[distinct.get_indexer(pairs)], dtype="str")
    return df.reset_index(drop=True)


# What every EES reading needs: the required columns and the area codes.
_STANDARD = (*EES_REQUIRED, "region_code", "new_la_code", "old_la_code")


def read_strings(path: Path | str, columns: list[str] | None = None) -> pd.DataFrame:
    """Every cell (of ``columns`` that the file has, if given) as a string, blanks as empty
    strings. Arrow's parser is about three times pandas' own on these files; a file it cannot
    parse is read by pandas' parser, whose error names the line."""
    options: dict = {"dtype": str, "encoding": "utf-8-sig", "keep_default_na": False}
    if columns is not None:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
        options["usecols"] = [c for c in header if c in set(columns)]
    try:
        return pd.read_csv(path, engine="pyarrow", **options)
    except (ValueError, pa.ArrowException):
        return pd.read_csv(path, **options)


def _area_codes(df: pd.DataFrame) -> pd.Series:
    # Worked out on plain arrays: a pandas assignment through a mask per level cost more
    # than the rest of reading a file's rows.
    level = df["area_level"].to_numpy(dtype=object)
    code = np.full(len(df), "", dtype=object)
    code[level == "national"] = ENGLAND
    # Inner and Outer London (E13) are published as regions in some files but are not
    # regions in the ONS sense; London (E12000007) is, so they are left out.
    is_region = (level == "region") & df["region_code"].str.startswith("E12").to_numpy(dtype=bool)
    code[is_region] = df["region_code"].to_numpy(dtype=object)[is_region]
    is_la = level == "la"
    la = df.loc[is_la, "new_la_code"].fillna("")
    # Some older rows carry only DfE's three-digit number.
    numbers = df.loc[is_la, "old_la_code"].map(dfe_number_to_code()).fillna("")
    la = la.where(la != "", numbers)
    code[is_la] = current_codes(la).to_numpy(dtype=object)
    return pd.Series(code, index=df.index, dtype="object").fillna("").astype(str)


@dataclass(frozen=True)
class Measure:
    """How one indicator is read from an EES file's columns.

    ``value`` is the published column (taken as published when present); when it is
    missing the value is computed as numerator / denominator * ``scale``. Several
    numerator or denominator columns are summed.
    """

    indicator: str
    value: str | None = None
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    scale: float = 100.0

    def columns(self) -> tuple[str, ...]:
        """The file's columns this measure reads."""
        return (*self.numerator, *self.denominator, *([self.value] if self.value else []))


# A column's parsed numbers and statuses (plain arrays), by column name (see ``measures_rows``).
_Parse = Callable[[str], tuple[np.ndarray, np.ndarray]]


def _sum_columns(parse: _Parse, columns: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    parts = [parse(col) for col in columns]
    total = np.zeros(len(parts[0][0]))
    status = np.full(len(total), "", dtype=object)
    for vals, st in parts:
        status = np.where(~np.isnan(vals) | (status != ""), status, st)
        total = total + vals  # NaN in any part makes the sum unknown
    return total, status


def measure_rows(
    df: pd.DataFrame,
    measure: Measure,
    source: str,
    breakdown: pd.Series | str = "",
) -> pd.DataFrame:
    """Tidy rows for one measure from a frame returned by :func:`read_ees`."""
    return measures_rows(df, [(measure, breakdown)], source)


def measures_rows(
    df: pd.DataFrame, measures: Sequence[tuple[Measure, pd.Series | str]], source: str
) -> pd.DataFrame:
    """Tidy rows for several measures of one frame (each with its breakdown), in order, as
    one frame: each column is parsed once however many measures use it (SEN2's caseload
    is the denominator of eight), the measures are worked out on plain arrays (a pandas
    string column made for every intermediate status was most of it), and the rows are
    assembled and normalised once rather than once per measure (60 frames for the SEN2
    2025 release)."""
    parsed: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def parse(col: str) -> tuple[np.ndarray, np.ndarray]:
        if col not in parsed:
            parsed[col] = tidy.parse_number_arrays(df[col])
        return parsed[col]

    columns = [_measure_columns(parse, measure) for measure, _ in measures]
    n, k = len(df), len(measures)

    def numbers(parts: list[np.ndarray | None]) -> np.ndarray:
        arrays = [np.full(n, np.nan) if part is None else part for part in parts]
        return np.concatenate(arrays) if arrays else np.array([], dtype="float64")

    breakdowns = [
        np.full(n, b, dtype=object) if isinstance(b, str) else b.to_numpy(dtype=object)
        for _, b in measures
    ]
    index = pd.RangeIndex(n * k)

    def column(values: np.ndarray) -> pd.Series:
        return pd.Series(values, index=index)

    rows = np.tile(np.arange(n), k)

    def tiled(name: str) -> pd.Series:
        # Taken from the column as it is (Arrow text): no Python string per cell.
        return pd.Series(df[name].array.take(rows), index=index)

    return tidy.tidy_frame(
        indicator=column(np.repeat(np.array([m.indicator for m, _ in measures], dtype=object), n)),
        area_code=tiled("area_code"),
        area_level=tiled("area_level"),
        period=tiled("period"),
        value=column(numbers([c[0] for c in columns])),
        status=column(np.concatenate([c[1] for c in columns]) if k else np.array([], dtype=object)),
        numerator=column(numbers([c[2] for c in columns])),
        denominator=column(numbers([c[3] for c in columns])),
        breakdown=column(np.concatenate(breakdowns) if k else np.array([], dtype=object)),
        source=source,
    )


def _measure_columns(
    parse: _Parse, measure: Measure
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """One measure's value, status, numerator and denominator (None: not given)."""
    numerator = denominator = None
    status: np.ndarray | None = None
    if measure.numerator:
        numerator, status = _sum_columns(parse, measure.numerator)
    if measure.denominator:
        denominator, den_status = _sum_columns(parse, measure.denominator)
        status = den_status if status is None else np.where(status != "", status, den_status)
    if measure.value:
        value, status = parse(measure.value)
        if numerator is not None and denominator is not None:
            computed = _ratio(numerator, denominator, measure.scale)
            # A published percentage may be suppressed where the counts are not.
            withheld = (status == "suppressed") | (status == "low")
            value = np.where(~np.isnan(value) | withheld, value, computed)
            status = np.where(np.isnan(value), status, "")
    elif numerator is not None and denominator is not None and status is not None:
        value = _ratio(numerator, denominator, measure.scale)
        status = np.where(np.isnan(value), status, "")
    elif numerator is not None and status is not None:
        value = numerator
    else:
        raise ValueError(f"measure {measure.indicator} has no value or numerator column")
    if measure.value is None and denominator is None:
        numerator = None  # a plain count: the value is the count
    return value, status, numerator, denominator


def _ratio(num: np.ndarray, den: np.ndarray, scale: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den * scale
        return np.where(den > 0, out, np.nan)
