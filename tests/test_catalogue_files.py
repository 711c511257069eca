"""The catalogue is read from data/catalogue/*.toml, and a bad entry stops the load with a
message naming its file and entry."""

from __future__ import annotations

import ast
import math
import shutil
from pathlib import Path

import pytest

import indicators as I
from indicators import CatalogueError, load_catalogue

KEYS = I.register_keys()
GOOD = """
[[indicator]]
id = "good_pct"
title = "A good share"
definition = "A share of something."
unit = "%"
polarity = "high"
lens = "profile"
rba = "how well"
source = "lait"
numerator = "some"
denominator = "all"
"""


def _folder(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    (folder / "_catalogue.toml").write_text('[caveats]\nbreak = "The series breaks."\n')
    (folder / "a.toml").write_text(GOOD)
    for name, text in files.items():
        (folder / f"{name}.toml").write_text(text)
    return folder


def _error(folder: Path) -> str:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(folder, KEYS)
    return str(caught.value)


def test_adding_an_indicator_is_one_toml_entry(tmp_path):
    folder = tmp_path / "catalogue"
    shutil.copytree(I.CATALOGUE_DIR, folder)
    with (folder / "tribunals.toml").open("a") as f:
        f.write(
            '\n[[indicator]]\nid = "tribunal_upheld_pct"\ntitle = "Appeals upheld"\n'
            'definition = "Share of appeals decided in favour of the family."\nunit = "%"\n'
            'polarity = "low"\nlens = "governance"\nrba = "how well"\nsource = "tribunals"\n'
            'period_type = "calendar"\ncaveats = ["sen2_break", "Decided appeals only."]\n'
        )
    entries = {i.id: i for i in load_catalogue(folder, KEYS)}
    assert len(entries) == len(I.ENTRIES) + 1
    new = entries["tribunal_upheld_pct"]
    assert (new.unit, new.polarity, new.period_type) == ("%", "low", "calendar")
    assert (new.valid_min, new.valid_max) == (0, 100)  # from its unit
    assert new.caveats == entries["ehc_new_plans"].caveats + " Decided appeals only."
    assert entries["ehc_plans"] == I.CATALOGUE["ehc_plans"]


def test_file_defaults_and_shared_caveats_apply(tmp_path):
    folder = _folder(
        tmp_path,
        b='[defaults]\nlens = "governance"\ncaveats = ["break"]\n'
        + GOOD.replace("good_pct", "other_pct"),
    )
    other = {i.id: i for i in load_catalogue(folder, KEYS)}["other_pct"]
    # The entry's own lens wins over the file default; the caveat comes from the default.
    assert other.lens == "profile" and other.caveats == "The series breaks."


BAD = [
    ("unknown key", GOOD.replace('unit = "%"', 'unit = "%"\ncolour = "red"'), "colour"),
    ("bad unit", GOOD.replace('unit = "%"', 'unit = "percent"'), "unit 'percent'"),
    ("bad polarity", GOOD.replace('"high"', '"up"'), "polarity 'up'"),
    ("bad lens", GOOD.replace('"profile"', '"map"'), "lens 'map'"),
    ("bad rba", GOOD.replace('"how well"', '"how fast"'), "rba 'how fast'"),
    ("bad period", GOOD + 'period_type = "termly"\n', "period_type 'termly'"),
    ("not in register", GOOD.replace('"lait"', '"lait_2030"'), "'lait_2030' is not a key"),
    ("unknown caveat", GOOD + 'caveats = ["no_such"]\n', "no shared caveat named 'no_such'"),
    ("caveat as text", GOOD + 'caveats = "loose text"\n', "caveats must be a list"),
    ("missing title", GOOD.replace('title = "A good share"\n', ""), "missing title"),
    ("range", GOOD + "valid_min = 10\nvalid_max = 5\n", "valid_min is above valid_max"),
    ("headline", GOOD + "headline = true\n", "headline needs headline_order"),
    ("group", GOOD + 'governance_group = "X"\n', "governance_group and governance_order"),
    ("local id", GOOD.replace('"good_pct"', '"local:good_pct"'), "exactly when the source"),
    ("not toml", GOOD + "id = \n", "not valid TOML"),
]


@pytest.mark.parametrize(("text", "expected"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_entry_is_named_with_its_file(tmp_path, text, expected):
    message = _error(_folder(tmp_path, b=text.replace("good_pct", "bad_pct")))
    assert expected in message
    assert message.startswith("b.toml")
    if "TOML" not in expected:
        assert "indicator 1 (" in message


def test_a_repeated_id_names_both_places(tmp_path):
    message = _error(_folder(tmp_path, b=GOOD))
    assert message.startswith("b.toml, indicator 1 (good_pct)")
    assert "already used in a.toml, indicator 1" in message


def test_a_repeated_headline_order_is_refused(tmp_path):
    tile = 'headline = true\nheadline_order = 1\nshort_title = "Tile"\n'
    text = GOOD.replace("good_pct", "first_pct") + tile + GOOD.replace("good_pct", "next_pct")
    message = _error(_folder(tmp_path, b=text + tile))
    assert message.startswith("b.toml, indicator 2 (next_pct): headline_order 1")
    assert "already used by 'first_pct'" in message


def test_file_order_must_list_every_file(tmp_path):
    folder = _folder(tmp_path, b=GOOD.replace("good_pct", "b_pct"))
    (folder / "_catalogue.toml").write_text('files = ["b.toml"]\n')
    assert "not listed ['a.toml']" in _error(folder)
    (folder / "_catalogue.toml").write_text('files = ["b.toml", "a.toml"]\n')
    assert [i.id for i in load_catalogue(folder, KEYS)] == ["b_pct", "good_pct"]


def test_a_top_level_key_outside_the_schema_is_refused(tmp_path):
    message = _error(_folder(tmp_path, b='[indicators]\nid = "x"\n'))
    assert message.startswith("b.toml: unknown top-level key(s) ['indicators']")


def test_home_governance_and_map_lists_come_from_the_catalogue():
    assert [(i.id, i.short_title) for i in I.headlines()][:3] == [
        ("ehc_plans", "EHC plans"),
        ("ehc_plans_rate", "Plans per 10,000 aged 0-25"),
        ("ehc_new_plans", "New EHC plans in the year"),
    ]
    assert len(I.headlines()) == 10 and I.headlines()[-1].id == "tribunal_appeal_rate"
    groups = I.governance_groups()
    assert list(groups)[:2] == ["Requests and decisions", "Assessments and new plans"]
    assert groups["Disagreements"] == ["ehc_request_mediations", "tribunal_appeal_rate"]
    assert sum(len(ids) for ids in groups.values()) == 29
    assert I.school_indicators() == ("school_ehc_pct", "school_sen_support_pct")


def test_series_breaks_follow_the_sen2_change():
    assert I.get("ehc_20wk_pct").series_breaks == ("2023",)  # calendar year 2023 on
    assert I.get("ehc_plans").series_breaks == ("2022/23",)  # January 2023 on
    sen2_break = "From January 2023 SEN2 became a person-level return"
    for ind in I.CATALOGUE.values():
        assert bool(ind.series_breaks) == (sen2_break in ind.caveats), ind.id


def test_every_published_value_is_in_its_valid_range(national):
    # The ranges are for checking uploads; the published data must pass them too.
    for ind_id, part in national.groupby("indicator", observed=True):
        ind = I.get(str(ind_id))
        values = part["value"].dropna()
        outside = values[(values < ind.valid_min) | (values > ind.valid_max)]
        assert outside.empty, f"{ind_id}: {outside.head().tolist()}"
    assert math.isinf(I.get("special_suspension_rate").valid_max)  # per 100 pupils, can pass 100
    assert I.get("p8_ehc").valid_min == -math.inf


def test_the_package_imports_nothing_above_it():
    # indicators.py imported data_loaders.build and data_loaders.local_kpis inside functions,
    # while data_loaders imported indicators: a cycle. Only tidy, geography (the same layer:
    # old area codes answer as their successor) and libraries are allowed; tests/test_layers.py
    # checks that geography never imports indicators back.
    above = {"data_loaders", "store", "uploads", "analysis", "reports", "ui"}
    found = []
    for path in sorted(I.CATALOGUE_DIR.parent.parent.joinpath("indicators").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in above]
    assert not found, found
