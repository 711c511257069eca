"""Charts of the Outcomes page: stacked bars in an ordered colour-blind-safe palette (blues
for progress, oranges for none, grey for hidden or not counted), shares with their 95%
intervals, and the big plain bars of the workshop view."""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from uploads.frameworks import Framework, Question
from uploads.schemas import norm

# ColorBrewer Blues and Oranges: an ordered pair readable with the common colour blindnesses.
BLUES = ["#08306b", "#08519c", "#2171b5", "#4292c6", "#6baed6", "#9ecae1", "#c6dbef"]
ORANGES = ["#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#a63603", "#7f2704"]
GREYS = ["#bdbdbd", "#969696"]
# Okabe-Ito blue, sky blue and orange for the workshop's bands; grey for hidden.
BAND_COLOURS = {
    "achieved": "#0072B2",
    "progress": "#56B4E9",
    "not_yet": "#E69F00",
    "positive": "#0072B2",
    "other": "#E69F00",
    "hidden": "#BBBBBB",
}
INK = "#0b0c0c"  # GOV.UK text colour: axis labels in black, not Vega's light grey
DARK = {"#08306b", "#08519c", "#2171b5", "#0072B2", "#d94801", "#a63603", "#7f2704"}


def wrap(text: str, width: int = 48) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _spread(colours: list[str], n: int) -> list[str]:
    if n <= 0:
        return []
    if n == 1:
        return [colours[len(colours) // 2]]
    return [colours[round(i * (len(colours) - 1) / (n - 1))] for i in range(n)]


def level_colours(framework: Framework) -> list[str]:
    """One colour per level, best first: dark to light blue, then light to dark orange."""
    assert framework.scale is not None
    good = sum(lv.code in framework.scale.making_progress for lv in framework.scale.levels)
    return _spread(BLUES[:6], good) + _spread(ORANGES[1:], len(framework.scale.levels) - good)


def answer_order(questions: list[Question]) -> tuple[list[str], list[str]]:
    """Every answer the questions allow, positive first and "No" last among the counted, with
    a colour each; answers left out of the share (Don't know) and "Other" in grey."""
    options = list(dict.fromkeys(o for q in questions for o in q.options))
    positive = [o for o in options if any(o in q.positive for q in questions)]
    neutral = [
        o
        for o in options
        if o not in positive and (norm(o) == "other" or any(o in q.not_counted for q in questions))
    ]
    negative = sorted(
        (o for o in options if o not in positive and o not in neutral),
        key=lambda o: norm(o) == "no",
    )
    order = positive + negative + neutral
    colours = (
        _spread(BLUES[1:5], len(positive))
        + _spread(ORANGES[1:], len(negative))
        + _spread(GREYS, len(neutral))
    )
    return order, colours


def _y(field: str, order: list[str], font: int = 12) -> alt.Y:
    # Labels hold line breaks; split them so a long statement reads in full over a few lines.
    return alt.Y(
        f"{field}:N",
        sort=order,
        title=None,
        axis=alt.Axis(
            labelExpr="split(datum.label, '\\n')",
            labelLimit=0,
            labelFontSize=font,
            labelPadding=8,
            labelColor=INK,
            labelOverlap=False,
        ),
    )


def stacked(
    frame: pd.DataFrame,
    label: str,
    part: str,
    order: list[str],
    colours: list[str],
    what: str,
    rows: list[str] | None = None,
    height_step: int = 56,
) -> alt.Chart:
    """Horizontal 100% bars: one per ``label`` (in ``rows`` order), split by ``part`` in ``order``."""
    data = frame.assign(rank=frame[part].map({p: i for i, p in enumerate(order)}))
    rows = rows or list(dict.fromkeys(data[label]))
    return (
        alt.Chart(data)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            y=_y(label, rows),
            x=alt.X(
                "pct:Q",
                stack="zero",
                title=f"Per cent of {what}",
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(labelColor=INK, titleColor=INK),
            ),
            color=alt.Color(
                f"{part}:N",
                scale=alt.Scale(domain=order, range=colours),
                sort=order,
                title=None,
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=400, labelColor=INK),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip(f"{part}:N", title="Answer" if what == "answers" else "Level"),
                alt.Tooltip("count:Q", title="Number", format=",.0f"),
                alt.Tooltip("pct:Q", title="Per cent", format=".1f"),
            ],
        )
        .properties(height=alt.Step(height_step))
    )


def shares(
    frame: pd.DataFrame, label: str, prefix: str, title: str, overall: float | None = None
) -> alt.LayerChart:
    """A share per group as a point with its 95% interval as a line; the overall share dashed."""
    data = frame[frame[f"{prefix}_pct"].notna()]
    order = list(dict.fromkeys(data[label]))
    base = alt.Chart(data).encode(y=_y(label, order))
    bars = base.mark_rule(strokeWidth=2, color="#0072B2").encode(
        x=alt.X(
            f"{prefix}_low:Q",
            title=title,
            scale=alt.Scale(domain=[0, 100]),
            axis=alt.Axis(labelColor=INK, titleColor=INK),
        ),
        x2=f"{prefix}_high:Q",
    )
    points = base.mark_point(filled=True, size=90, color="#0072B2").encode(
        x=f"{prefix}_pct:Q",
        tooltip=[
            alt.Tooltip(f"{label}:N", title=" "),
            alt.Tooltip(f"{prefix}_pct:Q", title="Per cent", format=".1f"),
            alt.Tooltip(f"{prefix}_low:Q", title="95% interval from", format=".1f"),
            alt.Tooltip(f"{prefix}_high:Q", title="to", format=".1f"),
        ],
    )
    layers = [bars, points]
    if overall is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"x": [overall]}))
            .mark_rule(strokeDash=[6, 4], color="#000000")
            .encode(x="x:Q")
        )
    return alt.layer(*layers).properties(height=alt.Step(48))


