"""Map arithmetic worked by hand: school counts summed to areas, class breaks, colours,
tooltips, disclosure on the map table, and selection from recorded pydeck events."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.classes import (
    PALETTES,
    Classes,
    classify,
    colour_ramp,
    equal_interval_breaks,
    jenks_breaks,
    quantile_breaks,
)
from analysis.mapping import aggregate, map_table, selected_area, tooltip_template


def _school_rows() -> pd.DataFrame:
    # Four schools: two in ward W1, one in W2, one with no published counts (in W2).
    return pd.DataFrame(
        {
            "indicator": "school_ehc_pct",
            "area_code": ["1", "2", "3", "4"],
            "area_level": "school",
            "period": "2023/24",
            "breakdown": "",
            "numerator": [10.0, 5.0, 30.0, np.nan],
            "denominator": [200.0, 100.0, 600.0, np.nan],
            "value": [5.0, 5.0, 5.0, np.nan],
            "status": ["", "", "", "suppressed"],
            "source": "schools",
        }
    )


def test_aggregate_sums_counts_and_recomputes_the_percentage():
    links = pd.DataFrame({"urn": ["1", "2", "3", "4"], "ward_code": ["W1", "W1", "W2", "W2"]})
    out = aggregate(_school_rows(), links, "ward", "ward_code", areas=["W1", "W2", "W3"])
    out = out.set_index("area_code")
    # W1: (10 + 5) / (200 + 100) = 5.0%; W2: 30 / 600 = 5.0% (school 4 has no counts).
    assert out.loc["W1", ["numerator", "denominator", "schools"]].tolist() == [15, 300, 2]
    assert out.loc["W1", "value"] == pytest.approx(5.0)
    assert out.loc["W2", ["numerator", "denominator", "schools"]].tolist() == [30, 600, 1]
    # W3 has no school: kept, with no value and a status saying so.
    assert out.loc["W3", "schools"] == 0 and math.isnan(out.loc["W3", "value"])
    assert out.loc["W3", "status"] == "not_available"
    assert set(out["area_level"]) == {"ward"}


def test_aggregate_pools_rather_than_averaging_percentages():
    rows = _school_rows().assign(
        numerator=[1.0, 50.0, 0.0, np.nan], denominator=[10.0, 990.0, 5.0, np.nan]
    )
    links = pd.DataFrame({"urn": ["1", "2"], "ward_code": ["W1", "W1"]})
    out = aggregate(rows, links, "ward", "ward_code")
    # (1 + 50) / (10 + 990) = 5.1%, not the mean of 10% and 5.05%.
    assert out["value"].iloc[0] == pytest.approx(5.1)


def test_quantile_breaks_by_hand():
    # 1..10 into fifths, numpy's linear quantiles: 2.8, 4.6, 6.4, 8.2, 10.
    assert quantile_breaks(range(1, 11), 5) == pytest.approx([2.8, 4.6, 6.4, 8.2, 10.0])
    classes = classify(range(1, 11), 5, "quantiles")
    assert classes.assign(range(1, 11)).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    # Ties collapse breaks rather than making empty classes.
    assert quantile_breaks([0, 0, 0, 0, 5], 4) == [0.0, 5.0]


def test_equal_interval_breaks_by_hand():
    assert equal_interval_breaks([0, 3, 10], 5) == [2.0, 4.0, 6.0, 8.0, 10.0]
    assert equal_interval_breaks([4, 4], 5) == [4.0]


def test_jenks_finds_the_natural_groups():
    # Three clusters; any other split has a larger within-class squared deviation.
    assert jenks_breaks([1, 2, 3, 10, 11, 12, 20, 21, 22], 3) == [3.0, 12.0, 22.0]
    assert jenks_breaks([1, 1, 1, 9, 9, 10], 2) == [1.0, 10.0]
    # Many values: the last break is still the maximum and the breaks ascend.
    values = np.random.default_rng(1).gamma(2.0, 2.0, 30_000)
    breaks = jenks_breaks(values, 5)
    assert len(breaks) == 5 and breaks == sorted(breaks) and breaks[-1] == values.max()


def test_classes_assign_and_label():
    classes = Classes(lower=0.0, breaks=(2.0, 5.0), method="equal intervals")
    assert classes.assign([0, 2, 2.01, 5, np.nan]).tolist() == [0, 0, 1, 1, -1]
    assert classes.labels() == ["0.0 to 2.0", "over 2.0 to 5.0"]
    with pytest.raises(ValueError):
        classify([1, 2], 2, "head tail")


def test_colour_ramps_are_the_colour_blind_safe_ones():
    assert colour_ramp(2, "viridis") == [PALETTES["viridis"][0], PALETTES["viridis"][-1]]
    five = colour_ramp(5, "cividis")
    assert five == PALETTES["cividis"] and len(set(five)) == 5
    assert colour_ramp(0) == []


# Events recorded from Streamlit 1.67's st.pydeck_chart(on_select="rerun") in Chromium, by
# clicking Bingley Rural on Bradford's ward map and a school on its school map (the ward's
# 36 boundary coordinates are cut to three here).
WARD_CLICK = {
    "selection": {
        "indices": {"areas": [2]},
        "objects": {
            "areas": [
                {
                    "type": "Feature",
                    "properties": {
                        "code": "E05001343",
                        "fill": [68, 1, 84, 220],
                        "name": "Bingley Rural",
                        "v": "6.1%",
                        "c": "325 of 5,385 pupils on roll (10 schools)",
                        "r": "5th of 30 wards",
                    },
                    "geometry": {
                        "type": "MultiPolygon",
                        "coordinates": [
                            [[[-1.80811, 53.8248], [-1.82889, 53.82226], [-1.80811, 53.8248]]]
                        ],
                    },
                }
            ]
        },
    }
}
SCHOOL_CLICK = {
    "selection": {
        "indices": {"schools": [152]},
        "objects": {
            "schools": [
                {
                    "code": "144860",
                    "p": [-1.8026, 53.77792],
                    "s": 9.1,
                    "fill": [68, 1, 84, 220],
                    "name": "Hollingwood Primary School",
                    "v": "7.0%",
                    "c": "35 of 470 pupils on roll",
                    "r": "21st of 160 schools",
                }
            ]
        },
    }
}
EMPTY = {"selection": {"indices": {}, "objects": {}}}


def test_selected_area_reads_recorded_events():
    assert selected_area(WARD_CLICK) == "E05001343"
    assert selected_area(SCHOOL_CLICK) == "144860"
    assert selected_area(SCHOOL_CLICK, layers=["areas"]) is None  # not the layer asked for
    assert selected_area(EMPTY) is None
    assert selected_area(None) is None
    assert selected_area({"selection": {"objects": {"areas": [None, {"properties": {}}]}}}) is None


def test_map_table_protects_counts_ranks_and_explains():
    rows = pd.DataFrame(
        {
            "area_code": ["A", "B", "C", "D"],
            "numerator": [40.0, 3.0, 12.0, np.nan],
            "denominator": [400.0, 300.0, 20.0, np.nan],
            "value": [10.0, 1.0, 60.0, np.nan],
            "status": ["", "", "", "not_available"],
            "schools": [3, 2, 1, 0],
        }
    )
    names = {"A": "Alpha", "B": "Beta", "C": "Gamma", "D": "Delta"}
    words = ("pupils with an EHC plan", "pupils on roll")
    table, _, _ = map_table(rows, names, "%", protect=True, count_words=words)
    t = table.set_index("code")
    # A: shown, counts as published here are multiples of 5, value from the true counts.
    assert (t.loc["A", "value"], t.loc["A", "numerator"], t.loc["A", "denominator"]) == (
        10.0,
        40,
        400,
    )
    assert t.loc["A", "rank"] == 1 and not t.loc["A", "greyed"]
    # B: 3 pupils hidden, so is the rate; greyed out, it shows no counts at all.
    assert math.isnan(t.loc["B", "numerator"]) and math.isnan(t.loc["B", "value"])
    assert math.isnan(t.loc["B", "denominator"])
    assert (
        t.loc["B", "greyed_reason"]
        == "fewer than 8 pupils with an EHC plan: hidden to protect privacy"
    )
    # C: 20 pupils on roll is under the minimum of 30.
    assert t.loc["C", "greyed_reason"].startswith("fewer than 30 pupils on roll")
    # D: no data at all.
    assert t.loc["D", "greyed_reason"] == "no data: not available"
    assert t.loc["D", "colour"] == "#bdbdbd"
    assert t.loc["A", ["v", "c", "r"]].tolist() == [
        "10.0%",
        "40 of 400 pupils on roll (3 schools)",
        "1st of 1 areas",
    ]
    assert t.loc["B", "c"] == "not shown (2 schools)"
    assert tooltip_template(words) == (
        "<b>{name}</b><br/>{v}<br/>Pupils with an EHC plan: {c}<br/>Rank, highest first: {r}"
    )


def test_map_table_shows_published_figures_as_published():
    rows = pd.DataFrame(
        {
            "area_code": ["A", "B"],
            "numerator": [3.0, np.nan],
            "denominator": [9.0, np.nan],
            "value": [33.3, 12.0],
            "status": ["", ""],
        }
    )
    table, _, _ = map_table(rows, {}, "%", protect=False)
    assert table["value"].tolist() == [33.3, 12.0]
    assert table["numerator"].iloc[0] == 3 and table["disclosure"].iloc[0] == "shown as published"
    assert table["rank"].tolist() == [1, 2]
