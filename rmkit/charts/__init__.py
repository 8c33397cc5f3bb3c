"""Charts: one function per chart, a tidy DataFrame in, an ``alt.Chart`` out, one registered theme.

The ``rmkit`` theme is made for a projector: large type, strong contrast, a colour-blind-safe palette (Okabe–Ito).
Charts render **offline** everywhere (shared/STACK.md): in the dashboards as interactive ``alt.JupyterChart``
(its JavaScript ships with anywidget, no CDN), elsewhere — papermill runs, reports, JupyterLab — as static SVG made by
vl-convert, so executed notebooks and the HTML report show them with no network. :func:`show` picks the right one.

Altair is imported lazily (it costs ~2 s): importing :mod:`rmkit` never imports it; this module does.

Examples
--------
>>> import pandas as pd
>>> chart = health_chart(pd.DataFrame({"status": ["on track", "at risk"], "pairs": [30, 5]}))
>>> spec = chart.to_dict()
>>> spec["mark"]["type"], spec["encoding"]["y"]["field"]
('bar', 'status')
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from .context import in_dashboard

__all__ = [
    "THEME",
    "PALETTE",
    "STATUS_COLORS",
    "theme_config",
    "show",
    "to_svg",
    "save_svg",
    "in_dashboard",
    "composition_chart",
    "tenure_chart",
    "supply_demand_chart",
    "health_chart",
    "timeline_chart",
    "pulse_trend_chart",
    "score_distribution_chart",
    "strategy_comparison_chart",
    "waves_chart",
    "change_chart",
    "retention_chart",
    "roi_chart",
]

THEME = "rmkit"
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
STATUS_COLORS = {"on track": "#009E73", "needs check-in": "#E69F00", "at risk": "#D55E00"}
ROLE_COLORS = {"mentor": "#0072B2", "mentee": "#E69F00"}
_FONT = "Helvetica Neue, Helvetica, Arial, sans-serif"


def theme_config() -> dict[str, Any]:
    """The ``rmkit`` theme: readable from the back of a workshop room."""
    return {
        "config": {
            "font": _FONT,
            "background": "#ffffff",
            "view": {"continuousWidth": 560, "continuousHeight": 320, "stroke": None},
            "title": {"fontSize": 22, "fontWeight": "bold", "anchor": "start", "color": "#111111", "offset": 12},
            "axis": {
                "labelFontSize": 15, "titleFontSize": 16, "titleFontWeight": "bold", "labelColor": "#222222",
                "titleColor": "#111111", "gridColor": "#d9d9d9", "domainColor": "#444444", "tickColor": "#444444",
                "labelLimit": 260,
            },
            "legend": {"labelFontSize": 15, "titleFontSize": 16, "symbolSize": 180, "labelLimit": 260},
            "header": {"labelFontSize": 16, "titleFontSize": 17},
            "range": {"category": PALETTE},
            "bar": {"cornerRadiusEnd": 2},
            "line": {"strokeWidth": 3},
            "point": {"size": 90, "filled": True},
            "text": {"fontSize": 15},
        }
    }


@alt.theme.register(THEME, enable=True)
def _rmkit_theme() -> alt.theme.ThemeConfig:
    return theme_config()  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------- rendering


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to SVG offline with vl-convert."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict())


def save_svg(chart: alt.TopLevelMixin, path: str | os.PathLike[str]) -> Path:
    """Write a chart as a static SVG file (for reports and slides)."""
    from .tables import atomic_write

    path = Path(path)
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(to_svg(chart))
    return path


_offline_ready = False


def show(chart: alt.TopLevelMixin, *, interactive: bool | None = None) -> Any:
    """Display a chart offline: interactive in a dashboard, static SVG elsewhere (papermill, reports, JupyterLab).

    Returns the displayed object (a ``JupyterChart`` widget or an ``IPython.display.SVG``).
    """
    global _offline_ready
    from IPython.display import SVG, display

    if interactive is None:
        interactive = in_dashboard()
    if interactive:
        if not _offline_ready:
            alt.JupyterChart.enable_offline()
            _offline_ready = True
        widget = alt.JupyterChart(chart)
        display(widget)
        return widget
    svg = SVG(to_svg(chart))
    display(svg)
    return svg


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
    """Mean pulse per period with its range. ``pulses`` columns: ``period`` (date), ``mean``, ``low``, ``high``, ``n``."""
    base = alt.Chart(pulses, title=title).encode(x=alt.X("period:T", title=None))
    band = base.mark_area(opacity=0.25, color=PALETTE[0]).encode(y=alt.Y("low:Q", scale=alt.Scale(domain=[1, 5]), title="pulse (1–5)"), y2="high:Q")
    line = base.mark_line(point=True, color=PALETTE[0]).encode(y="mean:Q", tooltip=[alt.Tooltip("period:T"), alt.Tooltip("mean:Q", format=".2f"), "n"])
    return (band + line).properties(width=560, height=260)


# --------------------------------------------------------------------------------------------- evaluation


def waves_chart(waves: pd.DataFrame, *, wave_order: list[str] | None = None, title: str = "Scales across the survey waves") -> alt.Chart:
    """Value per wave with 95% CIs, one panel per scale.

    ``waves`` columns: ``scale`` (label), ``wave``, ``value``, ``ci_low``, ``ci_high``, ``group``; suppressed rows
    (empty ``value``) are left out of the lines.
    """
    data = waves.dropna(subset=["value"])
    sort = wave_order or list(dict.fromkeys(waves["wave"]))
    panels = list(dict.fromkeys(waves["scale"]))  # in the order given (the instrument's)
    base = alt.Chart(data).encode(x=alt.X("wave:N", sort=sort, title=None, axis=alt.Axis(labelAngle=0)),
                                  color=alt.Color("group:N", title=None))
    lines = base.mark_line(point=True).encode(y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
                                             tooltip=["scale", "group", "wave", alt.Tooltip("value:Q", format=".2f"), "n"])
    bars = base.mark_errorbar(thickness=2).encode(y="ci_low:Q", y2="ci_high:Q")
    return (
        alt.layer(bars, lines, data=data)
        .properties(width=220, height=180)
        .facet(facet=alt.Facet("scale:N", title=None, sort=panels), columns=3, title=title)
        .resolve_scale(y="independent")
    )


def change_chart(change: pd.DataFrame, *, title: str = "Change from the first to the last wave (95% CI)") -> alt.LayerChart:
    """Mean paired change with its CI per scale and group, with zero and the objective targets if given.

    ``change`` columns: ``scale`` (label), ``group``, ``mean_change``, ``ci_low``, ``ci_high``; optional ``target``.
    """
    data = change.dropna(subset=["mean_change"])
    base = alt.Chart(data, title=title).encode(y=alt.Y("scale:N", title=None), yOffset="group:N", color=alt.Color("group:N", title=None))
    bars = base.mark_rule(strokeWidth=3).encode(x=alt.X("ci_low:Q", title="change (scale points)"), x2="ci_high:Q")
    points = base.mark_point(filled=True, size=120).encode(x="mean_change:Q", tooltip=["scale", "group", alt.Tooltip("mean_change:Q", format=".2f"),
                                                                                       alt.Tooltip("ci_low:Q", format=".2f"), alt.Tooltip("ci_high:Q", format=".2f")])
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#444444").encode(x="x:Q")
    layers = [zero, bars, points]
    if "target" in data.columns and data["target"].notna().any():
        layers.append(base.mark_tick(color="#000000", thickness=3, size=18).encode(x="target:Q"))
    return alt.layer(*layers).properties(width=520, height=alt.Step(22))


def retention_chart(curves: pd.DataFrame, *, title: str = "Still employed (Kaplan–Meier)") -> alt.LayerChart:
    """Kaplan–Meier curves with 95% bands. ``curves`` columns: ``group``, ``months``, ``survival``, ``ci_low``,
    ``ci_high`` (survival as a percentage 0–100)."""
    base = alt.Chart(curves, title=title).encode(x=alt.X("months:Q", title="months since start"), color=alt.Color("group:N", title=None))
    band = base.mark_area(opacity=0.18, interpolate="step-after").encode(y=alt.Y("ci_low:Q", scale=alt.Scale(domain=[0, 100]), title="% still employed"), y2="ci_high:Q")
    line = base.mark_line(interpolate="step-after").encode(y="survival:Q", tooltip=["group", alt.Tooltip("months:Q", format=".1f"), alt.Tooltip("survival:Q", format=".1f")])
    return (band + line).properties(width=560, height=300)


def roi_chart(lines: pd.DataFrame, *, currency: str = "", title: str = "Costs and benefits (Phillips)") -> alt.Chart:
    """Fully loaded costs against adjusted benefits. ``lines`` columns: ``kind`` (cost / benefit), ``item``,
    ``amount`` (benefits already adjusted by attribution × confidence)."""
    unit = f" ({currency})" if currency else ""
    return (
        alt.Chart(lines, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("kind:N", title=None, sort=["cost", "benefit"]),
            x=alt.X("sum(amount):Q", title=f"amount{unit}"),
            color=alt.Color("item:N", title=None, legend=alt.Legend(orient="bottom", columns=2)),
            tooltip=["kind", "item", alt.Tooltip("amount:Q", format=",.0f")],
        )
        .properties(width=560, height=alt.Step(44))
    )
