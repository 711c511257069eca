"""The board pack: its PDF's text holds the headline figures as the app shows them (worked out
here from the tidy table, not through the pack's code), its period and sections do what they
say, text from the data is never run as code, and the command line refuses bad requests in
one line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import indicators
from indicators.units import format_value
from reports import board_pack as bp
from reports.format import describe_period
from reports.typeset import pack_pdf
from tidy import period_sort_key

ROOT = Path(__file__).resolve().parent.parent
# A unitary authority, a metropolitan borough and a London borough.
AREAS = ["E06000051", "E08000003", "E09000033"]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as a reader's tool extracts it (pypdf: no system package needed)."""
    import pypdf

    (tmp_path / "pack.pdf").write_bytes(pdf)  # kept beside the test's output for a look
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages)


def latest_total(national: pd.DataFrame, ind_id: str, code: str, period: str | None = None):
    """The area's newest published total (up to ``period``), read straight from the table."""
    rows = national[
        (national["indicator"] == ind_id)
        & (national["area_code"] == code)
        & (national["breakdown"] == "")
        & national["value"].notna()
    ]
    if period is not None:
        rows = rows[rows["period"] == period]
    newest = max(rows["period"], key=period_sort_key)
    return newest, float(rows.loc[rows["period"] == newest, "value"].iloc[0])


@pytest.fixture(scope="module")
def outcomes_pdf(national):
    """Each area's Outcomes pack, built once for the module: two tests read the same one."""
    built: dict[str, bytes] = {}

    def pdf(area: str) -> bytes:
        if area not in built:
            built[area] = bp.board_pack_pdf(national, bp.PackChoice(area, sections=("outcomes",)))
        return built[area]

    return pdf


@pytest.mark.parametrize("area", AREAS)
def test_the_pdf_holds_every_headline_figure_as_home_shows_it(
    national, outcomes_pdf, area, tmp_path
):
    pdf = outcomes_pdf(area)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    for ind in indicators.headlines():
        period, value = latest_total(national, ind.id, area)
        _, england = latest_total(national, ind.id, "E92000001", period)
        shown = format_value(value, ind.unit)
        assert shown in text, (ind.id, shown)
        assert format_value(england, ind.unit) in text, (ind.id, england)
        assert describe_period(period, ind) in text
    name = {"E06000051": "Shropshire", "E08000003": "Manchester", "E09000033": "Westminster"}
    assert f"SEND partnership board pack: {name[area]}" in text


def test_a_pack_for_an_earlier_year_shows_that_years_figures(national, tmp_path):
    pack = bp.build_pack(national, bp.PackChoice("E06000051", ("profile",), period="2021/22"))
    cover = {row[0]: row for row in pack.cover.rows}
    _, plans = latest_total(national, "ehc_plans", "E06000051", "2021/22")
    assert cover["EHC plans"][1:3] == [format_value(plans, "count"), "January 2022"]
    # Tribunal appeals are by calendar year: the year ending within 2021/22 is the latest.
    _, appeals = latest_total(national, "tribunal_appeal_rate", "E06000051", "2022")
    assert cover["SEND Tribunal appeal rate"][1:3] == [format_value(appeals, "%"), "2022"]
    assert [s.key for s in pack.sections] == ["profile"]
    trend = pack.sections[0].charts[0].table
    assert trend.rows[-1][0] == "2021/22"  # nothing after the year asked for


def test_sections_come_in_the_order_asked_with_charts_and_sources(national):
    pack = bp.build_pack(national, bp.PackChoice("E06000051", ("benchmarking", "governance")))
    assert [s.title for s in pack.sections] == ["Benchmarking", "Governance and assurance"]
    governance = pack.sections[1]
    assert next(c.title for c in governance.charts) == "New EHC plans issued within 20 weeks"
    assert next(g for g, _ in governance.verdicts) == "Requests and decisions"
    summary = pack.sections[0].tables[0]
    measures = [r[0] for r in summary.rows]
    assert "EHC plans per 10,000 aged 0-25" in measures or "EHC plans" in measures
    sources = [r[0] for r in pack.sources.rows]
    assert any("Special educational needs" in s or "SEN2" in s for s in sources), sources


def hostile_pack() -> bp.BoardPack:
    evil = '=HYPERLINK("http://x") <script>alert(1)</script> #eval("1+1") ] [ $x$ @ref * _'
    table = bp.Table(evil, ["Measure", evil], [[evil, evil]])
    section = bp.Section("profile", evil, evil, [(evil, [evil])], [], [table], [evil])
    return bp.BoardPack(evil, "E06000051", evil, evil, table, [evil], [section], table)


