"""Turning raw cells into typed columns, and the checks on identifiers.

Nothing loops over rows in Python. A column is first reduced to its distinct values
(``Cells``, by ``pandas.factorize``): a 100,000-row extract has a handful of distinct needs,
flags and dates, so those are parsed once each, and only identifiers are checked at full
length, with numpy arithmetic. A cell that cannot be understood becomes a problem with its
Excel row number (the frame's index) and a plain-English message; all problems are
collected before anything is refused.

Identifier checks, each vectorised over a column:

* UPN (DfE, "Unique pupil numbers (UPNs): a guide for schools and local authorities", annex
  A): multiply the character in position 2 by 2, ... position 13 by 13, add, and the
  remainder on division by 23 is the check letter in ABCDEFGHJKLMNPQRTUVWXYZ (A=0 ... Z=22;
  never I, O or S). A temporary UPN ends in a letter, valued the same way. The guide's
  example H801200001001: 8*2 + 1*4 + 2*5 + 1*10 + 1*13 = 53 = 2*23 + 7, letter 7 is H.
* NHS number (NHS Data Dictionary): 10 digits; the first nine are weighted 10 down to 2 and
  added; 11 minus the remainder on division by 11 is the check digit (11 means 0; 10 means
  the number is invalid). 943 476 5919 is valid.
* ULN (the Learning Records Service rule as ESFA's ILR validation service implements it,
  derived item DD01): 10 digits; the first nine are weighted 10 down to 2 and added; the
  remainder on division by 11 must not be 0, and 10 minus it is the tenth digit. 9999999999
  is the temporary ULN and is accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import infer_dtype

from uploads import identifiers
from uploads.check_digits import nhs_problems, uln_problems, upn_problems
from uploads.readers import Problem
from uploads.schemas import (
    DATE_DTYPE,
    NUMBER_NOISE,
    SPACES,
    UPN_SHAPE,
    Column,
    norm,
)

MAX_PROBLEMS = 1000
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial 1 is 1 January 1900 (Lotus leap-year bug)
EARLIEST, LATEST = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31")
DATE_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y/%m/%d",
)
# What a spreadsheet may run as a formula when a text cell starts with it (OWASP's CSV
# injection list); a stored text starting so gets a leading apostrophe, as Excel gives it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_MAGNITUDE = 1e15  # past any SEND count or rate, and still exact as a whole number
YEARS_NOT_DATES = (1900, 2100)  # a bare 2024 in a date column is a year, not serial 2024 (1905)
DATE_TYPES, NUMBER_TYPES = [dt.date, dt.datetime, pd.Timestamp], [float, int, np.float64, np.int64]
Lazy: TypeAlias = pd.Series | str | Callable[[], pd.Series | str]


class Issues:
    """Problems found so far in one sheet, collected a column at a time."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self._parts: list[pd.DataFrame] = []
        self.count = 0

    def add(self, mask: pd.Series, column: str, value: Lazy, message: Lazy) -> None:
        """Record a problem for every row where ``mask`` is true. ``value`` and ``message``
        may be functions, called only when there is a problem: most columns have none, and
        building 100,000 messages nobody reads costs more than the check."""
        mask = mask.fillna(False).astype(bool)
        n = int(mask.sum())
        if not n:
            return
        value, message = (v() if callable(v) else v for v in (value, message))
        self.count += n
        if sum(len(p) for p in self._parts) >= MAX_PROBLEMS * 5:
            return
        index = mask.index[mask.to_numpy()]
        part = pd.DataFrame({"row": index, "column": column}, index=index)
        part["value"] = (
            value[mask].astype("string").fillna("") if isinstance(value, pd.Series) else value
        )
        part["message"] = (
            message[mask].astype("string") if isinstance(message, pd.Series) else message
        )
        self._parts.append(part)

    def merge(self, sub: Issues, cells: Cells) -> None:
        """Problems found among a column's distinct values, spread to every row holding one."""
        for part in sub._parts:
            hit = np.zeros(len(cells.uniques), dtype=bool)
            hit[part["row"].to_numpy()] = True
            spread = {}
            for field in ("value", "message"):
                per_unique = np.full(len(cells.uniques), "", dtype=object)
                per_unique[part["row"].to_numpy()] = part[field].to_numpy(dtype=object)
                spread[field] = pd.Series(per_unique[cells.codes], index=cells.index)
            self.add(
                pd.Series(hit[cells.codes], index=cells.index),
                part["column"].iat[0],
                spread["value"],
                spread["message"],
            )

    def rows_with_problems(self) -> pd.Index:
        """Rows already reported; checks across columns skip them, since a cell that could
        not be read would otherwise look blank and cause a second, misleading problem."""
        parts = [p["row"] for p in self._parts]
        return pd.Index(pd.concat(parts).unique()) if parts else pd.Index([])

    def problems(self) -> list[Problem]:
        if not self._parts:
            return []
        table = pd.concat(self._parts, ignore_index=True).sort_values("row", kind="stable")
        out = [
            Problem(self.sheet, int(r.row), r.column, str(r.value), str(r.message))
            for r in table.head(MAX_PROBLEMS).itertuples(index=False)
        ]
        if self.count > len(out):
            out.append(
                Problem(
                    self.sheet,
                    None,
                    "",
                    "",
                    f"... and {self.count - len(out):,} more problems "
                    "like these. Fix the ones above and upload again to see the rest.",
                )
            )
        return out


