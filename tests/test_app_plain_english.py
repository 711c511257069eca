"""Plain English on the pages (issue 15, item 4), under AppTest: a link naming no known area
says so, and an instruction to run a command is given to admins only."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_app_roles import ADAM, VERA, team  # noqa: F401 (a fixture used by name)

PROFILE = "app_pages/local_profile.py"
REFRESH_COMMAND = "python -m data_loaders.refresh"


def _app(area: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["area"] = area
    at.session_state["profile.tab"] = "Needs and ages"  # where the profile's need notes are
    return at


def test_an_unknown_area_in_the_link_is_named_until_another_is_chosen(national):
    at = _app("E99999999")
    at.run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("E99999999" in w and "Showing Bradford instead" in w for w in warnings), warnings
    assert at.title[0].value == "SEND in Bradford"
    at.run()  # still said on the next run: the page still shows an area nobody asked for
    assert any("E99999999" in w.value for w in at.warning)
    at.selectbox(key="area.la").select("E08000035").run()  # Leeds, in the same region
    assert at.title[0].value == "SEND in Leeds"
    assert not any("E99999999" in w.value for w in at.warning)


def test_a_known_area_gives_no_warning(national):
    at = _app("E06000051")
    at.run()
    assert at.title[0].value == "SEND in Shropshire"
    assert not any("not a local authority" in w.value for w in at.warning)


def _profile_notes(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


def test_the_command_to_fetch_more_data_is_for_admins_only(national, team):  # noqa: F811
    admin = _app("E08000032")
    admin.session_state["user"] = ADAM
    admin.run()
    admin.switch_page(PROFILE).run()
    assert not admin.exception
    assert REFRESH_COMMAND in _profile_notes(admin), [m.value for m in admin.markdown][:5]

    viewer = _app("E08000032")
    viewer.session_state["user"] = VERA
    viewer.run()
    viewer.switch_page(PROFILE).run()
    assert not viewer.exception
    notes = _profile_notes(viewer)
    assert "An admin of SEND Lens can fetch" in notes
    assert "python -m" not in notes


def test_a_trend_beside_the_map_has_its_figures_as_a_table():
    import pandas as pd

    from ui.visual import series_table

    frame = pd.DataFrame(
        {
            "period": ["2023", "2023", "2024", "2024"],
            "name": ["Bradford", "England", "Bradford", "England"],
            "value": [7.25, 4.04, float("nan"), 4.96],
        }
    )
    table = series_table(frame, "%", missing="hidden to protect privacy")
    assert table.columns.tolist() == ["Period", "Bradford", "England"]
    assert table.to_dict("records") == [
        {"Period": "2023", "Bradford": "7.2%", "England": "4.0%"},
        {"Period": "2024", "Bradford": "hidden to protect privacy", "England": "5.0%"},
    ]


def test_a_visual_says_which_years_its_table_holds():
    import pandas as pd

    from ui.visual import period_span

    # Out of order and repeated, as a long table has them: the span runs oldest to latest.
    long = pd.DataFrame({"period": ["2023/24", "2019/20", "2021/22", "2023/24"]})
    assert period_span(long) == "Figures from 2019/20 to 2023/24."
    assert period_span(pd.DataFrame({"Period": ["2024", "2024"]})) == "Figures for 2024."
    # Months written for reading cannot be sorted as canonical periods: the table's order.
    months = pd.DataFrame({"Month": ["Jan 2025", "Feb 2025", "Mar 2025"]})
    assert period_span(months) == "Figures from Jan 2025 to Mar 2025."
    assert period_span(pd.DataFrame({"Area": ["Bradford"]})) == ""


def test_a_chart_thinned_or_emptied_by_protection_says_how_many_and_why():
    from ui.visual import hidden_words

    assert hidden_words(0, 6, "bands", 7) == ""
    some = hidden_words(2, 6, "bands", 7)
    assert some.startswith("2 of 6 bands are hidden to protect children's privacy")
    assert "a count of 1 to 7 could identify a child" in some
    assert some.endswith("the chart leaves them out.")
    every = hidden_words(4, 4, "groups", 10)
    assert every.startswith("All 4 groups are hidden") and "1 to 10" in every
    assert "the chart is empty" in every


def test_funnel_limits_with_far_more_councils_outside_than_chance_get_a_word():
    from ui.comparison.charts import overdispersion_words

    # The case: 125 of 153 outside, where chance would put 0.05 x 153 = 7.65, about 8.
    words = overdispersion_words(125, 153)
    assert words.startswith("Chance alone would put about 8 of 153 councils outside")
    assert "125 are" in words and "over-dispersion" in words
    # 15 of 153 is under twice chance (15.3): no word.
    assert overdispersion_words(15, 153) == ""
    assert overdispersion_words(0, 0) == ""


def test_no_significant_change_beside_a_large_jump_is_explained(national):
    from analysis import benchmark as bm
    from analysis.trend import NO_CHANGE

    # LAIT, Westminster, level 2 at 19 with an EHC plan: 47.06% in 2022/23, 60.66% in
    # 2023/24 (+13.6 points), 36.84% and 54.29% in the two years before that.
    trend = bm.trend(national, "age19_l2_ehc", "E09000033")
    assert trend.verdict == NO_CHANGE
    words = bm.jump_beside_no_change(national, "age19_l2_ehc", "E09000033", trend)
    assert words.startswith("The latest change, +13.6 points from 2022/23 to 2023/24, is large")
    # A Progress 8 score near zero is not judged by a share of itself.
    p8 = bm.trend(national, "p8_ehc", "E06000051")
    assert bm.jump_beside_no_change(national, "p8_ehc", "E06000051", p8) == ""
