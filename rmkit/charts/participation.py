"""Charts of the program as it runs: who is in the cohort (intake), the proposed pairs (pairing), and pair health,
meetings and pulse (check-ins). Each takes the tidy frame rmkit computes and returns an ``alt.Chart``."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .limits import MAX_ROWS, count_bins, with_note
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


COMPOSITION_VALUES = 15  # bars per attribute; beyond, the smallest values are summed as "other"
SKILLS_SHOWN = 25  # skills per direction; beyond, the least wanted are left out (they are in the table)


def composition_chart(counts: pd.DataFrame, *, title: str = "Who is in the cohort",
                      max_values: int = COMPOSITION_VALUES) -> alt.FacetChart | alt.VConcatChart:
    """Bars of people per value of an attribute, by role.

    ``counts`` columns: ``attribute`` (e.g. department, generation), ``value``, ``role``, ``n``. An attribute with
    more than ``max_values`` values (a large organisation's locations) shows its ``max_values - 1`` largest and
    sums the others as "other (K values)", and the chart says so under it.
    """
    parts, merged = [], []
    for attribute, rows in counts.groupby("attribute", sort=False):
        totals = rows.groupby("value", sort=False)["n"].sum().sort_values(ascending=False, kind="stable")
        if len(totals) > max_values:
            rest = set(totals.index[max_values - 1:])
            other = rows[rows["value"].isin(rest)].groupby("role", sort=False)["n"].sum().reset_index()
            other.insert(0, "value", f"other ({len(rest)} values)")
            other.insert(0, "attribute", attribute)
            rows = pd.concat([rows[~rows["value"].isin(rest)], other], ignore_index=True)
            merged.append(f"{attribute} ({len(totals):,} values)")
        parts.append(rows)
    data = pd.concat(parts, ignore_index=True) if parts else counts
    chart = (
        alt.Chart(data)
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
    note = (f"The {max_values - 1} largest values of {', '.join(merged)} are shown; the others are summed as "
            "\"other\" (every value is in the composition table).") if merged else ""
    return with_note(chart, note)


def tenure_chart(people: pd.DataFrame, *, title: str = "Years with the organisation") -> alt.Chart:
    """Distribution of tenure by role. ``people`` columns: ``role``, ``tenure_years`` (no names needed).

    The bins (2 years wide) are counted here, so the chart holds one row per bin and role whatever the cohort's
    size."""
    known = people.dropna(subset=["tenure_years"])
    bins = count_bins(known["tenure_years"], step=2, by=known["role"].rename("role"))
    return (
        alt.Chart(bins, title=title)
        .mark_bar(opacity=0.85)
        .encode(
            x=alt.X("bin_start:Q", bin="binned", title="years", axis=alt.Axis(tickMinStep=2)),
            x2="bin_end:Q",
            y=alt.Y("count:Q", title="people", stack=None),
            color=alt.Color("role:N", scale=alt.Scale(domain=list(ROLE_COLORS), range=list(ROLE_COLORS.values()))),
            tooltip=["role", alt.Tooltip("bin_start:Q", title="from (years)"), alt.Tooltip("bin_end:Q", title="to (years)"),
                     alt.Tooltip("count:Q", title="people")],
        )
        .properties(width=560, height=260)
    )


def supply_demand_chart(table: pd.DataFrame, *, title: str = "Skills wanted and offered",
                        max_skills: int = SKILLS_SHOWN) -> alt.FacetChart | alt.VConcatChart:
    """Demand (people who want a skill) against supply (people who offer it), in both directions.

    ``table`` columns: ``skill``, ``direction`` (which side wants / which side offers), ``wanted_by``, ``offered_by``.
    A direction with more than ``max_skills`` skills shows the ``max_skills`` most wanted (then most offered), and
    the chart says so under it.
    """
    kept, cut = [], []
    for direction, rows in table.groupby("direction", sort=False):
        if len(rows) > max_skills:
            cut.append(f"{direction} ({len(rows):,} skills)")
            rows = rows.sort_values(["wanted_by", "offered_by", "skill"], ascending=[False, False, True], kind="stable").head(max_skills)
        kept.append(rows)
    table = pd.concat(kept, ignore_index=True) if kept else table
    long = table.melt(id_vars=["skill", "direction"], value_vars=["wanted_by", "offered_by"], var_name="side", value_name="people")
    long["side"] = long["side"].map({"wanted_by": "wanted by", "offered_by": "offered by"})
    chart = (
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
    note = (f"The {max_skills} most wanted skills of {', '.join(cut)} are shown (every skill is in the skills "
            "table).") if cut else ""
    return with_note(chart, note)


# --------------------------------------------------------------------------------------------- pairing


def score_distribution_chart(pairs: pd.DataFrame, *, threshold: float | None = None, title: str = "Compatibility of the proposed pairs") -> alt.LayerChart | alt.Chart:
    """Histogram of pair scores (``pairs`` column ``score`` in 0–1), with the review threshold as a rule.

    The bins (0.05 wide) are counted here: one row per bin, whatever the number of pairs."""
    bins = count_bins(pairs["score"], step=0.05, start=0, stop=1)
    bars = (
        alt.Chart(bins, title=title)
        .mark_bar(color=PALETTE[0])
        .encode(x=alt.X("bin_start:Q", bin="binned", scale=alt.Scale(domain=[0, 1]), title="compatibility score"),
                x2="bin_end:Q",
                y=alt.Y("count:Q", title="pairs"),
                tooltip=[alt.Tooltip("bin_start:Q", title="from"), alt.Tooltip("bin_end:Q", title="to"),
                         alt.Tooltip("count:Q", title="pairs")])
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


TIMELINE_MAX_PAIRS = 60  # rows of a readable timeline (18 px each: about a screen and a half)


def timeline_chart(meetings: pd.DataFrame, *, title: str = "Meetings and pulse per pair",
                   max_pairs: int = TIMELINE_MAX_PAIRS) -> alt.Chart:
    """One row per pair, a point per meeting coloured by pulse, the row labelled by status.

    ``meetings`` columns: ``pair`` (label), ``date``, ``pulse`` (may be empty), ``status``, ``status_rank``
    (0 = most urgent). A cohort with more than ``max_pairs`` pairs shows its ``max_pairs`` most urgent ones (by
    ``status_rank``, then by label), and says so under the chart; if their meetings are still more than a chart
    can hold, meetings are merged per pair and week (mean pulse), and that is said too.
    """
    frame = meetings
    notes = []
    pairs = frame[["pair", "status_rank"]].groupby("pair", sort=False)["status_rank"].min()
    if len(pairs) > max_pairs:
        kept = pairs.reset_index().sort_values(["status_rank", "pair"], kind="stable")["pair"].head(max_pairs)
        frame = frame[frame["pair"].isin(set(kept))]
        notes.append(f"Showing the {max_pairs} most urgent of {len(pairs):,} pairs (at risk first); "
                     "every pair is in the pair health table.")
    if len(frame) > MAX_ROWS:
        week = pd.to_datetime(frame["date"]).dt.to_period("W").dt.start_time.rename("date")
        frame = (frame.groupby(["pair", week], sort=False)
                 .agg(pulse=("pulse", "mean"), status=("status", "first"), status_rank=("status_rank", "min"))
                 .reset_index())
        notes.append("Meetings of the same week are drawn as one point (their mean pulse).")
    chart = (
        alt.Chart(frame, title=title)
        .mark_circle(size=120, stroke="#333333", strokeWidth=0.5)
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("pair:N", title=None, sort=alt.EncodingSortField("status_rank", op="min")),
            color=alt.Color("pulse:Q", scale=alt.Scale(domain=[1, 5], scheme="redyellowgreen"), title="pulse"),
            tooltip=["pair", alt.Tooltip("date:T"), "pulse", "status"],
        )
        .properties(width=620, height=alt.Step(18))
    )
    return with_note(chart, " ".join(notes), width=620)


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
