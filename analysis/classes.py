"""Class breaks and colour ramps for choropleth maps: quantiles, equal intervals and
natural breaks (Fisher-Jenks), and colour-blind-safe sequential ramps."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

METHODS = ("quantiles", "equal intervals", "natural breaks")
# Colour-blind-safe sequential ramps (matplotlib's viridis and cividis, evenly spaced
# stops), light for low values and dark for high ones as choropleth readers expect.
PALETTES: dict[str, list[str]] = {
    "viridis": [
        "#fde725",
        "#addc30",
        "#5ec962",
        "#28ae80",
        "#21918c",
        "#2c728e",
        "#3b528b",
        "#472d7b",
        "#440154",
    ],
    "cividis": ["#fee838", "#bcaf6f", "#7c7b78", "#414d6b", "#00224e"],
}
JENKS_MAX_VALUES = 2000  # distinct values Jenks works on; more are binned to keep it quick


# --- Classes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Classes:
    """Class breaks: ``lower`` is the minimum; ``breaks`` the upper bound of each class.

    A value belongs to the first class whose upper bound it does not exceed.
    """

    lower: float
    breaks: tuple[float, ...]
    method: str

    def assign(self, values: Sequence[float] | pd.Series) -> np.ndarray:
        """Class number (0 = lowest) of each value; -1 where the value is missing."""
        v = np.asarray(values, dtype="float64")
        out = np.searchsorted(np.asarray(self.breaks), v, side="left")
        out = np.minimum(out, len(self.breaks) - 1)
        return np.where(np.isnan(v), -1, out)

    def labels(self, decimals: int = 1) -> list[str]:
        fmt = f"{{:,.{decimals}f}}"
        out = []
        lo = self.lower
        for i, hi in enumerate(self.breaks):
            out.append(
                f"{fmt.format(lo)} to {fmt.format(hi)}"
                if i == 0
                else f"over {fmt.format(lo)} to {fmt.format(hi)}"
            )
            lo = hi
        return out


def _clean(values: Iterable[float]) -> np.ndarray:
    v = np.asarray(list(values), dtype="float64")
    return np.sort(v[np.isfinite(v)])


def quantile_breaks(values: Iterable[float], k: int = 5) -> list[float]:
    """Upper bounds of ``k`` classes holding equal numbers of values (fewer when values
    tie across a boundary): numpy's default linear-interpolation quantiles."""
    v = _clean(values)
    if v.size == 0:
        return []
    return sorted(set(np.quantile(v, [i / k for i in range(1, k + 1)]).tolist()))


def equal_interval_breaks(values: Iterable[float], k: int = 5) -> list[float]:
    """Upper bounds of ``k`` classes of equal width from the minimum to the maximum."""
    v = _clean(values)
    if v.size == 0:
        return []
    lo, hi = float(v[0]), float(v[-1])
    if hi == lo:
        return [hi]
    return [lo + (hi - lo) * i / k for i in range(1, k + 1)]


def jenks_breaks(values: Iterable[float], k: int = 5) -> list[float]:
    """Natural breaks: Fisher's exact optimum (Jenks), the ``k`` classes with the least
    total squared deviation from their class means. Upper bounds, ascending.

    Works on distinct values weighted by how often they occur; above
    ``JENKS_MAX_VALUES`` distinct values they are first binned to that many quantiles
    (as mapclassify samples), which moves a break by less than one bin.
    """
    v = _clean(values)
    if v.size == 0:
        return []
    x, w = np.unique(v, return_counts=True)
    s1, s2, top = w * x, w * x * x, x
    if x.size > JENKS_MAX_VALUES:
        # Bin to quantiles; exact sums and sums of squares per bin keep the deviations
        # exact for any break between bins, and each bin's largest value is its bound.
        edges = np.unique(np.quantile(v, np.linspace(0, 1, JENKS_MAX_VALUES)))
        idx = np.searchsorted(edges, v, side="left")
        w = np.bincount(idx, minlength=edges.size).astype(float)
        s1 = np.bincount(idx, weights=v, minlength=edges.size)
        s2 = np.bincount(idx, weights=v * v, minlength=edges.size)
        top = np.full(edges.size, -np.inf)
        np.maximum.at(top, idx, v)
        keep = w > 0
        w, s1, s2, top = w[keep], s1[keep], s2[keep], top[keep]
    n = top.size
    if n <= k:
        return top.tolist()
    c0 = np.concatenate([[0.0], np.cumsum(w)])
    c1 = np.concatenate([[0.0], np.cumsum(s1)])
    c2 = np.concatenate([[0.0], np.cumsum(s2)])

    def ssd(j: np.ndarray, i: int) -> np.ndarray:  # deviation of the class x[j:i]
        weight = c0[i] - c0[j]
        total = c1[i] - c1[j]
        return (c2[i] - c2[j]) - total * total / weight

    cost = np.full(n + 1, np.inf)
    cost[1:] = [ssd(np.array([0]), i)[0] for i in range(1, n + 1)]
    back: list[np.ndarray] = []
    for m in range(2, k + 1):
        new = np.full(n + 1, np.inf)
        arg = np.zeros(n + 1, dtype=int)
        for i in range(m, n + 1):
            j = np.arange(m - 1, i)
            total = cost[j] + ssd(j, i)
            best = int(np.argmin(total))
            new[i], arg[i] = total[best], j[best]
        back.append(arg)
        cost = new
    breaks, i = [float(top[-1])], n
    for arg in reversed(back):
        i = int(arg[i])
        breaks.append(float(top[i - 1]))
    return sorted(breaks)


def classify(values: Iterable[float], k: int = 5, method: str = "quantiles") -> Classes:
    """Classes for a choropleth: quantiles (the default), equal intervals or natural breaks."""
    v = _clean(values)
    finder = {
        "quantiles": quantile_breaks,
        "equal intervals": equal_interval_breaks,
        "natural breaks": jenks_breaks,
    }.get(method)
    if finder is None:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if v.size == 0:
        return Classes(lower=math.nan, breaks=(), method=method)
    return Classes(lower=float(v[0]), breaks=tuple(finder(v, k)), method=method)


# --- Colours ----------------------------------------------------------------------------------


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def colour_ramp(n: int, palette: str = "viridis") -> list[str]:
    """``n`` colours evenly spaced along a colour-blind-safe ramp, lightest first."""
    if n <= 0:
        return []
    stops = np.array([hex_to_rgb(c) for c in PALETTES[palette]], dtype=float)
    positions = np.linspace(0, len(stops) - 1, n) if n > 1 else np.array([0.0])
    out = []
    for p in positions:
        lo = int(np.floor(p))
        hi = min(lo + 1, len(stops) - 1)
        rgb = stops[lo] + (stops[hi] - stops[lo]) * (p - lo)
        out.append("#" + "".join(f"{int(round(c)):02x}" for c in rgb))
    return out
