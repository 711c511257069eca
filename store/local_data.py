"""Local uploads as tidy-table rows, and the local half of the data register.

The active versions of ``kpi_return`` and ``survey`` datasets in the store become rows of the
tidy table (``tidy``), so every page, comparison and report can use them beside
the national data. Their indicator ids start with ``local:`` and so never collide with the
national catalogue; their ``source`` is ``upload:<dataset name> v<version>``.

Areas: a GSS code's level comes from the code (``geography.areas.area_level``: E05 ward,
E06/E08/E09/E10 LA, E38 sub-ICB, and old codes read as today's); any other code (a school URN,
a locality name) takes the upload's ``area_level`` when it has a valid one, else digits are a
school and anything else a locality.

KPI returns: one row per indicator, area and period, as uploaded. Where ``value`` is blank but
``numerator`` and ``denominator`` are given, the value is the percentage
``numerator / denominator * 100`` (the template allows this). ``target`` and ``commentary``
have no place in the tidy table; :func:`kpi_details` returns them, keyed like the tidy rows,
for RAG ratings and commentary.

Surveys: each answer to a question becomes a row of indicator
``local:survey:<survey slug>:<question slug>`` (``local:survey:<question slug>`` when the
upload names no survey) with breakdown ``answer=<answer>``. Its ``numerator`` is the count
giving that answer (repeated rows added up), ``denominator`` the respondents to the question in that period and area (the ``respondents``
column when the upload has one, else the sum of the counts of all its answers, which equals
the respondents for a single-choice question), and ``value`` the percentage
``numerator / denominator * 100``. A survey row with a blank (or no) ``area_code`` is about
the local area as a whole: pass its LA code as ``default_area``.

Where two datasets give the same indicator, area, period and breakdown, the most recently
uploaded one wins; the other rows are dropped and reported. Child-level kinds
(``store.RECORD_LEVEL_KINDS``) are never read here.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd

import tidy
from geography import areas
from store.datasets import Store, VersionInfo
from store.identity import User

# The columns of uploads.intake.read_upload's frames, by the role each plays here.
# This is the one place to change if the reader names them differently.
KPI_RETURN_COLUMNS: dict[str, str] = {
    "indicator": "indicator",  # a local id such as "ehcp_20wk"
    "period": "period",  # canonical: "2025-03", "2024/25" or "2024"
    "area_code": "area_code",  # GSS code, school URN, or a locality name
    "area_level": "area_level",  # optional: ward, locality, school, la, sub_icb, ...
    "numerator": "numerator",
    "denominator": "denominator",
    "value": "value",
    "target": "target",
    "commentary": "commentary",
}
SURVEY_COLUMNS: dict[str, str] = {
    "survey": "survey",  # optional: the survey's name, the same each time it runs
    "question": "question",
    "answer": "answer",
    "count": "count",
    "period": "period",
    "area_code": "area_code",  # optional; blank means the whole area: default_area
    "area_level": "area_level",  # optional
    "respondents": "respondents",  # optional: else the sum of the counts per question
}
TIDY_KINDS = ("kpi_return", "survey")
PREFIX = "local:"
KEYS = ["indicator", "area_code", "period", "breakdown"]
_GSS = re.compile(r"[EeWwSsNnKkLlMm]\d{8}")


def local_tidy(
    store: Store, default_area: str | None = None, *, by: User, workspace: str
) -> pd.DataFrame:
    """Tidy rows from every active KPI return and survey of the workspace (problems dropped
    quietly)."""
    return local_tidy_report(store, default_area, by=by, workspace=workspace)[0]


def local_tidy_report(
    store: Store, default_area: str | None = None, *, by: User, workspace: str
) -> tuple[pd.DataFrame, list[str]]:
    """Tidy rows from every active KPI return and survey of the workspace, and what had to be
    left out."""
    parts: list[tuple[VersionInfo, pd.DataFrame]] = []
    problems: list[str] = []
    for kind in TIDY_KINDS:
        for info, frame in store.load_active(kind, by=by, workspace=workspace):
            if kind == "kpi_return":
                rows, found = kpi_rows(frame, info.label)
            else:
                rows, found = survey_rows(frame, info.label, default_area)
            parts.append((info, rows))
            problems += found
    if not parts:
        return tidy.empty(), problems
    parts.sort(key=lambda part: part[0].created_at)  # later uploads win a clash
    table = pd.concat([rows for _, rows in parts], ignore_index=True)
    clash = table.duplicated(KEYS, keep="last")
    if clash.any():
        losers = sorted(table.loc[clash, "source"].unique())
        problems.append(
            f"{int(clash.sum())} rows replaced by a later upload of the same figures: {losers}"
        )
        table = table[~clash]
    table = tidy.normalise(table)
    # Stable on indicator, area and period: a survey's answers stay in the order the upload
    # gives them (Yes, Sometimes, No), as the survey asked them, not alphabetical.
    return table.sort_values(KEYS[:3], kind="stable", ignore_index=True), problems


def kpi_rows(frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[str]]:
    """Tidy rows from one KPI return (see the module docstring)."""
    kpi, problems = _common(frame, KPI_RETURN_COLUMNS, source, ("indicator", "period", "area_code"))
    if kpi.empty:
        return tidy.empty(), problems
    kpi["indicator"] = kpi["indicator"].map(local_id)
    kpi = _drop(kpi, kpi["indicator"] == "", problems, source, "no indicator id")
    dupes = kpi.duplicated(["indicator", "area_code", "period"], keep="last")
    kpi = _drop(kpi, dupes, problems, source, "repeat an earlier row's indicator, area and period")
    numerator, denominator = _numbers(kpi, "numerator"), _numbers(kpi, "denominator")
    with np.errstate(divide="ignore", invalid="ignore"):
        percentage = (numerator / denominator * 100).where(denominator > 0)
    value = _numbers(kpi, "value")
    rows = tidy.tidy_frame(
        indicator=kpi["indicator"],
        area_code=kpi["area_code"],
        area_level=kpi["area_level"],
        period=kpi["period"],
        numerator=numerator,
        denominator=denominator,
        value=value.where(value.notna(), percentage),
        source=source,
    )
    return rows, problems


def survey_rows(
    frame: pd.DataFrame, source: str, default_area: str | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Tidy rows from one survey: the share giving each answer (see the module docstring)."""
    columns = dict(SURVEY_COLUMNS)
    area = columns["area_code"]
    codes = (
        frame[area].astype("string").str.strip()
        if area in frame.columns
        else pd.Series("", frame.index)
    )
    frame = frame.assign(**{area: codes.where(codes.fillna("") != "", default_area or "")})
    hint = " (a result for the whole area needs default_area)"
    survey, problems = _common(
        frame, columns, source, ("question", "answer", "period", "area_code"), hint
    )
    if survey.empty:
        return tidy.empty(), problems
    survey["survey"] = _text(survey["survey"]) if "survey" in survey else ""
    survey["question"] = _text(survey["question"])
    survey["answer"] = _text(survey["answer"]).str.replace(r"\s+", " ", regex=True)
    blank = survey["question"].eq("") | survey["answer"].eq("")
    survey = _drop(survey, blank, problems, source, "no question or answer")
    survey["count"] = _numbers(survey, "count")
    survey["respondents"] = _numbers(survey, "respondents")
    group = ["survey", "question", "period", "area_code", "area_level"]
    summed = survey.groupby(group + ["answer"], sort=False, as_index=False).agg(
        count=("count", lambda s: s.sum(min_count=1)), respondents=("respondents", "max")
    )
    answered = summed.groupby(group, sort=False)["count"].transform("sum")
    denominator = summed["respondents"].where(summed["respondents"].notna(), answered)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (summed["count"] / denominator * 100).where(denominator > 0)
    rows = tidy.tidy_frame(
        indicator=pd.Series(
            map(survey_id, summed["question"], summed["survey"]), index=summed.index
        ),
        area_code=summed["area_code"],
        area_level=summed["area_level"],
        period=summed["period"],
        breakdown="answer=" + summed["answer"],
        numerator=summed["count"],
        denominator=denominator,
        value=value,
        source=source,
    )
    return rows, problems


