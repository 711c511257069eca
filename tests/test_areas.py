from pathlib import Path

from geography import areas

RAW_BOUNDARIES = (
    Path(__file__).resolve().parents[2]
    / "shared/data/raw/geography/ctyua_may2023_buc/CTYUA_MAY_2023_EN_BUC.geojson"
)


def test_153_current_las_in_nine_regions():
    las = areas.current_las()
    assert len(las) == 153
    assert las["la_code"].is_unique
    assert set(las["region_code"]) == set(areas.REGIONS)
    assert las["la_code"].str.match(r"^E0[6-9]|^E10").all()


def test_current_codes_are_the_boundary_codes():
    # Today's GSS codes are those of the ONS boundaries the map uses (May 2023, 153 LAs).
    names = {
        "E06000065": "North Yorkshire",
        "E06000066": "Somerset",
        "E06000060": "Buckinghamshire",
    }
    codes = set(areas.current_las()["la_code"])
    for code, name in names.items():
        assert code in codes, name
    assert not {"E10000023", "E10000027", "E10000002"} & codes


def test_aliases_resolve_and_others_pass_through():
    assert areas.current_code("E10000023") == "E06000065"
    assert areas.current_code("E10000027") == "E06000066"
    assert areas.current_code("E08000032") == "E08000032"


def test_reorganisations_link_predecessors_and_successors():
    cumbria = areas.reorganisation_of("E06000063")
    assert cumbria is not None and "E10000006" in cumbria.predecessors
    assert areas.reorganisation_of("E06000059").name.startswith("Bournemouth")
    assert areas.reorganisation_of("E08000032") is None
    las = areas.local_authorities().set_index("la_code")
    for reorg in areas.REORGANISATIONS:
        for code in reorg.predecessors:
            assert not las.at[code, "current"], code
        for code in reorg.successors:
            assert las.at[code, "current"], code


def test_dfe_numbers_map_to_current_codes():
    numbers = areas.dfe_number_to_code()
    assert numbers["815"] == "E06000065"  # North Yorkshire
    assert numbers["380"] == "E08000032"  # Bradford
    assert numbers["909"] == "E10000006"  # Cumbria (former)
    # Made once, handed out as copies: a caller changing its own leaves the next one's alone.
    numbers["380"] = "changed"
    assert areas.dfe_number_to_code()["380"] == "E08000032"


def test_area_levels():
    assert areas.area_level("E92000001") == "national"
    assert areas.area_level("E12000003") == "region"
    assert areas.area_level("E06000065") == "la"
    assert areas.area_level("E05001234") == "ward"
    assert areas.area_level("100000") == "school"
