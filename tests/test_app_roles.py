"""The pages as a viewer, an analyst and an admin, and the Admin page, under AppTest: the
signed-in person is put in ``st.session_state["user"]`` as the sign-in gate does. Each
finding of issue 12 about access has a test here that fails on the code before workspaces:
a stranger could read and delete any data, every action was recorded as the server's
operating-system user, and example data loaded by one team showed to (and was removed for)
everyone."""

from __future__ import annotations

import hashlib

import pytest
from streamlit.testing.v1 import AppTest

from store import actions, workspaces
from store.audit import audit_rows
from store.datasets import Store
from store.identity import User
from tests.conftest import ROOT
from ui.outcomes.data import PANEL
from uploads.intake import read_upload

BOSS = User("boss@lead.gov.uk", name="Bo Boss")
VERA = User("vera@council.gov.uk", name="Vera Viewer")
ANDY = User("andy@council.gov.uk", name="Andy Analyst")
ADAM = User("adam@council.gov.uk", name="Adam Admin")
SAM = User("sam@shropshire.gov.uk", name="Sam Shropshire")
STRANGER = User("stranger@elsewhere.org", name="A Stranger")
WEST, SHROP = "west-yorkshire", "shropshire"
BRADFORD, SHROPSHIRE = "E08000032", "E06000051"
DEMO = ROOT / "data/demo"


@pytest.fixture
def team(tmp_path, monkeypatch) -> Store:
    """A team store: West Yorkshire (a viewer, an analyst and an admin) and Shropshire (Sam,
    an admin there), with one KPI return already saved in West Yorkshire."""
    monkeypatch.setenv("SEND_LENS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SEND_LENS_ADMINS", BOSS.email)
    s = Store()
    engine = actions.engine_of(s)
    workspaces.create_workspace(engine, BOSS, WEST, "West Yorkshire", [BRADFORD])
    workspaces.create_workspace(engine, BOSS, SHROP, "Shropshire", [SHROPSHIRE])
    for user, role in ((VERA, "viewer"), (ANDY, "analyst"), (ADAM, "admin")):
        workspaces.set_role(engine, BOSS, WEST, user.email, role)
    workspaces.set_role(engine, BOSS, SHROP, SAM.email, "admin")
    data = (DEMO / "demo_kpi_return.csv").read_bytes()
    s.save_version(
        "kpi_return",
        "West KPIs",
        read_upload(data, "demo_kpi_return.csv", "kpi_return"),
        file_name="demo_kpi_return.csv",
        file_sha256=hashlib.sha256(data).hexdigest(),
        by=ANDY,
        workspace=WEST,
    )
    return s


def _as(user: User, page: str, area: str = BRADFORD) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["user"] = user
    at.query_params["area"] = area
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _keys(at: AppTest, element: str) -> set[str]:
    return {w.key for w in at.get(element) if getattr(w, "key", None)}


def _loaded_names(at: AppTest) -> list[str]:
    frames = [d.value for d in at.dataframe if "Name" in d.value.columns]
    return [n for f in frames for n in f["Name"].tolist()]


# --- the Data page by role -------------------------------------------------------------------


def test_a_stranger_cannot_read_or_delete_anyones_data(national, team):
    """Finding: anyone who can reach the server can read and delete any team's data."""
    at = _as(STRANGER, "app_pages/data.py")
    assert "West KPIs" not in _loaded_names(at)
    assert not {"data.delete", "data.rollback"} & _keys(at, "button")
    assert not any(k.startswith("data.file.") for k in _keys(at, "file_uploader"))
    assert any("not a member of any workspace" in w.value for w in at.sidebar.warning)
    assert team.list_datasets(by=ANDY, workspace=WEST)["name"].tolist() == ["West KPIs"]


def test_a_viewer_reads_but_cannot_upload_roll_back_or_delete(national, team):
    at = _as(VERA, "app_pages/data.py")
    assert _loaded_names(at) == ["West KPIs"]
    assert not any(k.startswith("data.file.") for k in _keys(at, "file_uploader"))
    assert any("needs the analyst role" in i.value for i in at.info)
    assert not {"data.delete", "data.rollback"} & _keys(at, "button")
    assert any("need the admin role" in c.value for c in at.caption)
    assert any("Vera Viewer · viewer in West Yorkshire" in c.value for c in at.sidebar.caption)
    at.run()  # the sign-in is audited once per session, not on every run
    signed_in = audit_rows(actions.engine_of(team), BOSS, action="sign_in")
    assert signed_in[["actor", "workspace_id"]].values.tolist() == [[VERA.email, None]]


