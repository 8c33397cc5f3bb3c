"""Charts of the program as it runs: who is in the cohort (intake), the proposed pairs (pairing), and pair health,
meetings and pulse (check-ins). Each takes the tidy frame rmkit computes and returns an ``alt.Chart``."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .theme import PALETTE, ROLE_COLORS, STATUS_COLORS

__all__ = [
    "composition_chart",
    "tenure_chart",
    "supply_demand_chart",
    "score_distribution_chart",
    "strategy_comparison_chart",
    "health_chart",
    "timeline_chart",
    "pulse_trend_chart",
]


# --------------------------------------------------------------------------------------------- intake


def composition_chart(counts: pd.DataFrame, *, title: str = "Who is in the cohort") -> alt.Chart:
    """Bars of people per value of an attribute, by role.

    ``counts`` columns: ``attribute`` (e.g. department, generation), ``value``, ``role``, ``n``.
    """
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            y=alt.Y("value:N", title=None, sort="-x"),
            x=alt.X("n:Q", title="people", stack="zero"),
            color=alt.Color("role:N", scale=alt.Scale(domain=list(ROLE_COLORS), range=list(ROLE_COLORS.values())), title="role"),
            tooltip=["attribute", "value", "role", "n"],
        )
        .properties(width=420, height=alt.Step(26))
        .facet(row=alt.Row("attribute:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")), title=title)
        .resolve_scale(y="independent")
    )


def tenure_chart(people: pd.DataFrame, *, title: str = "Years with the organisation") -> alt.Chart:
    """Distribution of tenure by role. ``people`` columns: ``role``, ``tenure_years`` (no names needed)."""
    return (
        alt.Chart(people.dropna(subset=["tenure_years"]), title=title)
        .mark_bar(opacity=0.85)
        .encode(
            x=alt.X("tenure_years:Q", bin=alt.Bin(step=2), title="years"),
            y=alt.Y("count():Q", title="people", stack=None),
            color=alt.Color("role:N", scale=alt.Scale(domain=list(ROLE_COLORS), range=list(ROLE_COLORS.values()))),
        )
        .properties(width=560, height=260)
    )


def supply_demand_chart(table: pd.DataFrame, *, title: str = "Skills wanted and offered") -> alt.Chart:
    """Demand (people who want a skill) against supply (people who offer it), in both directions.

    ``table`` columns: ``skill``, ``direction`` (which side wants / which side offers), ``wanted_by``, ``offered_by``.
    """
    long = table.melt(id_vars=["skill", "direction"], value_vars=["wanted_by", "offered_by"], var_name="side", value_name="people")
    long["side"] = long["side"].map({"wanted_by": "wanted by", "offered_by": "offered by"})
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("skill:N", sort=alt.EncodingSortField("people", op="max", order="descending"), title=None),
            x=alt.X("people:Q", title="people"),
            yOffset=alt.YOffset("side:N", sort=["wanted by", "offered by"]),
            color=alt.Color("side:N", scale=alt.Scale(domain=["wanted by", "offered by"], range=["#D55E00", "#0072B2"]), title=None),
            tooltip=["direction", "skill", "side", "people"],
        )
        .properties(width=420, height=alt.Step(14))
        .facet(row=alt.Row("direction:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold")), title=title)
        .resolve_scale(y="independent")
    )


# --------------------------------------------------------------------------------------------- pairing


def score_distribution_chart(pairs: pd.DataFrame, *, threshold: float | None = None, title: str = "Compatibility of the proposed pairs") -> alt.LayerChart | alt.Chart:
    """Histogram of pair scores (``pairs`` column ``score`` in 0–1), with the review threshold as a rule."""
    bars = (
        alt.Chart(pairs, title=title)
        .mark_bar(color=PALETTE[0])
        .encode(x=alt.X("score:Q", bin=alt.Bin(extent=[0, 1], step=0.05), title="compatibility score"),
                y=alt.Y("count():Q", title="pairs"))
        .properties(width=560, height=260)
    )
    if threshold is None:
        return bars
    rule = alt.Chart(pd.DataFrame({"threshold": [threshold]})).mark_rule(color=STATUS_COLORS["at risk"], strokeDash=[6, 4], strokeWidth=3).encode(x="threshold:Q")
    return bars + rule


def strategy_comparison_chart(comparison: pd.DataFrame, *, title: str = "Pairing strategies compared") -> alt.Chart:
    """Mean and worst pair score per strategy. ``comparison`` columns: ``strategy``, ``mean``, ``worst``, ``matched``."""
    long = comparison.melt(id_vars=["strategy", "matched"], value_vars=["mean", "worst"], var_name="measure", value_name="score")
    return (
        alt.Chart(long, title=title)
        .mark_bar()
        .encode(
            x=alt.X("score:Q", scale=alt.Scale(domain=[0, 1]), title="compatibility"),
            y=alt.Y("strategy:N", title=None),
            yOffset="measure:N",
            color=alt.Color("measure:N", title=None, scale=alt.Scale(domain=["mean", "worst"], range=[PALETTE[0], PALETTE[3]])),
            tooltip=["strategy", "measure", alt.Tooltip("score:Q", format=".2f"), "matched"],
        )
        .properties(width=480, height=alt.Step(22))
    )


# --------------------------------------------------------------------------------------------- check-ins


def health_chart(counts: pd.DataFrame, *, title: str = "Pair health") -> alt.Chart:
    """Pairs per status. ``counts`` columns: ``status`` (on track / needs check-in / at risk), ``pairs``."""
    order = list(STATUS_COLORS)
    return (
        alt.Chart(counts, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("status:N", sort=order, title=None),
            x=alt.X("pairs:Q", title="pairs"),
            color=alt.Color("status:N", scale=alt.Scale(domain=order, range=list(STATUS_COLORS.values())), legend=None),
            tooltip=["status", "pairs"],
        )
        .properties(width=480, height=alt.Step(40))
    )


def timeline_chart(meetings: pd.DataFrame, *, title: str = "Meetings and pulse per pair") -> alt.Chart:
    """One row per pair, a point per meeting coloured by pulse, the row labelled by status.

    ``meetings`` columns: ``pair`` (label), ``date``, ``pulse`` (may be empty), ``status``.
    """
    return (
        alt.Chart(meetings, title=title)
        .mark_circle(size=120, stroke="#333333", strokeWidth=0.5)
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("pair:N", title=None, sort=alt.EncodingSortField("status_rank", op="min")),
            color=alt.Color("pulse:Q", scale=alt.Scale(domain=[1, 5], scheme="redyellowgreen"), title="pulse"),
            tooltip=["pair", alt.Tooltip("date:T"), "pulse", "status"],
        )
        .properties(width=620, height=alt.Step(18))
    )


def pulse_trend_chart(pulses: pd.DataFrame, *, title: str = "Average pulse over time") -> alt.LayerChart:
    """Mean pulse per period with its interquartile range. ``pulses`` columns: ``period`` (date), ``mean``, ``low``,
    ``high``, ``n``; with a ``side`` column (``mentor``, ``mentee``, ``pair``), one line per side, so that both sides
    are heard. Month ticks are thinned so that their labels never overlap."""
    months = max(1, pulses["period"].nunique()) if len(pulses) else 1
    step = max(1, -(-months // 6))  # at most ~6 labels across the width
    x = alt.X("period:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount={"interval": "month", "step": step},
                                                   labelOverlap="greedy", labelPadding=6))
    y_scale = alt.Scale(domain=[1, 5])
    if "side" in pulses.columns and pulses["side"].nunique() > 1:
        sides = [s for s in ("mentor", "mentee", "pair") if s in set(pulses["side"])]
        colors = {"mentor": ROLE_COLORS["mentor"], "mentee": ROLE_COLORS["mentee"], "pair": "#555555"}
        color = alt.Color("side:N", title="rated by", scale=alt.Scale(domain=sides, range=[colors[s] for s in sides]))
        base = alt.Chart(pulses, title=title).encode(x=x, color=color)
        band = base.mark_area(opacity=0.15).encode(y=alt.Y("low:Q", scale=y_scale, title="pulse (1–5)"), y2="high:Q")
        line = base.mark_line(point=True).encode(y="mean:Q", tooltip=["side", alt.Tooltip("period:T", format="%b %Y"),
                                                                     alt.Tooltip("mean:Q", format=".2f"), "n"])
        return (band + line).properties(width=560, height=260)
    base = alt.Chart(pulses, title=title).encode(x=x)
    band = base.mark_area(opacity=0.25, color=PALETTE[0]).encode(y=alt.Y("low:Q", scale=y_scale, title="pulse (1–5)"), y2="high:Q")
    line = base.mark_line(point=True, color=PALETTE[0]).encode(y="mean:Q", tooltip=[alt.Tooltip("period:T", format="%b %Y"),
                                                                                   alt.Tooltip("mean:Q", format=".2f"), "n"])
    return (band + line).properties(width=560, height=260)
