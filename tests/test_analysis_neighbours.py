"""DfE statistical neighbours by area, and computed nearest neighbours worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import analysis
from analysis.neighbours import (
    nearest_neighbours,
    neighbour_table,
    standardise,
    statistical_neighbours,
)
from tidy import tidy_frame

BRADFORD = "E08000032"


def test_bradford_2025_closest_first():
    # sn_may_2025.xlsx, "LA SN Groups" row 16 (380 Bradford): 889, 330, 353, 373, 831, 354,
    # 350, 335, 333, 382.
    assert statistical_neighbours(BRADFORD) == [
        "E06000008",  # 889 Blackburn with Darwen
        "E08000025",  # 330 Birmingham
        "E08000004",  # 353 Oldham
        "E08000019",  # 373 Sheffield
        "E06000015",  # 831 Derby
        "E08000005",  # 354 Rochdale
        "E08000001",  # 350 Bolton
        "E08000030",  # 335 Walsall
        "E08000028",  # 333 Sandwell
        "E08000034",  # 382 Kirklees
    ]
    assert analysis.statistical_neighbours is statistical_neighbours


def test_old_code_of_the_same_area_is_accepted():
    old_code = statistical_neighbours("E10000023", "2021")
    assert old_code == statistical_neighbours("E06000065", "2021")
    assert len(statistical_neighbours("E10000023", "2021")) == 10


@pytest.mark.parametrize(
    ("area", "message"),
    [
        ("E92000001", "not the code of a current English local authority"),
        ("E12000003", "not the code of a current English local authority"),
        ("nonsense", "nonsense"),
        ("E10000006", "Cumberland"),  # Cumbria, replaced in 2023
    ],
)
def test_unknown_or_former_area_is_refused_clearly(area: str, message: str):
    with pytest.raises(ValueError, match=message):
        statistical_neighbours(area)


def test_unknown_version_is_refused():
    with pytest.raises(ValueError, match="2019"):
        statistical_neighbours(BRADFORD, "2019")


def test_neighbour_table_names_closeness_and_notes():
    table = neighbour_table(BRADFORD)
    assert list(table.columns) == ["rank", "area_code", "name", "region", "closeness", "note"]
    assert table["rank"].tolist() == list(range(1, 11))
    first = table.iloc[0]
    assert (first["name"], first["region"], first["closeness"]) == (
        "Blackburn with Darwen",
        "North West",
        "Very close",
    )
    assert table.iloc[2]["closeness"] == "Close"  # 353 Oldham, SNP "Close" in row 16
    # Lincolnshire's 2021 list had Cumbria 2nd; Cumberland stands in for it.
    lincs = neighbour_table("E10000019", "2021")
    assert lincs.iloc[1]["name"] == "Cumberland"
    assert "Cumbria" in lincs.iloc[1]["note"]
    assert (lincs["note"].drop(index=1) == "").all()
    cumberland = neighbour_table("E06000063", "2021")
    assert cumberland["note"].str.contains("published list of Cumbria").all()


# --- computed nearest neighbours -------------------------------------------------------------
A, B, C, D, E = "E08000032", "E08000016", "E08000017", "E08000018", "E08000019"


def _table() -> pd.DataFrame:
    """Two variables for five LAs; E lacks y, so it is dropped before standardising."""
    rows = [
        # x in 2024: A 10, B 10, C 30, D 30, E 1000 (E must not move the mean)
        ("x", A, "2024", 10.0),
        ("x", B, "2024", 10.0),
        ("x", C, "2024", 30.0),
        ("x", D, "2024", 30.0),
        ("x", E, "2024", 1000.0),
        # x in 2023 (older): A 10, B 30, C 10, D 30
        ("x", A, "2023", 10.0),
        ("x", B, "2023", 30.0),
        ("x", C, "2023", 10.0),
        ("x", D, "2023", 30.0),
        # y in 2024: A 5, B 7, C 5, D 3; E has no y
        ("y", A, "2024", 5.0),
        ("y", B, "2024", 7.0),
        ("y", C, "2024", 5.0),
        ("y", D, "2024", 3.0),
        # England row: never a candidate
        ("y", "E92000001", "2024", 5.0),
    ]
    frame = pd.DataFrame(rows, columns=["indicator", "area_code", "period", "value"])
    level = frame["area_code"].map(lambda c: "national" if c == "E92000001" else "la")
    return tidy_frame(
        indicator=frame["indicator"],
        area_code=frame["area_code"],
        area_level=level,
        period=frame["period"],
        value=frame["value"],
    )


def test_standardise_is_population_z_score():
    # x = 10, 10, 30, 30: mean 20, sd (ddof=0) 10, so z = -1, -1, 1, 1.
    # y = 5, 7, 5, 3: mean 5, deviations 0, 2, 0, -2, variance 8/4 = 2, z = 0, sqrt2, 0, -sqrt2.
    # A constant column gives zeros, not NaN.
    m = pd.DataFrame({"x": [10, 10, 30, 30], "y": [5, 7, 5, 3], "c": [4, 4, 4, 4]}, dtype=float)
    z = standardise(m)
    assert z["x"].tolist() == [-1.0, -1.0, 1.0, 1.0]
    assert z["y"].tolist() == pytest.approx([0.0, math.sqrt(2), 0.0, -math.sqrt(2)])
    assert z["c"].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_equal_weights_hand_worked():
    # z (x, y): A (-1, 0), B (-1, 1.4142), C (1, 0), D (1, -1.4142).
    # d(A,B) = sqrt(0 + 2) = 1.4142; d(A,C) = sqrt(4 + 0) = 2; d(A,D) = sqrt(4 + 2) = 2.4495.
    out = nearest_neighbours(_table(), {"x": 1.0, "y": 1.0}, area=A)
    assert list(out.columns) == ["area_code", "distance", "rank"]
    assert out["area_code"].tolist() == [B, C, D]
    assert out["distance"].tolist() == pytest.approx([math.sqrt(2), 2.0, math.sqrt(6)])
    assert out["rank"].tolist() == [1, 2, 3]
    assert E in out.attrs["dropped"] and A not in out.attrs["dropped"]
    assert out.attrs["periods"] == {"x": "2024", "y": "2024"}
    assert out.attrs["compared"] == 4


def test_weights_change_the_order():
    # y weighted 4: d(A,B) = sqrt(4 * 2) = 2.8284; d(A,C) = sqrt(1 * 4) = 2;
    # d(A,D) = sqrt(4 + 4 * 2) = 3.4641. C is now nearest.
    out = nearest_neighbours(_table(), {"x": 1.0, "y": 4.0}, area=A, k=2)
    assert out["area_code"].tolist() == [C, B]
    assert out["distance"].tolist() == pytest.approx([2.0, math.sqrt(8)])


def test_zero_weight_and_ties_broken_by_code():
    # x ignored: d(A,C) = 0, d(A,B) = d(A,D) = sqrt2; B (E08000016) before D (E08000018).
    out = nearest_neighbours(_table(), {"x": 0.0, "y": 1.0}, area=A)
    assert out["area_code"].tolist() == [C, B, D]
    assert out["distance"].tolist() == pytest.approx([0.0, math.sqrt(2), math.sqrt(2)])


def test_given_period_is_used():
    # x in 2023 = 10, 30, 10, 30: z = -1, 1, -1, 1; with y (2024) z as before:
    # A (-1, 0), B (1, 1.4142), C (-1, 0), D (1, -1.4142): d(A,C) = 0, d(A,B) = d(A,D) = sqrt6.
    out = nearest_neighbours(_table(), {"x": 1.0, "y": 1.0}, {"x": "2023"}, area=A)
    assert out["area_code"].tolist() == [C, B, D]
    assert out["distance"].tolist() == pytest.approx([0.0, math.sqrt(6), math.sqrt(6)])
    assert out.attrs["periods"] == {"x": "2023", "y": "2024"}


def test_bad_requests_are_refused():
    with pytest.raises(ValueError, match="has no value"):
        nearest_neighbours(_table(), {"x": 1.0, "y": 1.0}, area=E)
    with pytest.raises(ValueError, match="non-negative"):
        nearest_neighbours(_table(), {"x": -1.0}, area=A)
    with pytest.raises(ValueError, match="above zero"):
        nearest_neighbours(_table(), {"x": 0.0}, area=A)
    with pytest.raises(ValueError, match="at least one"):
        nearest_neighbours(_table(), {}, area=A)
    with pytest.raises(ValueError, match="no LA values"):
        nearest_neighbours(_table(), {"z": 1.0}, area=A)
