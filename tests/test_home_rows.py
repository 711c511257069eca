"""Home reads only its ten headline indicators' rows from the national cache (``ui.data``):
every headline must be the one the whole table gives, for every area a person can choose."""

from __future__ import annotations

import indicators
from analysis import profile
from data_loaders import build
from geography.areas import ENGLAND, current_las


def test_headlines_from_the_ten_indicators_rows_equal_the_whole_table_s(national):
    ids = [i.id for i in indicators.headlines()]
    rows = build.load_tidy(only=ids)
    assert set(rows.by_indicator) == set(ids)
    assert len(rows) == national["indicator"].isin(ids).sum() < len(national) / 2
    # Areas with gaps (Isles of Scilly, City of London), reorganised ones (Cumberland, North
    # Yorkshire), Bradford, England, and every 15th LA (all of them took 70 s under load).
    sample = ["E06000053", "E09000001", "E06000063", "E06000065", "E08000032", ENGLAND]
    areas = [*sample, *current_las()["la_code"].iloc[::15]]
    differ = [
        (ind, area)
        for ind in ids
        for area in areas
        if profile.headline(rows, ind, area) != profile.headline(national, ind, area)
    ]
    assert differ == []
    # And they are the published figures: caseload.csv.gz, Bradford, January 2025 and 2024.
    plans = profile.headline(rows, "ehc_plans", "E08000032")
    assert (plans.period, plans.value, plans.previous_value) == ("2024/25", 7493, 6474)
