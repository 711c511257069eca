"""The Outcomes example belongs to Bradford, whose wards and schools it uses, and is labelled
on every view that shows it (issue 13 finding 11): another area's Outcomes page, analyst or
workshop view, does not show its synthetic figures as that area's own."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui.outcomes.data import PANEL

BRADFORD = "E08000032"
BARNSLEY = "E08000016"
WARNING = "**Example data (synthetic).** The outcomes below are made up by SEND Lens"


def _page(area: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["area"] = area
    at.run()
    at.switch_page("app_pages/outcomes.py").run()
    at.session_state[PANEL] = True  # the loading box opened, as a click on it does
    at.selectbox(key="outcomes.framework").select("national").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for kind in ("warning", "info", "caption", "markdown") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def _workshop(at: AppTest) -> AppTest:
    at.toggle(key="outcomes.workshop").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_example_is_labelled_on_its_area_and_absent_elsewhere(national, store_dir):
    at = _page(BRADFORD)
    at.button(key="outcomes.load_example").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # Bradford: the figures, under the same "Example data (synthetic)" warning as Governance,
    # in the analyst view and in the workshop view.
    assert any(w.value.startswith(WARNING) and "Bradford" in w.value for w in at.warning)
    assert any(i.value.startswith("Outcomes were recorded") for i in at.info)
    assert any(w.value.startswith(WARNING) for w in _workshop(at).warning)
    assert at.get("vega_lite_chart")  # the workshop draws the example's bars

    # Barnsley, same workspace: none of the example's figures, and a note saying whose they are.
    other = _page(BARNSLEY)
    texts = _texts(other)
    assert "No returns for this framework are loaded yet" in texts
    assert "is for Bradford's wards and schools" in texts and "not as Barnsley's" in texts
    assert not any(i.value.startswith("Outcomes were recorded") for i in other.info)
    assert not any(w.value.startswith(WARNING) for w in other.warning)
    assert any(b.key == "outcomes.example.switch" for b in other.button)
    workshop = _workshop(other)
    assert "is for Bradford's wards and schools" in _texts(workshop)
    assert not workshop.get("vega_lite_chart")
