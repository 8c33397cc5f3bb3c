"""The evaluation board: what the program achieved, by Kirkpatrick level and Phillips ROI, for a workshop screen.

Every aggregate comes from :func:`rmkit.evaluation.metrics_table.evaluate`, already under the confidentiality rule; a suppressed
group is shown as suppressed with its size, never silently left out.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd
import traitlets

from ..cohort import Cohort
from ..evaluation.metrics_table import Evaluation, evaluate
from ..evaluation.pair_outcomes import CAUTION as PAIRING_CAUTION
from ..evaluation.pair_outcomes import pair_outcomes_view
from ..evaluation.reliable_change import rci_view
from ..evaluation.views import (
    EFFECTS_CAUTION,
    balance_view,
    change_view,
    effects_view,
    kirkpatrick_summary,
    learning_view,
    objectives_view,
    retention_view,
    roi_view,
    score_labels,
    suppressed_count,
    waves_view,
)
from .every_wave_tab import every_wave_tab
from .style import CSS, esc, html_table, tile

__all__ = ["EvaluationBoard"]

TABS = ("Summary", "Learning", "Reliable change", "Pairing & learning", "Against comparison", "Every wave",
        "Across waves", "Retention", "ROI")


def _chart(chart: Any) -> widgets.Widget:
    import altair as alt

    alt.JupyterChart.enable_offline()
    return alt.JupyterChart(chart, embed_options={"renderer": "svg", "actions": False})


def _cell(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, float):
        return f"{0.0 if abs(value) < 0.5 * 10 ** -digits else value:,.{digits}f}"
    return esc(value)


def _group(group: str) -> str:
    """``all`` → participants, ``role=mentee`` → mentees."""
    return "participants" if group == "all" else group.removeprefix("role=") + "s"


class EvaluationBoard(widgets.VBox):
    """Tabs: summary (Kirkpatrick levels, objectives), two-way learning, reliable change (who changed beyond the
    measurement error), pairing and learning (does compatibility, meeting or pulse go with learning), the effect
    against the comparison group, scales across waves by group (suppressed groups marked), retention against the
    comparison group, and ROI with intangibles.

    ``group`` (the group shown across waves) is the only state; :meth:`set_group` is what the dropdown calls.
    """

    group = traitlets.Unicode("all")

    def __init__(self, cohort: Cohort, *, evaluation: Evaluation | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.cohort = cohort
        self.evaluation = evaluation or evaluate(cohort)
        self.add_class("rmkit-board")
        groups = list(dict.fromkeys(self.evaluation.waves["group"])) or ["all"]
        self._group = widgets.Dropdown(options=groups, value="all" if "all" in groups else groups[0], description="Group")
        self._waves_table = widgets.HTML()
        self._waves_chart = widgets.Box()
        self._group.observe(lambda change: self.set_group(change["new"]), names="value")
        every_wave = every_wave_tab(self.evaluation.every_wave, score_labels(cohort.instrument), list(cohort.program.waves),
                                    _chart)
        self.tabs = widgets.Tab(children=[self._summary(), self._learning(), self._reliable_change(), self._pairing(),
                                          self._against_comparison(), every_wave, self._across_waves(),
                                          self._retention(), self._roi()])
        for k, title in enumerate(TABS):
            self.tabs.set_title(k, title)
        hidden = suppressed_count(self.evaluation)
        self.children = [
            widgets.HTML(CSS + "<h2>What the program achieved</h2>"
                         f'<p class="rmkit-muted">Cohort {esc(cohort.name)} · groups smaller than {self.evaluation.min_group_size} '
                         f"respondents are shown as suppressed ({hidden} aggregate(s) hidden).</p>"),
            self.tabs,
        ]
        self.set_group(self._group.value)

    # -- state ---------------------------------------------------------------------------------------

    def set_group(self, group: str) -> None:
        if group not in self._group.options:
            raise ValueError(f"unknown group {group!r}; groups: {', '.join(self._group.options)}")
        self.group = group
        if self._group.value != group:
            self._group.value = group
        from .. import charts

        view = waves_view(self.evaluation, self.cohort.instrument, group=group)
        rows = []
        for r in view.itertuples():
            if r.suppressed:
                value = f'<span class="rmkit-muted">suppressed (n = {int(r.n)} &lt; {self.evaluation.min_group_size})</span>'
                ci = "–"
            else:
                unit = "%" if r.scoring == "percent_favorable" else ""
                value = f"{r.value:.{0 if unit else 2}f}{unit}"
                ci = f"{r.ci_low:.{0 if unit else 2}f} to {r.ci_high:.{0 if unit else 2}f}"
            rows.append([esc(r.scale), esc(r.wave), str(int(r.n)), value, ci])
        self._waves_table.value = html_table(["scale", "wave", "n", "value", "95% CI"], rows) if rows else "<p>No survey data for this group.</p>"
        shown = view[~view["suppressed"]]
        self._waves_chart.children = (_chart(charts.waves_chart(shown, wave_order=list(self.cohort.program.waves),
                                                                title=f"Scales across the waves · {group}")),) if not shown.empty else ()

    # -- tabs ----------------------------------------------------------------------------------------

    def _summary(self) -> widgets.Widget:
        summary = kirkpatrick_summary(self.evaluation, self.cohort.instrument)
        objectives = objectives_view(self.evaluation)
        met = int((objectives["result"] == "met").sum()) if not objectives.empty else 0
        tiles = '<div class="rmkit-tiles">' + tile(f"of {len(objectives)} objectives met", met, "on track" if met else None)
        if not self.evaluation.retention_comparison.empty:
            diff = self.evaluation.retention_comparison["difference"].iloc[0]
            tiles += tile("points more participants retained", f"{diff:+.1f}" if pd.notna(diff) else "–")
        if not self.evaluation.roi.empty:
            roi = self.evaluation.roi.set_index("metric")["value"].get("roi_percent")
            tiles += tile("return on investment", f"{roi:.0f}%" if pd.notna(roi) else "–")
        tiles += "</div>"
        html = tiles + "<h3>Objectives</h3>"
        html += html_table(["objective", "target", "result", "judged by", "evidence"],
                           [[esc(r.objective.replace("_", " ")), _cell(r.target), f"<b>{esc(r.result)}</b>",
                             esc(r.judged_by), esc(r.evidence)] for r in objectives.itertuples()]) \
            if not objectives.empty else "<p>No objectives are defined in program.yaml.</p>"
        html += "<h3>Kirkpatrick levels and ROI</h3>"
        html += html_table(["level", "measure", "for", "first wave", "last wave", "change"],
                           [[f"{r.level} · {esc(r.level_name)}", esc(r.measure), esc(r.group), esc(r.first), esc(r.last), esc(r.change)]
                            for r in summary.itertuples()])
        return widgets.HTML(html)

    def _learning(self) -> widgets.Widget:
        from .. import charts

        view = learning_view(self.evaluation)
        culture = change_view(self.evaluation, self.cohort.instrument)
        parts: list[widgets.Widget] = [widgets.HTML("<h3>Both directions of learning</h3><p>Mentees (senior) learn digital "
                                                    "skills from their mentors; mentors (junior) learn business and leadership "
                                                    "insight from their mentees. Points are mean changes; lines their 95% CIs; "
                                                    "ticks the objectives' targets.</p>")]
        if not view.dropna(subset=["mean_change"]).empty:
            parts.append(_chart(charts.change_chart(view)))
        rows = [[esc(r.scale), str(int(r.n)), _cell(r.mean_change), f"{_cell(r.ci_low)} to {_cell(r.ci_high)}", _cell(r.cohen_dz)]
                for r in view.itertuples()]
        parts.append(widgets.HTML(html_table(["learning", "n", "change", "95% CI", "d_z"], rows) if rows else "<p>No learning scales.</p>"))
        rows = [[esc(r.label), str(int(r.n)), "suppressed" if r.suppressed else _cell(r.mean_change),
                 "–" if r.suppressed else f"{_cell(r.ci_low)} to {_cell(r.ci_high)}"] for r in culture.itertuples()]
        parts.append(widgets.HTML("<h3>Every scale, whole cohort</h3>" + html_table(["scale", "n", "change", "95% CI"], rows)))
        return widgets.VBox(parts)

    def _reliable_change(self) -> widgets.Widget:
        """Who changed by more than the survey's measurement error (Jacobson–Truax), per scale and group."""
        reliable, first, last = self.evaluation.reliable_change, self.evaluation.first_wave, self.evaluation.last_wave
        html = ("<h3>Who changed, person by person</h3><p>The share of people whose own change, first to last wave, is "
                "larger than the survey's measurement error alone would give (the reliable change index: beyond 1.96 "
                "times the error estimated from the first wave's spread and the scale's alpha). <i>Smallest reliable "
                "change</i> is how far a person had to move to count.</p>")
        html += "".join(f"<p>{esc(note)}</p>" for note in reliable.notes)
        view = rci_view(reliable.table, self.cohort.instrument)
        if view.empty:
            return widgets.HTML(html + "<p>Nothing to show: reliable change needs answers at two waves and a scale with "
                                "a usable alpha.</p>")
        rows = [[esc(r.scale), esc(r.group), str(r.n), esc(r.improved), esc(r.unchanged), esc(r.worse), esc(r.criterion),
                 _cell(r.alpha)] for r in view.itertuples()]
        html += html_table(["scale", "who", "n", "reliably improved (95% CI)", "no reliable change",
                            "reliably worse (95% CI)", "smallest reliable change", f"alpha at {esc(first)}"], rows)
        return widgets.HTML(html + f'<p class="rmkit-muted">{esc(first)} to {esc(last)}; groups smaller than '
                                   f"{self.evaluation.min_group_size} are suppressed.</p>")

    def _pairing(self) -> widgets.Widget:
        """Does the pairing matter: each side's learning against compatibility, meetings and pulse, pair by pair."""
        pairing = self.evaluation.pair_outcomes
        html = ("<h3>Does the pairing matter?</h3><p>Pair by pair: did pairs with a higher compatibility score, more "
                "meetings or a better pulse learn more? Each side's change on what it is meant to learn, per 0.1 of "
                "compatibility, per meeting and per pulse point, with 95% intervals clustered by mentor.</p>")
        html += "".join(f"<p>{esc(note)}</p>" for note in pairing.notes)
        view = pair_outcomes_view(pairing.table, self.cohort.instrument, min_group_size=self.evaluation.min_group_size)
        if view.empty:
            return widgets.HTML(html)
        rows = [[esc(r.learning), esc(r.predictor), str(r.n_pairs), str(r.n_mentors),
                 "–" if r.suppressed else f"<b>{_cell(r.coefficient)}</b> per {esc(r.per)} ({_cell(r.ci_low)} to {_cell(r.ci_high)})",
                 esc(r.reading)] for r in view.itertuples()]
        html += html_table(["learning", "against", "n pairs", "n mentors", "change (95% CI)", "reading"], rows)
        return widgets.HTML(html + f'<p class="rmkit-muted">{esc(PAIRING_CAUTION)}</p>')

    def _against_comparison(self) -> widgets.Widget:
        """The program's effect against the comparison group (DiD, ANCOVA, adjusted) and the baseline balance."""
        evaluation, k = self.evaluation, self.evaluation.min_group_size
        html = ("<h3>The program's effect, against the comparison group</h3><p>Participants' change minus the "
                "comparison group's, first to last wave, among the people who answered both (difference-in-differences, "
                "95% CI clustered by person); ANCOVA and the estimate adjusted for department, level, generation and "
                "tenure beside it.</p>")
        if evaluation.effects_note:
            return widgets.HTML(html + f"<p>{esc(evaluation.effects_note)}</p>")
        rows = []
        for r in effects_view(evaluation, self.cohort.instrument).itertuples():
            if r.suppressed:
                hidden = f'<span class="rmkit-muted">suppressed (fewer than {k} people, or would reveal a hidden group)</span>'
                rows.append([esc(r.scale), esc(_group(r.group)), str(r.n_participant), str(r.n_comparison), hidden, "–", "–", "–"])
                continue
            rows.append([esc(r.scale), esc(_group(r.group)), str(r.n_participant), str(r.n_comparison),
                         f"<b>{_cell(r.estimate)}</b> ({_cell(r.ci_low)} to {_cell(r.ci_high)})",
                         f"{_cell(r.participant_change)} vs {_cell(r.comparison_change)}", esc(r.ancova), esc(r.adjusted)])
        html += html_table(["scale", "participants", "n", "n comparison", "difference-in-differences (95% CI)",
                            "change: participants vs comparison", "ANCOVA", "adjusted"], rows)
        balance = balance_view(evaluation, self.cohort.instrument)
        rows = [[esc(r.variable), str(r.n_participant), "–" if r.suppressed else _cell(r.mean_participant), str(r.n_comparison),
                 "–" if r.suppressed else _cell(r.mean_comparison), "–" if r.suppressed else _cell(r.smd),
                 "suppressed" if r.suppressed else esc(r.equivalence)] for r in balance.itertuples()]
        html += "<h3>How alike the groups were at the start</h3>" + html_table(
            ["measure", "n participants", "participants", "n comparison", "comparison", "SMD", "WWC reading"], rows)
        return widgets.HTML(html + f'<p class="rmkit-muted">{esc(EFFECTS_CAUTION)}</p>')

    def _across_waves(self) -> widgets.Widget:
        return widgets.VBox([widgets.HTML("<h3>Scales across the survey waves</h3><p>Choose a group; groups under the minimum "
                                          "size are marked suppressed.</p>"), self._group, self._waves_chart, self._waves_table])

    def _retention(self) -> widgets.Widget:
        from .. import charts

        curves = retention_view(self.evaluation)
        if curves.empty:
            return widgets.HTML("<p>No outcomes.csv: retention is not measured for this cohort.</p>")
        rates = self.evaluation.retention
        rows = [[esc(r.group), str(int(r.n)), "suppressed" if r.suppressed else f"{r.value:.1f}%",
                 "–" if r.suppressed else f"{r.ci_low:.1f} to {r.ci_high:.1f}"] for r in rates.itertuples()]
        text = "<h3>Still employed 12 months after the start</h3>" + html_table(["group", "n", "retained", "95% CI"], rows)
        if not self.evaluation.retention_comparison.empty:
            c = self.evaluation.retention_comparison.iloc[0]
            text += (f"<p>Participants minus comparison: <b>{c['difference']:+.1f} points</b> (95% CI {c['ci_low']:.1f} to "
                     f"{c['ci_high']:.1f}); log-rank p = {c['p_value']:.3f}.</p>") if pd.notna(c["difference"]) else ""
        return widgets.VBox([widgets.HTML(text), _chart(charts.retention_chart(curves))])

    def _roi(self) -> widgets.Widget:
        from .. import charts

        if self.evaluation.roi.empty:
            return widgets.HTML("<p>No costs.csv: ROI is not calculated for this cohort.</p>")
        roi = self.evaluation.roi.set_index("metric")["value"]
        currency = self.cohort.program.currency
        text = ('<div class="rmkit-tiles">' + tile(f"costs {currency}".strip(), f"{roi['costs']:,.0f}")
                + tile(f"benefits {currency} (adjusted)".strip(), f"{roi['benefits']:,.0f}") + tile("benefit-cost ratio", f"{roi['bcr']:.2f}")
                + tile("ROI", f"{roi['roi_percent']:.0f}%") + tile("months to pay back", f"{roi['payback_months']:.1f}") + "</div>")
        intangibles = self.evaluation.intangibles
        text += "<h3>Intangible benefits (reported, not converted to money)</h3><ul>" + "".join(
            f"<li>{esc(i)}</li>" for i in intangibles["intangible"]) + "</ul>" if not intangibles.empty else ""
        return widgets.VBox([widgets.HTML(text), _chart(charts.roi_chart(roi_view(self.evaluation), currency=currency))])
