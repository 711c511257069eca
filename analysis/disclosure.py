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

Percentages beside protected counts (the rule SEND Lens follows everywhere): a percentage
shown beside a protected count is worked out from the protected figures shown ("30 of 45"
shows 66.7%, never the true 68.9%), so it tells a reader nothing the rounded counts do not;
with either count hidden the percentage is hidden too. A percentage from the true counts
would pin them: 68.9% fits only 31 of 45, and a hidden count could then be worked out by
differencing. A greyed-out area (too few people for a percentage) shows no counts either.

Totals beside their parts (secondary disclosure): a total shown beside parts that are
hidden or rounded (a row total, a table's total row, an LA total under a map) must not let
a reader subtract the shown parts from it and pin a hidden count. ``pinned_parts`` finds
every hidden count that the shown figures fix to one value (exactly: a shown count stands
for the whole range of true counts that round to it, and one sum has no gaps), and
``protect_total`` withholds a total when it would pin one. Within a row, the second cell
hidden by ``apply_disclosure_control`` does the same job for the row total.

Only sub-national figures SEND Lens computes itself go through here. Figures DfE, ONS or
NHS England publish are shown as published: they have had the publisher's own control.
"""

from __future__ import annotations

import math
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

    def shown_count(self, n: float) -> float | None:
        """A count as shown: None when hidden (1 to the threshold), else rounded."""
        if 1 <= n <= self.threshold:
            return None
        return float(_round_to(pd.Series([float(n)]), self.rounding).iloc[0])

    def hides_share(self, numerator: float | None, denominator: float | None) -> bool:
        """Whether a share or rate resting on these counts is hidden: its count is (1 to the
        threshold), or it rests on fewer than ``min_denominator``. Unknown counts hide nothing."""
        small = numerator is not None and 1 <= numerator <= self.threshold
        return small or (denominator is not None and denominator < self.min_denominator)

    def describe(self, who: str = "people") -> str:
        return (
            f"Small numbers are protected: counts of 1 to {self.threshold} are hidden and other counts are "
            f"rounded to the nearest {self.rounding}; a percentage is hidden when its count is; areas with "
            f"fewer than {self.min_denominator:,.0f} {who} are greyed out and show no counts. Percentages are "
            "worked out from the rounded counts shown, so that they cannot give the true counts away."
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
    scale: float = 100.0,
) -> pd.DataFrame:
    """A copy with ``rate_column`` missing wherever its numerator or denominator is.

    Run it after ``apply_disclosure_control``: a rate shown beside a suppressed count would
    give the count away. Where both counts are shown the rate is worked out again from the
    rounded counts (``scale`` times their ratio): a rate from the true counts would undo the
    rounding (68.9% beside "30 of 45" fits only 31 of 45).
    """
    out = table.copy()
    out[rate_column] = shown_rate(out[numerator_column], out[denominator_column], scale)
    return out


def shown_rate(numerator: pd.Series, denominator: pd.Series, scale: float = 100.0) -> pd.Series:
    """``scale * numerator / denominator`` of protected (rounded) counts: missing where either
    is hidden or the denominator is 0, so it holds nothing the counts shown do not."""
    num = pd.to_numeric(numerator, errors="coerce").astype("float64")
    den = pd.to_numeric(denominator, errors="coerce").astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = scale * num / den
    return rate.where(num.notna() & (den > 0))


# --- Totals beside their parts ------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """What a reader sees of one count: its possible true values ``low`` to ``high``
    (``high`` None when unbounded) and whether it is hidden."""

    low: int
    high: int | None
    hidden: bool


def shown_as(
    shown: float | None,
    rule: SmallNumberRule,
    *,
    small: bool = True,
) -> Shown:
    """The true counts a shown figure stands for under ``rule``.

    ``shown`` is the protected figure (None or NaN when hidden). A hidden count is 1 to the
    threshold when ``small`` (hidden for being small) or any count above it otherwise (a
    second cell hidden to protect the first). A rounded count ``x`` is any count from
    ``x - rounding/2`` (halves round up) up to below ``x + rounding/2``, and never a small one.
    """
    if shown is None or (isinstance(shown, float) and math.isnan(shown)):
        return Shown(1, rule.threshold, True) if small else Shown(rule.threshold + 1, None, True)
    value = int(round(float(shown)))
    if value == 0:
        return Shown(0, 0, False)
    half = rule.rounding / 2
    low = max(math.ceil(value - half), rule.threshold + 1)
    high = math.ceil(value + half) - 1
    return Shown(low, high, False)


def _sum_low(items: Sequence[Shown]) -> int:
    return sum(i.low for i in items)


def _sum_high(items: Sequence[Shown]) -> int | None:
    highs = [i.high for i in items]
    return None if any(h is None for h in highs) else sum(highs)  # type: ignore[arg-type]


def feasible_range(parts: Sequence[Shown], total: Shown, index: int) -> tuple[int, int | None]:
    """The values part ``index`` can take given all parts add up to ``total``.

    Exact for one sum: every part ranges over whole numbers without gaps, so every sum
    between the sums of the lows and of the highs is reachable.
    """
    part = parts[index]
    others = [p for i, p in enumerate(parts) if i != index]
    others_high = _sum_high(others)
    low = part.low if others_high is None else max(part.low, total.low - others_high)
    high = None if total.high is None else total.high - _sum_low(others)
    if part.high is not None:
        high = part.high if high is None else min(part.high, high)
    return low, high


def pinned_parts(parts: Sequence[Shown], total: Shown) -> list[int]:
    """Indexes of hidden parts whose true value the shown total and parts fix to one value."""
    pinned = []
    for i, part in enumerate(parts):
        if part.hidden:
            low, high = feasible_range(parts, total, i)
            if high is not None and low >= high:
                pinned.append(i)
    return pinned


def protect_total(
    true_total: float,
    shown_parts: Sequence[float | None],
    rule: SmallNumberRule,
    small: Sequence[bool] | None = None,
) -> float | None:
    """The total to show beside ``shown_parts``: rounded by ``rule``, or None (withheld)
    when the total is itself small or when it would pin a hidden part.

    Withholding the total, rather than hiding more parts, keeps what the parts show (the
    areas of a map); the parts are what the reader came for. ``small`` says, per part,
    whether a hidden part was hidden for being small (the default) or to protect another.
    """
    rounded = rule.shown_count(float(true_total))
    if rounded is None:
        return None
    flags = list(small) if small is not None else [True] * len(shown_parts)
    parts = [shown_as(p, rule, small=f) for p, f in zip(shown_parts, flags)]
    return None if pinned_parts(parts, shown_as(rounded, rule)) else rounded


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


def protect_parts(
    shown_parts: Sequence[float | None], shown_total: float | None, rule: SmallNumberRule
) -> list[float | None]:
    """``shown_parts`` with more parts hidden until none hidden can be worked out from the
    ``shown_total`` beside them: the smallest non-zero part shown goes first, as in a row.

    For a total shown somewhere the parts cannot change (a headline tile above a table).
    A part hidden here is modelled as any count from 1 up, so the table must not say why it
    is hidden (a part known to be 8 or more still leaves the small one pinned).
    """
    parts = list(shown_parts)
    small = [_missing(p) for p in parts]
    if _missing(shown_total):
        return parts
    while True:
        seen = [
            shown_as(p, rule) if f else Shown(1, None, True) if _missing(p) else shown_as(p, rule)
            for p, f in zip(parts, small)
        ]
        if not pinned_parts(seen, shown_as(shown_total, rule)):
            return parts
        candidates = [
            (float(p), i)
            for i, (p, s) in enumerate(zip(parts, seen))
            if p is not None and not s.hidden
        ]
        candidates = [c for c in candidates if c[0] > 0]
        if not candidates:
            return parts
        parts[min(candidates)[1]] = None


PROTECTED_STATUS = "protected"  # tidy.STATUS_WORDS says it in words


def protect_published(
    frame: pd.DataFrame, unit: str, rule: SmallNumberRule | None = None
) -> pd.DataFrame:
    """Published figures (tidy ``value`` with ``numerator`` and ``denominator`` where the
    publisher gives them) under the strictest rule, for a room of parent carers: a count of
    1 to the threshold hidden and others rounded; a share or rate hidden when it rests on
    such a count or on too few people. Hidden rows get ``PROTECTED_STATUS``, and their
    confidence limits go too (they would bracket the figure); counts beside a share that
    stays are rounded like any count shown. Rows without counts are left as published."""
    rule = rule or SmallNumberRule()
    out = frame.copy()

    def known(row: pd.Series, column: str) -> float | None:
        value = row.get(column)
        return None if value is None or pd.isna(value) else float(value)

    if unit == "count":
        shown = [None if pd.isna(v) else rule.shown_count(v) for v in out["value"]]
        hidden = [not pd.isna(v) and s is None for v, s in zip(out["value"], shown)]
        out["value"] = pd.array(shown, dtype="Float64").astype(float)
    else:
        hidden = [
            not pd.isna(row["value"])
            and rule.hides_share(known(row, "numerator"), known(row, "denominator"))
            for _, row in out.iterrows()
        ]
    mask = pd.Series(hidden, index=out.index, dtype=bool)
    blank = [c for c in ("value", "ci_lower", "ci_upper", "numerator", "denominator") if c in out]
    out[blank] = out[blank].astype(float).mask(mask, other=float("nan"))
    for column in ("numerator", "denominator"):
        if column in out:
            out[column] = [
                v if pd.isna(v) else rule.shown_count(v) if v > 0 else v for v in out[column]
            ]
    if "status" in out:
        out["status"] = out["status"].astype(object).where(~mask, PROTECTED_STATUS)
    return out


def hidden_words(frame: pd.DataFrame) -> str:
    """Why figures are missing from a chart after ``protect_published``: how many, and why;
    "" when none were hidden."""
    hidden = int((frame["status"] == PROTECTED_STATUS).sum()) if "status" in frame else 0
    if not hidden:
        return ""
    each = "each is, or rests on," if hidden > 1 else "it is, or rests on,"
    return (
        f"{hidden} figure{'s' if hidden > 1 else ''} hidden to protect privacy: {each} a count "
        "of fewer than 8, or too few people to be reliable."
    )


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
