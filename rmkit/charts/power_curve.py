"""The power curve of one objective (``rmkit simulate``): each estimator's simulated power against the effect size,
with ±1.96 Monte-Carlo standard errors, the conventional 80 % power and the 5 % level as dashed rules."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .theme import PALETTE

__all__ = ["ESTIMATOR_LABELS", "power_curve_chart"]

ESTIMATOR_LABELS = {"paired_change": "paired change", "did": "difference-in-differences", "mixed": "mixed model"}


def power_curve_chart(power: pd.DataFrame, *, target: float | None = None, title: str | None = None) -> alt.LayerChart:
    """A power curve.

    ``power``: the rows of one objective of ``power.csv`` (``estimator``, ``effect``, ``reps``, ``power``,
    ``mcse``); ``target``: the standardized effect of the objective's target, marked by a vertical rule.

    Examples
    --------
    >>> rows = pd.DataFrame({"estimator": ["did", "did"], "effect": [0.0, 0.5], "reps": [100, 100],
    ...                      "power": [0.05, 0.7], "mcse": [0.02, 0.046]})
    >>> spec = power_curve_chart(rows, target=0.5).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rule', 'rule', 'rule', 'line', 'point']
    """
    data = power.assign(
        label=power["estimator"].map(ESTIMATOR_LABELS).fillna(power["estimator"]),
        low=(power["power"] - 1.96 * power["mcse"]).clip(0, 1),
        high=(power["power"] + 1.96 * power["mcse"]).clip(0, 1))
    labels = [ESTIMATOR_LABELS.get(e, e) for e in dict.fromkeys(power["estimator"])]
    colour = alt.Color("label:N", title="estimator", scale=alt.Scale(domain=labels, range=PALETTE[:len(labels)]),
                       legend=alt.Legend(orient="bottom"))
    x = alt.X("effect:Q", title="effect (standardized: change ÷ SD of change)")
    y = alt.Y("power:Q", title="power", scale=alt.Scale(domain=[0, 1]))
    levels = pd.DataFrame({"y": [0.8, 0.05]})
    guides = alt.Chart(levels).mark_rule(color="#777777", strokeDash=[4, 3]).encode(y="y:Q")
    marks = [guides]
    if target is not None:
        marks.append(alt.Chart(pd.DataFrame({"x": [float(target)]})).mark_rule(color="#444444", strokeDash=[2, 2])
                     .encode(x="x:Q"))
    else:
        marks.append(alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(opacity=0).encode(x="x:Q"))
    base = alt.Chart(data).encode(x=x, color=colour)
    errors = base.mark_rule(strokeWidth=2).encode(y="low:Q", y2="high:Q")
    line = base.mark_line().encode(y=y)
    points = base.mark_point(filled=True).encode(
        y="power:Q", tooltip=["label:N", alt.Tooltip("effect:Q", format=".2f"), alt.Tooltip("power:Q", format=".3f"),
                              alt.Tooltip("mcse:Q", format=".3f"), "reps:Q"])
    chart = alt.layer(*marks, errors, line, points).properties(width=520, height=300)
    return chart.properties(title=title) if title else chart
