"""The app when the store or the key fails: a clear message that says whether anything was
saved, the national figures still shown, and child-level uploads refused without the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from store.datasets import Store
from store.identity import User, local_user
from store.schema import DEFAULT_WORKSPACE
from tests.conftest import ROOT
from uploads import pseudonymise
from uploads.intake import read_upload

DEMO = ROOT / "data/demo"
LOCAL = {"by": local_user(), "workspace": DEFAULT_WORKSPACE}  # as the app acts on a laptop


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SEND_LENS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SEND_LENS_DATABASE_URL", raising=False)
    return tmp_path


def _page(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["area"] = "E08000032"
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def _texts(elements) -> str:
    return " ".join(e.value for e in elements)


def test_a_damaged_store_still_shows_national_figures_and_says_why(national, store_dir: Path):
    db = store_dir / "send_lens.db"
    db.write_bytes(b"not a database " * 500)
    at = _page()
    assert not at.exception
    plans = [m for m in at.metric if m.label == "EHC plans"]
    assert plans and plans[0].value  # Home still shows the published figure
    sidebar = _texts(at.sidebar.error)
    assert str(db) in sidebar and "national figures are not affected" in sidebar
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert any(str(db) in e.value and "is damaged" in e.value for e in at.error)
    assert db.read_bytes() == b"not a database " * 500  # nothing written to it


def test_a_signed_in_person_with_a_damaged_store_still_gets_national_figures(
    national, store_dir: Path
):
    db = store_dir / "send_lens.db"
    db.write_bytes(b"not a database " * 500)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = User("someone@council.gov.uk")  # their sign-in is audited
    at.query_params["area"] = "E08000032"
    at.run()
    assert not at.exception
    assert any(m.label == "EHC plans" and m.value for m in at.metric)
    assert str(db) in _texts(at.sidebar.error)
    assert db.read_bytes() == b"not a database " * 500


def test_a_failed_rollback_says_nothing_was_saved(national, store_dir: Path, monkeypatch):
    data = (DEMO / "demo_kpi_return.csv").read_bytes()
    frame = read_upload(data, "demo_kpi_return.csv", "kpi_return")
    s = Store()
    for n, part in ((1, frame), (2, frame.head(10))):
        s.save_version(
            "kpi_return", "KPIs", part, file_name="k.csv", file_sha256=f"{n:064x}", **LOCAL
        )
    s.close()
    # The same file opened read-only by SQLite itself: reads work, every write is refused.
    path = store_dir / "send_lens.db"
    monkeypatch.setenv("SEND_LENS_DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    at = _page("app_pages/data.py")
    at.selectbox(key="data.rollback_version").select(1).run()
    at.button(key="data.rollback").click().run()
    assert not at.exception
    message = _texts(at.error)
    assert "Could not make version 1 the one in use" in message
    assert "Nothing was saved" in message and "read-only" in message
    assert not any("now in use" in m.value for m in at.success)
    monkeypatch.delenv("SEND_LENS_DATABASE_URL")
    assert Store().list_datasets(**LOCAL)["active_version"].tolist() == [2]


def test_a_missing_key_switches_off_child_uploads_and_is_not_replaced(
    national, store_dir: Path, tmp_path_factory, monkeypatch
):
    config = tmp_path_factory.mktemp("own_key")
    monkeypatch.setenv(pseudonymise.CONFIG_ENV, str(config))
    monkeypatch.delenv(pseudonymise.KEY_ENV, raising=False)
    data = (DEMO / "demo_ehc_tracker.csv").read_bytes()
    Store().save_version(
        "ehc_tracker",
        "Tracker",
        read_upload(data, "t.csv", "ehc_tracker"),
        file_name="t.csv",
        file_sha256="a" * 64,
        **LOCAL,
    )
    key_file = config / pseudonymise.KEY_FILE
    key_file.unlink()
    at = _page("app_pages/data.py")
    at.selectbox(key="data.kind").select("ehc_tracker").run()
    uploader = next(u for u in at.get("file_uploader") if u.key == "data.file.ehc_tracker")
    uploader.upload("tracker.csv", data).run()
    assert not at.exception
    message = _texts(at.error)
    assert "Child-level uploads are switched off" in message and "'Tracker'" in message
    assert str(key_file) in message
    assert not at.success  # the file was not read
    assert not key_file.exists()


def test_the_versions_list_shows_each_versions_key(national, store_dir: Path):
    data = (DEMO / "demo_ehc_tracker.csv").read_bytes()
    frame = read_upload(data, "t.csv", "ehc_tracker")
    Store().save_version(
        "ehc_tracker", "Tracker", frame, file_name="t.csv", file_sha256="a" * 64, **LOCAL
    )
    at = _page("app_pages/data.py")
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "Pseudonymisation key" in d.value.columns)
    assert shown["Pseudonymisation key"].tolist() == [frame.attrs["key_fingerprint"][:8]]
