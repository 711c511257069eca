"""SEN in England loader: hand-written EES-shaped fixtures, expected values worked out by hand."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

import tidy
from data_loaders.national.sen_in_england import load_files, load_sen_in_england

FIXTURES = Path(__file__).parent / "fixtures/refresh"
HARTLEPOOL, NORTH_YORKSHIRE, DARLINGTON = "E06000001", "E06000065", "E06000005"
ASD = "primary_need=Autistic spectrum disorder"
SLCN = "primary_need=Speech, language and communication needs"
SEMH = "primary_need=Social, emotional and mental health"
EHC, SUP = "sen_provision=EHC plan", "sen_provision=SEN support"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_files(FIXTURES / "sen_phase_type.csv", FIXTURES / "sen_primary_need.csv")


def row(
    table: pd.DataFrame, indicator: str, area: str, period: str, breakdown: str = ""
) -> pd.Series:
    sel = table[
        (table["indicator"] == indicator)
        & (table["area_code"] == area)
        & (table["period"] == period)
        & (table["breakdown"] == breakdown)
    ]
    assert len(sel) == 1, f"{indicator} {area} {period} {breakdown!r}: {len(sel)} rows"
    return sel.iloc[0]


def test_nothing_fetched_gives_an_empty_tidy_table(tmp_path: Path) -> None:
    out = load_sen_in_england(tmp_path)
    assert out.empty
    assert tidy.validate(out) == []
    assert list(out.columns) == tidy.TIDY_COLUMNS


def test_output_keeps_the_contract(table: pd.DataFrame) -> None:
    assert tidy.validate(table) == []
    assert set(table["indicator"]) == {
        "sen_pupils",
        "sen_primary_need_pupils",
        "sen_primary_need_pct",
    }
    assert set(table["area_level"]) == {"national", "region", "la"}
    assert set(table["period"]) == {"2023/24", "2024/25"}  # 202324 and 202425, January census
    assert set(table["source"]) == {"sen_in_england"}


def test_pupils_by_provision(table: pd.DataFrame) -> None:
    # Hartlepool 2024/25: 500 with an EHC plan, 1,800 on SEN support, so 2,300 with SEN.
    assert row(table, "sen_pupils", HARTLEPOOL, "2024/25", EHC)["value"] == 500
    assert row(table, "sen_pupils", HARTLEPOOL, "2024/25", SUP)["value"] == 1800
    assert row(table, "sen_pupils", HARTLEPOOL, "2024/25")["value"] == 2300
    assert row(table, "sen_pupils", "E92000001", "2024/25")["value"] == 1_700_000
    assert row(table, "sen_pupils", "E12000001", "2023/24")["value"] == 18_000 + 58_000
    # Counts carry no numerator or denominator (the value is the count).
    counts = table[table["indicator"] == "sen_pupils"]
    assert counts[["numerator", "denominator"]].isna().all().all()


def test_detail_rows_and_all_pupils_are_dropped(table: pd.DataFrame) -> None:
    # Single phases, single school types, hospital schools and constituencies are not totals:
    # Hartlepool's EHC count stays 500 (not 500 + 200 + 100 + 5 + 999).
    hp = table[(table["indicator"] == "sen_pupils") & (table["area_code"] == HARTLEPOOL)]
    assert len(hp) == 6  # 2 years x (EHC plan, SEN support, all SEN)
    assert not table["area_code"].str.startswith("E14").any()
    assert not table["breakdown"].str.contains("All pupils|No identified SEN|Missing").any()


def test_symbols_become_missing_with_a_status(table: pd.DataFrame) -> None:
    support = row(table, "sen_pupils", HARTLEPOOL, "2023/24", SUP)
    assert pd.isna(support["value"]) and support["status"] == "suppressed"
    all_sen = row(table, "sen_pupils", HARTLEPOOL, "2023/24")  # 450 + c is unknown, not 450
    assert pd.isna(all_sen["value"]) and all_sen["status"] == "suppressed"


def test_old_codes_and_dfe_numbers_map_to_todays_codes(table: pd.DataFrame) -> None:
    # North Yorkshire was published as E10000023 for 2023/24 and under both codes for 2024/25.
    assert row(table, "sen_pupils", NORTH_YORKSHIRE, "2023/24", EHC)["value"] == 3000
    assert row(table, "sen_pupils", NORTH_YORKSHIRE, "2024/25", EHC)["value"] == 3300
    assert "E10000023" not in set(table["area_code"])
    # Darlington's row has no new_la_code, only DfE's number 841.
    assert row(table, "sen_pupils", DARLINGTON, "2024/25")["value"] == 2600


def test_pupils_by_primary_need(table: pd.DataFrame) -> None:
    pupils = "sen_primary_need_pupils"
    assert row(table, pupils, HARTLEPOOL, "2024/25", f"{EHC};{ASD}")["value"] == 200
    assert row(table, pupils, HARTLEPOOL, "2024/25", f"{SUP};{SLCN}")["value"] == 540
    # All SEN (no provision in the breakdown) = EHC plan + SEN support: 200 + 150.
    assert row(table, pupils, HARTLEPOOL, "2024/25", ASD)["value"] == 350
    assert row(table, pupils, "E92000001", "2024/25", ASD)["value"] == 180_000
    # The "Total" need is the denominator, not a need.
    assert not table["breakdown"].str.contains("primary_need=Total").any()


def test_share_of_pupils_with_each_need(table: pd.DataFrame) -> None:
    pct = "sen_primary_need_pct"
    ehc_asd = row(table, pct, HARTLEPOOL, "2024/25", f"{EHC};{ASD}")
    assert (ehc_asd["numerator"], ehc_asd["denominator"], ehc_asd["value"]) == (200, 500, 40)
    assert row(table, pct, HARTLEPOOL, "2024/25", f"{SUP};{SLCN}")["value"] == 30  # 540 / 1800
    assert row(table, pct, HARTLEPOOL, "2024/25", f"{SUP};{ASD}")["value"] == pytest.approx(
        100 * 150 / 1800
    )
    all_sen = row(table, pct, HARTLEPOOL, "2024/25", SEMH)  # (80 + 360) / (500 + 1800)
    assert (all_sen["numerator"], all_sen["denominator"]) == (440, 2300)
    assert all_sen["value"] == pytest.approx(19.1304348)
    assert row(table, pct, "E92000001", "2024/25", f"{SUP};{ASD}")["value"] == pytest.approx(
        100 * 60_000 / 1_300_000
    )


def test_suppressed_need_counts_keep_their_status_in_the_share(table: pd.DataFrame) -> None:
    pct = "sen_primary_need_pct"
    slcn = row(table, pct, HARTLEPOOL, "2023/24", f"{EHC};{SLCN}")
    assert pd.isna(slcn["value"]) and slcn["status"] == "suppressed" and slcn["denominator"] == 450
    semh = row(table, pct, HARTLEPOOL, "2023/24", f"{SUP};{SEMH}")
    assert pd.isna(semh["value"]) and semh["status"] == "not_available"
    assert row(table, pct, HARTLEPOOL, "2023/24", ASD)["value"] == pytest.approx(100 * 300 / 2150)
    assert row(table, pct, HARTLEPOOL, "2023/24", SLCN)["status"] == "suppressed"


def test_the_2024_25_release_shape_gives_the_same_rows(table: pd.DataFrame) -> None:
    old = load_files(FIXTURES / "sen_phase_type_2025.csv", FIXTURES / "sen_ncyear_2025.csv")
    keys = ["indicator", "area_code", "period", "breakdown"]
    new = table[(table["area_code"] == HARTLEPOOL) & (table["period"] == "2024/25")]
    pd.testing.assert_frame_equal(
        old.set_index(keys).sort_index(), new.set_index(keys).sort_index(), check_exact=False
    )


def test_reads_the_gzipped_files_refresh_writes(tmp_path: Path, table: pd.DataFrame) -> None:
    pairs = (("sen_phase_type.csv", "phase_type"), ("sen_primary_need.csv", "primary_need"))
    for src, name in pairs:
        with open(FIXTURES / src, "rb") as f, gzip.open(tmp_path / f"{name}.csv.gz", "wb") as out:
            shutil.copyfileobj(f, out)
    pd.testing.assert_frame_equal(load_sen_in_england(tmp_path), table)


def test_a_file_of_another_shape_is_refused(tmp_path: Path) -> None:
    (tmp_path / "phase_type.csv").write_bytes((FIXTURES / "ehcp_caseload.csv").read_bytes())
    with pytest.raises(ValueError, match="not a SEN in England file"):
        load_sen_in_england(tmp_path)


def test_api_style_time_periods_are_read_too(tmp_path: Path, table: pd.DataFrame) -> None:
    # The public API writes academic years as 2024/2025 in its JSON; accept that in a CSV too.
    text = (FIXTURES / "sen_phase_type.csv").read_text().replace("\n202425,", "\n2024/2025,")
    (tmp_path / "phase_type.csv").write_text(text)
    out = load_files(tmp_path / "phase_type.csv", None)
    assert out.equals(table[table["indicator"] == "sen_pupils"].reset_index(drop=True))
