import indicators as I
from data_loaders.local_kpis import GROUPS, UNITS, local_kpi, local_kpi_catalogue


def test_catalogue_is_complete_and_consistent():
    cat = local_kpi_catalogue()
    assert len(cat) >= 40
    assert cat["id"].is_unique
    assert set(cat["group"]) == set(GROUPS)
    assert set(cat["unit"]) <= set(UNITS)
    assert set(cat["polarity"]) <= set(I.POLARITIES)
    assert set(cat["rba"]) <= set(I.RBA_QUESTIONS)
    assert (cat["definition"].str.endswith(".")).all()
    for _, row in cat[cat["unit"] == "%"].iterrows():
        assert row["numerator"] and row["denominator"], row["id"]
    for equivalent in cat["national_equivalent"]:
        if equivalent:
            assert equivalent in I.CATALOGUE, equivalent


def test_local_indicators_resolve_through_the_catalogue():
    assert local_kpi("ehc_20wk_pct")["national_equivalent"] == "ehc_20wk_ex_pct"
    assert local_kpi("no_such_kpi") is None
    ind = I.get("local:ehc_20wk_pct")
    assert ind.unit == "%" and ind.polarity == "high" and ind.source == "local"
    custom = I.get("local:our_own_measure")
    assert custom.title == "Our own measure" and custom.polarity == "none"
