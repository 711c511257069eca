"""EHC plans per 10,000 aged 0-25: each January over the latest population estimate before it
(issue 13 finding 4). Figures worked by hand from SEN2 and the two population CSVs."""

from __future__ import annotations

import pandas as pd
import pytest

import tidy
from analysis import benchmark
from data_loaders import build
from data_loaders.national import population, sen2
from geography import areas


@pytest.fixture(scope="module")
def inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    return tidy.normalise(sen2.load_sen2()), tidy.normalise(population.load_population())


@pytest.fixture(scope="module")
def rates(inputs: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    return build.derived_rates(pd.concat(inputs, ignore_index=True))


def _row(rates: pd.DataFrame, code: str, period: str) -> pd.Series:
    sel = rates[(rates["area_code"] == code) & (rates["period"] == period)]
    assert len(sel) == 1
    return sel.iloc[0]


@pytest.mark.parametrize(
    ("code", "period", "plans", "people", "rate"),
    [
        # Westminster January 2025: 1,429 plans / 60,600 (mid-2024) * 10,000 = 235.81.
        ("E09000033", "2024/25", 1429, 60600, 235.81),
        # Westminster January 2024: 1,413 / 60,957 (mid-2023) * 10,000 = 231.80.
        ("E09000033", "2023/24", 1413, 60957, 231.80),
        # Westminster January 2023: 1,368 / 81,189 (mid-2020) * 10,000 = 168.50.
        ("E09000033", "2022/23", 1368, 81189, 168.50),
        # Darlington January 2025: 1,122 / 31,461 * 10,000 = 356.63.
        ("E06000005", "2024/25", 1122, 31461, 356.63),
        # England January 2025: 638,745 / 17,849,967 * 10,000 = 357.84 (364.41 on mid-2020).
        (areas.ENGLAND, "2024/25", 638745, 17849967, 357.84),
    ],
)
def test_rate_by_hand(
    rates: pd.DataFrame, code: str, period: str, plans: int, people: int, rate: float
) -> None:
    row = _row(rates, code, period)
    assert (row["numerator"], row["denominator"]) == (plans, people)
    assert row["value"] == pytest.approx(rate, abs=0.005)


def test_verdicts_against_england_that_change(
    inputs: tuple[pd.DataFrame, pd.DataFrame], rates: pd.DataFrame
) -> None:
    plans, pop = inputs
    stale = build.derived_rates(pd.concat([plans, pop[pop["period"] == "2020"]]))
    changed = {
        code
        for code in areas.current_las()["la_code"]
        if benchmark.compare(rates, "ehc_plans_rate", code, "2024/25", []).england.direction
        != benchmark.compare(stale, "ehc_plans_rate", code, "2024/25", []).england.direction
    }
    # Measured: 18 of 153 (Bolton goes from significantly higher to lower; Lambeth and
    # Richmond from lower to similar; ...). A few either way is a data refresh, not a bug.
    assert 15 <= len(changed) <= 22
    assert {"E08000001", "E09000022", "E09000027"} <= changed
