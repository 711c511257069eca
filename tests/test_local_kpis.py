"""The built-in local KPIs live in the same TOML catalogue as the national indicators."""

import math

import indicators as I

GROUPS = {
    "EHC process",
    "Placements and home education",
    "Post-16",
    "Transport",
    "Annual reviews",
    "Social care and youth justice",
    "Health waits",
    "Health visiting",
}


def test_catalogue_is_complete_and_consistent():
    cat = I.local_kpi_frame()
    assert len(cat) == 53  # the 53 rows of the former data/reference/local_kpis.csv
    assert cat["id"].is_unique and not cat["id"].str.startswith("local:").any()
    assert set(cat["group"]) == GROUPS
    assert set(cat["unit"]) == {"count", "%", "days", "weeks", "minutes", "£"}
    assert set(cat["polarity"]) <= set(I.POLARITIES)
    assert set(cat["rba"]) <= set(I.RBA_QUESTIONS)
    assert (cat["definition"].str.endswith(".")).all()
    for _, row in cat[cat["unit"] == "%"].iterrows():
        assert row["numerator"] and row["denominator"], row["id"]
        assert (row["valid_min"], row["valid_max"]) == (0, 100), row["id"]
    others = cat[cat["unit"] != "%"]
    assert (others["valid_min"] == 0).all() and others["valid_max"].map(math.isinf).all()
    for equivalent in cat["national_equivalent"]:
        if equivalent:
            assert equivalent in I.CATALOGUE, equivalent


def test_local_indicators_resolve_through_the_catalogue():
    assert I.local_kpi("ehc_20wk_pct").national_equivalent == "ehc_20wk_pct"
    assert I.local_kpi("ehc_20wk_ex_pct").national_equivalent == "ehc_20wk_ex_pct"
    assert I.local_kpi("no_such_kpi") is None
    ind = I.get("local:ehc_20wk_pct")
    assert ind.unit == "%" and ind.polarity == "high" and ind.source == "local"
    assert not ind.in_range(150) and ind.in_range(100) and not ind.in_range(-5)
    # A duration keeps its unit now (the CSV's "days" used to become "count").
    waits = [i for i in I.LOCAL_CATALOGUE.values() if i.unit == "days"]
    assert waits and all(I.get(i.id).unit == "days" for i in waits)
    custom = I.get("local:our_own_measure")
    assert custom.title == "Our own measure" and custom.polarity == "none"
    assert "local:ehc_20wk_pct" not in I.CATALOGUE  # national lists stay national
