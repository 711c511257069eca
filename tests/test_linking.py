"""Linking agency extracts and the cohort measures, held to the synthetic extracts' known truth.

The four example extracts (``scripts/make_demo_cohorts.py``) are read like any upload, so
their ids are keyed hashes here; the truth file says, for every extract row, the invented
child and the child deterministic linking should find (worked out by the generator with a
plain union-find on the raw ids). The expected figures below are computed from the raw CSV
files and that truth, never from the linking's own output.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from analysis import cohorts as co
from analysis.disclosure import Shown, SmallNumberRule, pinned_parts, shown_as
from analysis.linking import LinkingError, link_extracts
from store.failures import KeyMismatchError
from uploads import pseudonymise
from uploads.intake import read_upload

from .conftest import ROOT

DEMO = ROOT / "data/demo"
NAMES = ("education", "social_care", "youth_justice", "health")
KEY = "linking-test-key-" + "1" * 30


def _read(name: str) -> pd.DataFrame:
    data = (DEMO / f"demo_cohort_{name}.csv").read_bytes()
    return read_upload(data, f"{name}.csv", "cohort")


@pytest.fixture(scope="module")
def extracts() -> dict[str, pd.DataFrame]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(pseudonymise.KEY_ENV, KEY)
        return {name: _read(name) for name in NAMES}


@pytest.fixture(scope="module")
def linked(extracts):
    return link_extracts(extracts)


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return pd.read_csv(DEMO / "demo_cohort_truth.csv", keep_default_na=False)


@pytest.fixture(scope="module")
def raw(truth) -> pd.DataFrame:
    """Every raw extract row with its expected child, as plain text."""
    frames = [
        pd.read_csv(DEMO / f"demo_cohort_{n}.csv", dtype=str).assign(
            extract=n, row=lambda f: np.arange(len(f))
        )
        for n in NAMES
    ]
    return pd.concat(frames, ignore_index=True).merge(truth, on=["extract", "row"])


def test_the_linked_children_are_the_truths_children(linked, truth):
    found = linked.records.merge(truth, on=["extract", "row"], validate="one_to_one")
    assert len(found) == len(truth) == 3522
    # The same partition of records: each child found is one expected child and vice versa.
    assert found.groupby("person_id")["expected"].nunique().eq(1).all()
    assert found.groupby("expected")["person_id"].nunique().eq(1).all()
    assert len(linked.people) == truth["expected"].nunique()
    assert linked.people["person_id"].is_unique


def test_a_record_holding_two_ids_bridges_the_others(linked, raw):
    bridged = raw[raw["planted"].eq("bridged")]
    assert len(bridged) == 48
    edu = raw[raw["extract"].eq("education")].set_index("person")
    # The health record shares no id with the child's education record ...
    assert not bridged["nhs_number"].isin(edu["nhs_number"].dropna()).any()
    ids = linked.records.set_index(["extract", "row"])["person_id"]
    for _, rec in bridged.iterrows():
        # ... yet is linked to it through a social care record with both UPN and NHS number.
        assert ids[("health", rec["row"])] == ids[("education", edu.loc[rec["person"], "row"])]


def test_bridging_on_a_small_case_worked_by_hand():
    def frame(**cols):
        out = pd.DataFrame(cols)
        out.attrs["key_fingerprint"] = "f" * 32
        return out

    a = frame(upn=["U1"], nc_year=[5], extract_date=[pd.Timestamp("2025-03-31")])
    b = frame(upn=["U1"], nhs_number=["N1"])
    c = frame(nhs_number=["N1"])
    assert len(link_extracts({"education": a, "social_care": b, "health": c}).people) == 1
    apart = link_extracts({"education": a, "health": c})
    assert len(apart.people) == 2
    assert apart.quality.iloc[0][["matched", "only_first", "only_second"]].tolist() == [0, 1, 1]


def test_conflicts_are_reported_and_not_linked(linked, raw):
    planted = raw[raw["planted"].str.startswith("conflict")]
    assert len(planted) == 10
    assert len(linked.conflicts) == 10
    assert linked.conflicts["differs"].value_counts().to_dict() == {"year of birth": 6, "sex": 4}
    assert set(linked.conflicts["id_type"]) == {"UPN"}
    assert set(linked.conflicts["extracts"]) == {"education, social_care"}
    ids = linked.records.set_index(["extract", "row"])["person_id"]
    edu_row = raw[raw["extract"].eq("education")].set_index("person")["row"]
    for _, rec in planted.iterrows():
        # Same UPN as the child's education record, yet two children, not one.
        assert (
            rec["upn"]
            == raw.loc[
                raw["extract"].eq("education") & raw["person"].eq(rec["person"]), "upn"
            ].item()
        )
        assert ids[("social_care", rec["row"])] != ids[("education", edu_row[rec["person"]])]
    by_pair = linked.quality.set_index(["first", "second"])["conflicts"]
    assert by_pair[("education", "social_care")] == 10
    assert by_pair.drop(("education", "social_care")).eq(0).all()


def test_every_linkage_quality_figure_matches_the_truth(linked, raw):
    member = raw.groupby("expected")["extract"].agg(set)
    for first, second in combinations(NAMES, 2):
        got = linked.quality.set_index(["first", "second"]).loc[(first, second)]
        a, b = member.map(lambda s, x=first: x in s), member.map(lambda s, x=second: x in s)
        assert got["matched"] == (a & b).sum(), (first, second)
        assert got["only_first"] == (a & ~b).sum(), (first, second)
        assert got["only_second"] == (b & ~a).sum(), (first, second)
    summary = linked.extracts.set_index("extract")
    for name in NAMES:
        rows = raw[raw["extract"].eq(name)]
        no_id = rows.reindex(columns=["upn", "uln", "nhs_number"]).isna().all(axis=1)
        assert summary.loc[name, "records"] == len(rows)
        assert summary.loc[name, "no_shared_id"] == no_id.sum()
        assert summary.loc[name, "duplicates"] == len(rows) - rows["expected"].nunique() == 0


def test_person_ids_do_not_depend_on_the_order_of_the_extracts(extracts, linked):
    again = link_extracts({n: extracts[n] for n in reversed(NAMES)})
    mine = linked.records.set_index(["extract", "row"])["person_id"].sort_index()
    theirs = again.records.set_index(["extract", "row"])["person_id"].sort_index()
    assert mine.equals(theirs)


def test_extracts_made_with_another_key_are_refused(extracts):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(pseudonymise.KEY_ENV, "another-key-" + "2" * 30)
        other = _read("youth_justice")
    assert other.attrs["key_fingerprint"] != extracts["education"].attrs["key_fingerprint"]
    with pytest.raises(KeyMismatchError) as caught:
        link_extracts({"education": extracts["education"], "youth_justice": other})
    assert "'youth_justice'" in str(caught.value) and "cannot be linked" in str(caught.value)


def test_an_extract_without_ids_is_refused_by_name():
    with pytest.raises(LinkingError, match="'health' extract has none of the id columns"):
        link_extracts({"health": pd.DataFrame({"age": [3]})})


@pytest.fixture(scope="module")
def want(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per expected child straight from the raw rows: any record's flag counts."""
    flags = [
        "child_in_need",
        "child_protection_plan",
        "looked_after",
        "elective_home_education",
        "neet",
        "missing_education",
    ]
    by = raw["expected"]
    out = raw[flags].eq("yes").groupby(by).any()
    out["ehc"] = raw["sen_status"].eq("EHC plan").groupby(by).any()
    out["support"] = raw["sen_status"].eq("SEN support").groupby(by).any() & ~out["ehc"]
    out["social_care"] = raw["extract"].eq("social_care").groupby(by).any()
    out["youth_justice"] = raw["extract"].eq("youth_justice").groupby(by).any()
    born = pd.to_datetime(raw["date_of_birth"], format="%d/%m/%Y")
    # School year in 2024/25: age on 31 August 2024 minus 4.
    year = 2024 - born.dt.year - (born.dt.month > 8).astype(int) - 4
    out["post_16"] = year.groupby(by).first() >= 12
    out["ward"] = raw.sort_values("extract").groupby("expected")["ward_code"].first()
    return out


