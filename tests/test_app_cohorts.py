"""The Cohorts page with the example extracts loaded: its figures are the linking's, through
the small-number rule, and the example is labelled and kept to Bradford's page."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, shown_numbers
from tests.test_app_roles import ANDY, VERA, _as, team  # noqa: F401 (team is a fixture)

BRADFORD = "E08000032"
BARNSLEY = "E08000016"
PAGE = "app_pages/cohorts.py"


def _page(area: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["area"] = area
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# The count columns of the page's tables, read back as numbers (a hidden count as NaN).
COUNTS = ("In both", "Only in the first", "Only in the second", "Conflicting ids", "Children")
COUNTS += ("Out of",)


def _frames(at: AppTest) -> dict[str, pd.DataFrame]:
    frames = [d.value for d in at.dataframe]
    return {
        str(list(f.columns)): shown_numbers(f, *[c for c in COUNTS if c in f.columns])
        for f in frames
    }


def test_example_loads_links_and_shows_only_protected_counts(national, store_dir):
    at = _page(BRADFORD)
    assert any("No agency cohort extracts are loaded" in i.value for i in at.info)
    at.button(key="cohorts.example").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(w.value.startswith("**Example data (synthetic).**") for w in at.warning)

    frames = list(_frames(at).values())
    quality = next(f for f in frames if "In both" in f.columns).set_index(
        ["First extract", "Second extract"]
    )
    # tests/test_linking.py holds the true figures to the truth file: 286 children in both
    # education and social care, 10 conflicting ids; shown rounded to the nearest 5.
    assert quality.loc[("Education", "Social care"), "In both"] == 285
    assert quality.loc[("Education", "Social care"), "Conflicting ids"] == 10
    ten = next(f for f in frames if "England" in f.columns).set_index("Measure")
    assert len(ten) == 10
    assert ten.loc[
        "New EHC plans issued within 20 weeks (excluding exceptions)", "England"
    ].startswith("45.9%")  # SEN2 2024, England, published
    for frame in frames:
        numbers = frame.select_dtypes("number").drop(columns=["Per cent"], errors="ignore").stack()
        assert not numbers.between(1, 7).any(), frame.columns.tolist()
    # The board's figures are words: a hidden one says so, never the count.
    assert not ten["This area"].str.match(r"[1-7]\b|.*\(\s*[1-7] of").any()
    assert ten.loc["Children with an EHC plan permanently excluded", "This area"] == "Fewer than 8"

    # By home ward: the ward names, the map, and still no count from 1 to 7.
    at.selectbox(key="cohorts.by").select("ward_code").run()
    assert not at.exception, [e.value for e in at.exception]
    wards = next(f for f in _frames(at).values() if "Home ward" in f.columns)
    assert "Bowling and Barkerend" in set(wards["Home ward"])
    assert "Small numbers" not in wards.columns  # which hidden count is small is not said
    assert not wards[["Children", "Out of"]].stack().between(1, 7).any()
    assert any("by home ward" in h.value for h in at.subheader)

    other = _page(BARNSLEY)
    assert any("is for Bradford's wards and schools" in i.value for i in other.info)
    assert not other.dataframe


@pytest.mark.usefixtures("team")
def test_the_record_list_follows_the_workspace_roles(national):
    analyst = _as(ANDY, PAGE)
    analyst.button(key="cohorts.example").click().run()
    assert not analyst.exception, [e.value for e in analyst.exception]
    assert any(e.label.startswith("Records for data-quality work") for e in analyst.expander)
    viewer = _as(VERA, PAGE)
    assert viewer.dataframe  # the protected figures, as for everyone
    assert not any(e.label.startswith("Records for data-quality work") for e in viewer.expander)
    assert not [b for b in viewer.button if b.key == "cohorts.example"]
    shown = [d.value for d in viewer.dataframe]
    assert not any("Pseudonymised id" in f.columns for f in shown)
