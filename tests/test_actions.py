"""Commentary and actions on KPIs: versioned by KPI, area and period, with who and when, in
the store's own database. Every test runs on SQLite, and on PostgreSQL too when
``SEND_LENS_TEST_POSTGRES_URL`` is set (as CI does), like tests/test_store.py."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import inspect

from store import actions
from store.datasets import Store
from store.identity import User
from tests.test_store import url  # noqa: F401 - SQLite, and PostgreSQL when SEND_LENS_TEST_POSTGRES_URL is set

KPI, AREA, MARCH = "local:ehc_20wk_pct", "E08000032", "2025-03"


def person(email: str) -> dict:
    """The laptop's one user (admin of the default workspace), under a given email."""
    return {"by": User(email, local=True), "workspace": "local"}


LOCAL = person("ann@council.gov.uk")


@pytest.fixture
def store(url: str) -> Store:  # noqa: F811 - the fixture imported above
    s = Store(url)
    yield s
    s.close()


def test_lives_in_the_store_database(store):
    engine = actions.engine_of(store)
    assert engine is store._engine
    actions.save_action(engine, KPI, AREA, MARCH, commentary="Backlog", **person("analyst"))
    assert {"kpi_actions", "datasets", "versions"} <= set(inspect(engine).get_table_names())


def test_engine_from_the_environment_without_a_store(tmp_path, monkeypatch):
    monkeypatch.setenv("SEND_LENS_DATA_DIR", str(tmp_path))
    engine = actions.engine_of(None)
    assert engine.url.database.endswith("send_lens.db") and str(tmp_path) in engine.url.database
    actions.save_action(engine, KPI, AREA, MARCH, commentary="x", **person("analyst"))
    engine.dispose()


def test_every_save_is_a_version_with_who_and_when(store):
    engine = actions.engine_of(store)
    before = dt.datetime.now(dt.UTC)
    first = actions.save_action(
        engine,
        KPI,
        AREA,
        MARCH,
        commentary="  Two assessors off sick  ",
        action="Agency cover",
        owner="Head of SEND",
        due_date=dt.date(2025, 5, 30),
        **person("ana@council.gov.uk"),
    )
    assert (first.version, first.commentary, first.created_by) == (
        1,
        "Two assessors off sick",
        "ana@council.gov.uk",
    )
    assert first.created_at >= before and first.created_at.tzinfo is not None
    # The same again writes nothing: the version in force comes back.
    again = actions.save_action(
        engine,
        KPI,
        AREA,
        MARCH,
        commentary="Two assessors off sick",
        action="Agency cover",
        owner="Head of SEND",
        due_date=dt.date(2025, 5, 30),
        **person("bob@council.gov.uk"),
    )
    assert again.unchanged and again.version == 1 and again.created_by == "ana@council.gov.uk"
    second = actions.save_action(
        engine,
        KPI,
        AREA,
        MARCH,
        commentary="Cover in place from April",
        action="Agency cover",
        owner="Head of SEND",
        due_date=None,
        **person("bob@council.gov.uk"),
    )
    assert second.version == 2 and not second.unchanged
    history = actions.action_history(engine, KPI, AREA, MARCH, **LOCAL)
    assert history["version"].tolist() == [2, 1]
    assert history["created_by"].tolist() == ["bob@council.gov.uk", "ana@council.gov.uk"]
    assert history["commentary"].tolist() == ["Cover in place from April", "Two assessors off sick"]
    assert str(history["created_at"].dt.tz) == "UTC"


def test_versions_are_kept_apart_by_kpi_area_and_period(store):
    engine = actions.engine_of(store)
    actions.save_action(engine, KPI, AREA, "2025-02", commentary="February", **person("a"))
    actions.save_action(engine, KPI, AREA, MARCH, commentary="March v1", **person("a"))
    actions.save_action(engine, KPI, AREA, MARCH, commentary="March v2", **person("b"))
    actions.save_action(engine, KPI, "E06000063", MARCH, commentary="Cumberland", **person("c"))
    actions.save_action(
        engine, "local:ehc_open_over_30wk", AREA, MARCH, commentary="Waits", **person("a")
    )
    latest = actions.latest_actions(engine, AREA, **LOCAL)
    got = {(r.indicator, r.period): (r.commentary, r.version) for r in latest.itertuples()}
    assert got == {
        (KPI, "2025-02"): ("February", 1),
        (KPI, MARCH): ("March v2", 2),
        ("local:ehc_open_over_30wk", MARCH): ("Waits", 1),
    }
    assert len(actions.latest_actions(engine, **LOCAL)) == 4  # every area
    assert len(actions.action_history(engine, KPI, AREA, **LOCAL)) == 3  # both periods


def test_text_is_kept_as_typed_and_escaped_only_on_export(store):
    engine = actions.engine_of(store)
    record = actions.save_action(
        engine, KPI, AREA, MARCH, commentary='=HYPERLINK("x")', **person("a")
    )
    assert record.commentary == '=HYPERLINK("x")'


def test_bad_input_is_refused(store):
    engine = actions.engine_of(store)
    with pytest.raises(ValueError, match="longer than 4,000"):
        actions.save_action(engine, KPI, AREA, MARCH, commentary="x" * 4001, **person("a"))
    with pytest.raises(TypeError, match="who saved it"):
        actions.save_action(engine, KPI, AREA, MARCH, commentary="x", by="  ", workspace="local")
    with pytest.raises(ValueError, match="an indicator, an area and a period"):
        actions.save_action(engine, KPI, AREA, "", commentary="x", **person("a"))
    assert actions.latest_actions(engine, **LOCAL).empty


def test_two_people_saving_at_once_both_get_a_version(store):
    engine = actions.engine_of(store)
    errors: list[BaseException] = []

    def save(who: str) -> None:
        try:
            for i in range(5):
                actions.save_action(
                    engine, KPI, AREA, MARCH, commentary=f"{who} {i}", **person(who)
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(w,)) for w in ("ana", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(
        actions.action_history(engine, KPI, AREA, MARCH, **LOCAL)["version"].tolist()
    ) == list(range(1, 11))


@pytest.mark.parametrize(
    ("field", "text", "kind"),
    [
        ("commentary", "Chased H801200001001's plan", "a UPN"),
        ("action", "Ring family re 943 476 5919", "an NHS number"),
        ("owner", "9434765919", "an NHS number"),
        ("commentary", "Learner 1000000000 moved", "a ULN"),
    ],
)
def test_identifiers_typed_into_commentary_are_refused_and_not_stored(store, field, text, kind):
    engine = actions.engine_of(store)
    with pytest.raises(ValueError) as caught:
        actions.save_action(engine, KPI, AREA, MARCH, **{field: text}, **LOCAL)
    assert f"The {field} seems to hold {kind}" in str(caught.value)
    assert "5919" not in str(caught.value) and "H801200001001" not in str(caught.value)
    assert actions.action_history(engine, KPI, AREA, MARCH, **LOCAL).empty


def test_numbers_failing_every_check_are_ordinary_text(store):
    engine = actions.engine_of(store)
    record = actions.save_action(
        engine, KPI, AREA, MARCH, commentary="Ticket 1234567890, H801200001002", **LOCAL
    )
    assert record.commentary == "Ticket 1234567890, H801200001002"
