"""The Benchmarking page under AppTest: every tab runs for several LAs (reorganised ones
included), shows DfE's published figures, and the comparator choices change what it shows."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

import indicators
from analysis.neighbours import nearest_neighbours, statistical_neighbours
from geography.areas import current_las
from tests.conftest import ROOT, every_visual_as_table, shown_numbers
from ui.benchmarking import views
from ui.comparison import comparators
from ui.visual import TABLES

PAGE = "app_pages/benchmarking.py"
TABS = ["Compare areas", "Trend", "Area summary", "Funnel plot", "Choose comparators"]
AREAS = ["E08000032", "E06000063", "E06000065", "E09000001", "E06000053"]
BRADFORD, REGION, ENGLAND = "E08000032", "E12000003", "E92000001"
TIMELY = "New EHC plans issued within 20 weeks (including exceptions)"
TIMELY_ID = "ehc_20wk_pct"


def _page(area: str, tab: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["area"] = area
    if tab:
        at.session_state["bench.tab"] = tab
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _run(at: AppTest, tab: str | None = None) -> AppTest:
    if tab:
        at.session_state["bench.tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sentence(at: AppTest) -> str:
    return at.info[0].value


def _captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _rank(at: AppTest) -> str:
    """The rank tile as "22nd of 153": its value and the number ranked, from its label."""
    tile = next(m for m in at.metric if m.label.startswith("Rank"))
    assert re.fullmatch(r"Rank of \d+", tile.label) and re.fullmatch(
        r"\d+(st|nd|rd|th)", tile.value
    )
    return f"{tile.value} of {tile.label.split()[-1]}"


def _table(at: AppTest, column: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert tables, f"no table with {column!r}: {[list(d.value.columns) for d in at.dataframe]}"
    numbers = ("Value", "England", "Region", "Comparator average", "Numerator", "Denominator")
    numbers += ("95% CI lower", "95% CI upper")
    return shown_numbers(tables[0], *[c for c in numbers if c in tables[0].columns])


def _as_table(at: AppTest, key: str) -> AppTest:
    every_visual_as_table(at)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _dataset(at: AppTest, name: str) -> pd.DataFrame:
    """A named dataset of the page's first chart (Streamlit moves them out of the spec)."""
    chart = at.get("vega_lite_chart")[0].proto
    (found,) = [d for d in chart.datasets if d.name == name]
    return pa.ipc.open_stream(found.data.data).read_pandas()


def _comparator_codes(at: AppTest) -> list[str]:
    """Codes of the comparator councils in the Compare areas table."""
    _as_table(_run(at, "Compare areas"), "bench.compare")
    table = _table(at, "Compared with England")
    own = at.session_state["area"]
    return [
        c
        for c in table["Code"]
        if c and c not in (own, REGION, ENGLAND) and not c.startswith("E12")
    ]


@pytest.mark.parametrize("area", AREAS)
def test_every_tab_runs_for_several_areas(area, national):
    name = current_las().set_index("la_code").at[area, "name"]
    at = _page(area)
    assert name in at.title[0].value
    assert re.match(r"(In \d{4}|No value)", _sentence(at)), _sentence(at)
    for tab in TABS:
        _run(at, tab)
        headings = " ".join(s.value for s in at.subheader)
        assert headings, f"{tab} shows nothing for {area}"
        assert at.session_state["bench.tab"] == tab
    # The compare chart has the area, its whiskers and the area's label in bold.
    _run(at, "Compare areas")
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["bar", "errorbar"]
    assert (
        f"{name} (this area)"
        in spec["layer"][0]["encoding"]["y"]["axis"]["labelFontWeight"]["condition"]["test"]
    )


def test_bradford_sentence_and_tiles_show_published_values(national):
    at = _page(BRADFORD)
    # timeliness_20_week.csv.gz: Bradford 88.9% in 2024, England 45.9%.
    sentence = _sentence(at)
    assert "88.9%" in sentence and "England (45.9%)" in sentence
    assert sentence.startswith("In 2024 Bradford's figure for new EHC plans issued within 20 weeks")
    assert "significantly higher than England" in sentence
    # Only 2023 and 2024 since the SEN2 return changed in 2023: too few to test (issue 13).
    assert (
        "too few years since the 2023 change in DfE's count of EHC plans to test the trend"
        in sentence
    )
    assert _metric(at, "Bradford") == "88.9%" and _metric(at, "England") == "45.9%"
    # Rank 1 is the highest (polarity high) among today's councils with a 2024 value: 22nd of 153.
    n = national
    la = n[
        (n["indicator"] == "ehc_20wk_pct")
        & (n["period"] == "2024")
        & (n["breakdown"] == "")
        & n["area_code"].isin(current_las()["la_code"])
        & n["value"].notna()
    ]
    assert _rank(at) == f"{int((la['value'] > 88.9).sum()) + 1}nd of {len(la)}" == "22nd of 153"
    assert _metric(at, "Quartile band") == "A (best)"
    # The default comparators are DfE's May 2025 neighbours, named in the caption.
    names = current_las().set_index("la_code")["name"]
    caption = next(c.value for c in at.caption if c.value.startswith("Comparing with"))
    assert caption.startswith("Comparing with 10 councils")
    assert all(names[c] in caption for c in statistical_neighbours(BRADFORD, "2025"))


