"""Polarity-aware rank and quartile band of one area among all areas, as DfE's LAIT shows them.

LAIT (DfE's Local Authority Interactive Tool, dfe-analytical-services/local-authority-
interactive-tool, ``R/fn_analysis.R``) ranks with ``rank(..., ties.method = "min")`` - the
"1224" competition ranking - and bands with R's default ``quantile()`` (type 7, the same
linear interpolation as numpy's default percentile). Two deliberate differences from LAIT,
both for indicators with polarity "none", where LAIT shows "-":

* ``rank`` counts from the highest value, so the position is still shown;
* ``quartile_band`` counts from the highest value too, so "A" then means "highest quarter",
  not "best quarter". Say so wherever it is displayed.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from analysis.stats import _is_present, check_polarity

# The rule for ranks on tiny numbers: a rate built on fewer than 100 cases (decisions,
# plans, pupils) is not ranked meaningfully. One appeal more or less moves City of London,
# 0 appeals in 26 decisions, from "1st of 153" to the bottom quarter. Such a rank and
# quartile are still computed but flagged, and best/worst sentences leave them out.
MIN_DENOMINATOR_TO_RANK = 100


def too_small_to_rank(denominator: float | None) -> bool:
    """True when a rate's denominator is known and below ``MIN_DENOMINATOR_TO_RANK``."""
    return _is_present(denominator) and float(denominator) < MIN_DENOMINATOR_TO_RANK  # type: ignore[arg-type]


def _present(values: Mapping[str, float | None]) -> dict[str, float]:
    return {key: float(value) for key, value in values.items() if _is_present(value)}


def rank(values: Mapping[str, float | None], area: str, polarity: str) -> tuple[int, int]:
    """Rank of ``area`` among the areas with a value: ``(rank, number ranked)``.

    Rank 1 is best: with polarity "high" (high is good) the largest value is 1st; with "low"
    the smallest is 1st. With polarity "none" the largest value is 1st, so the rank is a
    position from the top, not a judgement (LAIT shows no rank for these). Areas whose value
    is missing (None or NaN) are not ranked and not counted. Ties share the better rank and
    the next rank is skipped: two areas tied for 2nd are both 2nd and the next is 4th.

    ``values`` maps area code to value (a dict or a pandas Series). Raises ``ValueError`` if
    ``area`` is not in ``values`` or its value is missing, because "no rank" must be shown
    as such, not as a number.
    """
    polarity = check_polarity(polarity)
    if area not in values:
        raise ValueError(f"area {area!r} is not among the values to rank")
    present = _present(values)
    if area not in present:
        raise ValueError(f"area {area!r} has no value, so it cannot be ranked")
    own = present[area]
    if polarity == "low":
        ahead = sum(1 for other in present.values() if other < own)
    else:
        ahead = sum(1 for other in present.values() if other > own)
    return ahead + 1, len(present)


def quartile_band(values: Mapping[str, float | None], area: str, polarity: str) -> str | None:
    """Quartile band of ``area``: "A" (best quarter) to "D" (worst quarter), as in LAIT.

    The cut points are the 25th, 50th and 75th percentiles of all areas' values (missing
    values ignored), by linear interpolation (R's default ``quantile``, LAIT's choice).
    From the lowest values up the quarters are [min, Q1], (Q1, Q2], (Q2, Q3], (Q3, max]: a
    value exactly on a cut point joins the quarter below it. Polarity "low" labels them
    A, B, C, D; polarity "high" labels them D, C, B, A. Polarity "none" is labelled like
    "high", so "A" means the highest quarter, not the best (LAIT shows no band here).

    Returns None if ``area`` is absent or has no value, or if fewer than four areas have a
    value (quartiles of three numbers mean nothing).
    """
    polarity = check_polarity(polarity)
    present = _present(values)
    if area not in present or len(present) < 4:
        return None
    q1, q2, q3 = np.percentile(list(present.values()), [25, 50, 75])
    own = present[area]
    quarter_from_bottom = 0 if own <= q1 else 1 if own <= q2 else 2 if own <= q3 else 3
    labels_from_bottom = "ABCD" if polarity == "low" else "DCBA"
    return labels_from_bottom[quarter_from_bottom]


def _ordinal(k: int) -> str:
    # 11th, 12th, 13th (and 111th...) break the 1st/2nd/3rd pattern.
    if 10 <= k % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def format_rank(rank: int, n: int) -> str:
    """Rank in words: ``format_rank(7, 152)`` is "7th of 152", ``format_rank(22, 152)`` is
    "22nd of 152" and ``format_rank(111, 152)`` is "111th of 152".

    Raises ``ValueError`` unless ``1 <= rank <= n``.
    """
    if not 1 <= int(rank) <= int(n):
        raise ValueError(f"rank must be between 1 and n, got rank={rank}, n={n}")
    return f"{_ordinal(int(rank))} of {int(n)}"


def ranks_and_bands(
    values: Mapping[str, float | None], polarity: str
) -> dict[str, tuple[int, int, str | None]]:
    """``(rank, number ranked, quartile band)`` of every area with a value, in one pass.

    The same answers as ``rank`` and ``quartile_band`` for each area (a test checks it on the
    real table), for callers that need every area's: asking ``rank`` area by area rescans all
    values each time, which a data book of 13 areas, 90 indicators and 10 years cannot afford.
    """
    polarity = check_polarity(polarity)
    present = _present(values)
    if not present:
        return {}
    ordered = np.sort(np.fromiter(present.values(), dtype=float))
    n = len(ordered)
    cuts = np.percentile(ordered, [25, 50, 75]) if n >= 4 else None
    labels_from_bottom = "ABCD" if polarity == "low" else "DCBA"
    out: dict[str, tuple[int, int, str | None]] = {}
    for area, own in present.items():
        if polarity == "low":
            ahead = int(np.searchsorted(ordered, own, side="left"))
        else:
            ahead = n - int(np.searchsorted(ordered, own, side="right"))
        band = None
        if cuts is not None:
            q1, q2, q3 = cuts
            band = labels_from_bottom[0 if own <= q1 else 1 if own <= q2 else 2 if own <= q3 else 3]
        out[area] = (ahead + 1, n, band)
    return out