def test_cohort_measures_match_the_truth(linked, want):
    got = co.cohort_measures(linked.people).set_index("measure")
    send = want["ehc"] | want["support"]

    def check(key: str, numerator: pd.Series, denominator: pd.Series) -> None:
        assert got.loc[key, "numerator"] == (numerator & denominator).sum(), key
        assert got.loc[key, "denominator"] == denominator.sum(), key

    check("ehc_plan_social_care", want["social_care"], want["ehc"])
    check("ehc_plan_looked_after", want["looked_after"], want["ehc"])
    check("sen_support_child_in_need", want["child_in_need"], want["support"])
    check("social_care_no_sen", ~send, want["social_care"])
    check("send_youth_justice", want["youth_justice"], send)
    check("youth_justice_send", send, want["youth_justice"])
    check("ehc_plan_ehe", want["elective_home_education"], want["ehc"])
    check("ehc_plan_cme", want["missing_education"], want["ehc"])
    check("ehc_plan_neet", want["neet"], want["ehc"] & want["post_16"])
    # The same measure by home ward sums to the area's, ward by ward as the truth has it.
    wards = co.cohort_measures(linked.people, "ward_code")
    social = wards[wards["measure"].eq("ehc_plan_social_care")].set_index("group")
    expected = (want["ehc"] & want["social_care"]).groupby(want["ward"]).sum()
    assert social["numerator"].sum() == got.loc["ehc_plan_social_care", "numerator"]
    assert social["numerator"].reindex(expected.index, fill_value=0).eq(expected).all()


