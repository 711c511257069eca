"""The one sentence for a series break, said on every chart whose years cross one."""

from __future__ import annotations

import indicators
from analysis.trend import breaks_crossed
from reports.series_breaks import break_sentence, reorganisation_sentence

TIMELY = indicators.get("ehc_20wk_pct")  # SEN2's calendar-year measure: new series from 2023
RATE = indicators.get("ehc_plans_rate")  # a January census measure: new series from 2022/23
SEN2_2023 = (
    "Series break: the way this is counted changed in 2023 (a new DfE return of EHC plans), so figures "
    "before and after it are not strictly comparable."
)


def test_a_break_is_crossed_only_by_periods_on_both_sides_of_it():
    assert TIMELY.series_breaks == ("2023",) and RATE.series_breaks == ("2022/23",)
    assert breaks_crossed(["2023"], ["2014", "2024"]) == ["2023"]
    assert breaks_crossed(["2023"], ["2024", "2022"]) == ["2023"]  # in any order
    assert breaks_crossed(["2023"], ["2023", "2024"]) == []  # all in the new series
    assert breaks_crossed(["2023"], ["2020", "2022"]) == []  # all in the old one
    assert breaks_crossed(["2023"], []) == []
    assert breaks_crossed(["2021/22", "2022/23"], ["2020/21", "2024/25"]) == ["2021/22", "2022/23"]


def test_the_sentence_names_the_break_in_the_indicators_own_words():
    assert break_sentence(TIMELY, ["2014", "2015", "2024"]) == SEN2_2023
    assert break_sentence(TIMELY, ["2023", "2024"]) == ""
    # A January census: its 2022/23 is the census of January 2023.
    assert "changed in 2022/23 (January 2023, a new DfE return of EHC plans)" in break_sentence(
        RATE, ["2021/22", "2022/23"]
    )
    assert break_sentence(RATE, ["2022/23", "2024/25"]) == ""
    assert break_sentence(indicators.get("tribunal_appeal_rate"), ["2014", "2024"]) == ""


def test_a_reorganised_council_says_where_its_own_figures_start():
    said = reorganisation_sentence("E06000063", "2023/24")  # Cumberland, from Cumbria
    assert said.startswith("Series break: this area's figures start in 2023/24.")
    assert "Cumbria" in said
    assert reorganisation_sentence("E08000032", "2009/10") == ""  # Bradford: none
    assert reorganisation_sentence("E06000063", None) == ""
