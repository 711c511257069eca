"""The few distribution functions SEND Lens needs, from ``scipy.special`` rather than
``scipy.stats``.

``from scipy import stats`` costs a server about 45 MB more than ``scipy.special`` (it brings
scipy.optimize, scipy.sparse, scipy.spatial and hundreds of distributions), and 0.8 s on the
first page that asks. Each function here is what ``scipy.stats`` itself computes for the case
used (the same special functions on the same arguments, so the same floats):
``tests/test_distributions.py`` checks every one against ``scipy.stats`` to 1e-12.
"""

from __future__ import annotations

import numpy as np
import scipy.special as sc

# scipy.stats' binomial uses these Boost-based functions; scipy.special exposes them only in
# its private module, and the test against scipy.stats notices if that ever changes.
from scipy.special import _ufuncs as scu


def norm_ppf(q: float) -> float:
    """``stats.norm.ppf(q)`` for 0 < q < 1."""
    return float(sc.ndtri(q))


def norm_sf(x: float) -> float:
    """``stats.norm.sf(x)``."""
    return float(sc.ndtr(-x))


def chi2_ppf(q: float, df: float) -> float:
    """``stats.chi2.ppf(q, df)`` for 0 < q < 1."""
    return float(2 * sc.gammaincinv(df / 2, q))


def chi2_sf(x: float, df: float) -> float:
    """``stats.chi2.sf(x, df)`` for x >= 0."""
    return float(sc.chdtrc(df, x))


def binom_ppf(q: float, n: np.ndarray, p: float) -> np.ndarray:
    """``stats.binom(n, p).ppf(q)`` for 0 < q < 1, whole n >= 1 and 0 < p < 1."""
    return np.asarray(scu._binom_ppf(q, n, p), dtype=float)


def binom_cdf(k: np.ndarray, n: np.ndarray, p: float) -> np.ndarray:
    """``stats.binom(n, p).cdf(k)``: 0 below the support, 1 from n up."""
    k, n = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(n, dtype=float))
    inside = np.clip(scu._binom_cdf(np.floor(np.maximum(k, 0.0)), n, p), 0.0, 1.0)
    return np.where(k < 0, 0.0, np.where(k >= n, 1.0, inside))


def poisson_ppf(q: float, mu: np.ndarray) -> np.ndarray:
    """``stats.poisson(mu).ppf(q)`` for 0 < q < 1 and mu > 0."""
    vals = np.ceil(sc.pdtrik(q, mu))
    vals1 = np.maximum(vals - 1, 0)
    return np.where(sc.pdtr(vals1, mu) >= q, vals1, vals).astype(float)


def poisson_cdf(k: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """``stats.poisson(mu).cdf(k)``: 0 below the support."""
    k = np.asarray(k, dtype=float)
    inside = np.clip(sc.pdtr(np.floor(np.maximum(k, 0.0)), mu), 0.0, 1.0)
    return np.where(k < 0, 0.0, inside)


def linregress_slope_p(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and two-sided p-value of ``stats.linregress(x, y)`` (x not all equal, no NaN)."""
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    ssxm, ssxym, _, ssym = np.cov(np.vstack([xs, ys]), bias=True).flat
    if ssxm == 0.0 or ssym == 0.0:
        r = np.nan if ssxym == 0 else 0.0
    else:
        r = float(np.clip(ssxym / np.sqrt(ssxm * ssym), -1.0, 1.0))
    slope = float(ssxym / ssxm)
    if len(xs) == 2:
        return slope, 1.0 if ys[0] == ys[1] else 0.0
    df = len(xs) - 2
    tiny = 1.0e-20
    t = r * np.sqrt(df / ((1.0 - r + tiny) * (1.0 + r + tiny)))
    return slope, float(2 * sc.stdtr(df, -abs(t)))
