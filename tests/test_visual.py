"""A visual's "About these figures, and download" box: written only when opened, and then the
indicator's definition, calculation and source and the CSV download (issue 14: the browser
handles every element a page sends, so a closed box sends nothing inside it); and the
sidebar's one switch from charts to tables for the whole session."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, every_visual_as_table
from ui.visual import ABOUT, TABLES


def _local_profile(workshop: bool = False) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["area"] = "E08000032"  # Bradford
    if workshop:
        at.query_params["mode"] = "workshop"
    at.run()  # Home first: a page switched to before the first run is not honoured
    return at.switch_page("app_pages/local_profile.py").run()


def test_about_box_is_empty_until_opened_then_holds_the_definition_source_and_download(national):
    at = _local_profile()
    assert not at.exception, [e.value for e in at.exception]
    boxes = [e for e in at.expander if e.label == ABOUT]
    # The first tab's four trends, each with its box; nothing inside any box yet.
    assert len(boxes) == 4
    assert all(not box.children for box in boxes)
    assert not at.get("download_button")
    assert not [m for m in at.markdown if "Source:" in m.value]

    at.session_state["profile.rate.about"] = True  # as a click on the first box does
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    boxes = [e for e in at.expander if e.label == ABOUT]
    opened = [box for box in boxes if box.children]
    assert len(opened) == 1 and opened[0] is boxes[0]
    words = opened[0].markdown[0].value
    # data/catalogue: ehc_plans_rate is SEN2's plans over ONS's population aged 0-25.
    assert words.startswith("**EHC plans per 10,000 aged 0-25**: EHC plans maintained in January")
    assert (
        "- Calculated as EHC plans in January (SEN2) ÷ ONS mid-year population aged 0-25" in words
    )
    assert "- Unit: rate per 10,000." in words
    assert "- Source: " in words
    [download] = at.get("download_button")
    assert download.label == "Download CSV"
    assert download.proto.id.endswith("profile.rate.download")
    # The chart above it is unchanged by the rerun.
    assert len(at.get("vega_lite_chart")) == 4


def test_workshop_mode_keeps_no_about_box_and_every_download(national):
    at = _local_profile(workshop=True)
    assert not at.exception, [e.value for e in at.exception]
    assert not [e for e in at.expander if e.label == ABOUT]
    assert [b.label for b in at.get("download_button")] == ["Download CSV"] * 4


def test_one_switch_turns_every_chart_on_every_page_into_its_table(national):
    """The sidebar's switch is the session's, not the page's: turned on on the Local profile,
    Benchmarking then shows its table too, with no chart; turned off, the charts return."""
    at = _local_profile()
    assert len(at.get("vega_lite_chart")) == 4 and not at.dataframe
    every_visual_as_table(at)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.get("vega_lite_chart")
    # Four trends, each its table, with the area, its region and England over the years.
    assert len(at.dataframe) == 4
    assert all("Bradford" in d.value.columns for d in at.dataframe)
    at.switch_page("app_pages/benchmarking.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.toggle(key=TABLES).value is True
    assert not at.get("vega_lite_chart") and at.dataframe
    at.toggle(key=TABLES).set_value(False).run()
    assert at.get("vega_lite_chart")
