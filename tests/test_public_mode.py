"""A public read-only instance (SEND_LENS_PUBLIC=1): uploads and the store refused on the server,
and the pages offer neither."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from store import actions
from store.datasets import Store
from store.frameworks import save_framework
from store.identity import User, local_user
from store.public import PublicModeError, public_store
from store.schema import DEFAULT_WORKSPACE
from tests.conftest import ROOT
from ui.outcomes.data import PANEL
from uploads.intake import list_sheets, read_upload
from uploads.public import MESSAGE, public_mode
from uploads.readers import UploadError

KPI = (
    b"indicator,period,area_code,area_level,numerator,denominator\n"
    b"ehc_20wk_pct,Mar 2025,E08000032,LA,45,60\n"
)
SHA = "0" * 64
LOCAL_USER = local_user()
LOCAL = DEFAULT_WORKSPACE
SOMEONE = User("someone@council.example")


@pytest.fixture
def public(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEND_LENS_PUBLIC", "1")
    monkeypatch.setenv("SEND_LENS_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("SEND_LENS_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), (" YES ", True), ("on", True), ("0", False), ("", False)],
)
def test_the_switch(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("SEND_LENS_PUBLIC", value)
    assert public_mode() is expected


def test_uploads_are_refused_before_they_are_read(public, monkeypatch: pytest.MonkeyPatch) -> None:
    for call in (
        lambda: read_upload(KPI, "k.csv", "kpi_return", today=date(2025, 4, 1)),
        lambda: list_sheets(KPI, "k.csv"),
    ):
        with pytest.raises(UploadError) as caught:
            call()
        assert [p.message for p in caught.value.problems] == [MESSAGE]
    # The same file is read when the switch is off: the refusal above is the switch's doing.
    monkeypatch.setenv("SEND_LENS_PUBLIC", "0")
    assert len(read_upload(KPI, "k.csv", "kpi_return", today=date(2025, 4, 1))) == 1


def test_a_framework_upload_is_refused(public) -> None:
    shipped = (ROOT / "data" / "frameworks" / "national.toml").read_bytes()
    with pytest.raises(UploadError) as caught:
        save_framework(public_store(), shipped, "mine.toml", by=SOMEONE, workspace=LOCAL)
    assert caught.value.problems[0].message == MESSAGE


def test_the_public_store_refuses_every_write_and_holds_nothing(tmp_path: Path) -> None:
    # A real store with one dataset, to prove the public store is not this database.
    real = Store(f"sqlite:///{tmp_path / 'real.sqlite'}")
    real.save_version(
        "kpi_return",
        "ours",
        pd.DataFrame({"a": [1]}),
        file_name="k.csv",
        file_sha256=SHA,
        by=LOCAL_USER,
        workspace=LOCAL,
    )
    store = public_store(tmp_path / "public")
    assert store.list_datasets(by=LOCAL_USER, workspace=LOCAL).empty
    engine = actions.engine_of(store)
    attempts = {
        "save": lambda: store.save_version(
            "kpi_return",
            "x",
            pd.DataFrame({"a": [1]}),
            file_name="x.csv",
            file_sha256=SHA,
            by=LOCAL_USER,
            workspace=LOCAL,
        ),
        "rollback": lambda: store.rollback(1, 1, by=LOCAL_USER, workspace=LOCAL),
        "delete": lambda: store.delete_dataset(1, by=LOCAL_USER, workspace=LOCAL),
        "commentary": lambda: actions.save_action(
            engine,
            "ehc_20wk_pct",
            "E08000032",
            "2025-03",
            commentary="note",
            by=LOCAL_USER,
            workspace=LOCAL,
        ),
    }
    for name, attempt in attempts.items():
        with pytest.raises(PublicModeError):
            attempt()
        assert store.list_datasets(by=LOCAL_USER, workspace=LOCAL).empty, name
    assert actions.latest_actions(engine, by=LOCAL_USER, workspace=LOCAL).empty
    assert store.audit_log(by=LOCAL_USER, workspace=LOCAL).empty  # not even an audit row
    assert len(real.list_datasets(by=LOCAL_USER, workspace=LOCAL)) == 1


def test_pages_offer_no_upload_or_example(public, national) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Public instance" in captions and "Local mode" not in captions
    with pytest.raises(Exception, match="Could not find a navigation page"):
        at.switch_page("app_pages/data.py").run()
    for page, example in [
        ("app_pages/map.py", "map.example.load"),
        ("app_pages/outcomes.py", "outcomes.load_example"),
        ("app_pages/governance.py", "gov.example.load"),
    ]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state[PANEL] = True  # the Outcomes loading box as if opened
        at.run()
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        keys = [b.key for b in at.button]
        assert example not in keys, (page, keys)
        assert not at.get("file_uploader"), page
        if page == "app_pages/outcomes.py":
            assert "public instance" in at.info[0].value
