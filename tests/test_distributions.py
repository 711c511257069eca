"""analysis.distributions gives what scipy.stats gives, to 1e-12, on the arguments SEND Lens
uses (the pages import it instead of scipy.stats to save the server ~45 MB)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis import distributions as dist

LEVELS = [0.95, 0.998, 0.99, 0.8]
TAILS = sorted({(1 - v) / 2 for v in LEVELS} | {1 - (1 - v) / 2 for v in LEVELS} | {0.5, 0.3})


def close(a, b) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("q", TAILS)
def test_normal_and_chi_squared_quantiles(q):
    close(dist.norm_ppf(q), stats.norm.ppf(q))
    for df in [1.0, 2.0, 3.0, 8.0, 19.0, 40.0]:
        close(dist.chi2_ppf(q, df), stats.chi2.ppf(q, df))


def test_tail_probabilities():
    for x in [0.0, 0.3, 1.0, 1.96, 3.2, 8.5, -2.5]:
        close(dist.norm_sf(x), stats.norm.sf(x))
    for x in [0.0, 0.01, 1.0, 3.84, 10.0, 40.0]:
        close(dist.chi2_sf(x, 1), stats.chi2.sf(x, 1))
    # 1.96 is the two-sided 5% point: the tail beyond it on one side is 2.5%.
    assert dist.norm_sf(1.959963984540054) == pytest.approx(0.025, abs=1e-12)


# Denominators as the funnel plots give them: small to county-sized, and whole numbers.
N = np.array([1, 2, 5, 9, 10, 37, 120, 999, 4_500, 61_234, 250_000], dtype=float)


@pytest.mark.parametrize("theta", [0.001, 0.03, 0.25, 0.5, 0.97])
@pytest.mark.parametrize("q", TAILS)
def test_binomial_quantile_and_cdf(theta, q):
    ref = stats.binom(N, theta)
    r = dist.binom_ppf(q, N, theta)
    close(r, ref.ppf(q))
    for k in (r, r - 1, r + 1, np.full_like(N, -1.0), N, N + 1):
        close(dist.binom_cdf(k, N, theta), ref.cdf(k))


@pytest.mark.parametrize("rate", [1e-5, 0.002, 0.05, 0.8])
@pytest.mark.parametrize("q", TAILS)
def test_poisson_quantile_and_cdf(rate, q):
    mu = rate * N
    ref = stats.poisson(mu)
    r = dist.poisson_ppf(q, mu)
    close(r, ref.ppf(q))
    for k in (r, r - 1, r + 1, np.full_like(N, -1.0)):
        close(dist.poisson_cdf(k, mu), ref.cdf(k))


@pytest.mark.parametrize(
    "y",
    [
        [3.0, 5.0, 4.0, 6.0, 7.5],  # rising, with noise
        [10.0, 8.0, 8.5, 7.0],  # falling
        [2.0, 2.0, 2.0, 2.0, 2.0],  # flat: no variation
        [1.0, 2.0, 3.0, 4.0, 5.0],  # a perfect line
        [4.0, 6.0],  # two points
        [5.0, 5.0],
    ],
)
def test_least_squares_slope_and_p_value(y):
    t = np.arange(len(y), dtype=float)
    fit = stats.linregress(t, y)
    slope, p = dist.linregress_slope_p(t, np.array(y))
    close(slope, fit.slope)
    close(p, fit.pvalue)


def test_the_analysis_the_pages_use_does_not_import_scipy_stats():
    """scipy.stats (with scipy.optimize) would cost every server ~45 MB: only a rate funnel's
    OHID limits (scipy.optimize.brentq) and custom neighbours (scipy.spatial) import more."""
    from tests.conftest import fresh_python_prints

    code = (
        "import sys, analysis.stats, analysis.trend, analysis.outcomes, analysis.benchmark, "
        "analysis.benchmark_frames, ui.warm\n"
        "for name in ui.warm.MODULES: __import__(name)\n"
        "print(sorted(m for m in ('scipy.stats', 'scipy.optimize', 'scipy.spatial') "
        "if m in sys.modules))"
    )
    out = fresh_python_prints(code)
    assert out.strip() == "[]"