def survey_questions_asked(store: Store, *, by: User, workspace: str) -> dict[str, str]:
    """Each survey question's indicator id and its words as the upload gives them (the tidy
    rows keep only a slug of them); where two uploads ask it, the later one's words.

    Read from the stored uploads themselves, so every upload, old or new, has its words."""
    loaded = sorted(
        store.load_active("survey", by=by, workspace=workspace), key=lambda p: p[0].created_at
    )
    asked: dict[str, str] = {}
    for _, frame in loaded:
        column = SURVEY_COLUMNS["question"]
        if column not in frame.columns:
            continue
        questions = _text(frame[column])
        name = SURVEY_COLUMNS["survey"]
        surveys = _text(frame[name]) if name in frame.columns else pd.Series("", frame.index)
        for question, survey in dict.fromkeys(zip(questions, surveys)):
            if question:
                asked[survey_id(question, survey)] = question
    return asked


def kpi_details(store: Store, *, by: User, workspace: str) -> pd.DataFrame:
    """Targets and commentary of the active KPI returns, keyed like their tidy rows.

    Columns: indicator, area_code, period, target, commentary, source.
    """
    out = []
    for info, frame in store.load_active("kpi_return", by=by, workspace=workspace):
        kpi, _ = _common(
            frame, KPI_RETURN_COLUMNS, info.label, ("indicator", "period", "area_code")
        )
        kpi["indicator"] = kpi["indicator"].map(local_id)
        kpi = kpi[kpi["indicator"] != ""].drop_duplicates(
            ["indicator", "area_code", "period"], keep="last"
        )
        out.append(
            pd.DataFrame(
                {
                    "indicator": kpi["indicator"],
                    "area_code": kpi["area_code"],
                    "period": kpi["period"],
                    "target": _numbers(kpi, "target"),
                    "commentary": _text(kpi["commentary"]) if "commentary" in kpi else "",
                    "source": info.label,
                }
            )
        )
    columns = ["indicator", "area_code", "period", "target", "commentary", "source"]
    if not out:
        return pd.DataFrame(
            {c: pd.Series(dtype="float64" if c == "target" else "str") for c in columns}
        )
    return pd.concat(out, ignore_index=True)[columns]


