"""Every page read as a parent or a board member would (issue 15, items 1 and 4), under
AppTest for three areas (a large city, the smallest council, a London borough) in both modes:
no table cell reads "None", "nan" or "<NA>" and none shows a figure to more than two decimal
places; in workshop mode every heading, caption, markdown line and metric that uses a glossary
term carries a tooltip explaining it, and no text uses an abbreviation the glossary lacks."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from indicators.glossary import terms_in, unexplained
from tests.conftest import ROOT, every_visual_as_table
from tests.test_app import PAGES

AREAS = ["E08000032", "E06000053", "E09000033"]  # Bradford, Isles of Scilly, Westminster
MISSING_WORDS = re.compile(r"(?<!\w)(None|nan|NaN|<NA>|NaT)(?!\w)")
LONG_DECIMAL = re.compile(r"\d\.\d{3,}")


def table_problems(name: str, table: pd.DataFrame) -> list[str]:
    """Cells a reader should never see: a null, a missing value written as code, or a number
    shown to more than two decimal places."""
    problems = []
    frame = table.reset_index() if table.index.name or any(table.index.names) else table
    for column in frame.columns:
        for row, cell in enumerate(frame[column]):
            where = f"{name}, row {row + 1}, column {column!r}: {cell!r}"
            if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
                problems.append(f"{where} (null)")
            elif isinstance(cell, float) and round(cell, 2) != cell:
                problems.append(f"{where} (more than two decimals)")
            elif isinstance(cell, str) and MISSING_WORDS.search(cell):
                problems.append(f"{where} (missing value as code)")
            elif isinstance(cell, str) and LONG_DECIMAL.search(cell):
                problems.append(f"{where} (more than two decimals)")
    return problems


def shown_tables(at: AppTest) -> list[tuple[str, pd.DataFrame]]:
    found = [(f"dataframe {i + 1}", d.value) for i, d in enumerate(at.dataframe)]
    return found + [(f"table {i + 1}", t.value) for i, t in enumerate(at.table)]


def words_shown(at: AppTest) -> list[tuple[str, str, str]]:
    """(kind, text, tooltip) for every heading, markdown line, caption and metric label."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption"):
        for element in at.get(kind):
            out.append((kind, element.value, element.proto.help))
    for metric in at.metric:
        out.append(("metric", metric.label, metric.proto.help))
    return out


# A link's address is not read: only its words are ("[WCAG 2.2](https://www.w3.org/TR/...)").
LINK_TARGET = re.compile(r"\]\([^)]*\)")


def tooltip_problems(at: AppTest) -> list[str]:
    problems = []
    for kind, text, tip in words_shown(at):
        missing = unexplained(LINK_TARGET.sub("]", text))
        if missing:
            problems.append(f"{kind} {text[:80]!r} uses {missing}, which the glossary lacks")
        for term in terms_in(text):
            if term.meaning not in (tip or ""):
                problems.append(f"{kind} {text[:80]!r} has no tooltip explaining {term.term}")
    return problems


def other_text(at: AppTest) -> list[tuple[str, str]]:
    """(kind, text) for the rest a page shows in words: alerts, tab, expander and widget
    labels, and the tables' column headings."""
    out = [(k, e.value) for k in ("info", "warning", "success", "error") for e in at.get(k)]
    for kind in ("tab", "expander", "button", "radio", "selectbox", "toggle", "checkbox"):
        out += [(kind, e.label) for e in at.get(kind)]
    out += [("table heading", str(c)) for _, t in shown_tables(at) for c in t.columns]
    return out


def abbreviation_problems(at: AppTest) -> list[str]:
    return [
        f"{kind} {text[:80]!r} uses {missing}, which the glossary lacks"
        for kind, text in other_text(at)
        if (missing := unexplained(LINK_TARGET.sub("]", text)))
    ]


NOT_IN_WORKSHOPS = {"app_pages/data.py", "app_pages/admin.py"}


@pytest.mark.parametrize("workshop", [False, True], ids=["standard", "workshop"])
@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_reads_plainly(page, area, workshop, national):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["area"] = area
    if workshop:
        at.query_params["mode"] = "workshop"
    at.session_state["home.table"] = True  # Home's table is drawn once its box is opened
    # Home first: a page switched to before the first run is found by its file's name, so
    # Local profile (url_path local-profile) fell back to Home and was never read.
    at.run()
    if workshop and page in NOT_IN_WORKSHOPS:
        # A workshop has no uploads to manage and changes no settings: the page is not there.
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
        return
    at.switch_page(page).run()
    # Every visual as its table: the tables are what this test reads.
    every_visual_as_table(at)
    assert not at.exception, [e.value for e in at.exception]
    problems = [p for name, table in shown_tables(at) for p in table_problems(name, table)]
    if workshop:
        problems += tooltip_problems(at) + abbreviation_problems(at)
    assert not problems, "\n".join(problems[:40])


def test_the_user_s_own_upload_is_previewed_raw_with_no_none():
    """The Data page's preview keeps the file's numbers as they came (12.3456 stays), and a
    blank cell is blank, not "None"."""

    def preview() -> None:
        import pandas as pd

        from ui.tables import show_as_uploaded

        show_as_uploaded(pd.DataFrame({"child": ["a1", None], "score": [12.3456, None]}))

    at = AppTest.from_function(preview).run()
    shown = at.dataframe[0].value
    assert shown["child"].tolist() == ["a1", ""]
    assert shown["score"].astype(str).tolist() == ["12.3456", ""]