@dataclass
class Cells:
    """One column as its distinct cell values and, for each row, which of them it holds."""

    codes: np.ndarray
    uniques: pd.Series  # arrow strings when every cell is text, else objects; index 0..k-1
    index: pd.Index  # Excel row numbers

    @classmethod
    def of(cls, raw: np.ndarray, index: pd.Index) -> Cells:
        try:  # all text (every CSV, most XLSX columns): arrow encodes it in one C++ pass
            encoded = (
                pa.array(raw, type=pa.string(), from_pandas=True).fill_null("").dictionary_encode()
            )
            codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
            return cls(codes, pd.Series(pd.arrays.ArrowStringArray(encoded.dictionary)), index)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
        codes, uniques = pd.factorize(raw)
        values = pd.Series(uniques, dtype=object)
        if (codes < 0).any():  # None or NaN, which calamine and CSV never give: an empty cell
            codes = np.where(codes < 0, len(values), codes)
            values = pd.Series([*values, ""], dtype=object)
        return cls(codes, values, index)

    @classmethod
    def of_arrow(cls, cells: pa.Array, index: pd.Index) -> Cells:
        """The same from a typed column (``readers.read_typed``), where null is an empty
        cell: only the distinct values become Python objects."""
        if pa.types.is_string(cells.type) or pa.types.is_null(cells.type):
            encoded = cells.cast(pa.string()).fill_null("").dictionary_encode()
            codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
            return cls(codes, pd.Series(pd.arrays.ArrowStringArray(encoded.dictionary)), index)
        encoded = cells.dictionary_encode()
        values, indices = encoded.dictionary.to_pylist(), encoded.indices
        if indices.null_count:  # an empty cell reads as "", as from read_sheet
            indices = indices.fill_null(len(values))
            values.append("")
        codes = indices.to_numpy(zero_copy_only=False).astype(np.intp)
        return cls(codes, pd.Series(values, dtype=object), index)

    @cached_property
    def text(self) -> pd.Series:
        return as_text(self.uniques)

    def blank(self) -> np.ndarray:
        return self.text.isna().to_numpy(dtype=bool)[self.codes]

    def subset(self, keep: np.ndarray) -> Cells:
        return Cells(self.codes[keep], self.uniques, self.index[keep])

    def expand(self, per_unique: pd.Series) -> pd.Series:
        return pd.Series(per_unique.array.take(self.codes), index=self.index, name=per_unique.name)


def parse_column(column: Column, cells: Cells, issues: Issues) -> pd.Series:
    sub = Issues(issues.sheet)  # the work is done once per distinct value, then spread to rows
    values = PARSERS[column.type](column, cells.uniques, sub)
    issues.merge(sub, cells)
    return cells.expand(values)


def shown(column: Column, text: pd.Series) -> pd.Series:
    """A cell as a problem repeats it: identifiers partly masked, dates of birth hidden."""
    if column.is_date_of_birth:
        return pd.Series("(hidden)", index=text.index, dtype="string")
    t = text.astype("string")
    ends = t.str[:2] + t.str[2:-2].str.replace(r".", "•", regex=True) + t.str[-2:]
    return (
        ends.where(t.str.len() > 6, t.str.replace(r".", "•", regex=True))
        if column.identifier
        else text
    )


