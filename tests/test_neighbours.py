"""DfE statistical neighbours read from the shipped spreadsheets, in today's LA codes."""

from __future__ import annotations

import pandas as pd
import pytest

from data_loaders.national import neighbours
from geography import areas

CURRENT = set(areas.current_las()["la_code"])


def _list(version: str, area: str) -> list[tuple[str, str]]:
    frame = neighbours.load_neighbours(version)
    own = frame[frame["area_code"] == area].sort_values("rank")
    return list(zip(own["neighbour_code"], own["closeness"]))


def test_barnsley_2025_as_printed():
    # sn_may_2025.xlsx, sheet "LA SN Groups", row 6 (370 Barnsley): SN1..SN10 =
    # 372, 384, 357, 371, 332, 894, 840, 390, 807, 394, every SNP "Very close".
    expected = [
        "E08000018",  # 372 Rotherham
        "E08000036",  # 384 Wakefield
        "E08000008",  # 357 Tameside
        "E08000017",  # 371 Doncaster
        "E08000027",  # 332 Dudley
        "E06000020",  # 894 Telford and Wrekin
        "E06000047",  # 840 County Durham
        "E08000037",  # 390 Gateshead
        "E06000003",  # 807 Redcar and Cleveland
        "E08000024",  # 394 Sunderland
    ]
    assert _list("2025", "E08000016") == [(code, "Very close") for code in expected]


def test_camden_2021_as_printed_with_closeness_bands():
    # sn_april_2021.xlsx, sheet "LA SN Groups", row 5 (202 Camden): 213 Very Close,
    # 205 Close, 207 Close, 206 Close, 212 Somewhat close, 352 Not Close, 203 Not Close,
    # 870 Not Close, 309 Not Close, 302 Not Close ("Very Close" spelt as one band).
    expected = [
        ("E09000033", "Very close"),  # 213 Westminster
        ("E09000013", "Close"),  # 205 Hammersmith and Fulham
        ("E09000020", "Close"),  # 207 Kensington and Chelsea
        ("E09000019", "Close"),  # 206 Islington
        ("E09000032", "Somewhat close"),  # 212 Wandsworth
        ("E08000003", "Not close"),  # 352 Manchester
        ("E09000011", "Not close"),  # 203 Greenwich
        ("E06000038", "Not close"),  # 870 Reading
        ("E09000014", "Not close"),  # 309 Haringey
        ("E09000003", "Not close"),  # 302 Barnet
    ]
    assert _list("2021", "E09000007") == expected


@pytest.mark.parametrize("version", neighbours.VERSIONS)
def test_every_current_la_has_ten_distinct_current_neighbours(version: str):
    frame = neighbours.load_neighbours(version)
    assert list(frame.columns) == neighbours.COLUMNS
    assert set(frame["area_code"]) == CURRENT and len(CURRENT) == 153
    sizes = frame.groupby("area_code").size()
    assert (sizes == 10).all()
    ranks = frame.groupby("area_code")["rank"].apply(sorted)
    assert all(r == list(range(1, 11)) for r in ranks)
    assert not (frame["area_code"] == frame["neighbour_code"]).any()
    assert not frame.duplicated(["area_code", "neighbour_code"]).any()
    assert set(frame["neighbour_code"]) <= CURRENT
    assert set(frame["closeness"]) <= set(neighbours.CLOSENESS)
    assert (frame["version"] == version).all()


def test_2025_model_needs_no_reorganisation_mapping():
    frame = neighbours.load_neighbours("2025")
    assert (frame["replaces"] == "").all()
    assert (frame["list_of"] == frame["area_code"]).all()


def test_aliases_keep_north_yorkshire_and_somerset_under_new_codes():
    # Both kept their DfE numbers (815, 933) and boundaries, so the 2021 lists are theirs.
    frame = neighbours.load_neighbours("2021")
    for code in ("E06000065", "E06000066"):
        own = frame[frame["area_code"] == code]
        assert len(own) == 10 and (own["list_of"] == code).all()
    # sn_april_2021.xlsx row 86 (815 North Yorkshire): SN1 is 895 Cheshire East.
    assert _list("2021", "E06000065")[0] == ("E06000049", "Very close")
    # Row 95 (838 Dorset): SN2 is 933 Somerset, Extremely Close, now E06000066.
    assert "E06000066" in [c for c, _ in _list("2021", "E06000059")]


def test_cumbria_successors_take_cumbrias_2021_list():
    # sn_april_2021.xlsx row 141 (909 Cumbria): 925 Extremely Close, then 926, 830, 891,
    # 860, 885, 935, 940, 893, 878, all Very Close. Rows 156-157 (942, 943) are all "-".
    cumbria = [
        "E10000019",  # 925 Lincolnshire
        "E10000020",  # 926 Norfolk
        "E10000007",  # 830 Derbyshire
        "E10000024",  # 891 Nottinghamshire
        "E10000028",  # 860 Staffordshire
        "E10000034",  # 885 Worcestershire
        "E10000029",  # 935 Suffolk
        "E06000061",  # 940 North Northamptonshire
        "E06000051",  # 893 Shropshire
        "E10000008",  # 878 Devon
    ]
    closeness = ["Extremely close"] + ["Very close"] * 9
    frame = neighbours.load_neighbours("2021")
    for successor in ("E06000063", "E06000064"):
        assert _list("2021", successor) == list(zip(cumbria, closeness))
        assert (frame.loc[frame["area_code"] == successor, "list_of"] == "E10000006").all()


