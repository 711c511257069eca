"""The Local profile's Health tab: the council's NHS integrated care board (ICB) and its
children's community health waits by service, beside England."""

from __future__ import annotations

import pandas as pd

import indicators
from analysis import health
from reports.format import describe_period
from ui import charts, glossed, visual
from ui.data import area_names, national_table

ICB_NOTE = (
    "These are NHS figures for the whole ICB, which covers several councils: they describe "
    "the local NHS, not this council alone."
)


def community_waits(area: str) -> None:
    """Share of children waiting over 18 weeks by service, for the area's main ICB and England."""
    icbs = health.icbs_of(area)
    title = "Children's community health services: waits of more than 18 weeks"
    if icbs.empty:
        visual.show("profile.health_waits", title, None, pd.DataFrame(), [health.SHARE], area)
        return
    main = icbs.iloc[0]
    icb_name = main["icb_name"]
    glossed.markdown(f"**{area_names()[area]}** is in **{icb_name}**.")
    if len(icbs) > 1:
        others = ", ".join(
            f"{row.icb_name} (about {row.share:.0%} of its area)"
            for row in icbs.iloc[1:].itertuples()
        )
        glossed.markdown(
            f"It lies in more than one ICB: most of it ({main['share']:.0%} of its area) in "
            f"{icb_name}, the rest in {others}. The figures below are for {icb_name}."
        )
    waits = health.icb_waits(national_table(), main["icb_code"])
    if waits.empty:
        visual.show("profile.health_waits", title, None, pd.DataFrame(), [health.SHARE], area)
        return
    names = {"area": icb_name, "England": "England"}
    frame = waits.assign(name=waits["role"].map(names), value=waits[health.SHARE])
    when = describe_period(str(waits["period"].iloc[0]), indicators.get(health.SHARE))
    chart = charts.grouped_bars(frame, "service", "value", "Per cent waiting more than 18 weeks")
    visual.show(
        "profile.health_waits",
        f"{title}, {when}",
        chart,
        _table(waits, icb_name),
        [health.SHARE, *health.COUNTS],
        area,
        note=ICB_NOTE,
    )


def _table(waits: pd.DataFrame, icb_name: str) -> pd.DataFrame:
    own = waits[waits["role"] == "area"].set_index("service")
    eng = waits[waits["role"] == "England"].set_index("service")
    table = pd.DataFrame(
        {
            f"{icb_name}: waiting": own["chs_cyp_waiting"],
            f"{icb_name}: over 18 weeks": own["chs_cyp_waiting_over_18w"],
            f"{icb_name}: over 52 weeks": own["chs_cyp_waiting_over_52w"],
            f"{icb_name}: % over 18 weeks": own[health.SHARE].round(1),
            "England: waiting": own.index.map(eng["chs_cyp_waiting"]),
            "England: % over 18 weeks": own.index.map(eng[health.SHARE]).round(1),
        }
    )
    return table.rename_axis("Service").reset_index()
