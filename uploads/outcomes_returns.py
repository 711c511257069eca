"""Annual review outcome returns for one framework: its template and a reader that checks
every rating and answer against the framework.

The generic ``outcomes_return`` kind (``uploads.schemas``) takes a 1-5 rating and the
answers yes / sometimes / no / don't know, which is exactly the national logic model
framework's scale. Middlesbrough rates on eight options and Bradford's questionnaire answers
Yes / No / Most of the time / Now and then / Other, so each framework gets its own template
and this reader, built from the framework file:

* ``outcome``: the outcome's statement (the template's drop-down) or its id;
* ``progress_rating``: a level's label or its whole-number code (8 or "Regressed");
* ``voice_question``: the question's text or id; ``voice_answer``: one of *that* question's
  options, matched ignoring case and punctuation ("most of the time" is "Most of the time");
* ``agency`` and ``pathway`` when the framework lists them (Middlesbrough: Education, Health,
  Social care; several pathways separated by ";");
* the child's primary need, SEN provision, school and ward, for the breakdowns.

It runs the same machinery as ``uploads.intake.read_upload`` (the file safety checks of
``readers``, the typed parsing and identifier checks of ``validation``, the keyed hashing of
``pseudonymise``), so child ids hash exactly as every other upload's do and link to them,
dates of birth become age and school year, and every problem comes back at once as a
:class:`Problem` with its Excel row and column. The result is stored as kind
``outcomes_return``: one row per rating or answer with codes in place of words (outcome and
question ids, the level's code) and a ``framework`` column saying whose they are.
"""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from uploads import intake as uploads
from uploads import readers
from uploads.frameworks import Framework
from uploads.readers import UploadError, refuse
from uploads.schemas import KINDS, PRIMARY_NEED, SCHOOL_URN, WARD_CODE, Column, Schema, norm
from uploads.validation import Cells, Issues

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

KIND = "outcomes_return"
GENERIC = KINDS[KIND]
OUTPUT_COLUMNS = [
    "framework",
    "child_id",
    "review_date",
    "period",
    "age",
    "nc_year",
    "outcome",
    "domain",
    "agency",
    "progress_rating",
    "voice_question",
    "voice_answer",
    "pathway",
    "primary_need",
    "sen_provision",
    "school_urn",
    "ward_code",
]
SEN_PROVISION = Column(
    "sen_provision",
    "choice",
    allowed=("EHC plan", "SEN support"),
    value_aliases=(
        ("ehcp", "EHC plan"),
        ("ehc", "EHC plan"),
        ("e", "EHC plan"),
        ("k", "SEN support"),
        ("sen k", "SEN support"),
    ),
    aliases=("sen status", "sen provision", "sen stage", "provision"),
    help="EHC plan or SEN support.",
    example="EHC plan",
)


def returns_schema(framework: Framework) -> Schema:
    """The columns of this framework's return, with its words as the allowed values."""
    cols = [
        GENERIC.column("child_id"),
        GENERIC.column("review_date"),
        GENERIC.column("date_of_birth"),
    ]
    scale = framework.scale
    if scale is not None:
        cols.append(
            Column(
                "outcome",
                "choice",
                allowed=tuple(o.statement for o in framework.outcomes),
                value_aliases=tuple((o.id, o.statement) for o in framework.outcomes)
                + tuple((o.plain, o.statement) for o in framework.outcomes if o.plain),
                aliases=("outcome statement", "outcome area", "high level outcome"),
                help="The framework outcome this rating is for, in the framework's words.",
                example=framework.outcomes[0].statement,
            )
        )
        if framework.agencies:
            cols.append(
                Column(
                    "agency",
                    "choice",
                    allowed=framework.agencies,
                    aliases=("recorded by", "strand", "service"),
                    help="Who recorded this rating: " + ", ".join(framework.agencies) + ".",
                    example=framework.agencies[0],
                )
            )
        cols.append(
            Column(
                "progress_rating",
                "choice",
                allowed=tuple(lv.label for lv in scale.levels),
                value_aliases=tuple((str(lv.code), lv.label) for lv in scale.levels)
                + tuple((lv.short, lv.label) for lv in scale.levels),
                aliases=("progress", "rating", "progress score", "score", "progress made"),
                help="Progress on the framework's scale: a label from the list or its number ("
                + "; ".join(f"{lv.code} {lv.label}" for lv in scale.levels)
                + ").",
                example=scale.levels[0].label,
            )
        )
    if framework.questions:
        options = list(dict.fromkeys(o for q in framework.questions for o in q.options))
        cols.append(
            Column(
                "voice_question",
                "choice",
                allowed=tuple(q.text for q in framework.questions),
                value_aliases=tuple((q.id, q.text) for q in framework.questions),
                aliases=("question", "pupil voice question", "statement"),
                help="The pupil voice question, as worded in the framework.",
                example=framework.questions[0].text,
            )
        )
        cols.append(
            Column(
                "voice_answer",
                "choice",
                allowed=tuple(options),
                value_aliases=(("dont know", "Don't know"), ("not sure", "Don't know"))
                if any(norm(o) == norm("Don't know") for o in options)
                else (),
                aliases=("answer", "pupil voice answer", "response"),
                help="The answer, one of the question's options. Free text is not accepted: it can identify a child.",
                example=framework.questions[0].options[0],
            )
        )
    if framework.pathways:
        cols.append(
            Column(
                "pathway",
                "text",
                aliases=("pathways", "pfa pathway", "preparing for adulthood pathway"),
                help="The pathway(s) the young person follows, separated by ; ("
                + "; ".join(framework.pathways)
                + ").",
                example=framework.pathways[0],
            )
        )
    cols += [PRIMARY_NEED, SEN_PROVISION, SCHOOL_URN, WARD_CODE]
    return Schema(
        KIND,
        f"Annual review outcomes: {framework.name}",
        f"Outcomes recorded at annual reviews against the {framework.name}: one row per "
        "outcome rating or pupil voice answer.",
        tuple(cols),
        ("child_id",),
    )