def test_summary_table_has_a_row_per_indicator_with_data(national):
    at = _page(BRADFORD, "Area summary")
    table = _table(at, "Compared with England")
    totals = national[
        (national["area_code"] == BRADFORD)
        & (national["breakdown"] == "")
        & national["value"].notna()
    ]
    expected = {indicators.get(i).title for i in totals["indicator"].unique()}
    assert len(table) == len(expected) > 40
    assert set(table["Indicator"]) == expected
    row = table.set_index("Indicator").loc[TIMELY]
    assert (row["Value"], row["England"], row["Period"]) == (88.9, 45.9, "2024")
    assert (
        row["Compared with England"] == "better"
        and row["Recent trend"] == "cannot be calculated"  # 2 points since the 2023 break
    )
    lait = table.set_index("Indicator").loc["Pupils with an EHC plan"]
    assert (
        lait["Why not tested"]
        == "no counts published for this indicator, so no confidence interval"
    )
    assert lait["Quartile band"] in set("ABCD") and lait["Comparator average"] > 0
    assert "Download XLSX" in [b.label for b in at.get("download_button")]
    assert any(s.value.startswith("Spine chart") for s in at.subheader)

    at.selectbox(key="bench.summary.lens").set_value("outcomes").run()
    outcomes = {i.title for i in indicators.CATALOGUE.values() if i.lens == "outcomes"} & expected
    assert set(_table(at, "Compared with England")["Indicator"]) == outcomes
    at.selectbox(key="bench.summary.lens").set_value("").run()
    at.selectbox(key="bench.summary.sort").set_value("Needs attention first").run()
    ordered = _table(at, "Compared with England")
    assert ordered["Compared with England"].iloc[0] == "worse"
    assert ordered["Compared with England"].iloc[-1] == "better"


def test_switching_to_the_2021_model_changes_the_comparators(national):
    at = _page(BRADFORD)
    latest = statistical_neighbours(BRADFORD, "2025")
    older = statistical_neighbours(BRADFORD, "2021")
    assert set(latest) != set(older)
    assert set(_comparator_codes(at)) == set(latest)
    sentence_2025 = _sentence(at)
    at.radio(key="bench.model").set_value("2021").run()
    assert at.selectbox(key="bench.set").value == "Statistical neighbours (DfE 2021)"
    assert set(_comparator_codes(at)) == set(older)
    assert _sentence(at) != sentence_2025  # a different neighbours' average
    _run(at, "Choose comparators")
    assert "April 2021" in at.subheader[0].value
    assert set(_table(at, "Closeness")["Code"]) == set(older)


def test_computed_neighbours_become_the_comparators_and_survive_a_page_switch(national):
    at = _page(BRADFORD, "Choose comparators")
    expected = nearest_neighbours(
        national, dict.fromkeys(comparators.DEFAULT_VARIABLES, 1.0), area=BRADFORD, k=10
    )
    shown = _table(at, "Distance")
    assert shown["Code"].tolist() == expected["area_code"].tolist()
    at.button(key="bench.nn.use").click().run()
    assert at.session_state["bench.comparators"]["codes"] == expected["area_code"].tolist()
    assert at.selectbox(key="bench.set").value == comparators.COMPUTED
    assert _comparator_codes(at) and set(_comparator_codes(at)) == set(expected["area_code"])
    assert set(expected["area_code"]) != set(statistical_neighbours(BRADFORD, "2025"))
    assert "(Computed nearest neighbours)" in _sentence(at)

    at.switch_page("app_pages/home.py").run()
    at.switch_page(PAGE).run()
    assert at.selectbox(key="bench.set").value == comparators.COMPUTED
    assert set(_comparator_codes(at)) == set(expected["area_code"])


