"""Roles, workspaces and the audit, checked in the store itself: every role against every
action (calling the Store directly, as a crafted request would), workspace isolation, who
the audit names, that it cannot be edited, and that an old store migrates.

Runs on SQLite, and on PostgreSQL too when ``SEND_LENS_TEST_POSTGRES_URL`` is set, like
tests/test_store.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

from store import actions, workspaces
from store.access import PermissionDenied, configured_admins
from store.audit import audit_rows
from store.datasets import NotFoundError, Store
from store.identity import User, local_user
from store.schema import audit, datasets, to_parquet
from tests.test_store import url  # noqa: F401 - SQLite, and PostgreSQL when configured

BOSS = User("boss@lead.gov.uk", name="Bo Boss")  # from SEND_LENS_ADMINS
VERA = User("vera@council.gov.uk", name="Vera Viewer")
ANDY = User("andy@council.gov.uk", name="Andy Analyst")
ADAM = User("adam@council.gov.uk", name="Adam Admin")
NOBODY = User("stranger@elsewhere.org")  # signed in, member of nothing
SAM = User("sam@shropshire.gov.uk", name="Sam")  # analyst of the other workspace
BY_ROLE = {"none": NOBODY, "viewer": VERA, "analyst": ANDY, "admin": ADAM}
WEST, SHROP = "west-yorkshire", "shropshire"
KPI, BRADFORD, MARCH = "local:ehc_20wk_pct", "E08000032", "2025-03"


def frame(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame({"indicator": ["ehc_20wk"] * n, "value": np.arange(n, dtype="float64")})


@pytest.fixture
def store(url: str, monkeypatch) -> Store:  # noqa: F811 - the fixture imported above
    monkeypatch.setenv("SEND_LENS_ADMINS", " Boss@Lead.gov.uk ,")
    s = Store(url)
    engine = actions.engine_of(s)
    actions.ensure_schema(engine)
    workspaces.create_workspace(engine, BOSS, WEST, "West Yorkshire", ["E08000032", "e08000033"])
    workspaces.create_workspace(engine, BOSS, SHROP, "Shropshire", ["E06000051"])
    for user, role in ((VERA, "viewer"), (ANDY, "analyst"), (ADAM, "admin")):
        workspaces.set_role(engine, BOSS, WEST, user.email, role)
    workspaces.set_role(engine, BOSS, SHROP, SAM.email, "analyst")
    yield s
    s.close()


def save(s: Store, user: User, workspace: str, n: int, name: str = "KPIs"):
    return s.save_version(
        "kpi_return",
        name,
        frame(n),
        file_name=f"k{n}.csv",
        file_sha256=f"{n:064x}",
        by=user,
        workspace=workspace,
    )


def counts(s: Store) -> tuple[int, ...]:
    with actions.engine_of(s).connect() as conn:
        return tuple(
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("datasets", "versions", "audit", "memberships", "kpi_actions")
        )


def test_configuration_and_local_mode():
    assert configured_admins({"SEND_LENS_ADMINS": "A@x.org, b@y.org,,"}) == {"a@x.org", "b@y.org"}
    assert configured_admins({}) == frozenset()


def test_the_local_user_is_admin_of_the_local_workspace_only(store: Store):
    engine = actions.engine_of(store)
    mine = workspaces.user_workspaces(engine, local_user())
    assert [(w.id, w.name, w.role) for w in mine] == [("local", "Local", "admin")]
    boss = {w.id: w.role for w in workspaces.user_workspaces(engine, BOSS)}
    assert boss == {"local": "admin", WEST: "admin", SHROP: "admin"}
    assert [(w.id, w.role) for w in workspaces.user_workspaces(engine, VERA)] == [(WEST, "viewer")]
    assert workspaces.user_workspaces(engine, NOBODY) == []
    west = next(w for w in workspaces.user_workspaces(engine, ADAM) if w.id == WEST)
    assert west.la_codes == ("E08000032", "E08000033")  # upper-cased as LA codes are
    with pytest.raises(PermissionDenied, match="SEND_LENS_ADMINS"):
        workspaces.create_workspace(engine, ADAM, "mine", "Mine", [])
    with pytest.raises(ValueError, match="not local authority codes"):
        workspaces.update_workspace(engine, ADAM, WEST, "West", ["E08000032", "Leeds"])


# Who may do what: written out by hand from the issue, not computed from the code's table.
ALLOWED = {
    "list datasets": {"viewer", "analyst", "admin"},
    "load": {"viewer", "analyst", "admin"},
    "load active": {"viewer", "analyst", "admin"},
    "list versions": {"viewer", "analyst", "admin"},
    "read actions": {"viewer", "analyst", "admin"},
    "view records": {"analyst", "admin"},
    "export records": {"analyst", "admin"},
    "save": {"analyst", "admin"},
    "save action": {"analyst", "admin"},
    "roll back": {"admin"},
    "delete": {"admin"},
    "read audit": {"admin"},
    "set role": {"admin"},
    "rename workspace": {"admin"},
}


def _operations(s: Store, dataset_id: int) -> dict[str, Callable[[User], object]]:
    engine = actions.engine_of(s)
    at = {"workspace": WEST}
    return {
        "list datasets": lambda u: s.list_datasets(by=u, **at),
        "load": lambda u: s.load(dataset_id, by=u, **at),
        "load active": lambda u: s.load_active("kpi_return", by=u, **at),
        "list versions": lambda u: s.list_versions(dataset_id, by=u, **at),
        "read actions": lambda u: actions.latest_actions(engine, BRADFORD, by=u, **at),
        "view records": lambda u: s.require(u, WEST, "view_records"),
        "export records": lambda u: s.record_event(u, "export", WEST, name="KPIs"),
        "save": lambda u: save(s, u, WEST, 9),
        "save action": lambda u: actions.save_action(
            engine, KPI, BRADFORD, MARCH, commentary="Backlog", by=u, **at
        ),
        "roll back": lambda u: s.rollback(dataset_id, 1, by=u, **at),
        "delete": lambda u: s.delete_dataset(dataset_id, by=u, **at),
        "read audit": lambda u: s.audit_log(by=u, **at),
        "set role": lambda u: workspaces.set_role(engine, u, WEST, "new@council.gov.uk", "viewer"),
        "rename workspace": lambda u: workspaces.update_workspace(engine, u, WEST, "W", []),
    }


@pytest.mark.parametrize("operation", list(ALLOWED))
@pytest.mark.parametrize("role", list(BY_ROLE))
def test_every_role_against_every_action_called_directly(store: Store, role: str, operation: str):
    first = save(store, BOSS, WEST, 1)
    save(store, BOSS, WEST, 2)
    user = BY_ROLE[role]
    run = _operations(store, first.dataset_id)[operation]
    before = counts(store)
    if role in ALLOWED[operation]:
        run(user)
        if operation in ("save", "save action", "delete", "set role", "export records"):
            assert counts(store) != before  # it really happened
    else:
        with pytest.raises(PermissionDenied) as refused:
            run(user)
        message = str(refused.value)
        assert user.label in message and WEST in message and "role" in message
        assert counts(store) == before  # and nothing was written, not even an audit row
        assert store.version_info(first.dataset_id, by=BOSS, workspace=WEST).version == 2


def test_a_role_taken_away_is_refused_at_once(store: Store):
    engine = actions.engine_of(store)
    save(store, ANDY, WEST, 1)
    workspaces.set_role(engine, ADAM, WEST, ANDY.email, "viewer")
    with pytest.raises(PermissionDenied, match="you are a viewer"):
        save(store, ANDY, WEST, 2)
    workspaces.set_role(engine, ADAM, WEST, ANDY.email, None)
    with pytest.raises(PermissionDenied, match="not a member"):
        store.list_datasets(by=ANDY, workspace=WEST)


def test_the_last_admin_of_a_workspace_stays(store: Store, monkeypatch):
    monkeypatch.delenv("SEND_LENS_ADMINS")
    engine = actions.engine_of(store)
    workspaces.set_role(engine, ADAM, WEST, BOSS.email, None)  # its creator, an admin too
    with pytest.raises(ValueError, match="at least one admin"):
        workspaces.set_role(engine, ADAM, WEST, ADAM.email, "analyst")
    assert workspaces.members(engine, ADAM, WEST).set_index("email").loc[ADAM.email, "role"] == (
        "admin"
    )


def test_a_user_of_one_workspace_never_sees_or_touches_anothers_data(store: Store):
    engine = actions.engine_of(store)
    west = save(store, ANDY, WEST, 1, name="Example data (synthetic): KPI return")
    shrop = save(store, SAM, SHROP, 2, name="Example data (synthetic): KPI return")
    assert west.dataset_id != shrop.dataset_id  # the same name in two workspaces
    assert store.list_datasets(by=SAM, workspace=SHROP)["dataset_id"].tolist() == [shrop.dataset_id]
    assert [i.dataset_id for i, _ in store.load_active("kpi_return", by=VERA, workspace=WEST)] == [
        west.dataset_id
    ]
    # Naming the other workspace's dataset from one's own: not found, existence not disclosed.
    for call in (
        lambda: store.load(west.dataset_id, by=SAM, workspace=SHROP),
        lambda: store.list_versions(west.dataset_id, by=SAM, workspace=SHROP),
        lambda: store.rollback(west.dataset_id, 1, by=BOSS, workspace=SHROP),
        lambda: store.delete_dataset(west.dataset_id, by=BOSS, workspace=SHROP),
    ):
        with pytest.raises(NotFoundError):
            call()
    # Naming the other workspace itself: refused.
    with pytest.raises(PermissionDenied, match="not a member"):
        store.load(west.dataset_id, by=SAM, workspace=WEST)
    # Removing one workspace's example leaves the other's.
    store.delete_dataset(shrop.dataset_id, by=BOSS, workspace=SHROP)
    assert len(store.load(west.dataset_id, by=ANDY, workspace=WEST)) == 1
    # Commentary too.
    actions.save_action(engine, KPI, BRADFORD, MARCH, commentary="West", by=ANDY, workspace=WEST)
    assert actions.latest_actions(engine, BRADFORD, by=SAM, workspace=SHROP).empty
    second = actions.save_action(
        engine, KPI, BRADFORD, MARCH, commentary="Shrop", by=SAM, workspace=SHROP
    )
    assert second.version == 2  # numbered across workspaces, so the old unique key holds
    west_rows = actions.latest_actions(engine, BRADFORD, by=VERA, workspace=WEST)
    assert west_rows["commentary"].tolist() == ["West"]
    history = actions.action_history(engine, KPI, BRADFORD, by=SAM, workspace=SHROP)
    assert history["commentary"].tolist() == ["Shrop"]


def test_the_audit_names_the_person_their_workspace_and_the_object(store: Store):
    engine = actions.engine_of(store)
    start = dt.datetime.now(dt.UTC)
    first = save(store, ANDY, WEST, 1)
    save(store, ANDY, WEST, 2)
    store.rollback(first.dataset_id, 1, by=ADAM, workspace=WEST)
    store.record_event(ANDY, "export", WEST, kind="kpi_return", name="KPIs")
    actions.save_action(engine, KPI, BRADFORD, MARCH, commentary="x", by=ANDY, workspace=WEST)
    store.delete_dataset(first.dataset_id, by=ADAM, workspace=WEST)
    store.record_event(VERA, "sign_in", None)
    save(store, SAM, SHROP, 3)
    log = store.audit_log(by=ADAM, workspace=WEST)
    got = log[~log["action"].isin(["role_change", "workspace"])]
    got = got[["actor", "action", "workspace_id", "name", "version"]].fillna({"version": 0})
    assert got.values.tolist() == [
        ["adam@council.gov.uk", "delete", WEST, "KPIs", 1],
        ["andy@council.gov.uk", "save", WEST, f"{KPI} {BRADFORD} {MARCH}", 1],
        ["andy@council.gov.uk", "export", WEST, "KPIs", 0],
        ["adam@council.gov.uk", "rollback", WEST, "KPIs", 1],
        ["andy@council.gov.uk", "save", WEST, "KPIs", 2],
        ["andy@council.gov.uk", "save", WEST, "KPIs", 1],
    ]
    assert (got.index.map(log["at"].get) >= pd.Timestamp(start)).all()
    roles = log[log["action"] == "role_change"].sort_values("id")
    assert roles["actor"].unique().tolist() == ["boss@lead.gov.uk"]
    assert roles["name"].tolist() == [VERA.email, ANDY.email, ADAM.email]
    assert roles["detail"].tolist()[0] == {"from": None, "to": "viewer"}
    # "Saved by" is the person, never the server's account.
    versions = store.list_versions(save(store, ANDY, WEST, 4).dataset_id, by=VERA, workspace=WEST)
    assert versions["created_by"].tolist() == ["Andy Analyst"]
    # Filters; a workspace admin sees neither other workspaces nor sign-ins; the configured
    # admin sees everything.
    mine = audit_rows(engine, ADAM, actor="ANDY@council.gov.uk", action="save")
    assert len(mine) == 4 and set(mine["workspace_id"]) == {WEST}  # 3 uploads, 1 commentary
    assert audit_rows(engine, ADAM, since=dt.datetime.now(dt.UTC)).empty
    assert not audit_rows(engine, ADAM, until=start + dt.timedelta(hours=1)).empty
    assert set(audit_rows(engine, ADAM)["workspace_id"]) == {WEST}
    everything = audit_rows(engine, BOSS)
    assert {WEST, SHROP} <= set(everything["workspace_id"].dropna())
    assert (everything["action"] == "sign_in").sum() == 1
    with pytest.raises(PermissionDenied):
        audit_rows(engine, ANDY, workspace=WEST)


def test_the_audit_is_append_only(store: Store):
    save(store, ANDY, WEST, 1)
    engine = actions.engine_of(store)
    statements = ["UPDATE audit SET actor = 'nobody'", "DELETE FROM audit"]
    if store.backend == "postgresql":
        statements.append("TRUNCATE audit")
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        rows = conn.execute(select(audit.c.actor, audit.c.action)).all()
    assert ("andy@council.gov.uk", "save") in [tuple(r) for r in rows]
    assert len(rows) == 7  # 2 workspaces created, 4 roles set, 1 save: all still there
    # Opening the store again (a restart) keeps the triggers, and adds none twice.
    again = Store(str(engine.url.render_as_string(hide_password=False)))
    with pytest.raises(DBAPIError, match="append-only"), actions.engine_of(again).begin() as c:
        c.execute(text("DELETE FROM audit"))
    again.close()


# --- an existing store, made before workspaces ---------------------------------------------

OLD = MetaData()
Table(
    "datasets",
    OLD,
    Column("id", Integer, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("active_version", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(200), nullable=False),
    UniqueConstraint("kind", "name", name="uq_datasets_kind_name"),
    sqlite_autoincrement=True,
)
Table(
    "versions",
    OLD,
    Column("id", Integer, primary_key=True),
    Column("dataset_id", Integer, ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("row_count", BigInteger, nullable=False),
    Column("column_count", Integer, nullable=False),
    Column("source_rows", BigInteger),
    Column("period_from", String(10)),
    Column("period_to", String(10)),
    Column("data_bytes", BigInteger, nullable=False),
    UniqueConstraint("dataset_id", "version", name="uq_versions_dataset_version"),
    sqlite_autoincrement=True,
)
Table(
    "version_data",
    OLD,
    Column("version_id", Integer, ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    Column("format", String(20), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
)
Table(
    "audit",
    OLD,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(20), nullable=False),
    Column("dataset_id", Integer),
    Column("kind", String(40)),
    Column("name", String(200)),
    Column("version", Integer),
    Column("detail", JSON),
    sqlite_autoincrement=True,
)
Table("store_meta", OLD, Column("key", String(50), primary_key=True), Column("value", Text))


def test_an_existing_store_migrates_into_the_default_workspace(url: str):  # noqa: F811
    import hashlib

    engine = create_engine(url)
    OLD.create_all(engine)
    now = dt.datetime.now(dt.UTC)
    blob = to_parquet(frame(2))
    with engine.begin() as conn:
        conn.execute(
            insert(OLD.tables["datasets"]).values(
                id=7,
                kind="kpi_return",
                name="KPIs",
                active_version=1,
                created_at=now,
                created_by="root",
                updated_at=now,
                updated_by="root",
            )
        )
        conn.execute(
            insert(OLD.tables["versions"]).values(
                id=3,
                dataset_id=7,
                version=1,
                kind="kpi_return",
                created_at=now,
                created_by="root",
                file_name="k.csv",
                file_sha256="a" * 64,
                row_count=2,
                column_count=2,
                data_bytes=len(blob),
            )
        )
        conn.execute(
            insert(OLD.tables["version_data"]).values(
                version_id=3, format="parquet", sha256=hashlib.sha256(blob).hexdigest(), data=blob
            )
        )
        conn.execute(
            insert(OLD.tables["audit"]).values(
                at=now, actor="root", action="save", dataset_id=7, kind="kpi_return", name="KPIs"
            )
        )
        conn.execute(insert(OLD.tables["store_meta"]).values(key="schema_version", value="1"))
    engine.dispose()

    s = Store(url)
    local = {"by": local_user(), "workspace": "local"}
    listed = s.list_datasets(**local)
    assert listed[["dataset_id", "name", "active_version"]].values.tolist() == [[7, "KPIs", 1]]
    pd.testing.assert_frame_equal(s.load(7, **local), frame(2))
    # The old store had no versions.key_fingerprint either: the same migration added it.
    assert s.version_info(7, **local).key_fingerprint is None
    old_audit = s.audit_log(**local)  # the old row joins the default workspace, unchanged
    assert old_audit[["actor", "action", "name"]].values.tolist() == [["root", "save", "KPIs"]]
    # The same name can now be kept in another workspace.
    engine = actions.engine_of(s)
    workspaces.create_workspace(engine, local_user(), "other", "Other", [])
    other = s.save_version(
        "kpi_return",
        "KPIs",
        frame(1),
        file_name="k.csv",
        file_sha256="b" * 64,
        by=local_user(),
        workspace="other",
    )
    assert other.dataset_id != 7 and other.version == 1
    # Foreign keys still hold after the rebuild: deleting cascades to versions and data.
    assert s.delete_dataset(7, **local) == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(datasets)).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM versions")).scalar_one() == 1
        assert conn.execute(text("SELECT count(*) FROM version_data")).scalar_one() == 1
    # And the migrated audit is append-only too.
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit SET actor = 'x'"))
    s.close()
    Store(url).close()  # opening it again changes nothing
