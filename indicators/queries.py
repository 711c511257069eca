"""Questions every page asks of a tidy table: one indicator's rows, a value, a series, periods.

An area asked about by an old code that geography aliases (North Yorkshire's E10000023) is
answered as its successor, the code every loader files its rows under.

Every query takes the table it reads. The published national table comes as a
``NationalTable``, split by indicator once where it is loaded and cached, so a query touches
one indicator's rows rather than the whole table: pages ask dozens of questions per run. Any
other table (one holding a user's own data) is filtered as it is, and nothing about it is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from geography.areas import current_code
from tidy import period_sort_key


class NationalTable(pd.DataFrame):
    """The national tidy table with its rows split by indicator (``by_indicator``), and for each
    indicator asked about, an index of its values (``lookup``).

    It is a DataFrame, so every caller can use it as one; anything derived from it (a slice, a
    copy, a concatenation with local rows) is a plain DataFrame without the split, so a user's
    rows can never end up in it. The index is kept on the table itself, not in a module cache.
    """

    _metadata: ClassVar[list[str]] = ["by_indicator", "lookups"]
    by_indicator: dict[str, pd.DataFrame]
    lookups: dict[str, Lookup]

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    @classmethod
    def of(cls, frame: pd.DataFrame) -> NationalTable:
        table = cls(frame)
        table.attrs = {}
        table.by_indicator = _split(frame)
        table.lookups = {}
        return table

    def lookup(self, indicator: str) -> Lookup:
        """The indicator's values by (area, breakdown, period), built on first use: Home alone
        asks 80 single values per run, and filtering rows for each costs ~20 ms."""
        found = self.lookups.get(indicator)
        if found is None:
            found = Lookup.of(self.by_indicator.get(indicator, self.iloc[0:0]))
            self.lookups[indicator] = found  # a race only builds the same index twice
        return found


@dataclass(frozen=True)
class Lookup:
    values: dict[tuple[str, str, str], float]  # (area, breakdown, period) -> value (may be NaN)
    periods: list[str]  # periods with a value in any row, oldest first
    latest: dict[str, str]  # area -> newest period with a value, totals only
    latest_any: str | None  # newest period with a value for any area, totals only

    @classmethod
    def of(cls, rows: pd.DataFrame) -> Lookup:
        codes = _shared_strings(rows["area_code"])
        breakdowns = _shared_strings(rows["breakdown"])
        periods = _shared_strings(rows["period"])
        numbers = pd.to_numeric(rows["value"], errors="coerce").astype(float).tolist()
        values: dict[tuple[str, str, str], float] = {}
        latest: dict[str, str] = {}
        with_value: set[str] = set()
        # Each period's key once: an indicator has a few dozen periods over thousands of rows,
        # and keying every row was half of building Home's ten indexes (cProfile, 2026-12-03).
        order = {p: period_sort_key(p) for p in set(periods)}
        for code, breakdown, period, number in zip(codes, breakdowns, periods, numbers):
            values.setdefault((code, breakdown, period), number)  # the first row, as ``value``
            if number == number:  # not NaN
                with_value.add(period)
                if breakdown == "" and (code not in latest or order[period] > order[latest[code]]):
                    latest[code] = period
        newest = max(latest.values(), key=order.__getitem__) if latest else None
        return cls(values, sorted(with_value, key=order.__getitem__), latest, newest)


def _shared_strings(column: pd.Series) -> list[str]:
    """The column as Python strings, one object per distinct value rather than per row: the
    lookups keep them as keys, and a string per row held ~9 MB more once every indicator of
    the national table had been asked about (in-process RSS, 2026-12-03)."""
    positions, distinct = pd.factorize(column.astype(str), use_na_sentinel=False)
    return np.asarray([str(v) for v in distinct], dtype=object)[positions].tolist()


def _with_successors(codes: list[str]) -> list[str]:
    """The codes asked for and, for an aliased old code, its successor's."""
    return list(dict.fromkeys([*codes, *(current_code(c) for c in codes)]))