def test_cumbria_as_a_2021_neighbour_becomes_its_nearest_successor():
    # sn_april_2021.xlsx row 145 (925 Lincolnshire): SN2 is 909 Cumbria, Extremely Close.
    # In the 2025 model Cumberland (942) lists Lincolnshire 2nd and Westmorland and Furness
    # (943) lists it 7th; neither is in Lincolnshire's own 2025 list: Cumberland wins.
    lincs = _list("2021", "E10000019")
    assert lincs[1] == ("E06000063", "Extremely close")
    assert lincs[0] == ("E10000020", "Extremely close")  # 926 Norfolk, unchanged
    frame = neighbours.load_neighbours("2021")
    swapped = frame[frame["replaces"] == "E10000006"].set_index("area_code")
    # Worked from the 2025 file: Herefordshire lists 943 1st; Staffordshire lists 943 9th
    # but 943 lists Staffordshire 3rd (942 lists it 7th); Shropshire lists 943 9th;
    # Derbyshire is 10th in 943's list and absent from 942's; Nottinghamshire and Norfolk
    # share 4 of their 2025 neighbours with 943 and 2 with 942; North Northamptonshire
    # shares 3 with each, so the tie goes to the first successor, Cumberland.
    expected = {
        "E10000007": ("E06000064", 5),  # Derbyshire
        "E10000028": ("E06000064", 9),  # Staffordshire
        "E06000019": ("E06000064", 10),  # Herefordshire
        "E10000024": ("E06000064", 7),  # Nottinghamshire
        "E06000051": ("E06000064", 10),  # Shropshire
        "E10000019": ("E06000063", 2),  # Lincolnshire
        "E10000020": ("E06000064", 5),  # Norfolk
        "E06000061": ("E06000063", 6),  # North Northamptonshire
    }
    got = {a: (r["neighbour_code"], int(r["rank"])) for a, r in swapped.iterrows()}
    assert got == expected


def test_successor_preference_breaks_ties_by_order():
    # Derbyshire: 943 lists it 10th, 942 not at all, so W&F first whatever order is given.
    prefer = neighbours.successor_preference
    assert prefer("E10000007", ("E06000063", "E06000064"))[0] == "E06000064"
    assert prefer("E10000007", ("E06000064", "E06000063"))[0] == "E06000064"
    # North Northamptonshire: a full tie, so the given order decides.
    assert prefer("E06000061", ("E06000064", "E06000063"))[0] == "E06000064"
    assert prefer("E06000061", ("E06000063", "E06000064"))[0] == "E06000063"


def test_old_block_is_read_but_not_output():
    sheet = neighbours.read_sheet("2025")
    old = sheet[sheet["block"] == "old"]
    # "Old SNs:" block of sn_may_2025.xlsx: Dorset, Poole, Bournemouth (pre LG),
    # Northamptonshire and Cumbria.
    assert set(old["la_number"]) == {"835", "836", "837", "928", "909"}
    assert set(neighbours.load_neighbours("2025")["area_code"]).isdisjoint(
        {"E10000006", "E10000021", "E06000028", "E06000029", "E10000009"}
    )


def test_unknown_version_is_refused():
    with pytest.raises(ValueError, match="2019"):
        neighbours.load_neighbours("2019")


def test_returns_a_copy():
    first = neighbours.load_neighbours("2025")
    first.loc[0, "neighbour_code"] = "X"
    assert neighbours.load_neighbours("2025").loc[0, "neighbour_code"] != "X"
    assert isinstance(neighbours.load_all(), pd.DataFrame)
    assert len(neighbours.load_all()) == 3060


def test_each_model_is_read_from_its_workbook_once_then_from_the_data_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_LENS_CACHE_DIR", str(tmp_path))
    neighbours._load.cache_clear()
    built = neighbours.load_neighbours("2025")
    assert [p.name.split("-")[0] for p in tmp_path.glob("*.parquet")] == ["neighbours_2025"]

    def no_workbook(version: str) -> pd.DataFrame:
        raise AssertionError(f"the {version} workbook was read again")

    monkeypatch.setattr(neighbours, "_read_sheet", no_workbook)
    neighbours._load.cache_clear()  # as a new server process finds it
    try:
        again = neighbours.load_neighbours("2025")
    finally:
        neighbours._load.cache_clear()  # other tests read the workbook afresh
    pd.testing.assert_frame_equal(again, built)
    barnsley = again[again["area_code"] == "E08000016"].sort_values("rank")
    assert barnsley["neighbour_code"].iloc[0] == "E08000018"  # Rotherham, as printed
