"""Charts of the evidence (evaluation): scales across the waves, change with its interval, retention against the
comparison group, and the ROI's costs and benefits. Each takes the tidy frame rmkit computes: the fields of
``rmkit.evaluate(cohort)`` (``waves``, ``change``, ``learning``, ``retention_curves``, ``roi_lines``) as they are, or
the views of :mod:`rmkit.evaluation.views` that the phase notebooks use."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .limits import step_curve_at, with_note

__all__ = ["waves_chart", "change_chart", "retention_chart", "roi_chart", "GROUP_LABELS"]

# Legend labels for group ids, as people say them (role=mentee -> mentees, department=IT -> IT, all -> everyone).
GROUP_LABELS = ("datum.label == 'all' ? 'everyone' : indexof(datum.label, 'role=') == 0 ? "
                "replace(datum.label, 'role=', '') + 's' : replace(datum.label, 'department=', '')")


# --------------------------------------------------------------------------------------------- evaluation


def waves_chart(waves: pd.DataFrame, *, wave_order: list[str] | None = None, title: str = "Scales across the survey waves",
                response_range: tuple[float, float] = (1, 5), columns: int = 3) -> alt.ConcatChart:
    """Value per wave with 95% CIs, one panel per scale that has data, each on the instrument's **full** scale.

    ``waves`` columns: ``scale`` (label), ``wave``, ``value``, ``ci_low``, ``ci_high``, ``group``; optional
    ``scoring`` (``percent_favorable`` and ``pomp`` panels run 0–100, ``mean`` panels ``response_range``, ``sum``
    panels from 0). Suppressed rows (empty ``value``) are left out, and a scale with no value left gets no panel,
    so there is never an empty panel; small changes look as small as they are.
    """
    data = waves.dropna(subset=["value"])
    if "scoring" not in data.columns:
        data = data.assign(scoring="mean")
    sort = wave_order or list(dict.fromkeys(waves["wave"]))
    sort = [w for w in sort if w in set(data["wave"])]
    panels = list(dict.fromkeys(data["scale"]))  # in the order given (the instrument's), only those with data
    groups = list(dict.fromkeys(data["group"]))
    charts = []
    for name in panels:
        scoring = str(data.loc[data["scale"] == name, "scoring"].iloc[0])
        if scoring in ("percent_favorable", "pomp"):
            scale, axis_title = alt.Scale(domain=[0, 100]), "%"
        elif scoring == "sum":
            scale, axis_title = alt.Scale(zero=True), "sum"
        else:
            scale, axis_title = alt.Scale(domain=list(response_range)), f"mean ({response_range[0]:g}–{response_range[1]:g})"
        base = alt.Chart(data, title=alt.TitleParams(name, fontSize=16)).transform_filter(alt.datum.scale == name).encode(
            x=alt.X("wave:N", sort=sort, title=None, axis=alt.Axis(labelAngle=0, labelLimit=120)),
            color=alt.Color("group:N", title=None, scale=alt.Scale(domain=groups), legend=alt.Legend(labelExpr=GROUP_LABELS)))
        lines = base.mark_line(point=True).encode(y=alt.Y("value:Q", title=axis_title, scale=scale),
                                                 tooltip=["scale", "group", "wave", alt.Tooltip("value:Q", format=".2f"), "n"])
        bars = base.mark_errorbar(thickness=2).encode(y=alt.Y("ci_low:Q", scale=scale, title=axis_title), y2="ci_high:Q")
        charts.append(alt.layer(bars, lines).properties(width=200, height=160))
    if not charts:
        charts = [alt.Chart(pd.DataFrame({"text": ["no scale has data to show"]})).mark_text().encode(text="text:N")]
    return alt.concat(*charts, columns=columns, title=title).resolve_scale(color="shared")


def _change_frame(change: pd.DataFrame) -> pd.DataFrame:
    """``scale``/``group`` columns for any change frame rmkit returns: ``evaluate(c).change`` (scale ids and groups),
    ``evaluate(c).learning`` (``label`` and ``learner``: "Digital confidence · mentees", ``role=mentee``), or a view."""
    frame = change.copy()
    if "learner" in frame.columns and "group" not in frame.columns:
        label = frame["label"] if "label" in frame.columns else frame["scale"]
        frame["scale"] = label.astype(str) + " · " + frame["learner"].astype(str) + "s"
        frame["group"] = "role=" + frame["learner"].astype(str)
    elif "label" in frame.columns:
        frame["scale"] = frame["label"].fillna(frame["scale"])
    if "group" not in frame.columns:
        frame["group"] = "all"
    return frame


def change_chart(change: pd.DataFrame, *, title: str = "Change from the first to the last wave (95% CI)") -> alt.LayerChart:
    """Mean paired change with its CI per scale and group, with zero and the objective targets if given.

    ``change`` columns: ``scale`` (or a ``label``), ``group`` (or ``learner``, as in ``rmkit.evaluate(c).learning``),
    ``mean_change``, ``ci_low``, ``ci_high``; optional ``target``.
    """
    data = _change_frame(change).dropna(subset=["mean_change"])
    base = alt.Chart(data, title=title).encode(y=alt.Y("scale:N", title=None), yOffset="group:N",
                                              color=alt.Color("group:N", title=None, legend=alt.Legend(labelExpr=GROUP_LABELS)))
    bars = base.mark_rule(strokeWidth=3).encode(x=alt.X("ci_low:Q", title="change (scale points)"), x2="ci_high:Q")
    points = base.mark_point(filled=True, size=120).encode(x="mean_change:Q", tooltip=["scale", "group", alt.Tooltip("mean_change:Q", format=".2f"),
                                                                                       alt.Tooltip("ci_low:Q", format=".2f"), alt.Tooltip("ci_high:Q", format=".2f")])
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#444444").encode(x="x:Q")
    layers = [zero, bars, points]
    if "target" in data.columns and data["target"].notna().any():
        layers.append(base.mark_tick(color="#000000", thickness=3, size=18).encode(x="target:Q"))
    return alt.layer(*layers).properties(width=520, height=alt.Step(22))


RETENTION_POINTS = 500  # a curve with more steps than this is read at this many evenly spaced times
ROI_ITEMS = 10  # cost and benefit lines shown by name; the smaller ones are summed per kind


def retention_chart(curves: pd.DataFrame, *, title: str = "Still employed (Kaplan–Meier)",
                    max_points: int = RETENTION_POINTS) -> alt.LayerChart | alt.VConcatChart:
    """Kaplan–Meier curves with 95% bands. ``curves`` columns: ``group``, ``months``, ``survival``, ``ci_low``,
    ``ci_high`` (survival as a percentage 0–100); or ``day`` and ``retained`` as in ``rmkit.evaluate(c).retention_curves``.

    A group whose curve has more than ``max_points`` steps (a large cohort: one step per day someone left) is drawn
    at ``max_points`` evenly spaced times, each the curve's value there — the same line at the chart's resolution —
    and the chart says so under it."""
    if "survival" not in curves.columns and {"day", "retained"} <= set(curves.columns):
        curves = curves.assign(months=(curves["day"] / 30.44).round(2), survival=curves["retained"])
    note = ""
    sizes = curves.groupby("group", sort=False).size() if len(curves) else pd.Series(dtype=int)
    if len(sizes) and sizes.max() > max_points:
        parts = []
        for group, curve in curves.groupby("group", sort=False):
            if len(curve) > max_points:
                curve = step_curve_at(curve, "months", ["survival", "ci_low", "ci_high"], max_points).assign(group=group)
            parts.append(curve[["group", "months", "survival", "ci_low", "ci_high"]])
        curves = pd.concat(parts, ignore_index=True)
        note = (f"Curves with more than {max_points} steps are drawn at {max_points} evenly spaced times "
                f"(up to {int(sizes.max()):,} steps in the data).")
    base = alt.Chart(curves, title=title).encode(x=alt.X("months:Q", title="months since start"), color=alt.Color("group:N", title=None))
    band = base.mark_area(opacity=0.18, interpolate="step-after").encode(y=alt.Y("ci_low:Q", scale=alt.Scale(domain=[0, 100]), title="% still employed"), y2="ci_high:Q")
    line = base.mark_line(interpolate="step-after").encode(y="survival:Q", tooltip=["group", alt.Tooltip("months:Q", format=".1f"), alt.Tooltip("survival:Q", format=".1f")])
    return with_note((band + line).properties(width=560, height=300), note)


def roi_chart(lines: pd.DataFrame, *, currency: str = "", title: str = "Costs and benefits (Phillips)",
              max_items: int = ROI_ITEMS) -> alt.Chart | alt.VConcatChart:
    """Fully loaded costs against adjusted benefits. ``lines`` columns: ``kind`` (cost / benefit), ``item``,
    ``amount`` (benefits already adjusted by attribution × confidence); or ``counted`` (the adjusted amount) as in
    ``rmkit.evaluate(c).roi_lines``.

    Lines are summed per kind and item; beyond ``max_items`` items, the largest are named and the others summed
    per kind as "other lines", which the chart says under it (the totals are unchanged)."""
    if "counted" in lines.columns:
        lines = lines.assign(amount=lines["counted"])
    unit = f" ({currency})" if currency else ""
    summed = lines.groupby(["kind", "item"], sort=False, dropna=False)["amount"].sum().reset_index()
    note = ""
    if len(summed) > max_items:
        keep = summed["amount"].abs().sort_values(ascending=False, kind="stable").index[: max_items - 2]
        rest = summed.drop(index=keep)
        others = rest.groupby("kind", sort=False).agg(amount=("amount", "sum"), n=("item", "size")).reset_index()
        others["item"] = [f"other {kind} lines ({n})" for kind, n in zip(others["kind"], others["n"], strict=True)]
        summed = pd.concat([summed.loc[keep], others[["kind", "item", "amount"]]], ignore_index=True)
        note = (f"The {max_items - 2} largest of {len(rest) + len(keep):,} lines are named; the other {len(rest):,} are "
                "summed per kind (totals unchanged; every line is in the cost and benefit table).")
    chart = (
        alt.Chart(summed, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("kind:N", title=None, sort=["cost", "benefit"]),
            x=alt.X("sum(amount):Q", title=f"amount{unit}"),
            color=alt.Color("item:N", title=None, legend=alt.Legend(orient="bottom", columns=1, labelLimit=520)),
            tooltip=["kind", "item", alt.Tooltip("amount:Q", format=",.0f")],
        )
        .properties(width=560, height=alt.Step(44))
    )
    return with_note(chart, note)
