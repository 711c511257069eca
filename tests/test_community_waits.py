"""Children's community health waits by ICB: checked against NHS England's workbook
Community-health-services-waiting-lists-2025-26-July.xlsx (in
/work/shared/data/raw/nhs_community_health_waiting_lists/), read by hand: sheet "Table 4" and
"Table 4a"-"Table 4h", the row "ICB, QWO, WEST YORKSHIRE" and the "National" row."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import tidy
from analysis import health
from data_loaders.national import community_waits
from geography import areas, boundaries
from tests.conftest import ROOT, every_visual_as_table, shown_numbers

WEST_YORKSHIRE = "E54000054"
PAEDIATRICS = "service=Community paediatrics"
SPEECH = "service=Speech and language therapy"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return community_waits.load_community_waits()


def _row(table: pd.DataFrame, indicator: str, area: str, breakdown: str, period: str = "2025-07"):
    sel = table[
        (table["indicator"] == indicator)
        & (table["area_code"] == area)
        & (table["breakdown"] == breakdown)
        & (table["period"] == period)
    ]
    assert len(sel) == 1
    return sel.iloc[0]


def test_contract_and_every_icb(table: pd.DataFrame) -> None:
    assert tidy.validate(table) == []
    assert set(table["source"]) == {"nhs_community_health"}
    assert sorted(table["period"].unique()) == ["2025-03", "2025-07"]
    icbs = set(boundaries.sub_icb_lookup()["icb_code"])
    assert len(icbs) == 42
    assert set(table["area_code"]) == icbs | {areas.ENGLAND}
    assert set(table.loc[table["area_code"] != areas.ENGLAND, "area_level"]) == {"icb"}
    # 2 periods x 43 areas x 9 services x 4 indicators, blanks included as missing rows.
    assert len(table) == 2 * 43 * 9 * 4


def test_west_yorkshire_july_2025_read_by_hand(table: pd.DataFrame) -> None:
    # Community paediatric service: Table 4 7,799; bands 4a-4h 57, 164, 449, 1,132, 638,
    # 2,836, 2,110, 413. Over 18 weeks = 2,836 + 2,110 + 413 = 5,359; over 52 = 2,523.
    assert _row(table, "chs_cyp_waiting", WEST_YORKSHIRE, PAEDIATRICS)["value"] == 7799
    assert _row(table, "chs_cyp_waiting_over_18w", WEST_YORKSHIRE, PAEDIATRICS)["value"] == 5359
    assert _row(table, "chs_cyp_waiting_over_52w", WEST_YORKSHIRE, PAEDIATRICS)["value"] == 2523
    share = _row(table, "chs_cyp_waiting_over_18w_pct", WEST_YORKSHIRE, PAEDIATRICS)
    assert (share["numerator"], share["denominator"]) == (5359, 7799)
    assert share["value"] == pytest.approx(68.7139, abs=1e-4)
    # Speech and language: Table 4 6,133; 4f-4h 1,912 + 547 + 346 = 2,805; 4g+4h = 893.
    assert _row(table, "chs_cyp_waiting", WEST_YORKSHIRE, SPEECH)["value"] == 6133
    assert _row(table, "chs_cyp_waiting_over_18w", WEST_YORKSHIRE, SPEECH)["value"] == 2805
    assert _row(table, "chs_cyp_waiting_over_52w", WEST_YORKSHIRE, SPEECH)["value"] == 893


def test_england_july_2025(table: pd.DataFrame) -> None:
    # "National" row of Table 4: community paediatrics 180,170; speech and language 69,601.
    assert _row(table, "chs_cyp_waiting", areas.ENGLAND, PAEDIATRICS)["value"] == 180170
    assert _row(table, "chs_cyp_waiting", areas.ENGLAND, SPEECH)["value"] == 69601
    # The share's denominator is the sum of the bands (180,169), one short of the total:
    # NHS England warns the bands need not add up to the list.
    share = _row(table, "chs_cyp_waiting_over_18w_pct", areas.ENGLAND, PAEDIATRICS)
    assert share["denominator"] == 180169 and share["numerator"] == 127360


def test_blank_cells_are_missing_never_zero(table: pd.DataFrame) -> None:
    missing = table[table["status"] != ""]
    assert len(missing) > 0 and missing["value"].isna().all()
    assert set(missing["status"]) == {"not_available"}
    # Published zeros stay zero: West Yorkshire wheelchairs, July 2025, 0 over 18 weeks.
    zero = _row(
        table, "chs_cyp_waiting_over_18w", WEST_YORKSHIRE, "service=Wheelchairs and equipment"
    )
    assert zero["value"] == 0 and zero["status"] == ""


def test_councils_are_matched_to_their_icbs() -> None:
    bradford = health.icbs_of("E08000032")
    assert list(bradford["icb_code"]) == [WEST_YORKSHIRE]
    # North Yorkshire spans two ICBs: mostly Humber and North Yorkshire, partly West Yorkshire.
    north_yorks = health.icbs_of("E06000065")
    assert list(north_yorks["icb_code"]) == ["E54000051", WEST_YORKSHIRE]
    # Every current council lies in at least one ICB.
    for code in areas.current_las()["la_code"]:
        assert not health.icbs_of(code).empty, code


def _profile_health(area: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["area"] = area
    at.run()
    at.switch_page("app_pages/local_profile.py").run()
    at.session_state["profile.tab"] = "Health"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_local_profile_health_tab_for_bradford(national) -> None:
    at = _profile_health("E08000032")
    text = " ".join(m.value for m in at.markdown)
    assert "is in **NHS West Yorkshire Integrated Care Board**" in text
    assert "It lies in more than one ICB" not in text
    assert any("whole ICB" in c.value for c in at.caption)
    assert any("July 2025" in h.value for h in at.subheader)
    every_visual_as_table(at)
    [waits] = [d.value for d in at.dataframe if "Service" in d.value.columns]
    icb = "NHS West Yorkshire Integrated Care Board"
    figures = [
        f"{icb}: {c}" for c in ("waiting", "over 18 weeks", "over 52 weeks", "% over 18 weeks")
    ]
    figures += ["England: waiting", "England: % over 18 weeks"]
    row = shown_numbers(waits, *figures).set_index("Service").loc["Community paediatrics"]
    assert row[f"{icb}: waiting"] == 7799 and row[f"{icb}: over 18 weeks"] == 5359
    assert row[f"{icb}: over 52 weeks"] == 2523 and row[f"{icb}: % over 18 weeks"] == 68.7
    assert row["England: waiting"] == 180170 and row["England: % over 18 weeks"] == 70.7


def test_local_profile_says_when_a_council_spans_icbs(national) -> None:
    at = _profile_health("E06000065")  # North Yorkshire
    text = " ".join(m.value for m in at.markdown)
    assert "It lies in more than one ICB" in text and "West Yorkshire" in text
    assert "figures below are for NHS Humber and North Yorkshire" in text