def _split(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each indicator's rows. The cached table is sorted by indicator, so each indicator's
    rows are one run and a slice of the table: a view sharing its memory (copy-on-write
    gives a caller who changes it a copy of its own). Otherwise a copy each, from groupby."""
    # Integer codes, not a Python string per row: 180,000 short-lived strings left ~10 MB of
    # Python's small-object arenas held after the split (in-process RSS, 2026-12-03).
    codes, names = pd.factorize(frame["indicator"].astype(str), use_na_sentinel=False)
    if len(codes) == 0:
        return {}
    starts = np.concatenate([[0], np.flatnonzero(codes[1:] != codes[:-1]) + 1])
    if len(starts) != len(names):  # an indicator in more than one run
        groups = frame.groupby("indicator", sort=False, observed=True)
        return {str(k): _plain(g) for k, g in groups}
    ends = [*starts[1:], len(codes)]
    return {
        str(names[codes[a]]): _plain(frame.iloc[a:b]) for a, b in zip(starts, ends, strict=True)
    }


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    frame.attrs = {}
    return frame


def rows(
    indicator: str,
    areas: list[str] | None = None,
    breakdown: str | None = "",
    *,
    table: pd.DataFrame,
) -> pd.DataFrame:
    """All rows of one indicator, optionally for some areas and one breakdown."""
    if isinstance(table, NationalTable):
        sel = table.by_indicator.get(indicator)
        if sel is None:
            sel = pd.DataFrame(table.iloc[0:0])
    else:
        sel = table[table["indicator"] == indicator]
    if areas is not None:
        sel = sel[sel["area_code"].isin(_with_successors(areas))]
    if breakdown is not None:
        sel = sel[sel["breakdown"] == breakdown]
    return sel


def value(
    indicator: str, area: str, period: str, breakdown: str = "", *, table: pd.DataFrame
) -> float | None:
    """The value for an area and canonical period, or None when missing or suppressed."""
    if isinstance(table, NationalTable):
        found = table.lookup(indicator).values.get((current_code(area), breakdown, period))
        return None if found is None or found != found else found
    sel = rows(indicator, [area], breakdown, table=table)
    sel = sel[sel["period"] == period]
    if sel.empty or pd.isna(sel["value"].iloc[0]):
        return None
    return float(sel["value"].iloc[0])


def series(indicator: str, area: str, breakdown: str = "", *, table: pd.DataFrame) -> pd.DataFrame:
    """An area's values over time, oldest first, with numerator, denominator and status."""
    sel = rows(indicator, [area], breakdown, table=table)
    order = sorted(sel["period"].unique(), key=period_sort_key)
    sel = sel.set_index("period").loc[order].reset_index()
    return sel[["period", "value", "numerator", "denominator", "status", "source"]]


def periods(indicator: str, *, table: pd.DataFrame) -> list[str]:
    """Every period with at least one value, oldest first."""
    if isinstance(table, NationalTable):
        return list(table.lookup(indicator).periods)
    sel = rows(indicator, None, None, table=table)
    sel = sel[sel["value"].notna()]
    return sorted(sel["period"].unique(), key=period_sort_key)


def latest_period(indicator: str, area: str | None = None, *, table: pd.DataFrame) -> str | None:
    """The newest period with a value (for one area if given)."""
    if isinstance(table, NationalTable):
        found = table.lookup(indicator)
        return found.latest.get(current_code(area)) if area else found.latest_any
    sel = rows(indicator, [area] if area else None, "", table=table)
    sel = sel[sel["value"].notna()]
    if sel.empty:
        return None
    return str(max(sel["period"].unique(), key=period_sort_key))


def previous_period(indicator: str, period: str, *, table: pd.DataFrame) -> str | None:
    """The period before ``period`` in this indicator's series, if any."""
    ps = periods(indicator, table=table)
    if period not in ps:
        return None
    i = ps.index(period)
    return ps[i - 1] if i > 0 else None


def snapshot(
    indicator: str,
    period: str,
    area_level: str = "la",
    breakdown: str = "",
    *,
    table: pd.DataFrame,
) -> pd.DataFrame:
    """Every area's row at one level for one period (for rankings, maps and benchmarks)."""
    t = rows(indicator, None, None, table=table)
    sel = t[
        (t["period"] == period) & (t["area_level"] == area_level) & (t["breakdown"] == breakdown)
    ]
    return sel.reset_index(drop=True)


def breakdown_values(
    indicator: str, area: str, period: str, key: str, *, table: pd.DataFrame
) -> pd.DataFrame:
    """Rows of one breakdown (``key=value``) for an area and period, with the value split out."""
    sel = rows(indicator, [area], None, table=table)
    sel = sel[(sel["period"] == period) & sel["breakdown"].str.startswith(f"{key}=")]
    out = sel.copy()
    out[key] = out["breakdown"].str.slice(len(key) + 1)
    return out.reset_index(drop=True)