def test_weights_change_the_computed_neighbours(national):
    at = _page(BRADFORD, "Choose comparators")
    before = _table(at, "Distance")["Code"].tolist()
    at.slider(key="bench.nn.weight.ehc_plans_rate").set_value(5.0).run()
    at.slider(key="bench.nn.k").set_value(5).run()
    after = _table(at, "Distance")["Code"].tolist()
    weights = dict.fromkeys(comparators.DEFAULT_VARIABLES, 1.0) | {"ehc_plans_rate": 5.0}
    assert after == nearest_neighbours(national, weights, area=BRADFORD, k=5)["area_code"].tolist()
    assert after != before[:5]


def test_a_custom_set_is_used_for_any_area_without_the_area_itself_and_says_so(national):
    west_yorkshire = ["E08000033", "E08000034", "E08000035"]  # Calderdale, Kirklees, Leeds
    at = _page(BRADFORD, "Choose comparators")
    at.multiselect(key="bench.custom.members").set_value(west_yorkshire).run()
    at.text_input(key="bench.custom.name").input("West Yorkshire").run()
    at.button(key="bench.custom.use").click().run()
    assert at.selectbox(key="bench.set").value == "West Yorkshire"
    assert "(West Yorkshire)" in _sentence(at)
    assert sorted(_comparator_codes(at)) == west_yorkshire
    said = _captions(at)
    assert "'West Yorkshire' is your own set of councils" in said
    assert "while looking at" not in said
    at.selectbox(key="area.la").set_value("E08000035").run()  # Leeds
    assert "Leeds" in at.title[0].value
    assert at.selectbox(key="bench.set").value == "West Yorkshire"
    assert sorted(_comparator_codes(at)) == ["E08000033", "E08000034"]
    # Carried to Leeds, but not silently (issue 15).
    said = _captions(at)
    assert "You made it while looking at Bradford; it is used for Leeds too, without Leeds" in said


def test_a_value_only_indicator_says_why_there_is_no_significance(national):
    at = _page(BRADFORD)
    at.selectbox(key="bench.indicator").set_value("sen_ehc_pct").run()
    assert not at.exception
    sentence = _sentence(at)
    assert "Not tested for significance: no counts published for this indicator" in sentence
    assert "significantly" not in sentence
    # LAIT's rank, quartile band and neighbour mean still work.
    assert _rank(at)
    assert _metric(at, "Quartile band")[0] in "ABCD"
    assert _metric(at, "Neighbours' average").endswith("%")
    assert "no counts published for this indicator" in _captions(at)
    _run(at, "Funnel plot")
    assert "published without them" in at.info[-1].value


def test_funnel_places_bradford_outside_the_limits(national):
    at = _page(BRADFORD, "Funnel plot")
    _as_table(at, "bench.funnel")
    table = _table(at, "Position in the funnel").set_index("Code")
    n = national
    rows = n[
        (n["indicator"] == "ehc_20wk_pct")
        & (n["period"] == "2024")
        & (n["area_level"] == "la")
        & (n["breakdown"] == "")
        & n["value"].notna()
        & n["numerator"].notna()
        & (n["denominator"] > 0)
    ]
    assert len(table) == len(rows) > 140
    assert table.at[BRADFORD, "Position in the funnel"] == "outside the 99.8% limits"
    assert table.at[BRADFORD, "Compared with England"] == "better"
    assert "OHID's funnel method" in _captions(at)


def test_trend_table_and_verdict(national):
    at = _page(BRADFORD, "Trend")
    _as_table(at, "bench.trend")
    table = _table(at, "Period").set_index("Period")
    table = shown_numbers(table, *table.columns)
    assert list(table.columns) == [
        "Bradford",
        "Statistical neighbours' average",
        "Yorkshire and The Humber",
        "England",
        "Comparators with a value",
        "Average on few comparators",
    ]
    assert table.at["2024", "Comparators with a value"] == 10
    assert (table.at["2024", "Bradford"], table.at["2024", "England"]) == (88.9, 45.9)
    assert (
        "Recent trend for Bradford: cannot be calculated (the test needs five years with a "
        "value since the 2023 change in DfE's count of EHC plans; there are 2)"
    ) in _captions(at)


def test_an_older_period_and_an_indicator_with_one_period(national):
    at = _page(BRADFORD)
    at.selectbox(key="bench.period").set_value("2019").run()
    assert _sentence(at).startswith("In 2019 ") and "trend" not in _sentence(at)
    at.selectbox(key="bench.indicator").set_value("ehc_annual_reviews_pct").run()
    assert not at.exception
    assert at.selectbox(key="bench.period").value == "2024"
    assert _sentence(at).startswith("In 2024 ")


