"""Disclosure control for small-area counts, following NHS England's small-number rule.

NHS England (and NHS Digital before it) publish small-area counts like this: a count of 1
to 7 is suppressed and every other count is rounded to the nearest 5. Zero is shown as
zero: a true zero reveals nothing about an individual, and hiding it would make every empty
cell look like a small number. Thresholds are arguments, so a stricter setting (a workshop
with parent carers in the room) is one call away.

Secondary suppression: where a row is left with exactly one suppressed count, the next
smallest non-zero count in that row is hidden too, so that the hidden one cannot be worked
out from a published row total. Hiding a zero alongside would not help (the hidden pair
would still sum to the small count), so zeros are never chosen.

Only sub-national figures SEND Lens computes itself go through here. Figures DfE, ONS or
NHS England publish are shown as published: they have had the publisher's own control.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 7
DEFAULT_ROUNDING = 5
DEFAULT_MIN_DENOMINATOR = 30
DISCLOSURE_COLUMN = "disclosure"
GREYED_COLUMN = "greyed"
REASON_COLUMN = "greyed_reason"


@dataclass(frozen=True)
class SmallNumberRule:
    """The small-number rule a page applies: counts of 1 to ``threshold`` hidden, others
    rounded to the nearest ``rounding``, rates greyed out under ``min_denominator``.

    The default is NHS England's rule; an area may set a stricter one (a workshop with
    parent carers, or its own disclosure policy), never a looser one.
    """

    threshold: int = DEFAULT_THRESHOLD
    rounding: int = DEFAULT_ROUNDING
    min_denominator: float = DEFAULT_MIN_DENOMINATOR

    def __post_init__(self) -> None:
        if (
            self.threshold < DEFAULT_THRESHOLD
            or self.rounding < DEFAULT_ROUNDING
            or self.min_denominator < DEFAULT_MIN_DENOMINATOR
        ):
            raise ValueError("a small-number rule can be stricter than the default, not looser")

    def count_in_words(self, n: int) -> str:
        """A count for a sentence: "none", "fewer than 8" or "about 25"."""
        if n <= 0:
            return "none"
        if n <= self.threshold:
            return f"fewer than {self.threshold + 1}"
        return f"about {int(_round_to(n, self.rounding)):,}"

    def describe(self, who: str = "people") -> str:
        return (
            f"Small numbers are protected: counts of 1 to {self.threshold} are hidden and other counts are "
            f"rounded to the nearest {self.rounding}; a percentage is hidden when its count is; areas with "
            f"fewer than {self.min_denominator:,.0f} {who} are greyed out. Percentages are worked out from "
            "the true counts."
        )


def _round_to(values: pd.Series, base: int) -> pd.Series:
    # Half away from zero, not numpy's half-to-even: 12.5 -> 15 whatever the neighbours.
    if base <= 1:
        return values
    return np.floor(values / base + 0.5) * base


def apply_disclosure_control(
    table: pd.DataFrame,
    count_columns: Sequence[str],
    threshold: int = DEFAULT_THRESHOLD,
    rounding: int = DEFAULT_ROUNDING,
) -> pd.DataFrame:
    """A copy of ``table`` with its counts made safe to show.

    In each of ``count_columns``: a count from 1 to ``threshold`` becomes missing (NaN);
    any other count is rounded to the nearest ``rounding`` (0 stays 0; ``rounding=1``
    leaves counts as they are). Then, in each row with exactly one cell suppressed that
    way, the smallest remaining non-zero count among ``count_columns`` is suppressed too.
    Counts already missing are left missing and do not count as suppressed here.

    A column ``disclosure`` says in words what was done to each row, e.g. "numerator
    suppressed (1 to 7); others suppressed so it cannot be worked out from the total;
    other counts rounded to the nearest 5".
    """
    missing = [c for c in count_columns if c not in table.columns]
    if missing:
        raise KeyError(f"no column {missing} in the table")
    if threshold < 0 or rounding < 1:
        raise ValueError("threshold must be >= 0 and rounding >= 1")
    out = table.copy()
    cols = list(count_columns)
    counts = out[cols].apply(pd.to_numeric, errors="coerce").astype("float64")

    primary = (counts >= 1) & (counts <= threshold)
    # Secondary: rows with exactly one primary suppression lose their next smallest count.
    secondary = pd.DataFrame(False, index=counts.index, columns=cols)
    single = primary.sum(axis=1) == 1
    if single.any() and len(cols) > 1:
        candidates = counts.where(~primary & (counts > 0))
        rows = candidates[single].dropna(how="all")
        if not rows.empty:
            smallest = rows.idxmin(axis=1)
            for col in cols:
                secondary.loc[smallest.index[smallest == col], col] = True

    hidden = primary | secondary
    safe = _round_to(counts, rounding).where(~hidden)
    for col in cols:
        out[col] = safe[col]

    out[DISCLOSURE_COLUMN] = _describe_rows(primary, secondary, counts.notna(), threshold, rounding)
    return out


def _describe_rows(
    primary: pd.DataFrame,
    secondary: pd.DataFrame,
    present: pd.DataFrame,
    threshold: int,
    rounding: int,
) -> list[str]:
    """The ``disclosure`` text of each row; rows share a handful of patterns, so each
    pattern is worded once (tables of 20,000 schools pass through here)."""
    cols = list(primary.columns)
    shown = present & ~primary & ~secondary
    keys = list(
        zip(
            map(tuple, primary.to_numpy()),
            map(tuple, secondary.to_numpy()),
            shown.any(axis=1).to_numpy(),
        )
    )
    words: dict[tuple, str] = {}
    for key in set(keys):
        prim, sec, any_shown = key
        parts = []
        if any(prim):
            names = [c for c, flag in zip(cols, prim) if flag]
            parts.append(f"{', '.join(names)} suppressed (1 to {threshold})")
        if any(sec):
            names = [c for c, flag in zip(cols, sec) if flag]
            parts.append(f"{', '.join(names)} suppressed so it cannot be worked out from the total")
        if any_shown and rounding > 1:
            parts.append(
                f"{'other counts' if parts else 'counts'} rounded to the nearest {rounding}"
            )
        if not parts:
            parts.append("counts shown as they are" if any_shown else "no counts")
        words[key] = "; ".join(parts)
    return [words[key] for key in keys]


def apply_rate_suppression(
    table: pd.DataFrame,
    rate_column: str,
    numerator_column: str,
    denominator_column: str,
) -> pd.DataFrame:
    """A copy with ``rate_column`` missing wherever its numerator or denominator is.

    Run it after ``apply_disclosure_control``: a rate shown beside a suppressed count would
    give the count away. The rate itself is not recomputed from rounded counts: where both
    counts are shown, the rate from the true counts is the more accurate figure and reveals
    nothing the rounded counts hide (rounding protects the counts, not the rate).
    """
    out = table.copy()
    hidden = out[numerator_column].isna() | out[denominator_column].isna()
    out.loc[hidden, rate_column] = np.nan
    return out


def min_denominator_flag(
    table: pd.DataFrame,
    denominator_column: str,
    minimum: float = DEFAULT_MIN_DENOMINATOR,
    unit: str = "pupils",
) -> pd.DataFrame:
    """A copy with ``greyed`` (bool) and ``greyed_reason`` (text) columns.

    An area is greyed out when its denominator is missing or below ``minimum``: a
    percentage of a handful of people swings wildly and says little. ``unit`` names what
    the denominator counts, for the reason shown to users. Pass the true denominator
    (before rounding), so that the cut-off is applied to the real number.
    """
    out = table.copy()
    den = pd.to_numeric(out[denominator_column], errors="coerce")
    none = den.isna() | (den <= 0)
    small = ~none & (den < minimum)
    out[GREYED_COLUMN] = (none | small).to_numpy()
    reason = np.where(
        none,
        f"no {unit} counted here",
        np.where(small, f"fewer than {minimum:,.0f} {unit}: too few for a reliable percentage", ""),
    )
    out[REASON_COLUMN] = reason
    return out