def local_register(store: Store, *, by: User, workspace: str) -> pd.DataFrame:
    """Every local dataset for the data register: what it is, what it covers, how fresh.

    Columns: name, kind, record_level, source, period_from, period_to, periods, rows,
    versions, uploaded_by, uploaded_at (UTC). Read from the store's metadata only: no
    data is loaded, so record-level kinds are listed without being opened.
    """
    listed = store.list_datasets(by=by, workspace=workspace)
    register = pd.DataFrame(
        {
            "name": listed["name"],
            "kind": listed["kind"],
            "record_level": listed["record_level"],
            "source": "upload:" + listed["name"] + " v" + listed["active_version"].astype("string"),
            "period_from": listed["period_from"],
            "period_to": listed["period_to"],
            "periods": [_span(a, b) for a, b in zip(listed["period_from"], listed["period_to"])],
            "rows": listed["rows"],
            "versions": listed["versions"],
            "uploaded_by": listed["uploaded_by"],
            "uploaded_at": listed["uploaded_at"],
        }
    )
    return register.sort_values(["kind", "name"], ignore_index=True)


# --- ids and cleaning ------------------------------------------------------------------------------


def local_id(raw: object) -> str:
    """``"EHCP 20wk %"`` -> ``"local:ehcp_20wk"``; an id that is already local is kept."""
    text = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw).strip()
    if text.lower().startswith(PREFIX):
        text = text[len(PREFIX) :]
    slug = _slug(text)
    return PREFIX + slug if slug else ""


def survey_id(question: str, survey: str = "") -> str:
    """``local:survey:<survey slug>:<question slug>``, or ``local:survey:<question slug>``
    without a survey name; a long name is cut and given a short hash to stay unique."""
    parts = [_short_slug(survey, 40)] if _slug(survey) else []
    return PREFIX + "survey:" + ":".join(parts + [_short_slug(question, 60)])


def _short_slug(text: str, max_length: int) -> str:
    slug = _slug(text)
    if len(slug) <= max_length:
        return slug
    return slug[:max_length].rstrip("_") + "_" + hashlib.sha256(text.encode()).hexdigest()[:6]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _common(
    frame: pd.DataFrame,
    columns: dict[str, str],
    source: str,
    required: tuple[str, ...],
    no_area_hint: str = "",
) -> tuple[pd.DataFrame, list[str]]:
    """Rename to our roles, tidy the codes and periods, drop rows that cannot be placed."""
    missing = [columns[r] for r in required if columns[r] not in frame.columns]
    if missing:
        return pd.DataFrame(columns=list(columns)), [f"{source}: missing columns {missing}"]
    present = {theirs: ours for ours, theirs in columns.items() if theirs in frame.columns}
    out = frame[list(present)].rename(columns=present).reset_index(drop=True)
    problems: list[str] = []
    out["area_code"] = _text(out["area_code"]).map(_area_code)
    given = (
        _text(out["area_level"]).str.lower()
        if "area_level" in out
        else pd.Series("", index=out.index)
    )
    derived = out["area_code"].map(areas.area_level)
    usable = given.isin(tidy.AREA_LEVELS) & ~out["area_code"].str.fullmatch(_GSS.pattern)
    out["area_level"] = given.where(usable, derived)
    out = _drop(out, out["area_code"] == "", problems, source, "no area code" + no_area_hint)
    out["period"] = _text(out["period"])
    bad = ~out["period"].str.fullmatch(tidy.PERIOD_PATTERN)
    out = _drop(out, bad, problems, source, "a period that is not like 2025-03, 2024/25 or 2024")
    return out, problems


def _drop(
    frame: pd.DataFrame, mask: pd.Series, problems: list[str], source: str, why: str
) -> pd.DataFrame:
    if mask.any():
        problems.append(f"{source}: {int(mask.sum())} rows left out: {why}")
    return frame[~mask].reset_index(drop=True)


def _text(values: pd.Series) -> pd.Series:
    """Strings, stripped; whole numbers read as numbers lose their ``.0`` (2024.0 -> 2024)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.map(
            lambda v: "" if pd.isna(v) else str(int(v)) if float(v).is_integer() else str(v)
        )
    return values.astype("string").fillna("").str.strip().astype("str")


def _area_code(code: str) -> str:
    """GSS codes upper-cased and under today's code (aliases); URNs and names as given."""
    if _GSS.fullmatch(code):
        return areas.current_code(code.upper())
    return code


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _span(first: object, last: object) -> str:
    if first is None or pd.isna(first):
        return ""
    return str(first) if first == last else f"{first} to {last}"
