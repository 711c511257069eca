"""Workshop mode across the app and the story page under AppTest (issue 15 items 1-3): the
link's ``?mode=workshop`` holds on every page, protection is forced on, the Data and Admin
pages and every upload, delete and settings control go, leaving needs a confirmation, and
what the room says on a card is stored with its figures and found in the board's files."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import indicators
from analysis import story
from reports import room_notes
from store import actions, workspaces
from store import story as story_store
from store.datasets import Store
from store.identity import User
from tests.conftest import ROOT, every_visual_as_table, shown_numbers

BRADFORD = "E08000032"
ANN = User("ann@council.gov.uk", name="Ann", local=True)  # the laptop's user: admin of "local"
VAL = User("val@council.gov.uk", name="Val Viewer")


@pytest.fixture
def engine(tmp_path, monkeypatch, national):
    monkeypatch.setenv("SEND_LENS_DATA_DIR", str(tmp_path))
    s = Store()
    engine = actions.engine_of(s)
    workspaces.set_role(engine, ANN, "local", VAL.email, "viewer")
    yield engine
    s.close()


def _app(user: User = ANN, page: str | None = None, workshop: bool = True) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["user"] = user
    at.query_params["area"] = BRADFORD
    if workshop:
        at.query_params["mode"] = "workshop"
    (at.switch_page(page) if page else at).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r}: {[b.label for b in at.button]}"
    return found[0]


def test_a_prepared_link_opens_every_page_in_the_mode_with_protection_forced(engine):
    at = _app(page="app_pages/governance.py")
    protect = at.toggle(key="gov.public")
    assert protect.value is True and protect.disabled  # on, and cannot be switched off
    at.switch_page("app_pages/outcomes.py").run()
    assert at.toggle(key="outcomes.workshop").value is True
    # The local user is an admin, yet no control that changes or deletes anything is offered.
    labels = " ".join(b.label for b in at.button).lower()
    assert "delete" not in labels and "upload" not in labels and "load the example" not in labels


def test_the_data_and_admin_pages_are_gone_in_the_mode(engine):
    outside = _app(page="app_pages/admin.py", workshop=False)
    assert outside.title[0].value.startswith("Admin")
    for page in ("app_pages/data.py", "app_pages/admin.py"):
        at = _app(page=page)
        assert at.title[0].value == "SEND in Bradford", page  # Home instead


def test_leaving_takes_a_second_deliberate_click(engine):
    at = _app()
    _button(at, "Leave workshop mode").click().run()
    assert at.session_state["mode"] == "workshop"
    _button(at, "Stay").click().run()
    assert at.session_state["mode"] == "workshop"
    _button(at, "Leave workshop mode").click().run()
    _button(at, "Yes, leave").click().run()
    assert "mode" not in at.session_state and "mode" not in at.query_params
    _button(at, "Start workshop mode").click().run()
    assert at.session_state["mode"] == "workshop"
    # Into the URL, so a reload or a copied link stays in the mode.
    assert at.query_params["mode"] == "workshop"


def test_a_comment_and_a_vote_are_stored_with_the_card_s_figures_and_exported(engine):
    at = _app(page="app_pages/story.py")
    assert at.header[0].value == story.story(None)[0].question
    _button(at, "Next").click().run()
    card = story.story(None)[1]
    assert at.header[0].value == card.question
    at.text_area(key=f"story.comment.{card.id}").input("Help at school starts too late")
    at.text_area(key=f"story.question.{card.id}").input("How long is the wait for SEN support?")
    at.number_input(key=f"story.vote.yes.{card.id}").set_value(6)
    at.number_input(key=f"story.vote.partly.{card.id}").set_value(3)
    at.number_input(key=f"story.vote.no.{card.id}").set_value(1)
    _button(at, "Record this").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Recorded" in s.value for s in at.success)
    saved = story_store.notes(actions.engine_of(Store()), BRADFORD, by=ANN, workspace="local")
    assert len(saved) == 1
    note = saved.iloc[0]
    assert note["card"] == card.id and note["comment"] == "Help at school starts too late"
    assert (note["votes_yes"], note["votes_partly"], note["votes_no"]) == (6, 3, 1)
    assert note["figures"]["place"] == "Bradford" and note["figures"]["period"] == "2024/25"
    assert "ann" not in str(note.to_dict()).lower()
    table = room_notes.notes_table(saved, {card.id: indicators.get(card.id)})
    book = openpyxl.load_workbook(io.BytesIO(room_notes.notes_xlsx(table, "Bradford")))
    row = list(book.active.iter_rows(values_only=True))[1]
    assert row[3] == "Help at school starts too late" and row[5:] == (6, 3, 1)
    assert any(m.value.startswith("**Recorded for this card: 1**") for m in at.markdown)


def test_a_viewer_sees_the_story_but_records_nothing(engine):
    at = _app(VAL, page="app_pages/story.py")
    assert not at.text_area and not [b for b in at.button if b.label == "Record this"]
    assert any("An analyst or admin" in c.value for c in at.caption)


def test_an_analyst_saves_the_order_of_cards_outside_the_mode(engine):
    at = _app(page="app_pages/story.py", workshop=False)
    at.multiselect(key="story.choose").set_value(["ehc_20wk_pct", "ehc_plans_rate"]).run()
    _button(at, "Save this order").click().run()
    assert at.header[0].value == "Do children get their plan on time?"
    assert story_store.saved_sequence(actions.engine_of(Store()), by=VAL, workspace="local") == [
        "ehc_20wk_pct",
        "ehc_plans_rate",
    ]
    inside = _app(page="app_pages/story.py")
    assert inside.header[0].value == "Do children get their plan on time?"
    assert not inside.get("multiselect")  # no settings in workshop mode


def test_home_hides_the_smallest_council_s_small_figures_in_the_mode(engine):
    """Isles of Scilly, 2024: 2 requests for assessment and 1 new plan (SEN2); 11 of its 17
    plans in mainstream settings in January 2025; no tribunal appeals of 57 decisions."""

    def tiles(workshop: bool) -> dict[str, str]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.session_state["user"] = ANN
        at.query_params["area"] = "E06000053"
        if workshop:
            at.query_params["mode"] = "workshop"
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return {m.label: m.value for m in at.metric}

    outside, inside = tiles(False), tiles(True)
    assert outside["Requests for assessment"] == "2" and outside["New EHC plans in the year"] == "1"
    assert outside["Plans in mainstream settings"] == "64.7%"
    for label in ("Requests for assessment", "New EHC plans in the year"):
        assert inside[label] == "Hidden"  # a count of 1 to 7
    assert inside["Plans in mainstream settings"] == "Hidden"  # 11 of 17: under 30
    assert inside["Tribunal appeal rate"] == "0.0%"  # none of 57: nothing small to hide
    assert not [v for v in inside.values() if v in {str(n) for n in range(1, 8)}]


def test_the_profile_s_counts_of_plans_are_protected_in_the_mode(engine):
    """Isles of Scilly, January 2025: 17 EHC plans, one or two or three at each age (SEN2)."""

    def tables(workshop: bool) -> list:
        page = "app_pages/local_profile.py"
        ages_tab = _scilly_tables(page, workshop, tab="Needs and ages")[1]
        return _scilly_tables(page, workshop)[1] + ages_tab

    def ages(found: list):
        return shown_numbers(next(t for t in found if "Age" in t.columns), "EHC plans")["EHC plans"]

    assert ages(tables(False)).between(1, 7).all()
    inside = tables(True)
    assert ages(inside).isna().all()  # every age hidden: none can be worked out
    counts = [shown_numbers(t, "Isles of Scilly", "England") for t in inside if "Period" in t]
    plans = next(t for t in counts if t["England"].max() > 1e5)
    shown = plans["Isles of Scilly"].dropna()
    assert not shown.between(1, 7).any() and (shown % 5 == 0).all()


def _scilly_tables(page: str, workshop: bool, tab: str = "") -> tuple[AppTest, list]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["user"] = ANN
    if tab:
        at.session_state["profile.tab"] = tab
    at.query_params["area"] = "E06000053"
    if workshop:
        at.query_params["mode"] = "workshop"
    at.run()
    at.switch_page(page).run()
    every_visual_as_table(at)
    assert not at.exception, [e.value for e in at.exception]
    return at, [d.value for d in at.dataframe]


def test_the_profile_s_published_shares_on_small_counts_are_hidden_in_the_mode(engine):
    """Isles of Scilly, January 2025 (SEN2): 17 EHC plans; primary need 9 autism (52.9%), 1 SEMH
    (5.9%), 2 SLCN (11.8%); 11 of 17 in mainstream settings (64.7%). Every share rests on
    fewer than 30 plans, so the strictest rule hides them all; outside the mode they show."""

    def need(found: list):
        table = next(t for t in found if "Primary need" in t.columns)
        return shown_numbers(table, "Isles of Scilly", "England").set_index("Primary need")

    def placements(found: list):
        table = next(t for t in found if "Indicator" in t.columns and "Period" in t.columns)
        return shown_numbers(table, "Isles of Scilly", "England")

    placed, needs = "Where they are educated", "Needs and ages"
    _, outside = _scilly_tables("app_pages/local_profile.py", workshop=False, tab=needs)
    assert need(outside).loc["Social, emotional and mental health", "Isles of Scilly"] == 5.9
    assert need(outside).loc["Autistic spectrum disorder", "Isles of Scilly"] == 52.9
    _, outside = _scilly_tables("app_pages/local_profile.py", workshop=False, tab=placed)
    row = placements(outside).set_index("Indicator").loc["EHC plans in mainstream settings"]
    assert round(row["Isles of Scilly"], 1) == 64.7

    at, inside = _scilly_tables("app_pages/local_profile.py", workshop=True, tab=needs)
    assert need(inside)["Isles of Scilly"].isna().all()
    raw = next(t for t in inside if "Primary need" in t.columns)  # each gap says why
    assert raw["Isles of Scilly"].str.startswith("hidden to protect privacy").all()
    assert need(inside)["England"].notna().all()  # England's shares rest on 600,000 plans
    words = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "5.9%" not in words and "52.9%" not in words
    at, inside = _scilly_tables("app_pages/local_profile.py", workshop=True, tab=placed)
    row = placements(inside).set_index("Indicator").loc["EHC plans in mainstream settings"]
    assert pd.isna(row["Isles of Scilly"]) and row["England"] > 40
    words = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "64.7%" not in words and "5.9%" not in words


def test_benchmarking_hides_the_area_s_figure_on_small_counts_in_the_mode(engine):
    """Isles of Scilly: its share of plans in mainstream settings, 11 of 17 in January 2025."""

    def page(workshop: bool) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.session_state["user"] = ANN
        at.query_params["area"] = "E06000053"
        if workshop:
            at.query_params["mode"] = "workshop"
        at.run()
        at.switch_page("app_pages/benchmarking.py").run()
        at.selectbox(key="bench.indicator").set_value("ehc_mainstream_pct").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    outside = page(False)
    assert {m.label: m.value for m in outside.metric}["Isles of Scilly"] == "64.7%"
    inside = page(True)
    assert not [m for m in inside.metric if m.label == "Isles of Scilly"]
    said = " ".join(i.value for i in inside.info)
    assert "hidden to protect privacy" in said and "64.7" not in said
    every_visual_as_table(inside)
    compare = next(d.value for d in inside.dataframe if "Compared with England" in d.value.columns)
    scilly = compare[compare["Code"] == "E06000053"].iloc[0]
    assert scilly["Value"].startswith("hidden to protect privacy")
    compare = shown_numbers(compare, "Value", "Numerator")
    scilly = compare[compare["Code"] == "E06000053"].iloc[0]
    assert pd.isna(scilly["Value"]) and pd.isna(scilly["Numerator"])
    assert not compare["Numerator"].dropna().between(1, 7).any()


def test_benchmarking_offers_only_its_protected_views_in_the_mode(engine):
    """The summary, the funnel plot and the comparator chooser are not protected views: the
    mode leaves them out (they are there outside it)."""

    def tab_labels(workshop: bool) -> list[str]:
        at = _app(page="app_pages/benchmarking.py", workshop=workshop)
        return [t.label for t in at.tabs]

    assert tab_labels(workshop=False) == [
        "Compare areas",
        "Trend",
        "Area summary",
        "Funnel plot",
        "Choose comparators",
    ]
    assert tab_labels(workshop=True) == ["Compare areas", "Trend"]