def test_text_from_the_data_is_never_markup_or_code(tmp_path):
    pack = hostile_pack()
    page = bp.pack_html(pack, []).decode()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    text = pdf_text(pack_pdf(pack, []), tmp_path)
    # typst wrote the strings as they are: #eval was not run (it would print 2) and the
    # brackets, dollars and stars are still there.
    assert '#eval("1+1") ] [ $x$ @ref * _' in text
    assert '=HYPERLINK("http://x")' in text


def run_cli(*args: str, tmp_path: Path, capsys) -> subprocess.CompletedProcess[str]:
    """``send-lens ARGS`` run in this process (``reports.cli.main``, what the console script
    calls), its exit status and output captured as a subprocess's would be: a subprocess per
    call re-imported pandas and the app's modules each time, seconds each. The test below
    runs the real command once as a process of its own."""
    from reports import cli

    capsys.readouterr()  # only the command's own output
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        code = cli.main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["send-lens", *args], code, out, err)


def test_the_command_runs_as_a_process_and_exits_with_its_status(tmp_path):
    """The module run as ``python -m reports.cli``, as the console script and a scheduler run
    it: a bad request ends the process with status 2 and one line on stderr."""
    out = tmp_path / "pack.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "reports.cli", "report", "--area", "E06999999", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "send-lens: E06999999 is not a local authority code SEND Lens knows; "
        "try e.g. E06000051 (Shropshire)\n"
    ), done.stderr
    assert done.stdout == ""
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--area", "E06999999"],
            "send-lens: E06999999 is not a local authority code SEND Lens knows; "
            "try e.g. E06000051 (Shropshire)",
        ),
        (
            ["--area", "E92000001"],
            "send-lens: E92000001 is England, not a local authority: packs are made for one of "
            "the 153 local authorities; try e.g. E06000051 (Shropshire)",
        ),
        (["--area", "E06000051", "--period", "2023"], "'2023' is not an academic year"),
        (["--area", "E06000051", "--period", "2040/41"], "no published figures for 2040/41"),
        (["--area", "E06000051", "--sections", "profile,money"], "unknown section 'money'"),
        (["--area", "E06000051", "--comparators", "Friends"], "no comparator set 'Friends'"),
    ],
)
def test_the_command_line_refuses_a_bad_request_in_one_line(
    national, args, message, tmp_path, capsys
):
    out = tmp_path / "pack.pdf"
    done = run_cli("report", *args, "--out", str(out), tmp_path=tmp_path, capsys=capsys)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert not out.exists()


def test_the_command_line_writes_the_html_pack(national, tmp_path, capsys):
    out = tmp_path / "pack.html"
    done = run_cli(
        "report",
        "--area",
        "E06000051",
        "--sections",
        "outcomes",
        "--html",
        "--out",
        str(out),
        tmp_path=tmp_path,
        capsys=capsys,
    )
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    assert page.startswith("<!doctype html><html lang='en-GB'>")
    assert "<h2>Outcomes</h2>" in page and "<svg" in page and "<script" not in page
    _period, value = latest_total(national, "ehc_plans_rate", "E06000051")
    assert format_value(value, "rate per 10,000") in page


def test_the_exception_report_protects_the_areas_own_small_numbers(national, tmp_path):
    report = pd.DataFrame(
        {
            "indicator": ["local:a", "local:b", "local:c"],
            "title": ["Open complaints", "Plans reviewed on time", "Plans in 20 weeks"],
            "unit": ["count", "%", "%"],
            "value": [5.0, 40.0, 55.0],
            "target": [0.0, 90.0, 80.0],
            "recent": [[12.0, 23.0, 5.0], [50.0, 40.0], [60.0, 55.0]],
            "trend": ["getting worse", "getting worse", "no change"],
            "commentary": ['=cmd|" /C calc"!A0 <b>bold</b> #eval("1")', "", ""],
            "action": ["", "", ""],
            "owner": ["", "", ""],
        }
    )
    exceptions = bp.LocalExceptions(report, "March 2025", {"local:b": 12.0, "local:c": 40.0})
    pack = bp.build_pack(national, bp.PackChoice("E06000051", ("governance",)), exceptions)
    table = pack.sections[0].tables[-1]
    rows = {r[0]: r for r in table.rows}
    # A count of 5 is hidden; 12 and 23 round to 10 and 25; a percentage of 12 people is
    # hidden (under 30), one of 40 is shown.
    assert rows["Open complaints"][1] == "hidden (small number)"
    assert rows["Open complaints"][3] == "10 → 25 → hidden (small number)"
    assert rows["Plans reviewed on time"][1] == "hidden (fewer than 30 in the group)"
    assert rows["Plans in 20 weeks"][1:3] == ["55.0%", "80.0%"]
    page = bp.pack_html(pack, [""] * sum(len(s.charts) for s in pack.sections)).decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold" not in page
    text = pdf_text(pack_pdf(pack, bp.render_charts(pack)), tmp_path)
    assert "3 KPIs rated Red in March 2025." in text
    assert '#eval("1")' in text


