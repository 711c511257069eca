"""The workshop story in the store: the saved card order and what the room said, per
workspace, audited, never with a name; and workshop mode's refusals, enforced by the store
itself (issue 15 items 1-3). SQLite, and PostgreSQL when SEND_LENS_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from store import actions, audit, story, workspaces
from store.access import Action, PermissionDenied, allows, require_instance_admin
from store.datasets import Store
from store.identity import User
from store.public import PublicModeError, public_store
from tests.test_store import url  # noqa: F401 - SQLite, and PostgreSQL when set

ADMIN = User("ann@council.gov.uk", local=True)  # the laptop's user: admin of "local"
VIEWER = User("val@council.gov.uk")
AREA, CARD, DAY = "E08000032", "ehc_20wk_pct", dt.date(2026, 11, 30)
SHOWN = {"indicator": CARD, "place": "Bradford", "period": "2024", "value": 89.0}


@pytest.fixture
def engine(url: str):  # noqa: F811 - the fixture imported above
    s = Store(url)
    engine = actions.engine_of(s)
    workspaces.set_role(engine, ADMIN, "local", VIEWER.email, "viewer")
    yield engine
    s.close()


def workshop(user: User) -> User:
    return User(user.email, user.name, user.local, workshop=True)


def test_a_note_keeps_card_figures_date_and_votes_but_no_name(engine):
    note = story.add_note(
        engine,
        AREA,
        CARD,
        comment="Parents said the plan came on time but the school place did not.",
        question="Why do placements lag behind plans?",
        votes={"yes": 4, "partly": 9, "no": 2},
        figures=SHOWN,
        session_date=DAY,
        by=workshop(ADMIN),
        workspace="local",
    )
    found = story.notes(engine, AREA, by=VIEWER, workspace="local")
    assert found["id"].tolist() == [note]
    row = found.iloc[0]
    assert (row["votes_yes"], row["votes_partly"], row["votes_no"]) == (4, 9, 2)
    assert row["figures"] == SHOWN and row["session_date"] == DAY and row["card"] == CARD
    # Nothing in the row names who recorded it; the audit does, as for every change.
    stored = json.dumps({k: str(v) for k, v in row.items()})
    assert ADMIN.email not in stored and "ann" not in stored.lower()
    log = audit.audit_rows(engine, ADMIN, workspace="local", action="save")
    assert log.iloc[0]["kind"] == "room_note" and log.iloc[0]["actor"] == ADMIN.email


def test_notes_belong_to_their_workspace_and_area(engine):
    story.add_note(
        engine,
        AREA,
        CARD,
        comment="x",
        figures=SHOWN,
        session_date=DAY,
        by=ADMIN,
        workspace="local",
    )
    assert len(story.notes(engine, "E06000053", by=ADMIN, workspace="local")) == 0
    with pytest.raises(PermissionDenied):
        story.notes(engine, by=User("stranger@elsewhere.org"), workspace="local")


@pytest.mark.parametrize(
    ("what", "message"),
    [
        ({}, "write a comment or a question, or count a vote"),
        ({"votes": {"yes": 1, "no": 2}}, "a vote counts yes, partly, no"),
        ({"votes": {"yes": 1, "partly": -1, "no": 2}}, "'partly' must be a whole number"),
        ({"comment": "Ring family re 943 476 5919"}, "NHS number"),
    ],
)
def test_a_note_is_refused_with_a_reason(engine, what, message):
    with pytest.raises(ValueError, match=message):
        story.add_note(
            engine, AREA, CARD, figures=SHOWN, session_date=DAY, by=ADMIN, workspace="local", **what
        )
    assert story.notes(engine, by=ADMIN, workspace="local").empty


def test_a_viewer_reads_notes_but_cannot_record_them(engine):
    with pytest.raises(PermissionDenied, match="needs the analyst role"):
        story.add_note(
            engine,
            AREA,
            CARD,
            comment="x",
            figures=SHOWN,
            session_date=DAY,
            by=VIEWER,
            workspace="local",
        )


def test_the_saved_order_is_the_latest_and_drops_repeats(engine):
    assert story.saved_sequence(engine, by=VIEWER, workspace="local") is None
    story.save_sequence(engine, ["ehc_plans_rate", CARD], by=ADMIN, workspace="local")
    story.save_sequence(
        engine, [CARD, "ehc_plans_rate", CARD], by=workshop(ADMIN), workspace="local"
    )
    assert story.saved_sequence(engine, by=VIEWER, workspace="local") == [CARD, "ehc_plans_rate"]
    with pytest.raises(ValueError, match="at least one card"):
        story.save_sequence(engine, [" "], by=ADMIN, workspace="local")


def test_workshop_mode_allows_reading_and_notes_only_whatever_the_role():
    for action in Action:
        assert allows("admin", action, workshop=True) == (
            action in (Action.READ, Action.ROOM_NOTE)
        ), action
    assert allows("admin", Action.DELETE) and allows("analyst", Action.VIEW_RECORDS)


def test_the_store_refuses_an_admin_in_workshop_mode(engine):
    """Not only hidden controls: a write reaching the store in workshop mode is refused."""
    with pytest.raises(PermissionDenied, match="In workshop mode nobody can upload or change"):
        actions.save_action(
            engine,
            "local:ehc_20wk_pct",
            AREA,
            "2025-03",
            commentary="x",
            by=workshop(ADMIN),
            workspace="local",
        )
    with pytest.raises(PermissionDenied, match="manage this workspace"):
        workspaces.set_role(engine, workshop(ADMIN), "local", "x@council.gov.uk", "viewer")
    with pytest.raises(PermissionDenied, match="leave workshop mode"):
        require_instance_admin(workshop(ADMIN), "change the retention setting")
    assert actions.latest_actions(engine, by=ADMIN, workspace="local").empty


def test_a_public_instance_has_the_tables_and_refuses_notes(tmp_path):
    public = public_store(tmp_path)
    engine = actions.engine_of(public)
    assert story.notes(engine, by=ADMIN, workspace="local").empty
    with pytest.raises(PublicModeError):
        story.add_note(
            engine,
            AREA,
            CARD,
            comment="x",
            figures=SHOWN,
            session_date=DAY,
            by=ADMIN,
            workspace="local",
        )
    public.close()


def test_a_survey_notes_answers_come_back_in_the_order_asked(engine):
    # Not alphabetical and not by length (PostgreSQL's JSONB would reorder keys; the note is
    # kept as text, so both stores give back the order the card showed).
    shares = {"Yes": 52.0, "Sometimes": 30.0, "No": 18.0, "Not at all confident": None}
    shown = {"indicator": "local:survey:x", "question": "Are you able?", "shares": shares}
    story.add_note(
        engine,
        AREA,
        "local_survey",
        comment="Clubs are full",
        question="",
        votes=None,
        figures=shown,
        session_date=DAY,
        by=workshop(ADMIN),
        workspace="local",
    )
    (found,) = story.notes(engine, AREA, by=VIEWER, workspace="local")["figures"]
    assert list(found["shares"]) == ["Yes", "Sometimes", "No", "Not at all confident"]
    assert found == shown