def test_the_boards_ten_from_linked_data(linked, raw, want):
    ten = co.board_ten(
        linked.people,
        {
            "plans_issued": 40,
            "plans_issued_excluding_exceptions": 30,
            "issued_within_20_weeks_pct": 50.0,
        },
    ).set_index("key")
    assert len(ten) == 10
    edu = raw[raw["extract"].eq("education")]
    assert ten.loc["ehc_plans", "numerator"] == edu["sen_status"].eq("EHC plan").sum()
    assert ten.loc["within_20_weeks", ["numerator", "denominator"]].tolist() == [15, 30]
    assert ten.loc["new_plans", "numerator"] == 40
    assert ten.loc["looked_after", "numerator"] == (want["ehc"] & want["looked_after"]).sum()
    assert ten.loc["child_in_need", "numerator"] == (want["ehc"] & want["child_in_need"]).sum()
    ehc_edu = edu[edu["sen_status"].eq("EHC plan")]
    born = pd.to_datetime(ehc_edu["date_of_birth"], format="%d/%m/%Y")
    school_age = (2024 - born.dt.year - (born.dt.month > 8).astype(int) - 4).between(0, 11)
    absent = ehc_edu["persistently_absent"].eq("yes") & school_age
    assert ten.loc["persistently_absent", ["numerator", "denominator"]].tolist() == [
        absent.sum(),
        school_age.sum(),
    ]
    without = co.board_ten(linked.people).set_index("key")
    assert without.loc[["within_20_weeks", "new_plans"], "numerator"].isna().all()


def test_protected_measures_show_no_count_from_1_to_7(linked):
    whole = co.cohort_measures(linked.people)
    table = co.protect(co.cohort_measures(linked.people, "ward_code"), whole=whole)
    rule = SmallNumberRule()
    for measure, rows in table.groupby("measure"):
        for col in ("numerator", "denominator"):
            total = shown_as(rule.shown_count(whole.set_index("measure").at[measure, col]), rule)
            # A hidden ward is any count from 1 up (the page does not say why it is hidden).
            parts = [Shown(1, None, True) if pd.isna(v) else shown_as(v, rule) for v in rows[col]]
            # No hidden ward can be worked out from the whole area's figure shown beside them.
            assert not pinned_parts(parts, total), (measure, col)
    counts = pd.concat([table["numerator"], table["denominator"]]).dropna()
    assert not counts.between(1, 7).any()
    assert counts.mod(5).eq(0).all()
    hidden = table["numerator"].isna() | table["denominator"].isna()
    assert hidden.any() and table.loc[hidden, "pct"].isna().all()


def test_overlaps_and_upset_bars_add_up(linked, want):
    flags = co.cohort_flags(linked.people)
    chosen = ["ehc_plan", "social_care", "youth_justice"]
    pairs = co.overlaps(flags, chosen).set_index("cohorts")["count"]
    assert pairs["EHC plan and Known to social care"] == (want["ehc"] & want["social_care"]).sum()
    three = pairs["EHC plan and Known to social care and Known to youth justice"]
    assert three == (want["ehc"] & want["social_care"] & want["youth_justice"]).sum()
    bars = co.upset(flags, chosen)
    assert bars["count"].sum() == flags[chosen].any(axis=1).sum()
    only_ehc = bars[bars["ehc_plan"] & ~bars["social_care"] & ~bars["youth_justice"]]
    assert (
        only_ehc["count"].item()
        == (want["ehc"] & ~want["social_care"] & ~want["youth_justice"]).sum()
    )