def as_text(raw: pd.Series) -> pd.Series:
    """Cells as trimmed text: whole numbers without ".0", dates as dd/mm/yyyy; blank is <NA>."""
    kind = "string" if isinstance(raw.dtype, pd.StringDtype) else infer_dtype(raw, skipna=True)
    if kind in ("string", "empty"):
        out = raw.astype("string").str.strip()
    else:
        out = pd.Series(pd.NA, index=raw.index, dtype="string")
        types = raw.map(type)
        is_str = types.eq(str)
        out[is_str] = raw[is_str].astype("string").str.strip()
        is_num = types.isin(NUMBER_TYPES)
        if is_num.any():  # 100000.0 from Excel is the URN "100000"
            nums = raw[is_num].astype("float64")
            whole = np.isfinite(nums) & (nums == np.floor(nums)) & (nums.abs() < 1e15)
            out[is_num] = nums.astype("string").where(
                ~whole, nums[whole].astype("int64").astype("string")
            )
        is_date = types.isin(DATE_TYPES)
        if is_date.any():
            out[is_date] = pd.to_datetime(raw[is_date]).dt.strftime("%d/%m/%Y").astype("string")
        rest = ~(is_str | is_num | is_date) & raw.notna()
        if rest.any():
            out[rest] = raw[rest].astype(str).astype("string")  # booleans, times
    return out.where(out != "", pd.NA)


def is_formula(text: pd.Series) -> pd.Series:  # "=SUM(...)" pasted as text, or a CSV injection
    return text.str.startswith("=").fillna(False)


def neutralised(text: pd.Series) -> pd.Series:
    """Text that a spreadsheet would run as a formula on export gets a leading apostrophe,
    as Excel itself does for such text, so no download can turn it into a formula."""
    return text.where(~text.str.startswith(FORMULA_START).fillna(False), "'" + text)


def parse_text(column: Column, raw: pd.Series, issues: Issues) -> pd.Series:
    """Free text is kept, neutralised; a UPN, NHS number or ULN typed into it is refused."""
    text = as_text(raw)
    kinds = identifiers.identifier_kinds(text)
    issues.add(
        kinds.notna(),
        column.name,
        "(hidden)",
        lambda: kinds.map(
            lambda k: identifiers.identifier_message(k, f"This {column.name}"), na_action="ignore"
        ).astype("string"),
    )
    return neutralised(text.where(kinds.isna()))


def parse_code(column: Column, raw: pd.Series, issues: Issues) -> pd.Series:
    text = as_text(raw)
    formula = is_formula(text)
    issues.add(formula, column.name, lambda: shown(column, text), _FORMULA_MESSAGE)
    if column.pattern:
        code = text.str.replace(SPACES, "", regex=True).str.upper()
        bad = code.notna() & ~formula & ~code.str.fullmatch(column.pattern).fillna(False)
        issues.add(
            bad,
            column.name,
            text,
            lambda: "'" + text + f"' is not a valid {column.name}: " + column.pattern_hint + ".",
        )
        return code.where(~bad & ~formula)
    if column.identifier:  # the one normalisation pseudonymise hashes, so look-alikes are one id
        ids = identifiers.normalise_ids(text)
        empty = text.notna() & ids.isna()
        issues.add(empty, column.name, text, lambda: "'" + text + "' is not an identifier.")
        odd = identifiers.invalid_ids(ids) & ~formula
        issues.add(
            odd,
            column.name,
            lambda: shown(column, text),
            "This id holds characters an id never has (only letters A-Z, digits and _ . / : # "
            "are kept, with spaces and hyphens ignored). Retype it.",
        )
        return ids.where(~empty & ~odd & ~formula)
    return neutralised(text.where(~formula))


def parse_choice(column: Column, raw: pd.Series, issues: Issues) -> pd.Series:
    text = as_text(raw)
    values = (
        text.map(norm, na_action="ignore").map(column.value_map()).astype("string")
    )  # few distinct
    formula = is_formula(text)
    issues.add(formula, column.name, text, _FORMULA_MESSAGE)
    allowed = ", ".join(column.allowed)
    bad = text.notna() & values.isna() & ~formula
    issues.add(
        bad,
        column.name,
        text,
        lambda: "'" + text + f"' is not an allowed value. Use one of: {allowed}.",
    )
    if column.is_flag:
        flags = values.map({"yes": True, "no": False}).astype("boolean")
        return flags.fillna(column.default).astype(bool) if column.default is not None else flags
    return values


