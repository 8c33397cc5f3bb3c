"""The estimated change at each wave with its interval (the mixed model of the evaluation), one panel per scale."""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = ["wave_effects_chart"]


def wave_effects_chart(effects: pd.DataFrame, *, wave_order: list[str] | None = None,
                       title: str = "Estimated change since the first wave (mixed model, 95% CI)",
                       columns: int = 3) -> alt.ConcatChart:
    """The effect at each wave after the first, from 0 at the first wave, with its CI; one panel per scale.

    ``effects`` columns: ``scale`` (label or id), ``wave``, ``estimate``, ``ci_low``, ``ci_high``; optional
    ``since`` (the first wave, drawn at 0) and ``compared`` (what the estimate compares, shown in the tooltip):
    :func:`rmkit.evaluation.every_wave.mixed_view` or ``rmkit.evaluate(c).every_wave.mixed`` as they are.
    Rows with no estimate (suppressed, not converged) are left out; a scale with none left gets no panel.
    """
    data = effects.dropna(subset=["estimate"]).copy()
    if "compared" not in data.columns:
        data["compared"] = data["group"] if "group" in data.columns else ""
    since = "since" if "since" in data.columns else ("first_wave" if "first_wave" in data.columns else None)
    if since is not None and not data.empty:
        starts = data.drop_duplicates("scale")[["scale", since, "compared"]].rename(columns={since: "wave"})
        data = pd.concat([starts.assign(estimate=0.0, ci_low=float("nan"), ci_high=float("nan")), data],
                         ignore_index=True)
    data = data[["scale", "wave", "estimate", "ci_low", "ci_high", "compared"]]
    sort = [w for w in (wave_order or list(dict.fromkeys(data["wave"]))) if w in set(data["wave"])]
    charts = []
    for name in dict.fromkeys(data["scale"]):
        base = alt.Chart(data, title=alt.TitleParams(str(name), fontSize=16)).transform_filter(
            alt.datum.scale == name).encode(x=alt.X("wave:N", sort=sort, title=None, axis=alt.Axis(labelAngle=0)))
        zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#444444").encode(y="y:Q")
        bars = base.mark_errorbar(thickness=2).encode(y=alt.Y("ci_low:Q", title="change (scale points)"),
                                                      y2="ci_high:Q")
        line = base.mark_line(point=True).encode(
            y=alt.Y("estimate:Q", title="change (scale points)"),
            tooltip=["scale", "wave", "compared", alt.Tooltip("estimate:Q", format="+.2f"),
                     alt.Tooltip("ci_low:Q", format=".2f"), alt.Tooltip("ci_high:Q", format=".2f")])
        charts.append(alt.layer(zero, bars, line).properties(width=200, height=160))
    if not charts:
        charts = [alt.Chart(pd.DataFrame({"text": ["no estimate to show"]})).mark_text().encode(text="text:N")]
    return alt.concat(*charts, columns=columns, title=title)
