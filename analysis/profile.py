"""Shaping the tidy table for the local profile and home pages: an area beside its region
and England, headline figures with their change since last year, and breakdown mixes."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

import indicators
from analysis.disclosure import SmallNumberRule
from geography.areas import ENGLAND, area_names, region_of
from tidy import period_order, period_sort_key

ROLES = ("area", "region", "England")


def comparators(area: str) -> dict[str, str]:
    """Role -> code for an LA, its region and England."""
    out = {"area": area}
    region = region_of(area)
    if region:
        out["region"] = region
    out["England"] = ENGLAND
    return out


def comparison_series(
    table: pd.DataFrame, indicator: str, area: str, breakdown: str = ""
) -> pd.DataFrame:
    """The area, its region and England over time, one row per role and period."""
    roles = comparators(area)
    names = area_names()
    sel = indicators.rows(indicator, list(roles.values()), breakdown, table=table)
    role_of = {code: role for role, code in roles.items()}
    out = sel.assign(
        role=sel["area_code"].map(role_of),
        name=sel["area_code"].map(names),
    )
    out["order"] = period_order(out["period"])
    out = out.sort_values(["order", "role"]).drop(columns="order")
    return out[
        ["period", "role", "name", "area_code", "value", "numerator", "denominator", "status"]
    ]


@dataclass(frozen=True)
class Headline:
    indicator: str
    period: str | None
    value: float | None
    previous_period: str | None
    previous_value: float | None
    england: float | None
    region: float | None
    # Why the area's figure is missing (a tidy status) when it has no period with a value,
    # and why England's is when it has none for the area's period.
    status: str = ""
    england_status: str = ""
    # The area's numerator and denominator behind ``value`` and ``previous_value``.
    counts: tuple[float | None, float | None] = (None, None)
    previous_counts: tuple[float | None, float | None] = (None, None)

    def protected(self, rule: SmallNumberRule, unit: str) -> Headline:
        """For a room (workshop mode): a count of 1 to the rule's threshold hidden, others
        rounded; a share or rate hidden when it rests on a hidden count or too few; the
        change is then worked out from what is shown."""

        def shown(value: float | None, counts: tuple[float | None, float | None]) -> float | None:
            if value is None:
                return None
            if unit == "count":
                return rule.shown_count(value)
            return None if rule.hides_share(*counts) else value

        return replace(
            self,
            value=shown(self.value, self.counts),
            previous_value=shown(self.previous_value, self.previous_counts),
        )

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous_value is None:
            return None
        return self.value - self.previous_value


def headline(table: pd.DataFrame, indicator: str, area: str) -> Headline:
    """Latest value for the area, last year's, and England's and the region's for the same year."""
    period = indicators.latest_period(indicator, area, table=table)
    if period is None:
        return Headline(
            indicator, None, None, None, None, None, None, _status(table, indicator, area)
        )
    prev = indicators.previous_period(indicator, period, table=table)
    roles = comparators(area)

    def val(code: str, p: str | None) -> float | None:
        return indicators.value(indicator, code, p, table=table) if p else None

    series = indicators.series(indicator, area, table=table)  # once for both periods' counts

    def counts(p: str | None) -> tuple[float | None, float | None]:
        own = series[series["period"] == p]
        if own.empty:
            return None, None
        first = own.iloc[0]
        return tuple(  # type: ignore[return-value]
            None if pd.isna(first[c]) else float(first[c]) for c in ("numerator", "denominator")
        )

    england = val(ENGLAND, period)
    return Headline(
        indicator=indicator,
        period=period,
        value=val(area, period),
        previous_period=prev,
        previous_value=val(area, prev),
        england=england,
        region=val(roles["region"], period) if "region" in roles else None,
        england_status="" if england is not None else _status(table, indicator, ENGLAND, period),
        counts=counts(period),
        previous_counts=counts(prev),
    )


def _status(table: pd.DataFrame, indicator: str, area: str, period: str | None = None) -> str:
    """The status of the area's total in ``period`` (else its newest row); "" when none."""
    rows = indicators.series(indicator, area, table=table)
    if period is not None:
        rows = rows[rows["period"] == period]
    return str(rows["status"].iloc[-1]) if not rows.empty else ""


def breakdown_comparison(
    table: pd.DataFrame, indicator: str, area: str, key: str, period: str | None = None
) -> pd.DataFrame:
    """One breakdown (e.g. primary need) for the area, region and England in one period.

    Without a period, the latest period the area has for that breakdown is used.
    """
    roles = comparators(area)
    sel = indicators.rows(indicator, list(roles.values()), None, table=table)
    sel = sel[sel["breakdown"].str.startswith(f"{key}=")]
    if period is None:
        own = sel[(sel["area_code"] == area) & sel["value"].notna()]
        if own.empty:
            return sel.iloc[0:0].assign(role=[], name=[], category=[])
        period = max(own["period"].unique(), key=period_sort_key)
    sel = sel[sel["period"] == period]
    role_of = {code: role for role, code in roles.items()}
    names = area_names()
    return sel.assign(
        role=sel["area_code"].map(role_of),
        name=sel["area_code"].map(names),
        category=sel["breakdown"].str.slice(len(key) + 1),
    ).reset_index(drop=True)


def share_of_total(frame: pd.DataFrame) -> pd.DataFrame:
    """Each category's share of its area's total, as a percentage (for count breakdowns)."""
    totals = frame.groupby("area_code")["value"].transform("sum")
    return frame.assign(share=(frame["value"] / totals * 100).where(totals > 0))


def latest_side_by_side(
    table: pd.DataFrame,
    indicator_ids: list[str],
    area: str,
    rule: SmallNumberRule | None = None,
) -> pd.DataFrame:
    """For several indicators, the area's latest period with the region and England beside it;
    with a rule (workshop mode), the area's figures under it (``Headline.protected``)."""
    out = []
    for ind in indicator_ids:
        h = headline(table, ind, area)
        if h.period is None:
            continue
        if rule is not None:
            h = h.protected(rule, indicators.get(ind).unit)
        out.append(
            {
                "indicator": ind,
                "title": indicators.get(ind).title,
                "period": h.period,
                "area": h.value,
                "region": h.region,
                "England": h.england,
            }
        )
    return pd.DataFrame(out, columns=["indicator", "title", "period", "area", "region", "England"])


def headline_table(table: pd.DataFrame, indicator_ids: list[str], area: str) -> pd.DataFrame:
    """The headline figures as rows: the table alternative to the home page's tiles."""
    return headline_rows([headline(table, ind_id, area) for ind_id in indicator_ids], area)


def headline_rows(headlines: list[Headline], area: str) -> pd.DataFrame:
    """``headline_table`` from headlines already worked out (Home has them for its tiles)."""
    names = area_names()
    rows = []
    for h in headlines:
        ind = indicators.get(h.indicator)
        rows.append(
            {
                "Indicator": ind.title,
                "Unit": ind.unit,
                "Period": h.period,
                names.get(area, area): h.value,
                "Previous period": h.previous_period,
                "Previous value": h.previous_value,
                "Change": h.change,
                "Region": h.region,
                "England": h.england,
            }
        )
    return pd.DataFrame(rows)