def parse_number(column: Column, raw: pd.Series, issues: Issues) -> pd.Series:
    """Numbers, including numbers stored as text with commas, spaces, £ or %."""
    if infer_dtype(raw, skipna=True) in ("floating", "integer", "mixed-integer-float"):
        values = raw.astype("float64")
        text = values.astype("string")
    else:
        text = as_text(raw)
        cleaned = text.str.replace(NUMBER_NOISE, "", regex=True)
        values = pd.to_numeric(cleaned, errors="coerce").astype("float64")
        formula = is_formula(text)
        issues.add(formula, column.name, text, _FORMULA_MESSAGE)
        issues.add(
            text.notna() & values.isna() & ~formula,
            column.name,
            text,
            lambda: "'" + text + "' is not a number.",
        )
    # inf, NaN and 1e308 are numbers to Python but never a SEND figure, and 1e308 overflows
    # to inf as soon as two are added; refused before any check compares them.
    nan = pd.Series([isinstance(v, float) and v != v for v in raw], index=raw.index, dtype=bool)
    huge = ~np.isfinite(values.fillna(0)) | (values.abs() > MAX_MAGNITUDE) | nan
    issues.add(
        huge,
        column.name,
        text,
        lambda: (
            "'"
            + text.fillna("NaN")
            + f"' is not a usable number: {column.name} must be a finite number no larger than "
            f"{MAX_MAGNITUDE:,.0f}."
        ),
    )
    values = values.where(~huge)
    if column.type == "int":
        fractional = values.notna() & (values != np.floor(values))
        issues.add(fractional, column.name, text, lambda: "'" + text + "' is not a whole number.")
        values = values.where(~fractional)
    low, high = column.minimum, column.maximum
    if low is not None or high is not None:
        bounds = (-np.inf if low is None else low, np.inf if high is None else high)
        out = values.notna() & ~values.between(*bounds)
        why = (
            f"must not be below {low:g}"
            if high is None
            else f"must not be above {high:g}"
            if low is None
            else f"must be between {low:g} and {high:g}"
        )
        issues.add(
            out, column.name, text, lambda: "'" + text + f"' is out of range: {column.name} {why}."
        )
        values = values.where(~out)
    return values.round().astype("Int64") if column.type == "int" else values


def parse_date(column: Column, raw: pd.Series, issues: Issues) -> pd.Series:
    """Dates from date cells, Excel serial numbers or text (dd/mm/yyyy, yyyy-mm-dd, 15 March
    2024, ...); never month-first, so 03/15/2024 is refused rather than misread."""
    kind = infer_dtype(raw, skipna=True)
    out = pd.Series(pd.NaT, index=raw.index, dtype=DATE_DTYPE)
    if kind in ("date", "datetime", "datetime64"):
        return _clip(pd.to_datetime(raw).dt.normalize().astype(DATE_DTYPE), column, raw, issues)
    types = raw.map(type)
    dates = types.isin(DATE_TYPES)
    if dates.any():
        out[dates] = pd.to_datetime(raw[dates]).dt.normalize()
    numbers = types.isin(NUMBER_TYPES)
    if numbers.any():
        out[numbers] = _serial_checked(raw[numbers].astype("float64"), column, issues)
    text = as_text(raw.where(types.eq(str), ""))
    if text.notna().any():
        todo = text.notna()
        digits = todo & text.str.fullmatch(r"[0-9]{1,7}(\.[0-9]+)?").fillna(False)
        out[digits] = _serial_checked(text[digits].astype("float64"), column, issues)
        todo &= ~digits
        for fmt in ("ISO8601", *DATE_FORMATS):
            if not todo.any():
                break
            parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce").dropna()
            out[parsed.index], todo[parsed.index] = parsed.dt.normalize(), False
        formula = is_formula(text) & todo
        issues.add(formula, column.name, lambda: shown(column, text), _FORMULA_MESSAGE)
        who = f"{column.name} " if column.is_date_of_birth else "'" + text + "' "
        issues.add(
            todo & ~formula,
            column.name,
            lambda: shown(column, text),
            who + "is not a date SEND Lens understands. Use dd/mm/yyyy, for example 15/03/2024.",
        )
    return _clip(out, column, raw, issues)


