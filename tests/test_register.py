"""One data register, data/sources.toml: SOURCES.md is generated from it, every shipped file and
every source key the table and the catalogue use is in it."""

import indicators as I
from data_loaders import register
from data_loaders.register import RELEASES, SOURCE_WORDS, national_register
from tests.conftest import ROOT

NOT_DATA = {"SOURCES.md", "sources.toml", ".gitkeep"}


def test_register_lists_every_source_with_its_coverage(national):
    reg = national_register(national).set_index("key")
    assert set(reg.index) <= set(RELEASES)
    assert set(national["source"].unique()) == set(reg.index)
    sen2 = reg.loc["sen2_2025"]
    assert sen2["First period"] == "2018/19" and sen2["Latest period"] == "2024/25"
    assert sen2["Source"] == "Education, health and care plans (SEN2)"
    assert reg.loc["sen2_2022", "First period"] == "2009/10"
    assert (
        reg.loc["tribunals", "First period"] == "2014"
        and reg.loc["tribunals", "Latest period"] == "2024"
    )
    assert reg["Rows"].sum() == len(national)


def test_sources_md_is_generated_from_the_register():
    shipped = (ROOT / "data/SOURCES.md").read_text(encoding="utf-8")
    assert shipped == register.markdown(), (
        "data/SOURCES.md is out of date: python -m data_loaders.register --markdown "
        "> data/SOURCES.md"
    )
    # The prose that was in SOURCES.md survives the move into the TOML.
    assert "Visvalingam-\nWhyatt" in shipped and "fair dealing" in shipped


def test_every_shipped_file_is_listed_and_every_listed_file_exists():
    data = ROOT / "data"
    shipped = {
        p.relative_to(data).as_posix()
        for p in data.rglob("*")
        if p.is_file()
        and p.name not in NOT_DATA
        and p.relative_to(data).parts[0] not in ("cache", "refreshed")
    }
    listed = register.listed_files()
    assert len(shipped) > 50
    assert not shipped - listed, f"files missing from data/sources.toml: {sorted(shipped - listed)}"
    assert not listed - shipped, f"listed but not shipped: {sorted(listed - shipped)}"


def test_keys_agree_between_the_table_the_catalogue_and_the_app(national):
    keys = set(RELEASES)
    assert I.register_keys() == keys
    assert set(SOURCE_WORDS) == keys and all(SOURCE_WORDS.values())
    for ind in [*I.CATALOGUE.values(), *I.LOCAL_CATALOGUE.values()]:
        assert {ind.source, *ind.earlier_sources} <= keys, ind.id
    assert set(national["source"].unique()) <= keys
    # Each indicator's rows come from the sources its entry names, and no others.
    used = national.groupby("indicator", observed=True)["source"].unique()
    for ind_id, sources in used.items():
        ind = I.CATALOGUE[str(ind_id)]
        assert set(sources) <= {ind.source, *ind.earlier_sources}, ind_id


def test_refreshed_datasets_map_to_register_keys(tmp_path, monkeypatch):
    (tmp_path / "refreshed").mkdir()
    (tmp_path / "refreshed/manifest.json").write_text(
        '{"a": {"dataset": "ehcp", "fetched_at": "2026-05-01T10:00:00"},'
        ' "b": {"dataset": "sen_in_england", "fetched_at": "2026-06-02T09:00:00"}}'
    )
    monkeypatch.setattr(register, "DATA", tmp_path)
    assert register._refreshed_dates() == {
        "sen2_2025": "2026-05-01",
        "sen_in_england": "2026-06-02",
    }


def test_a_malformed_register_entry_is_named(tmp_path):
    bad = tmp_path / "sources.toml"
    bad.write_text('[sources.x]\nheading = "X"\npublisher = "P"\ncolour = "red"\n')
    try:
        register.read_register(bad)
    except ValueError as error:
        assert "[sources.x]" in str(error) and "colour" in str(error) and "title" in str(error)
    else:
        raise AssertionError("a register entry with an unknown key was accepted")