def test_an_analyst_uploads_as_themselves_not_as_the_server(national, team):
    """Finding: every action is recorded as the server's operating-system user."""
    at = _as(ANDY, "app_pages/data.py")
    assert not {"data.delete", "data.rollback"} & _keys(at, "button")
    path = DEMO / "demo_ehc_tracker.csv"
    at.selectbox(key="data.kind").select("ehc_tracker").run()
    uploader = next(u for u in at.get("file_uploader") if u.key == "data.file.ehc_tracker")
    uploader.upload(path.name, path.read_bytes()).run()
    at.button(key="FormSubmitter:data.save.ehc_tracker-Save to SEND Lens").click().run()
    assert any("Saved as version 1" in s.value for s in at.success)
    listed = team.list_datasets(by=VERA, workspace=WEST).set_index("name")
    assert listed.loc["demo_ehc_tracker", "uploaded_by"] == "Andy Analyst"
    assert listed.loc["demo_ehc_tracker", "updated_by"] == "Andy Analyst"
    saved = audit_rows(actions.engine_of(team), ADAM, workspace=WEST, action="save")
    assert saved.loc[0, ["actor", "name"]].tolist() == [ANDY.email, "demo_ehc_tracker"]


def test_an_admin_deletes_and_the_audit_says_who(national, team):
    at = _as(ADAM, "app_pages/data.py")
    assert {"data.delete", "data.rollback"} <= _keys(at, "button")
    at.checkbox(key="data.confirm_delete").check().run()
    at.button(key="data.delete").click().run()
    assert any("Deleted 'West KPIs" in s.value for s in at.success)
    assert team.list_datasets(by=ADAM, workspace=WEST).empty
    deleted = audit_rows(actions.engine_of(team), ADAM, workspace=WEST, action="delete")
    assert deleted[["actor", "name"]].values.tolist() == [[ADAM.email, "West KPIs"]]


# --- example data belongs to one workspace -------------------------------------------------------


def test_example_data_stays_in_the_workspace_that_loaded_it(national, team):
    """Finding: an example loaded for Bradford showed to a Shropshire colleague as the area's
    own data, and removing it removed it for everyone."""
    west = _as(ANDY, "app_pages/governance.py")
    west.button(key="gov.example.load").click().run()
    examples = [n for n in team.list_datasets(by=ANDY, workspace=WEST)["name"] if "Example" in n]
    assert len(examples) == 2

    shrop = _as(SAM, "app_pages/governance.py", SHROPSHIRE)
    panel = " ".join(m.value for m in shrop.markdown)
    assert "Nothing loaded yet" in panel and "Example data" not in panel
    assert "gov.example.remove" not in _keys(shrop, "button")
    assert team.list_datasets(by=SAM, workspace=SHROP).empty
    # Sam loads the example into Shropshire and removes it again: West Yorkshire keeps its own.
    shrop.button(key="gov.example.load").click().run()
    assert len(team.list_datasets(by=SAM, workspace=SHROP)) == 2
    shrop.button(key="gov.example.remove").click().run()
    assert team.list_datasets(by=SAM, workspace=SHROP).empty
    still = [n for n in team.list_datasets(by=VERA, workspace=WEST)["name"] if "Example" in n]
    assert still == examples


def test_a_viewer_gets_protected_figures_and_no_buttons_on_governance(national, team):
    at = _as(VERA, "app_pages/governance.py")
    toggle = at.toggle(key="gov.public")
    assert toggle.value is True and toggle.disabled
    assert "gov.example.load" not in _keys(at, "button")
    assert any("can load the example data" in c.value for c in at.caption)


# --- the Admin page ------------------------------------------------------------------------------


def test_the_admin_page_refuses_a_non_admin_even_by_its_url(national, team):
    for user in (VERA, ANDY, STRANGER):
        at = AppTest.from_file(str(ROOT / "app_pages/admin.py"), default_timeout=60)
        at.session_state["user"] = user
        at.run()
        assert not at.exception
        assert any("Not allowed" in e.value for e in at.error)
        assert not at.tabs and not at.dataframe  # no workspace, member or audit row shown


