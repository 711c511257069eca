"""The Outcomes page in AppTest: the example loads with one click and shows figures worked
out here independently from the example file; the workshop view hides small numbers; an
area's own framework and its return work end to end."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from store.datasets import Store
from store.identity import local_user
from tests.conftest import ROOT, every_visual_as_table, shown_numbers
from ui.outcomes.data import PANEL
from uploads.frameworks import shipped_frameworks
from uploads.outcomes_returns import read_returns

LOCAL = {"by": local_user(), "workspace": "local"}  # the laptop's user: admin of "local"

BRADFORD_PLANS = 7493  # caseload.csv.gz, Bradford, January 2025
Z = 1.959964


def _page(framework: str = "national") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["area"] = "E08000032"
    at.run()
    at.switch_page("app_pages/outcomes.py").run()
    at.session_state[PANEL] = True  # the loading box opened, as a click on it does
    at.selectbox(key="outcomes.framework").select(framework).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest, key: str) -> pd.DataFrame:
    """The table a visual shows when its chart/table toggle is on Table."""
    every_visual_as_table(at)
    assert not at.exception, [e.value for e in at.exception]
    # Every other visual still shows its chart, so this is the one table of its kind.
    return next(d.value for d in at.dataframe if _belongs(d.value, key))


def _belongs(frame: pd.DataFrame, key: str) -> bool:
    if "workshop" in key:
        return "Number (rounded)" in frame.columns
    return "Making progress" in frame.columns


def _wilson(x: int, n: int) -> tuple[float, float]:
    centre, half = 2 * x + Z**2, Z * math.sqrt(Z**2 + 4 * x * (1 - x / n))
    return 100 * (centre - half) / (2 * (n + Z**2)), 100 * (centre + half) / (2 * (n + Z**2))


def test_example_loads_with_one_click_and_figures_match_the_file(national, store_dir):
    at = _page("middlesbrough")
    assert any("No returns" in i.value for i in at.info)
    at.button(key="outcomes.load_example").click().run()
    assert not at.exception, [e.value for e in at.exception]
    names = Store().list_datasets(**LOCAL)["name"].tolist()
    assert len(names) == 3 and all(n.startswith("Example data (synthetic)") for n in names)

    # The example file read here with pandas alone, not through SEND Lens's reader or analysis.
    raw = pd.read_csv(ROOT / "data/demo/demo_outcomes_middlesbrough.csv", skiprows=1, dtype=str)
    raw["date"] = pd.to_datetime(raw["review_date"], format="%d/%m/%Y")
    year = raw[(raw["date"] >= "2024-09-01") & (raw["date"] <= "2025-08-31")]
    children = year["child_id"].nunique()
    support = year.loc[year["sen_provision"] == "SEN support", "child_id"].nunique()
    share = 100 * (children - support) / BRADFORD_PLANS
    coverage = next(i.value for i in at.info if i.value.startswith("Outcomes were recorded"))
    assert (
        f"for {children - support} of 7,493 children with EHC plans ({share:.0f}%) in 2024/25"
        in coverage
    )
    assert f"{support} more children on SEN support" in coverage

    progress = [lv.label for lv in shipped_frameworks()["middlesbrough"].scale.levels[:5]]
    outcome = year[year["outcome"] == "Take part in education and learning"]
    x, n = int(outcome["progress_rating"].isin(progress).sum()), len(outcome)
    table = _table(at, "outcomes.learning_and_employment.ratings").set_index("Outcome")
    row = shown_numbers(table, "Ratings").loc["Take part in education and learning"]
    assert (row["Ratings"], row["Making progress"]) == (n, f"{100 * x / n:.1f}%")
    low, high = _wilson(x, n)
    assert row["Making progress, 95% interval"] == f"{low:.1f}% to {high:.1f}%"

    # Chi-squared test for trend over the three years, worked here with numpy.
    raw["start"] = raw["date"].dt.year - (raw["date"].dt.month < 9)
    per_year = raw.groupby("start")["progress_rating"].agg(
        lambda s: (int(s.isin(progress).sum()), len(s))
    )
    r, m = np.array([v[0] for v in per_year]), np.array([v[1] for v in per_year])
    t, p_bar = np.arange(3), r.sum() / m.sum()
    t_bar = (m * t).sum() / m.sum()
    chi2 = ((r * (t - t_bar)).sum()) ** 2 / (p_bar * (1 - p_bar) * (m * (t - t_bar) ** 2).sum())
    trend = " ".join(c.value for c in at.caption if "chi-squared test for trend" in c.value)
    assert chi2 > 3.84 and "has risen across 3 periods" in trend  # p < 0.05 on 1 degree of freedom


def _small_return() -> bytes:
    """do_well_learning: 3 achieved, 26 good progress, 11 no progress (40); mainstream: 10."""
    codes = [5] * 3 + [4] * 26 + [1] * 11
    lines = ["child_id,review_date,outcome,progress_rating"]
    lines += [f"W{i},10/10/2024,do_well_learning,{c}" for i, c in enumerate(codes)]
    lines += [f"W{i},10/10/2024,mainstream,4" for i in range(10)]
    return ("\n".join(lines) + "\n").encode()


def test_workshop_view_hides_small_numbers(national, store_dir):
    fw = shipped_frameworks()["national"]
    frame = read_returns(_small_return(), "small.csv", fw)
    Store().save_version(
        "outcomes_return",
        "small",
        frame,
        file_name="small.csv",
        file_sha256="c" * 64,
        **LOCAL,
    )
    at = _page("national")
    analyst = _table(at, "outcomes.learning_and_employment.ratings").set_index("Outcome")
    analyst = shown_numbers(analyst, "Outcome achieved")
    assert (
        analyst.loc[
            "Children and young people with SEND do well at all levels of learning",
            "Outcome achieved",
        ]
        == 3
    )

    at.toggle(key="outcomes.workshop").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("95%" in c.value for c in at.caption)  # no statistics in the room
    safe = shown_numbers(
        _table(at, "outcomes.workshop.learning_and_employment"), "Number (rounded)"
    )
    learning = safe[safe["Statement"].str.startswith("Children and young people with SEND do well")]
    counts = dict(zip(learning["How it is going"], learning["Number (rounded)"]))
    # 3 is hidden, and so is 11, the next smallest, so 3 cannot be worked out from the total;
    # 26 shows as 25 and the two hidden ones as a grey band of 40 - 25 = 15.
    assert np.isnan(counts["Outcome achieved"]) and np.isnan(counts["Little or no progress yet"])
    assert counts["Making progress"] == 25 and counts["Small numbers hidden"] == 15
    shown = safe["Number (rounded)"].dropna()
    assert ((shown % 5 == 0) & ~shown.between(1, 7)).all()
    mainstream = safe[
        safe["Statement"].str.startswith("More children and young people are in mainstream")
    ]
    assert (mainstream["Note"] == "Too few to show").all() and mainstream[
        "Number (rounded)"
    ].isna().all()


CUSTOM = b"""
id = "ourarea"
name = "Our area's outcomes"
source = "Co-produced with our parent carer forum, 2025"
[scale]
making_progress = [3, 2]
achieved = [3]
[[scale.levels]]
code = 3
label = "Done it"
[[scale.levels]]
code = 2
label = "Getting there"
[[scale.levels]]
code = 1
label = "Not yet"
[[outcomes]]
id = "travel"
statement = "I can get about on my own"
domain = "independent living"
"""


def test_an_areas_own_framework_and_return_work(national, store_dir):
    at = _page("national")
    uploader = next(u for u in at.get("file_uploader") if u.key == "outcomes.framework_file")
    uploader.upload("bad.toml", CUSTOM.replace(b"achieved = [3]", b"achieved = [1]")).run()
    assert any("not stored" in e.value for e in at.error) and Store().list_datasets(**LOCAL).empty

    uploader = next(u for u in at.get("file_uploader") if u.key == "outcomes.framework_file")
    uploader.upload("ours.toml", CUSTOM).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="outcomes.framework").value == "ourarea"
    rows = (
        "child_id,review_date,outcome,progress_rating\nA1,01/10/2024,travel,Done it\nA2,01/10/2024,travel,2\n"
        "A3,01/10/2024,I can get about on my own,getting there\nA4,01/10/2024,travel,Not yet\n"
    )
    returns = next(u for u in at.get("file_uploader") if u.key == "outcomes.returns_file.ourarea")
    returns.upload("ours.csv", rows.encode()).run()
    assert any("Read 4 ratings" in s.value for s in at.success)
    at.button(key="FormSubmitter:outcomes.save.ourarea-Save the return").click().run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    # 3 of 4 making progress (Done it, Getting there twice); 1 of 4 achieved.
    assert metrics == {"Ratings making progress": "75.0%", "Outcomes achieved or exceeded": "25.0%"}
    assert any(h.value == "Independent living" for h in at.header)


def test_the_loading_box_sends_nothing_until_opened(national, store_dir):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["area"] = "E08000032"
    at.run()
    at.switch_page("app_pages/outcomes.py").run()
    assert not at.exception, [e.value for e in at.exception]
    [box] = [e for e in at.expander if e.proto.id.endswith(PANEL)]
    assert not box.children
    assert not at.get("file_uploader") and not at.get("download_button")
    at.session_state[PANEL] = True  # as a click on the box does
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert {u.key for u in at.get("file_uploader")} == {
        "outcomes.returns_file.national",
        "outcomes.framework_file",
    }
    assert "outcomes.load_example" in {b.key for b in at.button}
    assert [d.label for d in at.get("download_button")] == [
        "Download this framework's return template (XLSX)"
    ]
