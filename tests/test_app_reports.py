"""The Reports page: the board pack tab's choices, its deferred PDF and HTML downloads, and the
workspace's monthly template kept in the store (versioned and audited) and read back."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from store.datasets import Store
from store.identity import local_user
from store.report_templates import ReportTemplate, save_template, saved_template

ROOT = Path(__file__).resolve().parent.parent
PAGE = "app_pages/reports.py"


def _page(area: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["area"] = area
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_choice_saved_as_the_template_is_where_the_next_visit_starts(
    national, store_dir, downloads
):
    at = _page("E06000051")
    assert at.title[0].value == "Reports: Shropshire"
    assert at.multiselect(key="reports.sections").value == [
        "profile",
        "governance",
        "outcomes",
        "benchmarking",
    ]
    assert "send_lens_board_pack_E06000051.pdf" in downloads
    at.multiselect(key="reports.sections").set_value(["governance", "profile"])
    at.selectbox(key="reports.period").set_value("2022/23")
    at.selectbox(key="reports.comparators").set_value("Region").run()
    assert {"send_lens_board_pack_E06000051_2022-23.pdf"} <= set(downloads)
    at.button(key="reports.save").click().run()
    assert "Saved as the workspace's monthly template (version 1)." in [s.value for s in at.success]

    store = Store()
    assert saved_template(store, by=local_user(), workspace="local") == ReportTemplate(
        ("governance", "profile"), "2022/23", "Region"
    )
    audit = store.audit_log(by=local_user(), workspace="local")
    assert "report_template" in " ".join(audit.astype(str).to_numpy().ravel())

    again = _page("E06000051")  # a new session starts from the template
    assert "Starting from this workspace's monthly template." in [c.value for c in again.caption]
    assert again.multiselect(key="reports.sections").value == ["governance", "profile"]
    assert again.selectbox(key="reports.period").value == "2022/23"
    assert again.selectbox(key="reports.comparators").value == "Region"


def test_saving_the_same_template_again_adds_no_version(store_dir):
    store = Store()
    template = ReportTemplate(("outcomes",), None, "Statistical neighbours (DfE 2025)")
    first = save_template(store, template, by=local_user(), workspace="local")
    second = save_template(store, template, by=local_user(), workspace="local")
    assert (first.version, first.duplicate) == (1, False)
    assert (second.version, second.duplicate) == (1, True)
    assert saved_template(store, by=local_user(), workspace="local") == template
