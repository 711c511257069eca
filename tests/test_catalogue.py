"""The catalogue is complete, consistent, and every indicator has data in the shipped table."""

import pytest

import indicators as I
from ui.visual import SOURCE_WORDS

REQUIRED = [
    "ehc_plans",
    "ehc_new_plans",
    "ehc_requests",
    "ehc_requests_refused_pct",
    "ehc_20wk_pct",
    "ehc_20wk_ex_pct",
    "ehc_mainstream_pct",
    "ehc_special_pct",
    "sen_ehc_pct",
    "sen_support_pct",
    "tribunal_appeal_rate",
]


def test_at_least_40_indicators_with_required_ids():
    assert len(I.CATALOGUE) >= 40
    for ind in REQUIRED:
        assert ind in I.CATALOGUE


@pytest.mark.parametrize("ind", list(I.CATALOGUE.values()), ids=lambda i: i.id)
def test_entry_is_complete(ind):
    assert ind.title and ind.definition.endswith(".")
    assert ind.unit in I.UNITS
    assert ind.polarity in I.POLARITIES
    assert ind.lens in I.LENSES
    assert ind.rba in I.RBA_QUESTIONS
    assert ind.domain in ("",) + I.DOMAINS
    assert ind.period_type in ("academic", "calendar", "financial")
    assert ind.source in SOURCE_WORDS, f"{ind.source} has no plain-English source"
    if ind.unit == "%" and ind.source.startswith("sen2"):
        assert ind.numerator and ind.denominator


def test_every_indicator_has_data(national):
    optional = {i.id for i in I.CATALOGUE.values() if i.source == "sen_in_england"}
    have = set(national["indicator"].unique())
    missing = set(I.CATALOGUE) - have - optional
    assert not missing, f"catalogue entries with no data: {sorted(missing)}"
    unknown = have - set(I.CATALOGUE)
    assert not unknown, f"data for indicators not in the catalogue: {sorted(unknown)}"


def test_queries(national):
    assert I.latest_period("ehc_plans", table=national) == "2024/25"
    assert I.previous_period("ehc_plans", "2024/25", table=national) == "2023/24"
    assert I.value("ehc_plans", "E92000001", "2024/25", table=national) == 638_745
    assert I.value("ehc_plans", "E92000001", "1999/00", table=national) is None
    s = I.series("ehc_20wk_pct", "E92000001", table=national)
    assert list(s["period"]) == sorted(s["period"])