def over_time(frame: pd.DataFrame, prefix: str, title: str) -> alt.LayerChart:
    """A share by period with its 95% interval."""
    base = alt.Chart(frame).encode(
        x=alt.X("period:O", title=None, sort=None, axis=alt.Axis(labelAngle=0, labelColor=INK))
    )
    return alt.layer(
        base.mark_rule(strokeWidth=2, color="#0072B2").encode(
            y=alt.Y(
                f"{prefix}_low:Q",
                title=title,
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(labelColor=INK, titleColor=INK),
            ),
            y2=f"{prefix}_high:Q",
        ),
        base.mark_line(color="#0072B2", strokeWidth=3).encode(y=f"{prefix}_pct:Q"),
        base.mark_point(filled=True, size=90, color="#0072B2").encode(
            y=f"{prefix}_pct:Q",
            tooltip=[
                alt.Tooltip("period:O", title="Period"),
                alt.Tooltip(f"{prefix}_pct:Q", title="Per cent", format=".1f"),
            ],
        ),
    ).properties(height=300)


def workshop_bars(
    frame: pd.DataFrame, label: str, names: dict[str, str], rows: list[str]
) -> alt.LayerChart:
    """Big plain bars: the bands and any "hidden", a whole-number percentage written on each."""
    present = [b for b in names if b != "hidden" or (frame["band"] == "hidden").any()]
    order, colours = [names[b] for b in present], [BAND_COLOURS[b] for b in present]
    colour_of = dict(zip(present, colours))
    data = frame.assign(
        band_name=frame["band"].map(names),
        rank=frame["band"].map({b: i for i, b in enumerate(names)}),
    )
    data = data.sort_values([label, "rank"], kind="stable")
    # Segments laid end to end by hand, so each percentage sits in the middle of its own.
    data["end"] = data.groupby(label, sort=False)["pct"].transform(lambda p: p.fillna(0).cumsum())
    data["start"] = data["end"] - data["pct"].fillna(0)
    data["mid"] = (data["start"] + data["end"]) / 2
    data["text"] = data["pct"].map(lambda p: f"{p:.0f}%" if pd.notna(p) and p >= 8 else "")
    data["ink"] = data["band"].map(lambda b: "white" if colour_of[b] in DARK else "black")
    shown = data[~data["too_few"] & data["pct"].notna()]
    base = alt.Chart(shown).encode(y=_y(label, rows, font=16))
    bars = base.mark_bar(stroke="white", strokeWidth=1).encode(
        x=alt.X("start:Q", title=None, scale=alt.Scale(domain=[0, 100]), axis=None),
        x2="end:Q",
        color=alt.Color(
            "band_name:N",
            scale=alt.Scale(domain=order, range=colours),
            sort=order,
            title=None,
            legend=alt.Legend(
                orient="bottom",
                labelFontSize=16,
                symbolSize=300,
                columns=2,
                labelLimit=500,
                labelColor=INK,
            ),
        ),
        tooltip=[
            alt.Tooltip("band_name:N", title=" "),
            alt.Tooltip("pct:Q", title="Per cent", format=".0f"),
        ],
    )
    text = base.mark_text(fontSize=18, fontWeight="bold").encode(
        x="mid:Q", text="text:N", color=alt.Color("ink:N", scale=None)
    )
    few = data[data["too_few"]].drop_duplicates(label).assign(x=1, note="Too few to show")
    note = (
        alt.Chart(few)
        .mark_text(align="left", fontSize=16, color="#333333")
        .encode(y=_y(label, rows, font=16), x="x:Q", text="note:N")
    )
    return alt.layer(bars, text, note).properties(height=alt.Step(96))


def indicator_dots(frame: pd.DataFrame, colours: dict[str, str]) -> alt.Chart:
    """Per cent indicators for the area, its region and England as points on one scale:
    reads in a narrow column, where side-by-side bars would not."""
    names = list(dict.fromkeys(frame["name"]))
    rows = list(dict.fromkeys(frame["title"]))
    return (
        alt.Chart(frame[frame["value"].notna()])
        .mark_point(filled=True, size=140, opacity=0.9)
        .encode(
            y=_y("title", rows),
            x=alt.X(
                "value:Q",
                title="Per cent",
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(labelColor=INK, titleColor=INK),
            ),
            color=alt.Color(
                "name:N",
                scale=alt.Scale(domain=names, range=[colours[n] for n in names]),
                title=None,
                legend=alt.Legend(orient="bottom", labelColor=INK),
            ),
            shape=alt.Shape(
                "name:N",
                scale=alt.Scale(domain=names, range=["circle", "square", "diamond"]),
                title=None,
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Area"),
                alt.Tooltip("title:N", title="Indicator"),
                alt.Tooltip("value:Q", title="Per cent", format=".1f"),
            ],
        )
        .properties(height=alt.Step(56))
    )
