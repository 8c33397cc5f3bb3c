"""The evaluation board's "Every wave" tab: the mixed model's change at each wave (with its chart), mentors and
mentees, respondents per wave, attrition and the first-wave scores of stayers and leavers, already suppressed by
:func:`rmkit.evaluation.metrics_table.evaluate`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from ..evaluation.every_wave import (
    MIXED_CAUTION,
    EveryWaveEvidence,
    attrition_view,
    baseline_view,
    mixed_view,
)
from .style import esc, html_table

__all__ = ["every_wave_tab"]


def _num(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return f"{0.0 if abs(value) < 0.5 * 10 ** -digits else value:.{digits}f}"


def every_wave_tab(evidence: EveryWaveEvidence, labels: dict[str, str], waves: list[str],
                   chart: Callable[[Any], widgets.Widget]) -> widgets.Widget:
    """The tab's widgets; ``chart`` turns an Altair chart into a widget (the board's offline renderer)."""
    from .. import charts

    html = ("<h3>Every wave: the estimated change since the first survey</h3><p>A mixed model per scale uses every "
            "answer of every wave, so people who skipped a survey still count. With a comparison group, each row is "
            "the participants' change minus the comparison group's; without one, the participants' own change.</p>")
    parts: list[widgets.Widget] = []
    if evidence.note:
        html += f"<p>{esc(evidence.note)}</p>"
    mixed = mixed_view(evidence, labels)
    rows = [[esc(r.scale), esc(r.wave), esc(r.compared), esc(r.effect) if r.suppressed or pd.isna(r.estimate)
             else f"<b>{_num(r.estimate)}</b> ({_num(r.ci_low)} to {_num(r.ci_high)})", str(r.n_people)]
            for r in mixed.itertuples()]
    if rows:
        html += html_table(["scale", "wave", "change of", "estimate (95% CI)", "people"], rows)
    roles = mixed_view(evidence, labels, roles=True)
    if not roles.empty:
        last = roles[roles["wave"] == roles.groupby("scale_id")["wave"].transform("last")]
        rows = [[esc(r.scale), esc(r.compared), esc(r.effect), str(r.n_people)] for r in last.itertuples()]
        html += "<h3>Mentors and mentees, at the last wave</h3>" + html_table(
            ["scale", "change of", "estimate (95% CI)", "people"], rows)
    parts.append(widgets.HTML(html))
    if not mixed.dropna(subset=["estimate"]).empty:
        parts.append(chart(charts.wave_effects_chart(mixed, wave_order=waves)))
    html = ""
    if not evidence.respondents.empty:
        rows = [[esc(r.wave), esc(r.group), str(r.n), str(r.n_from_first),
                 "suppressed" if pd.isna(r.retained) else f"{r.retained:.1f}%"] for r in evidence.respondents.itertuples()]
        html += "<h3>Who answered each survey</h3>" + html_table(
            ["wave", "group", "respondents", "of them, first-wave respondents", "still answering"], rows)
    attrition = attrition_view(evidence)
    if not attrition.empty:
        rows = [[esc(r.group), str(r.n_first), str(r.n_last), esc(r.attrition)] for r in attrition.itertuples()]
        html += ("<h3>Attrition, first to last wave (What Works Clearinghouse figures)</h3>"
                 + html_table(["group", "first wave", "also at the last wave", "attrition"], rows))
        baseline = baseline_view(evidence, labels)
        rows = [[esc(r.scale), esc(r.group), str(r.n_stayed), _num(r.mean_stayed), str(r.n_left), _num(r.mean_left),
                 "suppressed" if r.suppressed else _num(r.difference)] for r in baseline.itertuples()]
        html += "<h3>How those who stayed and those who left had started</h3>" + html_table(
            ["scale", "group", "n stayed", "stayed", "n left", "left", "stayed − left"], rows)
    parts.append(widgets.HTML(html + f'<p class="rmkit-muted">{esc(MIXED_CAUTION)}</p>'))
    return widgets.VBox(parts)