def test_the_same_data_gives_the_same_accessible_pdf(national, outcomes_pdf):
    choice = bp.PackChoice("E06000051", ("outcomes",))
    first, second = outcomes_pdf("E06000051"), bp.board_pack_pdf(national, choice)
    assert first == second  # no date or random id: a monthly pack differs only by its data
    # Tagged, claiming PDF/UA-1 (typst refuses to write it unless the checks pass), in English.
    assert b"/StructTreeRoot" in first and b"pdfuaid" in first and b"/Lang(en-GB)" in first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--area", " e06999999 "],
            "send-lens: E06999999 is not a local authority code SEND Lens knows; try e.g.",
        ),
        (["--area", "E06000051", "--years", "0"], "--years must be at least 1, not 0"),
        (
            ["--area", "E06000051", "--comparators", "Friends"],
            "no comparator set 'Friends'; choose",
        ),
    ],
)
def test_the_databook_command_refuses_a_bad_request_in_one_line(args, message, tmp_path, capsys):
    out = tmp_path / "book.xlsx"
    done = run_cli("databook", *args, "--out", str(out), tmp_path=tmp_path, capsys=capsys)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert not out.exists()


def test_the_databook_command_writes_the_areas_figures(national, tmp_path, capsys):
    from openpyxl import load_workbook

    out = tmp_path / "book.xlsx"
    done = run_cli(
        "databook",
        "--area",
        "E06000051",
        "--years",
        "1",
        "--out",
        str(out),
        tmp_path=tmp_path,
        capsys=capsys,
    )
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(out)["1 EHC plans"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    own = next(r for r in rows[1:] if r[2] == "E06000051" and r[4] == "This area")
    period, value = latest_total(national, "ehc_plans", "E06000051")
    assert (own[0], own[7]) == (period, value)  # a number, as the query API gives it


@pytest.mark.browser
def test_the_html_pack_passes_axe(national, chromium, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    path = tmp_path / "pack.html"
    path.write_bytes(bp.board_pack_html(national, bp.PackChoice("E08000032", ("profile",))))
    page = chromium.new_page()
    page.goto(path.as_uri())
    assert page.locator("h2").first.inner_text() == "Local profile"
    assert page.locator("figure svg").count() >= 5  # four charts and the map
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
    found = Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
    page.close()
    violations = [f"{v['id']}: {v['help']}" for v in found.response["violations"]]
    assert violations == []


# A rate with counts, percentages with and without counts and a series break, a count, a score.
JUDGED = ["ehc_plans_rate", "ehc_20wk_pct", "ks2_rwm_ehc", "ehc_plans", "att8_ehc", "sen_unit_cost"]


@pytest.mark.parametrize("area", AREAS)
def test_the_packs_statistics_are_the_benchmarking_pages(national, area):
    # The pack reads each indicator's rows once (benchmark.Totals) instead of filtering the
    # split national table per question; the Benchmarking page and the data book pass plain
    # frames. Both must give the same comparison and trend, and the figures the raw rows hold.
    from analysis import benchmark

    plain = pd.DataFrame(national)
    assert not isinstance(plain, indicators.NationalTable)
    label = bp.DEFAULT_COMPARATORS
    members = benchmark.comparator_sets(area)[label]
    judge = bp._Judge(national, area, "", members, label)
    current = set(bp.areas.current_las()["la_code"])
    for ind_id in JUDGED:
        period, value = latest_total(national, ind_id, area)
        result, trend = judge.result(ind_id)
        rows = plain[(plain["indicator"] == ind_id) & (plain["breakdown"] == "")]
        assert result == benchmark.compare(rows, ind_id, area, period, members, label), ind_id
        own = rows[rows["area_code"] == area]  # the data book trend-tests each area's own rows
        assert trend == benchmark.trend(own, ind_id, area), ind_id
        assert (result.period, result.value) == (period, value)
        _, england = latest_total(national, ind_id, "E92000001", period)
        assert result.england.value == england
        at = rows[(rows["period"] == period) & rows["value"].notna()]
        assert result.ranked == len(set(at["area_code"]) & current), ind_id


def test_a_trend_chart_says_the_series_break_its_years_cross(national):
    bradford = "E08000032"
    # The pack's last eight years of 20-week timeliness (2017 to 2024) cross SEN2's 2023 change.
    crossing = bp.section_chart(national, "trend", "ehc_20wk_pct", bradford, "Timeliness")
    assert crossing is not None and crossing.table.rows[0][0] == "2017"
    assert crossing.note.startswith("Series break: the way this is counted changed in 2023")
    # The tribunal appeal rate has no series break; the primary-need bars are one year.
    for kind, ind_id in (("trend", "tribunal_appeal_rate"), ("need", "ehc_primary_need_pct")):
        chart = bp.section_chart(national, kind, ind_id, bradford, "Other")
        assert chart is not None and chart.note == "", ind_id