def read_returns(
    data: bytes,
    filename: str,
    framework: Framework,
    sheet: str | None = None,
    *,
    today: date | None = None,
) -> pd.DataFrame:
    """The checked, pseudonymised ratings and answers of one return, or :class:`UploadError`."""
    return uploads._guard(
        lambda: _read(data, filename, framework, sheet, pd.Timestamp(today or date.today()))
    )


def _read(
    data: bytes, filename: str, framework: Framework, sheet: str | None, today: pd.Timestamp
) -> pd.DataFrame:
    # The steps of uploads._read, with this framework's schema and rules in place of a kind's.
    schema = returns_schema(framework)
    book = readers.open_upload(data, filename)
    name = uploads._choose_sheet(book, schema, sheet)
    raw = readers.read_sheet(book, name)
    header_row, positions, ignored = uploads._locate_columns(raw, schema)
    uploads._refuse_uncached_formulas(raw, header_row, positions)
    body = raw.rows[header_row + 1 :]
    grid = readers.object_columns(body, list(positions))
    index = pd.RangeIndex(header_row + 2, header_row + 2 + len(body), name="row")
    columns = {positions[p]: Cells.of(grid[p], index) for p in positions}
    blank = np.logical_and.reduce([c.blank() for c in columns.values()])
    example = uploads._example_rows(columns, schema) & ~blank
    keep = ~blank & ~example
    if not keep.any():
        raise refuse(f"Sheet '{name}' has headings but no rows of data below them.", name)
    columns = {n: c.subset(keep) for n, c in columns.items()}
    issues = Issues(name)
    table = uploads._typed(columns, index[keep], schema, issues)
    unread = issues.rows_with_problems()
    checked = table.drop(index=unread) if len(unread) else table
    _rules(checked, framework, issues)
    uploads._common_rules(checked, schema, issues, today)
    if issues.count:
        raise UploadError(issues.problems())
    out = _coded(uploads._pseudonymised(table, schema, today), framework)
    out.attrs |= {
        "kind": KIND,
        "framework": framework.id,
        "sheet": name,
        "rows": len(out),
        "example_rows_skipped": int(example.sum()),
        "ignored_columns": ignored,
    }
    return out


def _rules(t: pd.DataFrame, framework: Framework, issues: Issues) -> None:
    """What a row must hold, and answers that belong to their question."""
    absent = pd.Series(False, index=t.index)
    rating = t["progress_rating"].notna() if "progress_rating" in t else absent
    outcome = t["outcome"].notna() if "outcome" in t else absent
    question = t["voice_question"].notna() if "voice_question" in t else absent
    answer = t["voice_answer"].notna() if "voice_answer" in t else absent
    what = " and ".join(
        filter(
            None,
            [
                "an outcome rating" if framework.scale else "",
                "a pupil voice answer" if framework.questions else "",
            ],
        )
    )
    issues.add(~(rating | outcome | question | answer), "child_id", "", f"This row has no {what}.")
    if framework.scale is not None:
        issues.add(
            outcome & ~rating,
            "progress_rating",
            "",
            "progress_rating is blank: rate progress on the framework's scale.",
        )
        issues.add(
            rating & ~outcome,
            "outcome",
            "",
            "outcome is blank: say which outcome the rating is for.",
        )
    if framework.questions:
        issues.add(
            question & ~answer,
            "voice_answer",
            "",
            "voice_answer is blank: give the child's answer.",
        )
        issues.add(
            answer & ~question,
            "voice_question",
            "",
            "voice_question is blank: say which question was answered.",
        )
        for q in framework.questions:
            wrong = (t["voice_question"] == q.text) & answer & ~t["voice_answer"].isin(q.options)
            issues.add(
                wrong,
                "voice_answer",
                t["voice_answer"],
                f"This is not an answer to '{q.text}'. Use one of: {', '.join(q.options)}.",
            )
        keys = t.assign(voice_question=t["voice_question"].where(question))
        uploads._duplicates(
            keys,
            ["child_id", "review_date", "voice_question"],
            GENERIC.column("child_id"),
            issues,
            "The same child, review_date and voice_question",
        )
    if framework.scale is not None:
        keys = t.assign(
            agency=t["agency"].fillna("") if "agency" in t else "",
            outcome=t["outcome"].where(rating),
        )
        uploads._duplicates(
            keys,
            ["child_id", "review_date", "outcome", "agency"],
            GENERIC.column("child_id"),
            issues,
            "A rating of the same outcome for the same child, review_date and agency",
        )
    if "pathway" in t:
        known = {norm(p) for p in framework.pathways}
        parts = t["pathway"].fillna("").str.split(";")
        bad = parts.map(lambda ps: any(norm(p) not in known for p in ps if p.strip()))
        issues.add(
            bad,
            "pathway",
            t["pathway"],
            "Not a pathway of this framework. Use "
            + "; ".join(framework.pathways)
            + ", separated by ;.",
        )


