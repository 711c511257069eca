"""Recent trend of an area's indicator, in the manner of OHID Fingertips' trend markers.

What is implemented (``trend_test``):

1. Points: the five most recent points that have a value (and, when counts are used, a
   usable numerator and denominator). Missing points are skipped, as in Fingertips; each
   point keeps its position in the series as its time score, so a gap year still counts as
   a year (Fingertips numbers the five points 1-5 whatever the gaps).
2. Test:
   * proportion with numerators and denominators: chi-squared test for linear trend
     (Cochran-Armitage, in Armitage's 1955 form without the N/(N-1) factor):
     ``T = sum r_i (t_i - tbar)``, ``tbar = sum n_i t_i / N``,
     ``chi2 = T^2 / (pbar (1 - pbar) sum n_i (t_i - tbar)^2)`` on 1 degree of freedom;
   * value with numerators and denominators (a crude rate, ``value = m * count / denom``):
     weighted least squares with weights 1 / SE^2, SE taken from the width of the point's
     95% Byar / exact Poisson interval (``SE = (upper - lower) / (2 * 1.96)``), and the
     Fingertips test ``chi2 = (slope / SE_slope)^2`` on 1 degree of freedom with the
     variances treated as known;
   * otherwise (no counts): ordinary least squares on the values with a t-test on the
     slope on 3 degrees of freedom, because without counts the scatter must be estimated.
   Points before the latest series break (the catalogue's ``series_breaks``, such as the
   2023 change of the SEN2 return from aggregate to person-level counts) are left out, so a
   test never runs across two series; too few points since the break is "cannot be
   calculated", with the break in ``TrendResult.since``.
3. Significance: p < 0.002 (the 99.8% level), and the slope must keep its sign when each of
   the five points is left out in turn (Fingertips' outlier check, six fits in all).
4. Verdict: "increasing" / "decreasing" become "... and getting better / worse" by polarity.

Departures from Fingertips, whose production rule is visible in FingertipsNext's port of the
legacy ``TrendMarkerCalculator`` (dhsc-govuk/FingertipsNext, trend-analysis/):

* Fingertips runs the weighted regression for every value type, proportions included, with
  SE from each point's published 95% interval; here proportions use Cochran-Armitage on the
  counts (pooled binomial variance under no trend). The two agree on Fingertips' published
  test cases (see tests/test_trend.py).
* Fingertips has no branch for values without counts or intervals; the OLS t-test here
  fills that gap and is more conservative (3 degrees of freedom).
* In the leave-one-out check Fingertips counts a slope of exactly 0 as positive; here a
  zero slope breaks the run.
* A series that is constant over the five points is "no significant change" (slope 0,
  p-value 1) whatever the method, where Fingertips gives "cannot be calculated" for a
  proportion of 100%.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from analysis import distributions as dist
from analysis.stats import byar_ci, check_polarity
from tidy import period_sort_key

POINTS_USED = 5
SIGNIFICANCE_P = 0.002
_SE_FROM_95 = 2.0 * dist.norm_ppf(0.975)

CANNOT = "cannot be calculated"
NO_CHANGE = "no significant change"
VERDICTS: tuple[str, ...] = (
    "increasing and getting better",
    "increasing and getting worse",
    "decreasing and getting better",
    "decreasing and getting worse",
    "increasing",
    "decreasing",
    NO_CHANGE,
    CANNOT,
)


@dataclass(frozen=True)
class TrendResult:
    """Outcome of ``trend_test``.

    ``verdict`` is one of ``VERDICTS``. ``slope`` is the fitted change in the value per
    period, in the units of ``values`` (None when not calculated). ``p_value`` is two-sided,
    before the leave-one-out check, so it can be below 0.002 with "no significant change".
    ``points_used`` is 5 when a test ran, else the number of usable points found.
    ``method`` names the test: "cochran-armitage", "wls", "ols", or "" when none ran.
    ``since`` is the series break the points were taken from ("" when none was crossed).
    """

    verdict: str
    slope: float | None
    p_value: float | None
    points_used: int
    method: str = ""
    since: str = ""


def start_of_series(periods: Sequence[str], breaks: Sequence[str]) -> tuple[int, str]:
    """Where the current consistent series starts: the index of the first period at or after
    the latest break that has happened, and that break ("" and 0 when none has)."""
    if not periods:
        return 0, ""
    last = period_sort_key(periods[-1])
    passed = [b for b in breaks if period_sort_key(b) <= last]
    if not passed:
        return 0, ""
    since = max(passed, key=period_sort_key)
    first = period_sort_key(since)
    start = next(i for i, p in enumerate(periods) if period_sort_key(p) >= first)
    # A break before the first period is not crossed by this series.
    return (start, since) if start > 0 else (0, "")


def breaks_crossed(breaks: Sequence[str], periods: Iterable[str]) -> list[str]:
    """The series breaks (first periods of a new series) that ``periods`` straddle: some
    period before the break and some at or after it, oldest first."""
    keys = [period_sort_key(str(p)) for p in periods]
    if not keys:
        return []
    low, high = min(keys), max(keys)
    return sorted((b for b in breaks if low < period_sort_key(b) <= high), key=period_sort_key)


def _array(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _as_array(values: Sequence[float | None] | None) -> np.ndarray | None:
    return None if values is None else _array(values)


def _weighted_slope(t: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    t_bar = np.sum(w * t) / np.sum(w)
    y_bar = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * (t - t_bar) * (y - y_bar)) / np.sum(w * (t - t_bar) ** 2))


def _armitage_t(t: np.ndarray, r: np.ndarray, n: np.ndarray) -> float:
    t_bar = np.sum(n * t) / np.sum(n)
    return float(np.sum(r * (t - t_bar)))


def _cochran_armitage(t: np.ndarray, r: np.ndarray, n: np.ndarray) -> float:
    """Chi-squared for linear trend of proportions r/n against scores t."""
    p_bar = r.sum() / n.sum()
    t_bar = np.sum(n * t) / n.sum()
    variance = p_bar * (1.0 - p_bar) * np.sum(n * (t - t_bar) ** 2)
    return _armitage_t(t, r, n) ** 2 / variance


def _ols(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and two-sided t-test p-value with len(t) - 2 degrees of freedom.

    A perfect straight line has p = 0 if it slopes; a flat one has p = 1 (scipy gives r = 0
    when y does not vary).
    """
    return dist.linregress_slope_p(t, y)


