"""Every page runs under Streamlit's AppTest for several LAs, including reorganised ones,
and shows the figures DfE published for them (read by hand from the raw files)."""

from __future__ import annotations

import ast

import pytest
from streamlit.testing.v1 import AppTest

from geography.areas import current_las
from tests.conftest import ROOT, every_visual_as_table, shown_numbers, visuals_drawn

AREAS = ["E08000032", "E06000063", "E06000065", "E09000001", "E06000061"]


def router_pages() -> list[str]:
    """Every page file app.py hands to st.Page, read from its source so none is forgotten."""
    pages = []
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and str(first.value).startswith("app_pages/"):
                pages.append(str(first.value))
    return pages


PAGES = router_pages()
NOT_ABOUT_ONE_AREA = {"app_pages/data.py", "app_pages/admin.py", "app_pages/accessibility.py"}


def test_every_page_file_is_in_the_router():
    on_disk = sorted(f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py"))
    assert sorted(PAGES) == on_disk
    assert len(PAGES) >= 7


def _app(area: str, national) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["area"] = area
    return at


def _metric(at: AppTest, label: str):
    matches = [m for m in at.metric if m.label == label]
    assert matches, f"no metric {label!r}: {[m.label for m in at.metric]}"
    return matches[0]


# Home and the profile for every area; the other pages (each with its own test module of
# figures) for the first three, which include a reorganised and an aliased area.
@pytest.mark.parametrize(
    ("page", "area"),
    [(p, a) for p in PAGES for a in (AREAS if p in PAGES[:2] else AREAS[:3])],
)
def test_every_page_runs_for_several_areas(page, area, national):
    at = _app(area, national)
    at.run()
    if page != "app_pages/home.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    name = current_las().set_index("la_code").at[area, "name"]
    if page not in NOT_ABOUT_ONE_AREA:
        assert name in at.title[0].value
    assert at.session_state["area"] == area


def test_home_tiles_show_published_values_for_bradford(national):
    at = _app("E08000032", national)
    at.run()
    # caseload.csv.gz, Bradford: 7,493 plans in January 2025, 6,474 in January 2024.
    plans = _metric(at, "EHC plans")
    assert "January 2025" in " ".join(c.value for c in at.caption)
    assert plans.value == "7,493"
    assert plans.delta == "+1,019"
    # timeliness_20_week.csv.gz, Bradford: 88.9% in 2024, 71.4% in 2023 (+17.5 points).
    timely = _metric(at, "Plans issued in 20 weeks")
    assert timely.value == "88.9%"
    assert timely.delta == "+17.5 points"
    captions = " ".join(c.value for c in at.caption)
    assert "England: 638,745" in captions and "England: 45.9%" in captions


def test_home_table_is_drawn_when_opened_with_the_tiles_figures(national):
    """Closed, the box sends no table (the browser would load its data-grid code for it);
    opened, the table holds the tiles' published figures and a CSV download."""
    at = _app("E08000032", national)
    at.run()
    assert [e.label for e in at.expander] == ["These figures as a table"]
    assert not at.dataframe
    at.session_state["home.table"] = True  # as a click on the box does
    at.run()
    assert not at.exception
    table = shown_numbers(at.dataframe[0].value, "Bradford", "Previous value", "England")
    plans = table.set_index("Indicator").loc["EHC plans"]
    # caseload.csv.gz: Bradford 7,493 plans in January 2025, 6,474 in 2024; England 638,745.
    assert (plans["Bradford"], plans["Previous value"], plans["England"]) == (7493, 6474, 638745)
    assert len(table) == 10
    assert [b.label for b in at.get("download_button")] == ["Download CSV"]


def test_reorganised_area_shows_its_own_first_years(national):
    at = _app("E06000063", national)  # Cumberland, from April 2023
    at.run()
    assert _metric(at, "EHC plans").value == "2,893"
    assert _metric(at, "Plans issued in 20 weeks").value == "42.1%"


def test_changing_region_picks_an_area_in_it_and_redraws(national):
    # AppTest does not mirror the script's writes to the URL; the browser test checks that.
    at = _app("E08000032", national)
    at.run()
    at.selectbox(key="area.region").select("E12000002").run()
    chosen = at.session_state["area.la"]
    las = current_las().set_index("la_code")
    assert las.at[chosen, "region_code"] == "E12000002"
    assert at.session_state["area"] == chosen
    assert las.at[chosen, "name"] in at.title[0].value
    at.selectbox(key="area.la").select("E08000003").run()  # Manchester
    assert "Manchester" in at.title[0].value


def test_unknown_area_in_url_falls_back_to_default(national):
    at = _app("E99999999", national)
    at.run()
    assert not at.exception
    assert at.session_state["area"] in set(current_las()["la_code"])


def test_local_profile_tables_match_published_placements(national):
    at = _app("E06000065", national)  # North Yorkshire, published under E10000023
    at.run()
    at.switch_page("app_pages/local_profile.py").run()
    # Only the open tab is drawn: the placements are on the second.
    assert "profile.placements" not in visuals_drawn(at)
    at.session_state["profile.tab"] = "Where they are educated"
    at.run()
    assert "profile.placements" in visuals_drawn(at)
    every_visual_as_table(at)
    tables = [df.value for df in at.dataframe]
    placements = next(
        t
        for t in tables
        if "Indicator" in t.columns and "EHC plans in mainstream settings" in set(t["Indicator"])
    )
    placements = shown_numbers(placements, "North Yorkshire")
    row = placements.set_index("Indicator").loc["EHC plans in mainstream settings"]
    # caseload.csv.gz, North Yorkshire January 2025: mainstream_total_pc 44.6.
    assert row["North Yorkshire"] == 44.6
    assert row["Period"] == "2024/25"


def test_reorganised_area_says_where_its_series_starts(national):
    at = _app("E06000063", national)  # Cumberland
    at.run()
    at.switch_page("app_pages/local_profile.py").run()
    notes = [c.value for c in at.caption if "this area's figures start" in c.value]
    assert notes, "a reorganised area must say that its series starts at the change"
    assert "2023/24" in notes[0] and "Cumbria" in notes[0]
    at2 = _app("E08000032", national)  # Bradford: no reorganisation, no note
    at2.run()
    at2.switch_page("app_pages/local_profile.py").run()
    assert not [c.value for c in at2.caption if "this area's figures start" in c.value]
    # Its EHC plans' trends run from 2009/10 across SEN2's new series of January 2023.
    crossing = [c.value for c in at2.caption if "Series break" in c.value]
    assert crossing and all(c.startswith("Figures from 2009/10 to 2024/25.") for c in crossing)
    assert "counted changed in 2022/23 (January 2023, a new DfE return of EHC plans)" in crossing[0]


TABS = {  # each tab of the Local profile, and a chart key it must draw
    "How many": "profile.rate",
    "Needs and ages": "profile.need",
    "Where they are educated": "profile.placements",
    "Attainment, absence and adulthood": "profile.attainment",
    "Children in need and looked after": "profile.care",
    "Health": "profile.health_waits",
}


@pytest.mark.parametrize("area", ["E08000032", "E06000063", "E09000001"])
def test_every_local_profile_tab_draws_only_when_open(area, national):
    at = _app(area, national)
    at.run()
    at.switch_page("app_pages/local_profile.py").run()
    for tab, key in TABS.items():
        at.session_state["profile.tab"] = tab
        at.run()
        assert not at.exception, (tab, [e.value for e in at.exception])
        drawn = visuals_drawn(at)
        assert key in drawn, (tab, drawn)
        others = {k for t, k in TABS.items() if t != tab}
        assert not drawn & others, (tab, drawn & others)
