"""The queries take the table they read; the national table comes split by indicator once."""

import numpy as np
import pandas as pd
import pytest

import indicators as I


def test_queries_need_a_table():
    with pytest.raises(TypeError):
        I.value("ehc_plans", "E92000001", "2024/25")  # type: ignore[call-arg]


def test_the_split_answers_as_the_whole_table_does(national):
    assert isinstance(national, I.NationalTable)
    plain = pd.DataFrame(national)
    assert not isinstance(plain, I.NationalTable)
    for ind in ("ehc_plans", "tribunal_appeal_rate", "sen_primary_need_pct", "no_such"):
        split = I.rows(ind, None, None, table=national)
        whole = I.rows(ind, None, None, table=plain)
        pd.testing.assert_frame_equal(split, whole)
    # England's EHC plans in January 2025 (DfE's published 638,745) and its year before.
    assert I.value("ehc_plans", "E92000001", "2024/25", table=national) == 638_745
    assert I.previous_period("ehc_plans", "2024/25", table=national) == "2023/24"


def test_the_index_answers_as_filtering_does(national):
    # Every value, period list and latest period of a sample of indicators and areas, asked
    # of the indexed national table and of the same rows as a plain table.
    plain = pd.DataFrame(national)
    areas = ["E92000001", "E12000003", "E08000032", "E10000023", "E09000001", "E99999999"]
    for ind in [*I.headlines()[:4], I.get("p8_ehc")]:
        assert I.periods(ind.id, table=national) == I.periods(ind.id, table=plain)
        assert I.latest_period(ind.id, table=national) == I.latest_period(ind.id, table=plain)
        for area in areas:
            latest = I.latest_period(ind.id, area, table=plain)
            assert I.latest_period(ind.id, area, table=national) == latest
            for period in I.periods(ind.id, table=plain)[-3:]:
                got = I.value(ind.id, area, period, table=national)
                assert got == I.value(ind.id, area, period, table=plain), (ind.id, area, period)
    # A breakdown row: England's EHC plans at age 10 in January 2024, as published (38,631).
    assert I.value("ehc_plans", "E92000001", "2023/24", "age=10", table=national) == 38_631


def test_what_is_derived_from_the_national_table_is_plain(national):
    # A user's rows joined to the national ones must never carry the shared split.
    local = national.head(3).assign(indicator="local:x", source="local")
    for derived in (
        national[national["area_level"] == "la"],
        national.copy(),
        pd.concat([national, local]),
    ):
        assert type(derived) is pd.DataFrame
    joined = pd.concat([national, local])
    assert len(I.rows("local:x", None, None, table=joined)) == 3


def test_an_old_code_answers_as_its_successor(national):
    # Issue 13 finding 9. DfE's caseload file (sen2/2025/caseload.csv.gz, "All EHC plans")
    # read by hand: North Yorkshire 3,102 and Somerset 2,514 in January 2020, filed under
    # their pre-2023 county codes; Northumberland 2,173 under its 2013 code E06000057.
    assert I.value("ehc_plans", "E10000023", "2019/20", table=national) == 3_102
    assert I.value("ehc_plans", "E10000027", "2019/20", table=national) == 2_514
    assert I.value("ehc_plans", "E06000048", "2019/20", table=national) == 2_173
    plain = pd.DataFrame(national)
    assert I.value("ehc_plans", "E10000023", "2019/20", table=plain) == 3_102
    old = I.series("ehc_plans", "E10000023", table=plain)
    new = I.series("ehc_plans", "E06000065", table=plain)
    pd.testing.assert_frame_equal(old, new)
    assert I.latest_period("ehc_plans", "E10000027", table=national) == I.latest_period(
        "ehc_plans", "E06000066", table=national
    )
    assert not I.rows("ehc_plans", ["E10000023"], table=national).empty


def test_the_split_shares_the_sorted_table_and_copies_an_unsorted_one():
    frame = pd.DataFrame(
        {
            "indicator": ["a", "a", "b", "c", "c", "c"],
            "area_code": ["E1", "E2", "E1", "E1", "E2", "E3"],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    table = I.NationalTable.of(frame)
    assert list(table.by_indicator) == ["a", "b", "c"]
    assert table.by_indicator["c"]["value"].tolist() == [4.0, 5.0, 6.0]
    assert table.by_indicator["c"].index.tolist() == [3, 4, 5]
    # Slices of the sorted table, so no second copy of its memory...
    assert np.shares_memory(table.by_indicator["c"]["value"].to_numpy(), frame["value"].to_numpy())
    # ...and a change to one is the changer's own (copy-on-write).
    table.by_indicator["c"].loc[3, "value"] = -1.0
    assert frame["value"].iloc[3] == 4.0 and table["value"].iloc[3] == 4.0
    # An indicator in two runs: groupby's copies, in order of first appearance.
    mixed = I.NationalTable.of(frame.iloc[[0, 2, 1, 3, 4, 5]].reset_index(drop=True))
    assert list(mixed.by_indicator) == ["a", "b", "c"]
    assert mixed.by_indicator["a"]["value"].tolist() == [1.0, 2.0]


def test_a_lookup_keeps_one_string_per_distinct_key_part(national):
    # The lookups are kept for the life of the server: a string object per row for each of
    # area, breakdown and period held ~9 MB more once every indicator had been asked about.
    lookup = national.lookup("ehc_plans")
    first: dict[str, str] = {}
    parts = [part for key in lookup.values for part in key]
    assert len(parts) > 3 * len(set(parts))  # repeated parts, so sharing them is the point
    assert all(first.setdefault(part, part) is part for part in parts)
    # England's EHC plans in January 2025 as published (638,745), through the same lookup.
    assert lookup.values[("E92000001", "", "2024/25")] == 638_745