def _coded(t: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Words to codes: outcome and question ids, the level's number, the outcome's domain."""
    out = t.copy()
    out["framework"] = framework.id
    start = out["review_date"].dt.year - (out["review_date"].dt.month < 9).astype("int64")
    out["period"] = start.astype("string") + "/" + ((start + 1) % 100).astype("string").str.zfill(2)
    by_statement = {o.statement: o for o in framework.outcomes}
    if "outcome" in out:
        out["outcome"] = (
            out["outcome"].map({s: o.id for s, o in by_statement.items()}).astype("string")
        )
    if framework.scale is not None:
        codes = {lv.label: lv.code for lv in framework.scale.levels}
        out["progress_rating"] = out["progress_rating"].map(codes).astype("Int64")
    if "pathway" in out:  # as the framework spells them, in its order
        chosen = out["pathway"].fillna("").str.split(";").map(lambda ps: {norm(p) for p in ps})
        out["pathway"] = chosen.map(
            lambda ns: "; ".join(p for p in framework.pathways if norm(p) in ns) or pd.NA
        )
        out["pathway"] = out["pathway"].astype("string")
    if "voice_question" in out:
        out["voice_question"] = (
            out["voice_question"].map({q.text: q.id for q in framework.questions}).astype("string")
        )
    # A voice answer belongs to the outcome its question evidences (Bradford's statements).
    linked = {q.id: q.outcome for q in framework.questions if q.outcome}
    outcome_of_row = (
        out["outcome"] if "outcome" in out else pd.Series(pd.NA, index=out.index, dtype="string")
    )
    outcome_of_row = outcome_of_row.fillna(
        out.get("voice_question", pd.Series(pd.NA, index=out.index)).map(linked)
    )
    out["domain"] = outcome_of_row.map({o.id: o.domain for o in framework.outcomes}).astype(
        "string"
    )
    for col in OUTPUT_COLUMNS:
        if col not in out:
            out[col] = pd.Series(
                pd.NA, index=out.index, dtype="Int64" if col == "progress_rating" else "string"
            )
    return out[OUTPUT_COLUMNS]


def template_xlsx(framework: Framework) -> bytes:
    """This framework's return as an XLSX template: instructions, the framework, a Data sheet."""
    # Here, not at the top: openpyxl (with lxml) is ~12 MB in every server that imports it,
    # and the Outcomes page imports this module whether or not a template is downloaded.
    from openpyxl import Workbook

    from uploads import templates

    schema = returns_schema(framework)
    wb = Workbook()
    templates._instructions(wb.active, schema)
    _framework_sheet(wb.create_sheet("Framework"), framework)
    data = wb.create_sheet("Data")
    lists = wb.create_sheet("Lists")
    lists.sheet_state = "hidden"
    templates._data_sheet(data, lists, schema)
    wb.active = 2
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _framework_sheet(ws: Worksheet, framework: Framework) -> None:
    from openpyxl.styles import Alignment, Font

    rows: list[list[object]] = [
        [framework.name],
        [framework.description],
        [f"Source: {framework.source}"],
        [],
    ]
    rows.append(["Outcome", "Domain", "Id"])
    rows += [[o.statement, o.domain, o.id] for o in framework.outcomes]
    rows.append([])
    if framework.scale is not None:
        scale = framework.scale
        rows.append(["Progress level", "Number", "Counts as"])
        for lv in scale.levels:
            counts = (
                "achieved or exceeded"
                if lv.code in scale.achieved
                else "making progress"
                if lv.code in scale.making_progress
                else "not yet making progress"
            )
            rows.append([lv.label, lv.code, counts])
        rows.append([])
    for q in framework.questions:
        rows.append(
            [
                q.text,
                "Answers: " + " / ".join(q.options),
                "Positive: " + " / ".join(sorted(q.positive)),
            ]
        )
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(row=i, column=j, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if i == 1 or value in ("Outcome", "Progress level"):
                cell.font = Font(bold=True)
    for letter, width in zip("ABC", (70, 40, 30), strict=True):
        ws.column_dimensions[letter].width = width
