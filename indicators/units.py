"""How a value of each catalogue unit is written for people: 45.9%, 1,234, 123.4 per 10,000,
£1,234, -1.05; and a missing value as why it is missing."""

from __future__ import annotations

import math

from tidy import status_words


def format_value(
    value: float | None, unit: str, short: bool = False, *, status: str = "", reason: str = ""
) -> str:
    """``45.9`` with unit ``%`` -> ``45.9%``; counts get thousands separators.

    ``short`` leaves the unit off rates, for tiles whose label already names it. A missing
    value says why, from its tidy ``status`` (and a publisher error's ``reason``):
    "suppressed by the publisher to protect small numbers", "not available" when nothing
    says why.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return status_words(status, reason)
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "%":
        return f"{value:.1f}%"
    if unit in ("rate per 100", "rate per 10,000"):  # events per 100 people can pass 100
        return f"{value:,.1f}" if short else f"{value:,.1f} {unit.removeprefix('rate ')}"
    if unit == "£":
        return f"£{value:,.0f}"
    if unit == "score" and abs(value) < 10:
        return f"{value:.2f}"  # Progress 8 lives near zero (-1.05); Attainment 8 needs one place
    return f"{value:,.1f}"
