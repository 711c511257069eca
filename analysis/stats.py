"""Confidence intervals, significance against a benchmark, pooled averages and funnel limits.

The methods are the ones OHID Fingertips uses, so an analyst can reproduce a Fingertips
comparison with a calculator:

* proportions: Wilson score interval (Wilson 1927; Newcombe 1998, method 3);
* counts and crude rates: Byar's approximation to the Poisson interval, switching to the
  exact (chi-squared based) Poisson interval below 10 events (Breslow and Day 1987);
* "higher / similar / lower" than a benchmark value: the area's interval lies entirely above,
  contains, or lies entirely below the benchmark point value;
* funnel plot control limits: exact Binomial / Poisson limits with Spiegelhalter's (2005)
  interpolation, or the limits OHID's own funnel tools draw (see ``funnel_limits``).

Missing inputs (``None`` or NaN) give missing outputs ``(nan, nan)`` so a whole column of a
tidy table can be mapped without special cases; impossible inputs (negative counts, a
numerator above its denominator, a confidence level outside 0-1) raise ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Literal, TypeGuard

import numpy as np
import pandas as pd

from analysis import distributions as dist

Interval = tuple[float, float]
POLARITIES: tuple[str, ...] = ("high", "low", "none")
_NAN_PAIR: Interval = (math.nan, math.nan)


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _is_present(value: object) -> TypeGuard[float]:
    """A number that is there: not None, NaN or pandas' NA (the type checker then knows it)."""
    return not _is_missing(value)