def test_an_admin_manages_roles_and_reads_the_audit(national, team):
    at = AppTest.from_file(str(ROOT / "app_pages/admin.py"), default_timeout=60)
    at.session_state["user"] = ADAM
    at.run()
    assert not at.exception and not at.error
    at.text_input(key="admin.members.email").input("new.colleague@council.gov.uk")
    at.selectbox(key="admin.members.role").select("analyst")
    at.button(key="FormSubmitter:admin.members.set-Set the role").click().run()
    engine = actions.engine_of(team)
    members = workspaces.members(engine, ADAM, WEST).set_index("email")["role"]
    assert members["new.colleague@council.gov.uk"] == "analyst"
    # Adam is admin of West Yorkshire only: its audit, never Shropshire's.
    audit_frame = next(d.value for d in at.dataframe if "actor" in d.value.columns)
    assert set(audit_frame["workspace_id"].dropna()) == {WEST}
    assert "role_change" in set(audit_frame["action"])
    at.text_input(key="admin.audit.user").input(ANDY.email).run()
    audit_frame = next(d.value for d in at.dataframe if "actor" in d.value.columns)
    assert audit_frame["actor"].tolist() == [ANDY.email] and audit_frame.loc[0, "action"] == "save"
    # Renaming keeps the LA codes the form starts from.
    at.text_input(key=f"admin.ws.name.{WEST}").input("West Yorkshire partnership")
    at.button(key="FormSubmitter:admin.workspace.edit-Save the workspace").click().run()
    renamed = next(w for w in workspaces.user_workspaces(engine, ADAM) if w.id == WEST)
    assert (renamed.name, renamed.la_codes) == ("West Yorkshire partnership", (BRADFORD,))
    # A configured admin's only: creating a workspace is refused for a workspace admin.
    at.text_input(key="admin.ws.id").input("leeds")
    at.text_input(key="admin.ws.name").input("Leeds")
    at.button(key="FormSubmitter:admin.workspace.new-Create the workspace").click().run()
    assert any("SEND_LENS_ADMINS" in e.value for e in at.error)
    assert [w.id for w in workspaces.user_workspaces(engine, BOSS) if w.id == "leeds"] == []


def _admin_page(user: User) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages/admin.py"), default_timeout=60)
    at.session_state["user"] = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_retention_is_set_and_applied_by_an_instance_admin_only(national, team):
    for n in range(2, 4):  # versions 2 and 3 of West's KPIs; Shropshire gets three too
        frame = read_upload((DEMO / "demo_kpi_return.csv").read_bytes(), "k.csv", "kpi_return")
        part = frame.head(10 * n)
        team.save_version(
            "kpi_return",
            "West KPIs",
            part,
            file_name="k.csv",
            file_sha256=f"{n:064x}",
            by=ANDY,
            workspace=WEST,
        )
    for n in range(1, 4):
        team.save_version(
            "kpi_return",
            "Shropshire KPIs",
            frame.head(5 * n),
            file_name="s.csv",
            file_sha256=f"{10 + n:064x}",
            by=SAM,
            workspace=SHROP,
        )
    # A workspace admin sees the setting but is offered nothing: it spans every workspace.
    adam = _admin_page(ADAM)
    assert any("Only an admin named in SEND_LENS_ADMINS" in i.value for i in adam.info)
    assert "admin.retention.apply" not in _keys(adam, "button")
    boss = _admin_page(BOSS)
    boss.number_input(key="admin.retention.keep").set_value(1)
    boss.button(key="FormSubmitter:admin.retention.set-Save the retention setting").click().run()
    assert any("Nothing is deleted until" in m.value for m in boss.success)
    assert boss.button(key="admin.retention.apply").disabled  # until confirmed
    boss.checkbox(key="admin.retention.confirm").check().run()
    boss.button(key="admin.retention.apply").click().run()
    assert not boss.exception and not boss.error
    # Three versions in each workspace, one kept in each: 2 + 2 deleted.
    assert any("4 old version(s) deleted" in m.value for m in boss.success)
    for user, ws in ((ADAM, WEST), (SAM, SHROP)):
        listed = team.list_datasets(by=user, workspace=ws)
        assert listed["versions"].tolist() == [1] and listed["active_version"].tolist() == [3]
    rows = audit_rows(actions.engine_of(team), BOSS, action="retention")
    assert rows["actor"].tolist() == [BOSS.email] and rows["detail"][0]["versions_removed"] == 4


def test_the_key_tab_shows_the_fingerprint_and_the_rotation_command(national, team):
    from store.keystore import checked_chain

    chain = checked_chain(team)  # the key, as the first child-level upload makes it
    at = _admin_page(BOSS)
    assert [m.value for m in at.metric] == [chain.fingerprint[:8]]
    assert [c.value for c in at.code] == [f"python -m store.rotate_key --by {BOSS.email}"]


def test_a_viewer_gets_the_protected_outcomes_view_and_no_uploads(national, team):
    at = _as(VERA, "app_pages/outcomes.py")
    toggle = at.toggle(key="outcomes.workshop")
    assert toggle.value is True and toggle.disabled  # small numbers hidden, always
    at.session_state[PANEL] = True  # the loading box as if opened: still nothing
    at.run()
    assert "outcomes.load_example" not in _keys(at, "button")
    assert not _keys(at, "file_uploader")
