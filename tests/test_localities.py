"""Localities drawn from the shipped December 2023 wards of Bradford (E08000032)."""

from pathlib import Path

import pandas as pd
import pytest

from geography import boundaries
from geography.localities import localities
from uploads.intake import read_upload

ROOT = Path(__file__).resolve().parent.parent
BRADFORD = "E08000032"  # 30 wards, E05001341 to E05001370
NORTH = ["E05001341", "E05001342", "E05001343"]  # Baildon, Bingley, Bingley Rural
SOUTH = [
    "E05001344",
    "E05001345",
    "E05001346",
]  # Bolton and Undercliffe, Bowling and Barkerend, Bradford Moor
MADE_UP = "E05999999"


@pytest.fixture(scope="module")
def other_la_ward() -> str:
    lookup = boundaries.ward_lookup()
    return sorted(lookup.loc[lookup["la_code"] != BRADFORD, "ward_code"])[0]


@pytest.fixture(scope="module")
def result(other_la_ward):
    lookup = pd.DataFrame(
        {
            "ward_code": [*NORTH, "E05001344", "E05001345", " e05001346 ", other_la_ward, MADE_UP],
            "locality": ["North", "North", "North", "South", "South", "South", "North", "South"],
            # South has no code of its own: blank or missing, so its name is its code
            "locality_code": ["N", "N", "N", "", None, None, "N", None],
        }
    )
    return localities(lookup, BRADFORD)


@pytest.fixture(scope="module")
def ward_areas() -> pd.Series:
    return boundaries.wards(BRADFORD).set_index("ward_code").geometry.area


def test_bradford_has_30_wards(ward_areas):
    assert len(ward_areas) == 30
    assert ward_areas.index.min() == "E05001341" and ward_areas.index.max() == "E05001370"


def test_one_shape_per_locality_with_its_ward_count(result):
    shapes = result.shapes.set_index("code")
    assert list(shapes.index) == ["N", "South"]
    assert shapes.loc["N", "name"] == "North" and shapes.loc["South", "name"] == "South"
    # North: 3 Bradford wards (the other LA's ward is not drawn); South: 3 (the made-up code is not)
    assert shapes["wards"].tolist() == [3, 3]
    assert result.shapes.crs.to_epsg() == 27700


@pytest.mark.parametrize("code, wards", [("N", NORTH), ("South", SOUTH)])
def test_locality_area_is_the_sum_of_its_wards(result, ward_areas, code, wards):
    shape = result.shapes.set_index("code").geometry[code]
    expected = ward_areas[wards].sum()  # a coverage: no overlaps to count twice, no gaps
    assert shape.area == pytest.approx(expected, rel=1e-3)
    assert (
        shape.geom_type == "Polygon"
    )  # neighbouring wards merge into one piece, no slivers between


def test_ward_localities_maps_each_drawn_ward(result):
    # " e05001346 " was trimmed and upper-cased to match the shipped ward
    assert result.ward_localities == {**{w: "N" for w in NORTH}, **{w: "South" for w in SOUTH}}


def test_other_la_and_unknown_wards_are_reported(result, other_la_ward):
    assert result.other_la_wards == [other_la_ward]
    assert result.unknown_wards == [MADE_UP]
    assert other_la_ward not in result.ward_localities and MADE_UP not in result.ward_localities


def test_uncovered_wards_are_the_rest_of_bradford(result):
    # 30 Bradford wards, 6 in the lookup -> 24 left out, E05001347 to E05001370
    assert len(result.uncovered_wards) == 24
    assert result.uncovered_wards == [f"E0500{n}" for n in range(1347, 1371)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("N", "N"),
        ("n", "N"),
        ("north", "N"),
        (" NORTH ", "N"),
        ("South", "South"),
        ("SOUTH", "South"),
        ("East", None),
        ("", None),
    ],
)
def test_code_of_matches_code_or_name_in_any_case(result, text, expected):
    assert result.code_of(text) == expected


def test_names(result):
    assert result.names() == {"N": "North", "South": "South"}


def test_without_a_code_column_the_name_is_the_code():
    lookup = pd.DataFrame({"ward_code": NORTH, "locality": ["Airedale", "Airedale", "Airedale"]})
    result = localities(lookup, BRADFORD)
    assert result.shapes["code"].tolist() == ["Airedale"]
    assert result.ward_localities == {w: "Airedale" for w in NORTH}


# --- The shipped example lookup ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo():
    path = ROOT / "data" / "demo" / "demo_locality_lookup.csv"
    table = read_upload(path.read_bytes(), path.name, "locality_lookup")
    return localities(table, BRADFORD)


def test_demo_lookup_covers_bradford_with_5_localities(demo):
    assert demo.shapes["code"].tolist() == ["EX-A", "EX-B", "EX-C", "EX-D", "EX-E"]
    # the CSV has 5 + 4 + 6 + 8 + 7 = 30 rows, one per Bradford ward
    assert demo.shapes["wards"].tolist() == [5, 4, 6, 8, 7]
    assert len(demo.ward_localities) == 30
    assert (demo.uncovered_wards, demo.unknown_wards, demo.other_la_wards) == ([], [], [])


def test_demo_localities_together_are_bradford(demo, ward_areas):
    outline = boundaries.la_outline(BRADFORD)
    union = demo.shapes.geometry.union_all()
    assert union.area == pytest.approx(outline.area, rel=1e-3)
    assert demo.shapes.geometry.area.sum() == pytest.approx(ward_areas.sum(), rel=1e-3)
    # nothing of the union lies outside the LA (within 0.1% of its area)
    assert union.difference(outline).area < 1e-3 * outline.area