@lru_cache(maxsize=16)  # two levels in practice; scipy's ppf costs ~0.2 ms a call
def _z(level: float) -> float:
    """Two-sided standard normal quantile: 1.95996 for 95%, 3.09023 for 99.8%."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be between 0 and 1, got {level!r}")
    return dist.norm_ppf(1.0 - (1.0 - level) / 2.0)


def check_polarity(polarity: str) -> str:
    """Return ``polarity`` normalised to "high", "low" or "none"; raise ValueError otherwise.

    "high" means a high value is good, "low" means a low value is good and "none" means the
    indicator carries no judgement (it only describes need or activity).
    """
    normalised = str(polarity).strip().lower()
    if normalised not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, got {polarity!r}")
    return normalised


def wilson_ci(x: float, n: float, level: float = 0.95) -> Interval:
    """Wilson score interval for the proportion ``x / n``, returned as proportions (0-1).

    The formula is the one in OHID's Technical Guide on confidence intervals:
    ``(2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2))``, without continuity correction.
    It behaves well at the edges: ``x = 0`` gives a lower limit of exactly 0 and ``x = n`` an
    upper limit of exactly 1.

    ``n = 0`` (nothing to take a proportion of) and missing ``x`` or ``n`` return ``(nan, nan)``;
    ``x < 0``, ``n < 0`` or ``x > n`` raise ``ValueError``. Non-integer counts are accepted.

    >>> [round(v, 4) for v in wilson_ci(81, 263)]   # Newcombe (1998) Table I
    [0.2553, 0.3662]
    """
    if _is_missing(x) or _is_missing(n):
        return _NAN_PAIR
    x, n = float(x), float(n)
    if n < 0 or x < 0 or x > n:
        raise ValueError(f"need 0 <= x <= n for a proportion, got x={x}, n={n}")
    if n == 0:
        return _NAN_PAIR
    z = _z(level)
    z2 = z * z
    centre = x + z2 / 2.0
    half_width = z * math.sqrt(x * (n - x) / n + z2 / 4.0)
    denominator = n + z2
    # At the edges the algebra gives 0 and 1 exactly; floating point can miss by 1e-17.
    lower = 0.0 if x == 0 else max(0.0, (centre - half_width) / denominator)
    upper = 1.0 if x == n else min(1.0, (centre + half_width) / denominator)
    return lower, upper


def byar_ci(x: float, level: float = 0.95) -> Interval:
    """Confidence interval for a Poisson count ``x``, returned as counts.

    For ``x >= 10``, Byar's approximation:
    lower = ``x (1 - 1/(9x) - z/(3 sqrt(x)))^3``,
    upper = ``(x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3``.
    For ``x < 10`` the approximation is poor, so (as Fingertips does) the exact interval is used:
    lower = ``chi2.ppf(alpha/2, 2x) / 2`` (0 when ``x = 0``),
    upper = ``chi2.ppf(1 - alpha/2, 2x + 2) / 2``.

    Missing ``x`` returns ``(nan, nan)``; a negative ``x`` raises ``ValueError``.
    Divide by a denominator for a rate, or use ``rate_ci``.
    """
    if _is_missing(x):
        return _NAN_PAIR
    x = float(x)
    if x < 0:
        raise ValueError(f"a count cannot be negative, got {x}")
    alpha = 1.0 - level
    z = _z(level)
    if x < 10:
        lower = 0.0 if x == 0 else dist.chi2_ppf(alpha / 2.0, 2.0 * x) / 2.0
        upper = dist.chi2_ppf(1.0 - alpha / 2.0, 2.0 * x + 2.0) / 2.0
        return lower, upper
    lower = x * (1.0 - 1.0 / (9.0 * x) - z / (3.0 * math.sqrt(x))) ** 3
    x1 = x + 1.0
    upper = x1 * (1.0 - 1.0 / (9.0 * x1) + z / (3.0 * math.sqrt(x1))) ** 3
    return lower, upper


def rate_ci(x: float, denominator: float, multiplier: float = 1.0, level: float = 0.95) -> Interval:
    """Confidence interval for the crude rate ``multiplier * x / denominator``.

    The count ``x`` gets a Byar / exact Poisson interval (``byar_ci``); the denominator is
    treated as fixed, as in Fingertips. Use ``multiplier=10_000`` for a rate per 10,000.
    A zero or missing denominator returns ``(nan, nan)``; a negative one raises ``ValueError``.
    """
    if _is_missing(x) or _is_missing(denominator):
        return _NAN_PAIR
    denominator = float(denominator)
    if denominator < 0:
        raise ValueError(f"a denominator cannot be negative, got {denominator}")
    if denominator == 0:
        return _NAN_PAIR
    lower, upper = byar_ci(x, level)
    scale = float(multiplier) / denominator
    return lower * scale, upper * scale


def _valid_interval(ci: Sequence[float] | None) -> Interval | None:
    if ci is None or len(ci) != 2 or _is_missing(ci[0]) or _is_missing(ci[1]):
        return None
    lower, upper = float(ci[0]), float(ci[1])
    if lower > upper:
        raise ValueError(f"interval lower limit {lower} is above its upper limit {upper}")
    return lower, upper


def significance(value_ci: Sequence[float] | None, benchmark: float | None) -> str:
    """Compare an area's confidence interval with a benchmark point value, as Fingertips does.

    Returns "higher" when the whole interval lies above the benchmark, "lower" when it lies
    wholly below, and "similar" when it contains the benchmark (touching counts as
    containing). Returns "not compared" when the interval or the benchmark is missing.
    Turn the direction into better/worse with ``judge``.
    """
    interval = _valid_interval(value_ci)
    if interval is None or not _is_present(benchmark):
        return "not compared"
    benchmark = float(benchmark)
    if interval[0] > benchmark:
        return "higher"
    if interval[1] < benchmark:
        return "lower"
    return "similar"


def compare_intervals(a_ci: Sequence[float] | None, b_ci: Sequence[float] | None) -> str:
    """Compare interval ``a`` with interval ``b`` by overlap (Fingertips' "overlapping CIs").

    Used where both sides are uncertain, such as an area against its pooled neighbours:
    "higher" when ``a`` lies entirely above ``b``, "lower" when entirely below, otherwise
    "similar"; "not compared" when either is missing. Non-overlap of two 95% intervals is a
    stricter test than a 5% test of the difference, so "similar" here is conservative.
    """
    a, b = _valid_interval(a_ci), _valid_interval(b_ci)
    if a is None or b is None:
        return "not compared"
    if a[0] > b[1]:
        return "higher"
    if a[1] < b[0]:
        return "lower"
    return "similar"


_JUDGEMENTS = {
    ("higher", "high"): "better",
    ("lower", "high"): "worse",
    ("higher", "low"): "worse",
    ("lower", "low"): "better",
}


def judge(direction: str, polarity: str) -> str:
    """Turn "higher" / "lower" into "better" / "worse" using the indicator's polarity.

    Polarity "high" means high is good, "low" means low is good. With polarity "none" the
    direction is returned unchanged, because the indicator carries no judgement. "similar"
    and "not compared" pass through for every polarity.
    """
    polarity = check_polarity(polarity)
    if direction not in ("higher", "lower", "similar", "not compared"):
        raise ValueError(f"unknown comparison result {direction!r}")
    if polarity == "none":
        return direction
    return _JUDGEMENTS.get((direction, polarity), direction)


def _paired_counts(
    numerators: Iterable[float | None], denominators: Iterable[float | None]
) -> tuple[np.ndarray, np.ndarray]:
    nums, dens = list(numerators), list(denominators)
    if len(nums) != len(dens):
        raise ValueError(f"{len(nums)} numerators but {len(dens)} denominators")
    # An area with only half its counts published would bias both sums, so drop the pair.
    keep = [(float(x), float(d)) for x, d in zip(nums, dens) if _is_present(x) and _is_present(d)]
    if not keep:
        return np.empty(0), np.empty(0)
    pairs = np.asarray(keep, dtype=float)
    return pairs[:, 0], pairs[:, 1]


def pooled_value(numerators: Iterable[float | None], denominators: Iterable[float | None]) -> float:
    """Pooled value of a group of areas: sum of numerators over sum of denominators.

    This is the group's own proportion or rate (per unit of denominator; multiply by 100 or
    10,000 yourself), so large areas weigh more than small ones. An area with a missing
    numerator or denominator is left out of both sums. Returns NaN when nothing is left or
    the denominators sum to zero.
    """
    nums, dens = _paired_counts(numerators, denominators)
    total = dens.sum()
    if nums.size == 0 or total == 0:
        return math.nan
    return float(nums.sum() / total)


def pooled_proportion(
    numerators: Iterable[float | None],
    denominators: Iterable[float | None],
    level: float = 0.95,
) -> tuple[float, float, float]:
    """Pooled proportion of a group of areas with its Wilson interval: ``(value, lower, upper)``.

    The interval is ``wilson_ci(sum of numerators, sum of denominators)``, on the 0-1 scale.
    Missing pairs are dropped as in ``pooled_value``; nothing left gives three NaNs.
    """
    nums, dens = _paired_counts(numerators, denominators)
    if nums.size == 0 or dens.sum() == 0:
        return math.nan, math.nan, math.nan
    lower, upper = wilson_ci(float(nums.sum()), float(dens.sum()), level)
    return float(nums.sum() / dens.sum()), lower, upper


def mean_value(values: Iterable[float | None]) -> float:
    """Unweighted mean of the values, ignoring missing ones; NaN when none are left.

    This is how DfE's LAIT publishes the statistical neighbour average: each neighbour counts
    once whatever its size. It has no confidence interval; use ``pooled_proportion`` for one.
    """
    present = [float(v) for v in values if _is_present(v)]
    if not present:
        return math.nan
    return float(np.mean(present))


def _level_label(level: float) -> str:
    # Dots would be read as nested fields by Altair / Vega-Lite, hence "99_8".
    return f"{level * 100:g}".replace(".", "_")


def _interpolated_quantile(
    p: float, ppf: Callable[[float], np.ndarray], cdf: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Spiegelhalter's (2005, appendix A.1.1) interpolated quantile of a discrete distribution.

    r_p is the smallest r with F(r) >= p; alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1));
    the limit is r_p - alpha. This spreads the mass at r evenly over (r - 1, r], so limits
    move smoothly with the denominator instead of in steps.
    """
    r = ppf(p)
    f_r = cdf(r)
    f_below = cdf(r - 1)
    return r - (f_r - p) / (f_r - f_below)


Quantiles = tuple[Callable[[float], np.ndarray], Callable[[np.ndarray], np.ndarray]]


def _binomial(n: np.ndarray, p: float) -> Quantiles:
    return (lambda q: dist.binom_ppf(q, n, p)), (lambda k: dist.binom_cdf(k, n, p))


def _poisson(mu: np.ndarray) -> Quantiles:
    return (lambda q: dist.poisson_ppf(q, mu)), (lambda k: dist.poisson_cdf(k, mu))


def _count_where_ci_touches(expected: float, level: float, side: str) -> float:
    """Count whose own Byar / exact interval just reaches ``expected`` (OHID rate funnels)."""
    # Here, not at the top: scipy.optimize costs a server ~38 MB, and only rate funnels use it.
    from scipy.optimize import brentq

    if side == "upper":
        # Above this count the interval's lower limit clears the expected count.
        def gap(x: float) -> float:
            return byar_ci(x, level)[0] - expected

        high = expected + 10.0 * math.sqrt(expected) + 20.0
        while gap(high) <= 0:
            high *= 2.0
        return float(brentq(gap, 0.0, high))

    def gap_low(x: float) -> float:
        return byar_ci(x, level)[1] - expected

    if gap_low(0.0) >= 0:
        # Even zero events is not significantly low: the lower limit sits at zero.
        return 0.0
    return float(brentq(gap_low, 0.0, expected))


def funnel_limits(
    target_proportion: float,
    denominators: Iterable[float],
    levels: Sequence[float] = (0.95, 0.998),
    kind: Literal["proportion", "rate"] = "proportion",
    method: Literal["exact", "ohid"] = "exact",
    multiplier: float = 1.0,
) -> pd.DataFrame:
    """Funnel plot control limits around a target value for each denominator.

    ``target_proportion`` is the target (usually England's or the group's pooled value):
    a proportion, or a rate when ``kind="rate"``, in the units of the plotted values. With
    ``multiplier=100`` a proportion is a percentage; with ``multiplier=10_000`` a rate is per
    10,000 of the denominator. Returns a DataFrame with a ``denominator`` column and, for
    each level, ``lower_95`` / ``upper_95``, ``lower_99_8`` / ``upper_99_8`` and so on, on the
    same scale as the target.

    ``method="exact"`` (default): limits from the Binomial(n, target) distribution for a
    proportion, or the Poisson(target * n) distribution for a rate, with Spiegelhalter's
    (2005, Statistics in Medicine 24:1185, appendix A.1.1) interpolation between integer
    counts. For proportions the denominators are rounded to whole numbers (the binomial
    needs them); the ``denominator`` column shows the values used.

    ``method="ohid"``: the limits OHID's funnel tools draw (PHEindicatormethods
    ``phe_funnels``, Fingertips "Technical Guide: Funnel plots"): each limit is the value
    whose own interval just reaches the target - Wilson for proportions, Byar / exact
    Poisson for rates. An area is outside these limits exactly when ``significance``
    calls it higher or lower than the target at that level. For proportions this works out
    to the normal approximation ``target +/- z sqrt(target (1 - target) / n)``.

    Limits are clipped to [0, 1] for proportions and at 0 for rates.
    """
    if kind not in ("proportion", "rate"):
        raise ValueError(f"kind must be 'proportion' or 'rate', got {kind!r}")
    if method not in ("exact", "ohid"):
        raise ValueError(f"method must be 'exact' or 'ohid', got {method!r}")
    theta = float(target_proportion) / float(multiplier)
    if kind == "proportion" and not 0.0 < theta < 1.0:
        raise ValueError(f"a target proportion must be strictly between 0 and 1, got {theta}")
    if kind == "rate" and not theta > 0.0:
        raise ValueError(f"a target rate must be positive, got {target_proportion}")
    n = np.asarray(list(denominators), dtype=float)
    if n.size and (not np.all(np.isfinite(n)) or np.any(n <= 0)):
        raise ValueError("denominators must be positive and finite")
    if kind == "proportion" and method == "exact":
        n = np.maximum(np.rint(n), 1.0)

    columns: dict[str, np.ndarray] = {"denominator": n}
    for level in levels:
        tail = (1.0 - level) / 2.0
        label = _level_label(level)
        if kind == "proportion" and method == "exact":
            lower = _interpolated_quantile(tail, *_binomial(n, theta)) / n
            upper = _interpolated_quantile(1.0 - tail, *_binomial(n, theta)) / n
        elif kind == "proportion":
            half_width = _z(level) * np.sqrt(theta * (1.0 - theta) / n)
            lower, upper = theta - half_width, theta + half_width
        elif method == "exact":
            lower = _interpolated_quantile(tail, *_poisson(theta * n)) / n
            upper = _interpolated_quantile(1.0 - tail, *_poisson(theta * n)) / n
        else:
            lower = np.array([_count_where_ci_touches(theta * d, level, "lower") for d in n]) / n
            upper = np.array([_count_where_ci_touches(theta * d, level, "upper") for d in n]) / n
        ceiling = 1.0 if kind == "proportion" else np.inf
        columns[f"lower_{label}"] = np.clip(lower, 0.0, ceiling) * multiplier
        columns[f"upper_{label}"] = np.clip(upper, 0.0, ceiling) * multiplier
    return pd.DataFrame(columns)