def _serial(numbers: pd.Series) -> pd.Series:
    valid = (numbers >= 1) & (numbers < 2958466)
    days = pd.to_timedelta(np.floor(numbers.where(valid)), unit="D")
    return (EXCEL_EPOCH + days).astype(DATE_DTYPE)


def _serial_checked(numbers: pd.Series, column: Column, issues: Issues) -> pd.Series:
    """Excel serial numbers as dates; a whole number that reads as a year (2024 would be
    16/07/1905) or lies outside Excel's calendar is a problem, never a silent blank."""
    low, high = YEARS_NOT_DATES
    year = (numbers >= low) & (numbers <= high) & (numbers == np.floor(numbers))
    shown_as = (
        "(hidden)" if column.is_date_of_birth else numbers.map("{:g}".format).astype("string")
    )
    issues.add(
        year,
        column.name,
        shown_as,
        f"{column.name} is a year on its own, not a date. Give the whole date as dd/mm/yyyy, "
        "for example 15/03/2024.",
    )
    dates = _serial(numbers.where(~year))
    issues.add(
        dates.isna() & ~year,
        column.name,
        shown_as,
        f"{column.name} is a number that is not a date. Give the date as dd/mm/yyyy, "
        "for example 15/03/2024.",
    )
    return dates


def _clip(dates: pd.Series, column: Column, raw: pd.Series, issues: Issues) -> pd.Series:
    """Dates before 1900 or after 2100 are typing slips (a year of 202 or 2204)."""
    odd = dates.notna() & ((dates < EARLIEST) | (dates > LATEST))
    text = shown(column, dates.dt.strftime("%d/%m/%Y").astype("string"))
    issues.add(
        odd,
        column.name,
        text,
        f"{column.name} is not a plausible date (before 1900 or after 2100).",
    )
    return dates.where(~odd)


_FORMULA_MESSAGE = (
    "This cell holds a formula (it starts with =). SEND Lens never runs formulas: enter the value."
)
PARSERS = {
    "text": parse_text,
    "code": parse_code,
    "choice": parse_choice,
    "int": parse_number,
    "number": parse_number,
    "date": parse_date,
}


def check_identifier(column: Column, ids: pd.Series, issues: Issues) -> None:
    """UPN, NHS number and ULN columns are checked in full. A general child id (``any``) is
    checked only when it is shaped like a UPN: local ids have no rule to check against."""
    kind = column.identifier
    check = {"nhs": nhs_problems, "uln": uln_problems}.get(kind, upn_problems)
    reason = check(ids if kind != "any" else ids.where(ids.str.fullmatch(UPN_SHAPE).fillna(False)))
    label = {"nhs": "This NHS number", "uln": "This ULN"}.get(kind, "This UPN")
    issues.add(
        reason.notna(), column.name, lambda: shown(column, ids), lambda: label + " " + reason
    )


@lru_cache(maxsize=1)
def known_urns() -> pd.Index | None:
    """URNs in SEND Lens's register: the January 2024 census (so schools closed since count)
    and the 2025 GIAS extract (so do new schools and academy conversions); None if unreadable.
    Public data, the same for every upload, so built once per process."""
    from geography import school_register as schools

    try:
        urns = schools.known_urns()
    except (OSError, ValueError, KeyError):
        return None
    return pd.Index(urns.tolist(), dtype=object)  # a hash lookup per URN


def check_urns(column: Column, urns: pd.Series, issues: Issues) -> None:
    register = known_urns()
    if register is None:
        return
    # Each distinct URN looked up once: 100,000 pupils go to a few thousand schools.
    codes, distinct = pd.factorize(urns, use_na_sentinel=True)
    known = register.get_indexer(pd.Index(np.asarray(distinct, dtype=object))) >= 0
    known = np.append(known, True)  # a blank (code -1) is not an unknown URN
    unknown = pd.Series(~known[codes], index=urns.index)
    issues.add(
        unknown,
        column.name,
        urns,
        lambda: (
            "No school with URN " + urns + " is in SEND Lens's register (schools open in "
            "January 2024 or in 2025). Check the URN on Get Information About Schools."
        ),
    )