def test_xlsx_escapes_text_that_could_run_as_a_formula():
    data = views.xlsx_bytes(
        {"Summary": pd.DataFrame({"Indicator": ["=HYPERLINK(1)", "Plain"], "Value": [1.5, 2]})}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Summary"]
    assert sheet["A2"].value == "'=HYPERLINK(1)" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 1.5


def test_the_chosen_indicator_and_period_survive_a_page_switch(national):
    at = _page(BRADFORD)
    at.selectbox(key="bench.indicator").set_value("sen_ehc_pct").run()
    at.selectbox(key="bench.period").set_value("2020/21").run()
    at.switch_page("app_pages/home.py").run()
    at.switch_page(PAGE).run()
    assert (at.selectbox(key="bench.indicator").value, at.selectbox(key="bench.period").value) == (
        "sen_ehc_pct",
        "2020/21",
    )
    assert _sentence(at).startswith("In 2020/21 Bradford's figure for pupils with an EHC plan")
    assert not at.warning


def test_rank_on_too_few_cases_says_so(national):
    # City of London 2024: 0 appeals in 26 tribunal decisions is 1st of 153 only on paper.
    at = _page("E09000001", "Compare areas")
    at.selectbox(key="bench.indicator").select("tribunal_appeal_rate").run()
    at.selectbox(key="bench.period").select("2024").run()
    assert not at.exception, [e.value for e in at.exception]
    assert _metric(at, "Rank of 153") == "1st"
    tile = next(m for m in at.metric if m.label == "Rank of 153")
    assert "On only 26 cases: too few to rank meaningfully." in tile.help
    assert "The rank and quartile band rest on only 26 cases: too few to rank meaningfully." in [
        c.value for c in at.caption
    ]


def test_a_rank_on_one_case_says_case(national):
    # Isles of Scilly issued one new EHC plan in 2024 (within 20 weeks: 100%), the page's
    # opening figure.
    at = _page("E06000053", "Compare areas")
    assert at.selectbox(key="bench.indicator").value == TIMELY_ID
    assert _metric(at, "Rank of 153") == "1st"
    assert "The rank and quartile band rest on only 1 case: too few to rank meaningfully." in [
        c.value for c in at.caption
    ]


def test_a_rank_on_enough_cases_has_no_caveat(national):
    at = _page(BRADFORD, "Compare areas")
    at.selectbox(key="bench.indicator").select("tribunal_appeal_rate").run()
    at.selectbox(key="bench.period").select("2024").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("too few to rank" in c.value for c in at.caption)
    tile = next(m for m in at.metric if m.label == "Rank of 153")
    assert "too few" not in tile.help


def test_an_average_on_few_neighbours_is_marked_on_the_charts_and_in_their_tables(national):
    """Hartlepool's neighbours' average for 20-week timeliness rests on 5 of 10 in 2014 (counted
    in test_benchmark_frames): hollow and labelled on the chart, said in the table, that year
    only."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["area"] = "E06000001"
    at.session_state["bench.indicator"] = TIMELY_ID
    at.session_state["bench.tab"] = "Trend"
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    hollow = spec["layer"][-1]["layer"]
    assert hollow[0]["mark"]["filled"] is False and hollow[1]["mark"]["type"] == "text"
    labelled = _dataset(at, spec["layer"][-1]["data"]["name"])
    assert labelled[["period", "words"]].values.tolist() == [
        ["2014", "average of 5 of 10 comparators"]
    ]
    _as_table(at, "bench.trend")
    table = _table(at, "Average on few comparators").set_index("Period")
    assert table.index[table["Average on few comparators"] == "yes"].tolist() == ["2014"]
    assert set(table.drop(index="2014")["Average on few comparators"]) == {"no"}
    assert "half the comparators or fewer in 2014 (5 of 10)" in _captions(at)
    # The chart runs 2014 to 2024 across SEN2's new series of 2023, and says so.
    assert (
        "Series break: the way this is counted changed in 2023 (a new DfE return of EHC plans)"
        in (_captions(at))
    )
    # Compare areas in 2014: the average's bar is an outline and its label says why.
    at.session_state["bench.period"] = "2014"
    at.session_state[TABLES] = False  # charts again, as the sidebar's switch turned off
    _run(at, "Compare areas")
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    bars, (outline, words), whiskers = spec["layer"][0], spec["layer"][1]["layer"], spec["layer"][2]
    assert (bars["mark"]["type"], whiskers["mark"]["type"]) == ("bar", "errorbar")
    assert outline["mark"]["fill"] == "white" and words["mark"]["type"] == "text"
    (row,) = _dataset(at, spec["layer"][1]["data"]["name"]).to_dict("records")
    assert row["label"].startswith("Statistical neighbours' average")
    assert row["words"] == "average of 5 of 10 comparators"
    _as_table(at, "bench.compare")
    table = _table(at, "Average rests on")
    assert [t for t in table["Average rests on"] if t] == [
        "5 of 10 comparators (few: a rough guide)"
    ]
