"""The catalogue says what each figure is (issue 13 finding 8)."""

from __future__ import annotations

import indicators
from analysis import benchmark
from reports.format import format_value


def test_cin_ehc_pct_is_cino_not_all_children_in_need() -> None:
    ind = indicators.get("cin_ehc_pct")
    # DfE's CINO group: children in need other than on a protection plan or looked after.
    assert "other than" in ind.title
    assert "protection plan" in ind.definition and "looked after" in ind.definition
    assert "CINO" in ind.definition


def test_special_suspensions_are_a_rate_per_100_not_a_percentage() -> None:
    ind = indicators.get("special_suspension_rate")
    assert ind.unit == "rate per 100"
    assert "rate per 100" in indicators.UNITS
    assert "per 100 pupils" in ind.definition
    # 123.4 suspensions per 100 pupils is possible; "123.4%" would read as an error.
    assert format_value(123.4, ind.unit) == "123.4 per 100"
    assert format_value(123.4, ind.unit, short=True) == "123.4"
    assert benchmark.format_value(123.4, ind.unit) == "123.4 per 100"


def test_plan_rate_measures_volume() -> None:
    assert indicators.get("ehc_plans_rate").rba == "how much"