def _known_variance_wls(t: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Fingertips' weighted slope and its chi-squared p-value with variances 1/w known."""
    slope = _weighted_slope(t, y, w)
    t_bar = np.sum(w * t) / np.sum(w)
    se = math.sqrt(1.0 / np.sum(w * (t - t_bar) ** 2))
    return slope, dist.chi2_sf((slope / se) ** 2, 1)


def _rate_weights(y: np.ndarray, r: np.ndarray, n: np.ndarray) -> np.ndarray | None:
    positive = r > 0
    if not positive.any():
        return None
    # The value is m * count / denominator; m (100, 10,000...) is read off the data.
    multiplier = float(np.median(y[positive] * n[positive] / r[positive]))
    intervals = np.array([byar_ci(count, 0.95) for count in r])
    se = multiplier * (intervals[:, 1] - intervals[:, 0]) / (_SE_FROM_95 * n)
    return 1.0 / se**2


def _verdict(direction: int, polarity: str) -> str:
    word = "increasing" if direction > 0 else "decreasing"
    if polarity == "none":
        return word
    good = (direction > 0) == (polarity == "high")
    return f"{word} and getting {'better' if good else 'worse'}"


def trend_test(
    values: Sequence[float | None],
    numerators: Sequence[float | None] | None = None,
    denominators: Sequence[float | None] | None = None,
    kind: Literal["proportion", "value"] = "value",
    polarity: str = "none",
    periods: Sequence[str] | None = None,
    breaks: Sequence[str] = (),
) -> TrendResult:
    """Fingertips-style recent trend of a series given oldest first.

    ``kind="proportion"`` with ``numerators`` and ``denominators`` uses the chi-squared test
    for linear trend (Cochran-Armitage) on the counts; ``values`` then only supply the
    slope's units (it is the denominator-weighted slope of the values). ``kind="value"``
    with counts treats the value as a crude rate proportional to numerator/denominator and
    uses Fingertips' weighted regression; pass counts only for such rates, not for means or
    scores. Without counts, either kind gets ordinary least squares with a t-test.

    A trend is significant only when p < 0.002 and the slope keeps its sign when any one of
    the five points is left out. Fewer than five usable points gives "cannot be calculated".
    ``periods`` (one per value) with ``breaks`` (first periods of a new series) restrict the
    test to the points since the latest break.
    See the module docstring for the exact method and the departures from Fingertips.
    """
    if kind not in ("proportion", "value"):
        raise ValueError(f"kind must be 'proportion' or 'value', got {kind!r}")
    polarity = check_polarity(polarity)
    if (numerators is None) != (denominators is None):
        raise ValueError("give both numerators and denominators, or neither")

    since = ""
    if periods is not None:
        if len(periods) != len(values):
            raise ValueError("give one period for each value")
        start, since = start_of_series(periods, breaks)
        values = values[start:]
        numerators = None if numerators is None else numerators[start:]
        denominators = None if denominators is None else denominators[start:]
    y_all = _array(values)
    r_all, n_all = _as_array(numerators), _as_array(denominators)
    usable = np.isfinite(y_all)
    if r_all is not None and n_all is not None:
        if not len(r_all) == len(n_all) == len(y_all):
            raise ValueError("values, numerators and denominators must have the same length")
        with np.errstate(invalid="ignore"):
            usable &= np.isfinite(r_all) & np.isfinite(n_all) & (n_all > 0) & (r_all >= 0)
            if kind == "proportion":
                usable &= r_all <= n_all

    chosen = np.flatnonzero(usable)[-POINTS_USED:]
    if len(chosen) < POINTS_USED:
        return TrendResult(CANNOT, None, None, len(chosen), since=since)
    t, y = chosen.astype(float), y_all[chosen]
    r = r_all[chosen] if r_all is not None else None
    n = n_all[chosen] if n_all is not None else None

    if r is not None and n is not None and kind == "proportion":
        method = "cochran-armitage"
        proportions = r / n
        if np.all(proportions == proportions[0]):
            return TrendResult(NO_CHANGE, 0.0, 1.0, POINTS_USED, method, since)
        slope = _weighted_slope(t, y, n)
        p_value = dist.chi2_sf(_cochran_armitage(t, r, n), 1)

        def direction_of(keep: np.ndarray) -> float:
            return _armitage_t(t[keep], r[keep], n[keep])

    else:
        method = "wls" if r is not None else "ols"
        if np.all(y == y[0]):
            return TrendResult(NO_CHANGE, 0.0, 1.0, POINTS_USED, method, since)
        weights = _rate_weights(y, r, n) if r is not None and n is not None else np.ones_like(t)
        if weights is None:
            return TrendResult(CANNOT, None, None, POINTS_USED, method, since)
        if method == "wls":
            slope, p_value = _known_variance_wls(t, y, weights)
        else:
            slope, p_value = _ols(t, y)

        def direction_of(keep: np.ndarray) -> float:
            return _weighted_slope(t[keep], y[keep], weights[keep])

    direction = int(np.sign(direction_of(np.ones(POINTS_USED, dtype=bool))))
    leave_one_out = [np.arange(POINTS_USED) != i for i in range(POINTS_USED)]
    robust = direction != 0 and all(
        np.sign(direction_of(keep)) == direction for keep in leave_one_out
    )
    if robust and p_value < SIGNIFICANCE_P:
        verdict = _verdict(direction, polarity)
    else:
        verdict = NO_CHANGE
    return TrendResult(verdict, slope, p_value, POINTS_USED, method, since)
