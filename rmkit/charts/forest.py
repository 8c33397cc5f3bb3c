"""The forest plot of a pooled metric: each cohort's estimate with its 95 % interval, and the pooled
random-effects estimate below them, a diamond with its interval."""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = ["forest_chart"]

POOLED_LABEL = "Pooled (random effects)"


def forest_chart(inputs: pd.DataFrame, pooled: pd.Series | dict, *, title: str | None = None,
                 unit: str = "change (scale points)") -> alt.LayerChart:
    """A forest plot of one metric.

    ``inputs`` columns: ``cohort``, ``n``, ``estimate``, ``ci_low``, ``ci_high`` (one row per cohort, as
    :func:`rmkit.evaluation.pooling.pool_inputs` gives them for that metric); ``pooled``: ``estimate``,
    ``ci_low``, ``ci_high`` (and ``k``, ``i2``), a row of :func:`rmkit.evaluation.pooling.pooled_metrics`.

    Examples
    --------
    >>> inputs = pd.DataFrame({"cohort": ["a", "b"], "n": [30, 40], "estimate": [0.2, 0.4],
    ...                        "ci_low": [0.0, 0.1], "ci_high": [0.4, 0.7]})
    >>> spec = forest_chart(inputs, {"estimate": 0.3, "ci_low": 0.1, "ci_high": 0.5}).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rule', 'rule', 'point']
    """
    rows = inputs.assign(label=inputs["cohort"].astype(str) + " (n = " + inputs["n"].astype(str) + ")",
                         kind="cohort")
    pooled_row = pd.DataFrame({"cohort": [POOLED_LABEL], "n": [int(rows["n"].sum())],
                               "estimate": [float(pooled["estimate"])], "ci_low": [float(pooled["ci_low"])],
                               "ci_high": [float(pooled["ci_high"])], "label": [POOLED_LABEL], "kind": ["pooled"]})
    data = pd.concat([rows[pooled_row.columns], pooled_row], ignore_index=True)
    order = list(data["label"])
    colour = alt.Color("kind:N", scale=alt.Scale(domain=["cohort", "pooled"], range=["#0072B2", "#D55E00"]), legend=None)
    base = alt.Chart(data).encode(y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
                                  color=colour)
    intervals = base.mark_rule().encode(
        x=alt.X("ci_low:Q", title=unit), x2="ci_high:Q",
        strokeWidth=alt.StrokeWidth("kind:N", scale=alt.Scale(domain=["cohort", "pooled"], range=[2, 5]), legend=None))
    points = base.mark_point(filled=True, opacity=1).encode(
        x="estimate:Q",
        shape=alt.Shape("kind:N", scale=alt.Scale(domain=["cohort", "pooled"], range=["square", "diamond"]), legend=None),
        size=alt.Size("kind:N", scale=alt.Scale(domain=["cohort", "pooled"], range=[110, 420]), legend=None),
        tooltip=["cohort", "n", alt.Tooltip("estimate:Q", format=".2f"), alt.Tooltip("ci_low:Q", format=".2f"),
                 alt.Tooltip("ci_high:Q", format=".2f")])
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#444444", strokeDash=[4, 3]).encode(x="x:Q")
    chart = alt.layer(zero, intervals, points).properties(width=520, height=alt.Step(34))
    return chart.properties(title=title) if title else chart
