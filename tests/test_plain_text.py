"""User text as plain text: ``ui.plain.md`` worked by hand, and the pages (under AppTest)
putting dataset and locality names into their Markdown escaped, never as written. The
browser test (test_browser_plain_text.py) checks what Chromium then shows and fetches."""

from __future__ import annotations

import hashlib
import re
import string

import pandas as pd
from streamlit.testing.v1 import AppTest

from store.datasets import Store
from store.identity import local_user
from store.schema import DEFAULT_WORKSPACE, database_url
from tests.conftest import ROOT
from ui.plain import md
from uploads.intake import read_upload

DEMO = ROOT / "data/demo"
IMAGE = "![t](http://host/beacon.png)"
WJ = "\u2060"  # the word joiner md puts in addresses, so Streamlit does not link them


def test_markdown_characters_are_escaped_by_hand():
    assert md(IMAGE) == rf"\!\[t\]\(http\:{WJ}\/\/host\/beacon\.png\)"
    assert md("[click](http://evil)") == rf"\[click\]\(http\:{WJ}\/\/evil\)"
    assert md("<img src=x>") == r"\<img src\=x\>"
    assert md(r"a\*b") == r"a\\\*b"  # the backslash itself escaped first, then the star
    assert md("$x$ ~s~ `c` #h |t| _u_") == r"\$x\$ \~s\~ \`c\` \#h \|t\| \_u\_"
    assert md(":red[r]") == rf"\:{WJ}red\[r\]"
    assert md("plain words 42") == "plain words 42"


def test_every_ascii_punctuation_character_is_escaped():
    escaped = md(string.punctuation).replace(WJ, "")
    assert escaped == "".join("\\" + c for c in string.punctuation)


def test_bare_addresses_get_a_word_joiner_so_they_are_not_linked():
    assert md("www.evil.com") == rf"www{WJ}\.evil\.com"
    assert md("a@b.com") == rf"a{WJ}\@b\.com"
    assert md("WWW.X.ORG") == rf"WWW{WJ}\.X\.ORG"


def test_line_breaks_are_kept_and_cannot_start_a_block():
    assert md("one\ntwo") == "one  \ntwo"
    assert md("a\r\n# b") == "a  \n\\# b"
    assert md("  indented") == "\u00a0\u00a0indented"  # not a code block


# --- The pages ------------------------------------------------------------------------------------


def save_upload(kind: str, name: str, frame: pd.DataFrame, file_name: str) -> None:
    """Store ``frame`` as an upload of ``kind`` read the way the Data page reads it."""
    data = frame.to_csv(index=False).encode("utf-8")
    read = read_upload(data, file_name, kind)
    Store(database_url()).save_version(
        kind,
        name,
        read,
        file_name=file_name,
        file_sha256=hashlib.sha256(data).hexdigest(),
        by=local_user(),
        workspace=DEFAULT_WORKSPACE,
        source_rows=len(read),
    )


def _markdown(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.info, *at.success, *at.warning, *at.subheader]
    return "\n".join(str(e.value) for e in parts)


def test_a_tracker_name_reaches_the_governance_page_escaped(national, store_dir):
    name = f"Tracker {IMAGE} <img src=x>"
    frame = pd.read_csv(DEMO / "demo_ehc_tracker.csv", dtype=str, keep_default_na=False)
    save_upload("ehc_tracker", name, frame, "tracker.csv")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["area"] = "E08000032"
    at.session_state["gov.tab"] = "EHC tracker"
    at.switch_page("app_pages/governance.py").run()
    assert not at.exception, [e.value for e in at.exception]
    text = _markdown(at)
    assert md(name) in text  # "Loaded: ..." and "From the EHC needs assessment tracker *...*"
    assert IMAGE not in text and not re.search(r"(?<!\\)<img", text)


def test_a_locality_name_reaches_the_map_details_escaped(national, store_dir):
    payload = f"A {IMAGE}"
    lookup = pd.read_csv(DEMO / "demo_locality_lookup.csv", dtype=str, keep_default_na=False)
    lookup["locality"] = lookup["locality"].replace({"Example locality A": payload})
    save_upload("locality_lookup", "lookup", lookup, "lookup.csv")
    kpis = pd.read_csv(DEMO / "demo_kpi_return_areas.csv", dtype=str, keep_default_na=False)
    kpis["area_code"] = kpis["area_code"].replace({"Example locality A": payload})
    save_upload("kpi_return", "kpis", kpis, "kpis.csv")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["area"] = "E08000032"
    at.switch_page("app_pages/map.py").run()
    at.radio(key="map.level").set_value("locality").run()
    at.selectbox(key="map.indicator.locality").select(
        "Children seen within 18 weeks (your data)"
    ).run()
    at.selectbox(key="map.area").select("EX-A").run()
    assert not at.exception, [e.value for e in at.exception]
    text = _markdown(at)
    assert f"**{md(payload)}** (EX-A)" in text
    assert IMAGE not in text
