"""The Data page in AppTest: upload, check, save, version, roll back, delete; bad files leave
the store as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from store.datasets import Store
from store.identity import local_user
from tests.conftest import ROOT

LOCAL = {"by": local_user(), "workspace": "local"}  # the laptop's user: admin of "local"

DEMO = ROOT / "data/demo"
BAD = ROOT / "tests/fixtures/bad_uploads"


def _data_page(national) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["area"] = "E08000032"
    at.run()
    at.switch_page("app_pages/data.py").run()
    return at


def _upload(at: AppTest, kind: str, path: Path) -> AppTest:
    at.selectbox(key="data.kind").select(kind).run()
    uploader = next(u for u in at.get("file_uploader") if u.key == f"data.file.{kind}")
    uploader.upload(path.name, path.read_bytes()).run()
    return at


def test_demo_tracker_round_trip_through_the_store(national, store_dir):
    at = _upload(_data_page(national), "ehc_tracker", DEMO / "demo_ehc_tracker.csv")
    assert not at.exception
    assert any("Read 420 rows" in s.value for s in at.success)
    at.button(key="FormSubmitter:data.save.ehc_tracker-Save to SEND Lens").click().run()
    assert any("Saved as version 1" in s.value for s in at.success), [s.value for s in at.success]
    datasets = Store().list_datasets(**LOCAL)
    assert datasets[["kind", "active_version", "rows"]].values.tolist() == [["ehc_tracker", 1, 420]]
    stored = Store().load(int(datasets["dataset_id"].iloc[0]), **LOCAL)
    assert not stored["child_id"].str.startswith("DEMO").any()  # pseudonymised on arrival
    # The same file again adds no version.
    at.button(key="FormSubmitter:data.save.ehc_tracker-Save to SEND Lens").click().run()
    assert any("already stored as version 1" in i.value for i in at.info)


def test_bad_file_lists_problems_and_stores_nothing(national, store_dir):
    bad = next(
        p
        for p in sorted(BAD.iterdir())
        if "issue_before_request" in p.name or "plan_before" in p.name
    )
    at = _upload(_data_page(national), "ehc_tracker", bad)
    assert not at.exception
    assert at.error and "not stored" in at.error[0].value
    problems = at.dataframe[0].value
    assert {"Sheet", "Row", "Column", "What is wrong"} <= set(problems.columns)
    assert problems["What is wrong"].str.contains("before").any()
    assert Store().list_datasets(**LOCAL).empty


def test_rollback_and_delete(national, store_dir):
    import hashlib

    from uploads.intake import read_upload

    data = (DEMO / "demo_kpi_return.csv").read_bytes()
    frame = read_upload(data, "demo_kpi_return.csv", "kpi_return")
    s = Store()
    s.save_version("kpi_return", "KPIs", frame, file_name="a.csv", file_sha256="a" * 64, **LOCAL)
    s.save_version(
        "kpi_return",
        "KPIs",
        frame.head(10),
        file_name="b.csv",
        file_sha256="b" * 64,
        **LOCAL,
    )
    at = _data_page(national)
    at.selectbox(key="data.rollback_version").select(1).run()
    at.button(key="data.rollback").click().run()
    assert not at.exception
    assert Store().list_datasets(**LOCAL)["active_version"].tolist() == [1]
    at.checkbox(key="data.confirm_delete").check().run()
    at.button(key="data.delete").click().run()
    assert Store().list_datasets(**LOCAL).empty
    assert hashlib  # used above


@pytest.mark.parametrize(
    "kind", ["kpi_return", "ehc_tracker", "cohort", "outcomes_return", "survey", "locality_lookup"]
)
def test_every_kind_round_trips_template_upload_store_in_the_app(kind, national, store_dir):
    """Download the kind's template, fill it, upload it on the Data page, save, load back."""
    import io

    from openpyxl import load_workbook

    from tests.test_templates import ROWS
    from uploads.templates import template_xlsx

    wb = load_workbook(io.BytesIO(template_xlsx(kind)))
    for row in ROWS[kind]:
        wb["Data"].append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    path = store_dir / f"filled_{kind}.xlsx"
    path.write_bytes(buffer.getvalue())
    at = _upload(_data_page(national), kind, path)
    assert not at.exception
    assert any(f"Read {len(ROWS[kind])} rows" in s.value for s in at.success), [
        s.value for s in at.success
    ]
    at.button(key=f"FormSubmitter:data.save.{kind}-Save to SEND Lens").click().run()
    datasets = Store().list_datasets(**LOCAL)
    assert datasets["kind"].tolist() == [kind]
    assert datasets["rows"].tolist() == [len(ROWS[kind])]
    stored = Store().load(int(datasets["dataset_id"].iloc[0]), **LOCAL)
    assert len(stored) == len(ROWS[kind])


def test_register_lists_publisher_errors_set_aside(national, store_dir):
    at = _data_page(national)
    assert any("Publisher errors set aside" in m.value for m in at.markdown)
    tables = [d.value for d in at.dataframe if "action" in d.value.columns]
    assert len(tables) == 1
    bradford = tables[0][(tables[0]["area"] == "Bradford") & (tables[0]["period"] == "2022")]
    assert "replaced by 796 from DfE's SEN2 management information (2014-2022)" in set(
        bradford["action"]
    )
