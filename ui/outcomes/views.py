"""The visuals of the Outcomes page; every one goes through ``ui.visual.show``.

The analyst view has, per impact domain, each outcome's ratings and pupil voice answers
beside the national outcome indicators of the domain, then who it is working for and
whether it is improving. The workshop view has only the statements and big bars, with small
numbers hidden by the disclosure control.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import indicators
from analysis import outcome_indicators as oi
from analysis import outcomes as oc
from analysis.profile import comparators
from geography.areas import area_names
from reports.format import describe_period, format_value
from ui import charts, glossed, local, visual
from ui.data import latest_period, latest_side_by_side, value
from ui.outcomes import charts as ch
from ui.plain import md
from uploads.frameworks import Framework

FEW = 30  # fewer ratings than this in a group: said beside it
METHOD = """
- **What is counted.** Each rating is one outcome, for one child, at one annual review, by one agency. If a
  child had two reviews in the same year, the later one counts.
- **Making progress** and **achieved or exceeded** are the levels the framework file says count as such. A
  pupil voice share is the positive answers out of all answers, leaving out answers the framework does not
  count (such as Don't know).
- **95% intervals** are Wilson score intervals: the range the true share probably lies in, given how many
  ratings there are. Small groups have wide intervals.
- **Is it improving?** With two years (or terms), a two-proportion z-test; with three or more, the
  chi-squared test for trend. A change is called when p is below 0.05.
- **Who is covered.** The share of the area's children with EHC plans (the latest published count) who have
  outcomes recorded. A small share is not the whole picture.
- **Social care** comes from a linked agency extract: children are matched on their pseudonymised ids
  (UPN, ULN, NHS number or local id), and the most serious status wins (looked after, then a child
  protection plan, then child in need).
"""


def title(text: str) -> str:
    return text[:1].upper() + text[1:]


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower())


def pct(x: float) -> str:
    return "" if pd.isna(x) else f"{x:.1f}%"


def interval(low: float, high: float) -> str:
    return "" if pd.isna(low) else f"{low:.1f}% to {high:.1f}%"


def controls(framework: Framework, ratings: pd.DataFrame, answers: pd.DataFrame) -> tuple[str, str]:
    periods = sorted(set(ratings["period"]) | set(answers["period"]), reverse=True)
    cols = st.columns(2)
    period = cols[0].selectbox(
        "Review year",
        periods,
        key="outcomes.period",
        help="Annual reviews held in this academic year (September to August).",
    )
    agency = ""
    if framework.agencies and not ratings.empty:
        agency = cols[1].selectbox(
            "Ratings recorded by",
            ["", *framework.agencies],
            key="outcomes.agency",
            format_func=lambda a: a or "Every agency (each rating counts)",
        )
    return period, agency


def coverage(ratings: pd.DataFrame, answers: pd.DataFrame, period: str, area: str) -> None:
    when = latest_period("ehc_plans", area)
    plans = value("ehc_plans", area, when) if when else None
    words = describe_period(when, indicators.get("ehc_plans")) if when else ""
    cov = oc.coverage(ratings, answers, period, plans)
    st.info(
        cov.sentence(period, words)
        + " A small share of children is not the whole picture: read the "
        "figures below as what these reviews say.",
        icon=":material/groups:",
    )


def headline(framework: Framework, ratings: pd.DataFrame, answers: pd.DataFrame) -> None:
    tiles = []
    if not ratings.empty:
        s = oc.progress_summary(ratings, []).iloc[0]
        tiles += [
            (
                "Ratings making progress",
                s.making_progress_pct,
                s.making_progress_low,
                s.making_progress_high,
                f"{int(s.making_progress):,} of {int(s.ratings):,} ratings",
            ),
            (
                "Outcomes achieved or exceeded",
                s.achieved_pct,
                s.achieved_low,
                s.achieved_high,
                f"{int(s.achieved):,} of {int(s.ratings):,} ratings",
            ),
        ]
    if not answers.empty:
        v = oc.voice_summary(answers, []).iloc[0]
        tiles.append(
            (
                "Positive pupil voice answers",
                v.positive_pct,
                v.positive_low,
                v.positive_high,
                f"{int(v.positive):,} of {int(v.answers):,} answers",
            )
        )
    for col, (label, share, low, high, counts) in zip(st.columns(max(len(tiles), 1)), tiles):
        glossed.metric(
            label, pct(share), help=f"{counts}; 95% interval {interval(low, high)}.", where=col
        )
        glossed.caption(f"{counts}. 95% interval {interval(low, high)}.", where=col)


def outcome_ratings(key: str, framework: Framework, ratings: pd.DataFrame, domain: str) -> None:
    part = ratings[ratings["domain"] == domain]
    if part.empty or framework.scale is None:
        return
    statements = {o.id: o.statement for o in framework.outcomes} | {
        "": "Other outcomes recorded in this domain"
    }
    part = part.assign(label=part["outcome"].map(statements).map(ch.wrap))
    rows = [
        ch.wrap(s) for s in statements.values() if ch.wrap(s) in set(part["label"])
    ]  # the framework's order
    dist = oc.distribution(part, framework, by="label")
    short = {lv.label: lv.short for lv in framework.scale.levels}
    dist["level"] = dist["level"].map(short)
    chart = ch.stacked(
        dist, "label", "level", list(short.values()), ch.level_colours(framework), "ratings", rows
    )
    summary = oc.progress_summary(part, ["label"]).set_index("label").loc[rows].reset_index()
    table = pd.DataFrame(
        {
            "Outcome": summary["label"].str.replace("\n", " "),
            "Ratings": summary["ratings"],
            "Children": summary["children"],
            "Making progress": summary["making_progress_pct"].map(pct),
            "Making progress, 95% interval": [
                interval(a, b)
                for a, b in zip(summary.making_progress_low, summary.making_progress_high)
            ],
            "Achieved or exceeded": summary["achieved_pct"].map(pct),
            "Achieved, 95% interval": [
                interval(a, b) for a, b in zip(summary.achieved_low, summary.achieved_high)
            ],
        }
    )
    counts = dist.pivot_table(index="label", columns="code", values="count", sort=False).reindex(
        summary["label"]
    )
    levels = framework.scale.levels
    counts = (
        counts[[lv.code for lv in levels]].astype(int).set_axis([lv.label for lv in levels], axis=1)
    )
    table = pd.concat([table, counts.reset_index(drop=True)], axis=1)
    visual.show(
        key,
        "Progress on each outcome at the annual review",
        chart,
        table,
        [],
        note=f"Ratings on the framework's scale, best first. Making progress: "
        f"{', '.join(lv.label for lv in framework.scale.levels if lv.code in framework.scale.making_progress)}.",
    )


def outcome_voice(key: str, framework: Framework, answers: pd.DataFrame) -> None:
    """For a framework without a progress scale (Bradford's): each outcome's positive answers,
    pooled over the questions that evidence it."""
    linked = answers[answers["outcome"].astype("string").fillna("") != ""]
    if linked.empty:
        return
    summary = oc.voice_summary(linked, ["outcome"])
    order = [o.id for o in framework.outcomes if o.id in set(summary["outcome"])]
    summary = summary.set_index("outcome").loc[order].reset_index()
    summary["label"] = summary["outcome"].map(lambda o: ch.wrap(framework.outcome(o).statement))
    chart = ch.shares(summary, "label", "positive", "Per cent of positive answers")
    table = pd.DataFrame(
        {
            "Outcome": summary["outcome"].map(lambda o: framework.outcome(o).statement),
            "Answers counted": summary["answers"],
            "Children": summary["children"],
            "Positive": summary["positive_pct"].map(pct),
            "95% interval": [
                interval(a, b) for a, b in zip(summary.positive_low, summary.positive_high)
            ],
        }
    )
    visual.show(
        key,
        "How each outcome is going: positive answers to its questions",
        chart,
        table,
        [],
        note="The framework has no progress scale: each outcome is read from the answers to the questions "
        "that belong to it, all answers together, with a 95% interval.",
    )


def voice(key: str, framework: Framework, answers: pd.DataFrame, heading: str) -> None:
    if answers.empty:
        return
    asked = [q for q in framework.questions if q.id in set(answers["question"])]
    dist = oc.answer_distribution(answers, framework)
    texts = {q.id: ch.wrap(q.text) for q in framework.questions}
    dist["label"] = dist["question"].map(texts)
    order, colours = ch.answer_order(asked)
    chart = ch.stacked(
        dist, "label", "answer", order, colours, "answers", [texts[q.id] for q in asked]
    )
    summary = oc.voice_summary(answers, ["question"])
    table = pd.DataFrame(
        {
            "Question": summary["question"].map(lambda q: framework.question(q).text),
            "Outcome": summary["question"].map(
                lambda q: (
                    framework.outcome(framework.question(q).outcome).statement
                    if framework.question(q).outcome
                    else ""
                )
            ),
            "Answers counted": summary["answers"],
            "Positive": summary["positive_pct"].map(pct),
            "Positive, 95% interval": [
                interval(a, b) for a, b in zip(summary.positive_low, summary.positive_high)
            ],
            "Left out (not counted)": summary["not_counted"],
        }
    )
    positive = [o for o in order if any(o in q.positive for q in asked)]
    left_out = [o for o in order if any(o in q.not_counted for q in asked)]
    visual.show(
        key,
        heading,
        chart,
        table,
        [],
        note="Each child's answer at their review. Counted as positive: "
        + " or ".join(positive)
        + " (where the question offers it)."
        + (f" {' and '.join(left_out)} is shown but left out of the share." if left_out else ""),
    )


def national_domains() -> list[str]:
    """The domains with published national indicators."""
    return list(oi.NATIONAL_INDICATORS)


def national_of(domain: str, area: str) -> None:
    """A domain's national indicators beside the region and England (public data only, so
    ``ui.warm_pages`` can draw them ahead of a visit)."""
    national(f"outcomes.{slug(domain)}.national", domain, area)


def national(key: str, domain: str, area: str) -> None:
    ids = list(oi.NATIONAL_INDICATORS.get(domain, ()))
    frame = latest_side_by_side(tuple(ids), area) if ids else pd.DataFrame()
    if frame.empty:
        glossed.caption(oi.NOTES.get(domain, ""))
        return
    names = area_names()
    roles = comparators(area)
    units = frame["indicator"].map(lambda i: indicators.get(i).unit)
    table = pd.DataFrame({"Indicator": frame["title"], "Period": frame["period"]})
    for role in ("area", "region", "England"):
        if role in roles:
            table[names.get(roles[role], role)] = [
                format_value(v, u) for v, u in zip(frame[role], units)
            ]
    percent = frame[units == "%"]
    long = percent.melt(
        id_vars=["indicator", "title"],
        value_vars=[r for r in ("area", "region", "England") if r in roles],
        var_name="role",
        value_name="value",
    )
    long["name"] = long["role"].map(lambda r: names.get(roles[r], r))
    long["title"] = long["title"].map(lambda t: ch.wrap(t, 34))
    colours = {names.get(roles[r], r): charts.ROLE_COLOURS[r] for r in roles}
    visual.show(
        key,
        "National outcome indicators",
        lambda: ch.indicator_dots(long, colours) if not long.empty else None,
        table,
        list(frame["indicator"]),
        area,
        note="The latest published figures, beside the region and England. The chart shows the "
        "percentages; the table has every indicator (Attainment 8 is a score). " + oi.NOTES[domain],
        public=(domain, area),
    )


def survey_slot(slot: oi.SurveySlot, area: str) -> None:
    rows = local.local_table(area)
    questions = oi.survey_questions(rows)
    if not questions:
        glossed.subheader(md(slot.title))
        glossed.caption(
            "From a local survey: none is loaded. Upload one on the Data page (kind: Survey results), "
            "or load the example data."
        )
        return
    asked = local.local_survey_questions()
    figure = st.container()  # drawn after the choice below is made, but shown above it
    with st.expander("Which survey question and answers?"):
        suggested = oi.suggest_question(questions, slot)
        options = ["", *questions]
        question = st.selectbox(
            "Survey question",
            options,
            index=options.index(suggested or ""),
            key=f"outcomes.survey.{slot.key}",
            format_func=lambda q: oi.question_words(q, asked) if q else "(none)",
        )
        answers = oi.survey_answers(rows, question) if question else []
        positive = st.multiselect(
            "Answers that count as positive",
            answers,
            default=oi.default_positive(answers),
            key=f"outcomes.survey.{slot.key}.positive.{question}",
        )
    share = oi.survey_share(rows, question, positive, area) if question else pd.DataFrame()
    table = share.rename(
        columns={
            "period": "Period",
            "positive": "Positive answers",
            "respondents": "Respondents",
            "pct": "Per cent",
            "low": "95% interval from",
            "high": "to",
        }
    )
    chart = (
        ch.over_time(
            share.rename(columns={"pct": "s_pct", "low": "s_low", "high": "s_high"}),
            "s",
            "Per cent answering positively",
        )
        if not share.empty
        else None
    )
    with figure:
        visual.show(
            f"outcomes.survey_view.{slot.key}",
            slot.title,
            chart,
            table,
            [],
            note="From the area's own survey, with 95% intervals. Counted as positive: "
            + (", ".join(positive) or "nothing chosen yet")
            + ".",
        )


def domain_section(
    framework: Framework, domain: str, ratings: pd.DataFrame, answers: pd.DataFrame, area: str
) -> None:
    glossed.header(md(title(domain)))
    outcome_ratings(f"outcomes.{slug(domain)}.ratings", framework, ratings, domain)
    if framework.scale is None:
        outcome_voice(
            f"outcomes.{slug(domain)}.outcomes", framework, answers[answers["domain"] == domain]
        )
    voice(
        f"outcomes.{slug(domain)}.voice",
        framework,
        answers[answers["domain"] == domain],
        "What children and young people said",
    )
    anything = not (ratings.empty and answers.empty)
    if (
        anything
        and ratings[ratings["domain"] == domain].empty
        and answers[answers["domain"] == domain].empty
    ):
        glossed.caption("No ratings or answers for this domain in this year.")
    # National indicators and the local survey side by side where there are both.
    slots = [slot for slot in oi.SURVEY_SLOTS if slot.domain == domain]
    both = bool(slots and oi.NATIONAL_INDICATORS.get(domain))
    beside = st.columns(2, gap="large") if both else [st.container(), st.container()]
    with beside[0]:
        national_of(domain, area)
    with beside[1]:
        for slot in slots:
            survey_slot(slot, area)


def breakdown(
    framework: Framework,
    ratings: pd.DataFrame,
    answers: pd.DataFrame,
    cohort: pd.DataFrame | None,
    names: dict[str, str],
) -> None:
    glossed.header("For whom is it working?")
    voice_only = ratings.empty
    frame = answers[answers["counted"].astype(bool)] if voice_only else ratings
    dims = [
        d
        for d in oc.BREAKDOWNS
        if (d == "social_care" and cohort is not None)
        or (
            d not in ("social_care",)
            and d in frame.columns
            and frame[d].replace("", pd.NA).notna().any()
        )
    ]
    cols = st.columns(2)
    dim = str(
        cols[0].selectbox(
            "Break down by", dims, format_func=lambda d: oc.BREAKDOWNS[d], key="outcomes.breakdown"
        )
    )
    scopes = {
        "": "All outcomes",
        **{f"d:{d}": title(d) for d in framework.domains},
        **{f"o:{o.id}": o.statement for o in framework.outcomes},
    }
    scope = str(
        cols[1].selectbox(
            "Which outcomes",
            list(scopes),
            format_func=lambda s: scopes[s],
            key="outcomes.breakdown.scope",
        )
    )
    if scope.startswith("d:"):
        frame = frame[frame["domain"] == scope[2:]]
    elif scope.startswith("o:"):
        frame = frame[frame["outcome"] == scope[2:]]
    if frame.empty:
        glossed.caption("Nothing recorded for these outcomes in this year.")
        return
    grouped = oc.with_group(frame, dim, cohort)
    summary = (
        oc.voice_summary(grouped, ["group"])
        if voice_only
        else oc.progress_summary(grouped, ["group"])
    )
    prefix, count = ("positive", "answers") if voice_only else ("making_progress", "ratings")
    summary["label"] = (
        summary["group"].map(lambda g: f"{names[g]} ({g})" if g in names else g).map(ch.wrap)
    )
    summary = summary.sort_values(f"{prefix}_pct", ascending=False)
    overall = 100 * summary[prefix].sum() / summary[count].sum()
    what = "positive answers" if voice_only else "ratings making progress"
    chart = ch.shares(summary, "label", prefix, f"Per cent of {what}", overall)
    table = pd.DataFrame(
        {
            oc.BREAKDOWNS[dim]: summary["label"].str.replace("\n", " "),
            title(count): summary[count],
            "Children": summary["children"],
            title(what): summary[f"{prefix}_pct"].map(pct),
            "95% interval": [
                interval(a, b) for a, b in zip(summary[f"{prefix}_low"], summary[f"{prefix}_high"])
            ],
            "Note": summary[count].map(
                lambda n: f"fewer than {FEW}: treat with care" if n < FEW else ""
            ),
        }
    )
    visual.show(
        "outcomes.breakdown_view",
        f"Share of {what}, by {oc.BREAKDOWNS[dim].lower()}",
        chart,
        table,
        [],
        note=f"Each group with its 95% interval; the dashed line is everyone ({overall:.1f}%). Groups whose "
        "intervals do not overlap the line differ from the whole more than chance would explain."
        + (" A young person on two pathways counts in both." if dim == "pathway" else ""),
    )


def trend(framework: Framework, returns: pd.DataFrame, agency: str) -> None:
    glossed.header("Is it improving?")
    words: dict[oc.Period, str] = {"year": "Year by year", "term": "Term by term"}
    by = st.radio(
        "Compare",
        list(words),
        key="outcomes.trend.by",
        horizontal=True,
        format_func=lambda b: words[b],
    )
    ratings = oc.prepare_ratings(framework, returns, by)
    if agency:
        ratings = ratings[ratings["agency"] == agency]
    if ratings.empty:
        answers = oc.prepare_answers(framework, returns, by)
        summary, prefix, count, what = (
            oc.voice_summary(answers, ["period"]),
            "positive",
            "answers",
            "positive answers",
        )
    else:
        summary, prefix, count, what = (
            oc.progress_summary(ratings, ["period"]),
            "making_progress",
            "ratings",
            "ratings making progress",
        )
    if summary.empty:
        return
    test = oc.change_test(summary[prefix].tolist(), summary[count].tolist())
    table = pd.DataFrame(
        {
            "Period": summary["period"],
            title(count): summary[count],
            title(what): summary[prefix],
            "Per cent": summary[f"{prefix}_pct"].map(pct),
            "95% interval": [
                interval(a, b) for a, b in zip(summary[f"{prefix}_low"], summary[f"{prefix}_high"])
            ],
        }
    )
    visual.show(
        "outcomes.trend_view",
        f"Share of {what} over time",
        ch.over_time(summary, prefix, "Per cent"),
        table,
        [],
        note=test.words(f"the share of {what}"),
    )


def workshop(framework: Framework, ratings: pd.DataFrame, answers: pd.DataFrame) -> None:
    glossed.caption(
        "Numbers are rounded to the nearest 5. Groups of fewer than 30 children are not shown and small "
        "numbers are hidden, so that nobody can be recognised."
    )
    bands = (
        dict(zip(oc.BANDS, (framework.scale.bands[b] for b in oc.BANDS))) if framework.scale else {}
    )
    voice_names = {"positive": "A positive answer", "other": "Another answer"}
    for domain in framework.domains:
        glossed.header(md(title(domain)))
        words = {o.id: ch.wrap(o.words, 40) for o in framework.outcomes}
        part = ratings[(ratings["domain"] == domain) & (ratings["outcome"] != "")]
        if not part.empty:
            safe = oc.safe_bands(
                oc.rating_bands(part.assign(outcome=part["outcome"].map(words))),
                "outcome",
                oc.BANDS,
            )
            rows = [w for w in words.values() if w in set(safe["outcome"])]
            _workshop_show(
                f"outcomes.workshop.{slug(domain)}",
                "How children and young people are getting on",
                safe,
                "outcome",
                {**bands, oc.HIDDEN: "Small numbers hidden"},
                rows,
            )
        said = answers[answers["domain"] == domain]
        if not said.empty:
            # Without a scale the outcome statements are the bars (answers to their questions
            # together); with one, the questions are statements of their own.
            texts = (
                {o.id: ch.wrap(o.words, 40) for o in framework.outcomes}
                if framework.scale is None
                else {q.id: ch.wrap(q.text, 40) for q in framework.questions}
            )
            said = said.assign(
                question=(said["outcome"] if framework.scale is None else said["question"]).map(
                    texts
                )
            )
            safe = oc.safe_bands(
                oc.voice_bands(said.dropna(subset=["question"])), "question", oc.VOICE_BANDS
            )
            rows = [t for t in texts.values() if t in set(safe["question"])]
            _workshop_show(
                f"outcomes.workshop_voice.{slug(domain)}",
                "What children and young people told us",
                safe,
                "question",
                {**voice_names, oc.HIDDEN: "Small numbers hidden"},
                rows,
            )
        if part.empty and said.empty:
            glossed.caption("Nothing recorded for this yet.")


def _workshop_show(
    key: str, heading: str, safe: pd.DataFrame, label: str, names: dict[str, str], rows: list[str]
) -> None:
    table = safe.assign(
        **{label: safe[label].str.replace("\n", " "), "band": safe["band"].map(names)}
    )
    table = table.rename(
        columns={
            label: "Statement",
            "band": "Answer" if label == "question" else "How it is going",
            "count": "Number (rounded)",
            "pct": "Per cent",
            "total": "Total (rounded)",
        }
    )
    table["Per cent"] = table["Per cent"].round(0)
    table["too_few"] = table["too_few"].map({True: "Too few to show", False: ""})
    visual.show(
        key,
        heading,
        ch.workshop_bars(safe, label, names, rows),
        table.rename(columns={"too_few": "Note"}),
        [],
    )
