from data_loaders.register import RELEASES, national_register


def test_register_lists_every_source_with_its_coverage(national):
    reg = national_register(national).set_index("key")
    assert set(reg.index) <= set(RELEASES)
    assert set(national["source"].unique()) == set(reg.index)
    sen2 = reg.loc["sen2_2025"]
    assert sen2["First period"] == "2018/19" and sen2["Latest period"] == "2024/25"
    assert reg.loc["sen2_2022", "First period"] == "2009/10"
    assert (
        reg.loc["tribunals", "First period"] == "2014"
        and reg.loc["tribunals", "Latest period"] == "2024"
    )
    assert reg["Rows"].sum() == len(national)
