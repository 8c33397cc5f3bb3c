"""The files of ``rmkit simulate``: ``power.csv`` (``objective, estimator, effect, reps, power, mcse``),
``design.csv`` (the design simulated, and where each figure of it comes from), ``effects.csv`` (each standardized
effect in scale points), a power curve per objective (``figures/power-<objective>.svg``) and one offline
``report.html``.

The page is built as the pooled report is (:mod:`rmkit.runs.pool_report`): the run report's stylesheet and tables
for people, every value escaped, the curves through the chart sanitizer, the same Content-Security-Policy: nothing
runs, nothing is fetched. It holds aggregates of synthetic cohorts only; no person appears.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..evaluation.power_simulation import PowerSimulation

__all__ = ["build_power_report", "write_power"]

_SOURCES = {
    "data": "estimated from this cohort's responses",
    "expected_sd": "program.yaml's expected_sd (the SD of change), a within-person correlation of 0.5 assumed",
    "first_wave": "the SD of the first wave's scores (as rmkit plan), a within-person correlation of 0.5 assumed",
}
_ATTRITION = {
    "data": "each simulated person answers the waves a random person of their group answered (observed attrition)",
    "none": "no responses yet: everyone answers every wave",
}
_HOW = (
    "Each simulated cohort has the design below: the same number of people in each group, who answer the survey "
    "waves as the people of this cohort did, with scores as variable and as correlated over time as observed (or "
    "as planned). The program's effect is added to the participants' true mean: fully at the last wave, in "
    "proportion at the waves between; the comparison group does not change, and nothing happens to everyone "
    "(no shared trend). Each simulated cohort is then analysed exactly as the evaluation phase analyses a real "
    "one, and an estimator <em>detects</em> the effect when its 95% interval excludes zero (a two-sided test at "
    "α = 0.05). <strong>Power</strong> is the share of simulated cohorts in which it did. It is itself an estimate: "
    "± 1.96 Monte-Carlo standard errors (MCSE = √(p(1 − p) / reps)) are drawn around each point; more reps "
    "narrow them. Effects are standardized: the change divided by the SD of a person's change (Cohen's d<sub>z</sub>, "
    "as in rmkit plan), so that 0.2, 0.5 and 0.8 are small, medium and large. At effect 0 the power is the "
    "estimator's false-positive rate, which should be near 5%.")
_ESTIMATORS = {
    "paired_change": "the participants' mean change from the first to the last wave, among those who answered both "
                     "(a paired t-test); it would also count a change that happened to everyone",
    "did": "the participants' change minus the comparison group's, among those who answered both waves, with "
           "errors clustered by person",
    "mixed": "every wave and every answer, including people who missed a wave: the participants' change at the "
             "last wave against the comparison group's, with a random intercept per person",
}


def _slug(name: str) -> str:
    from .pool_report import slug

    return slug(name, "objective")


def _curves(result: PowerSimulation) -> dict[str, str]:
    from ..charts import to_svg
    from ..charts.power_curve import power_curve_chart

    svgs = {}
    for design in result.plan.designs:
        rows = result.power[result.power["objective"] == design.objective]
        target = design.target_change / design.sd_change if design.sd_change > 0 else None
        svgs[design.objective] = to_svg(power_curve_chart(rows, target=target))
    return svgs


def _sentence(result: PowerSimulation, objective: str, target_d: float) -> str:
    """Plain words: each estimator's power at the objective's target (when simulated)."""
    from ..charts.power_curve import ESTIMATOR_LABELS

    rows = result.power[(result.power["objective"] == objective) & ((result.power["effect"] - target_d).abs() < 1e-9)]
    if rows.empty:
        return ""
    parts = [f"{ESTIMATOR_LABELS.get(r.estimator, r.estimator)} {100 * r.power:.0f}% (± {100 * 1.96 * r.mcse:.0f})"
             for r in rows.itertuples(index=False)]
    judge = "did" if (rows["estimator"] == "did").any() else "paired_change"
    judged = rows[rows["estimator"] == judge]
    best = float(judged["power"].iloc[0]) if not judged.empty else float(rows["power"].max())
    verdict = (f"the evaluation judges this objective on the {ESTIMATOR_LABELS[judge]}, whose power is "
               + ("enough to see the target (80% or more)" if best >= 0.8 else
                  "below the conventional 80%: a cohort like this one may well miss the target even if the program "
                  "reaches it"))
    return f"Power to detect the target: {', '.join(parts)}; {verdict}."


def build_power_report(result: PowerSimulation, *, cohort: str, when: dt.datetime | None = None,
                       svgs: dict[str, str] | None = None) -> str:
    """The simulation report as one HTML document (``svgs``: curves by objective, drawn when not given)."""
    from .._version import __version__
    from ..charts.power_curve import ESTIMATOR_LABELS
    from ..phases.readable import TABLE_CSS, table_html
    from .pool_report import _PAGE
    from .report_template import _CSS
    from .sanitize import CONTENT_SECURITY_POLICY, inline_svg, sanitize_html

    svgs = _curves(result) if svgs is None else svgs
    when = when or dt.datetime.now(dt.UTC)
    esc = html.escape
    parts = [f"<h1>{esc(cohort)}: power by simulation</h1>",
             '<p class="subtitle">How likely is the evaluation to see each objective\'s effect, for this cohort\'s '
             "own design?</p>",
             '<dl class="facts">',
             f"<dt>Cohort</dt><dd>{esc(cohort)}</dd>",
             f"<dt>Made</dt><dd>{esc(f'{when:%d %B %Y, %H:%M} UTC')}</dd>",
             f"<dt>Simulated cohorts</dt><dd>{esc(str(result.reps))} per effect size, seed {esc(str(result.seed))}, "
             f"on {esc(str(result.workers))} worker(s)</dd></dl>",
             "<h2 id=\"how\">How to read it</h2>", f"<p>{_HOW}</p>", '<dl class="facts">']
    used = {e for names in result.plan.estimators for e in names}
    parts += [f"<dt>{esc(ESTIMATOR_LABELS[e])}</dt><dd>{esc(text)}</dd>" for e, text in _ESTIMATORS.items() if e in used]
    parts.append("</dl>")
    points = result.effects
    for k, design in enumerate(result.plan.designs):
        target_d = design.target_change / design.sd_change if design.sd_change > 0 else float("nan")
        parts.append(f'<h2 id="objective-{k}">{esc(design.objective)} · {esc(design.measure)}</h2>')
        who = {"mentee": "mentees", "mentor": "mentors", "all": "participants"}.get(design.audience, design.audience)
        versus = (f"against {design.n_comparison} comparison people" if design.has_comparison else
                  "with no comparison group (so only the paired change)")
        parts.append(f"<p>{esc(str(design.n_participant))} {esc(who)} measured {esc(versus)}, over the waves "
                     f"{esc(', '.join(design.waves))}. SD of scores {design.sd:.2f}, correlation over time "
                     f"{design.correlation:.2f}, so SD of a person's change {design.sd_change:.2f}: "
                     f"{esc(_SOURCES.get(design.sd_source, design.sd_source))}. Attrition: "
                     f"{esc(_ATTRITION.get(design.attrition_source, design.attrition_source))}. "
                     f"An effect of 1 is a change of {design.sd_change:.2f} scale points.</p>")
        if design.target_change == design.target_change:
            parts.append(f"<p>The target, a change of {design.target_change:g}, is an effect of {target_d:.2f} "
                         f"(the dotted vertical line). {esc(_sentence(result, design.objective, target_d))}</p>")
        if design.objective in svgs:
            parts.append(f"<figure>{inline_svg(svgs[design.objective], prefix=f'power{k}')}</figure>")
        rows = result.power[result.power["objective"] == design.objective].merge(
            points[points["objective"] == design.objective], on=["objective", "effect"], how="left")
        rows = rows.assign(estimator=rows["estimator"].map(ESTIMATOR_LABELS).fillna(rows["estimator"]))
        parts.append(sanitize_html(table_html(
            rows[["estimator", "effect", "change", "reps", "power", "mcse"]], decimals=3,
            labels={"effect": "Effect (standardized)", "change": "Change (scale points)", "mcse": "MCSE"},
            caption="Power of each estimator, with its Monte-Carlo standard error")))
    parts.append('<h2 id="design">The design simulated</h2>')
    parts.append(sanitize_html(table_html(result.design, decimals=3, labels={
        "n_participant": "Participants", "n_comparison": "Comparison people", "answered_participant":
        "Participants answering", "answered_comparison": "Comparison answering", "sd": "SD of scores",
        "sd_change": "SD of change", "sd_source": "SD from", "attrition_source": "Attrition from"})))
    if result.notes:
        parts.append('<h2 id="notes">Notes</h2><ul>' + "".join(f"<li>{esc(n)}</li>" for n in result.notes) + "</ul>")
    return _PAGE.format(csp=CONTENT_SECURITY_POLICY, title=esc(f"Power by simulation · {cohort}"),
                        css=_CSS + TABLE_CSS, body="\n".join(parts), version=esc(__version__))


def write_power(result: PowerSimulation, out_dir: str | os.PathLike[str], *, cohort: str) -> Path:
    """Write ``power.csv``, ``design.csv``, ``effects.csv``, ``figures/power-<objective>.svg`` and ``report.html``
    into ``out_dir`` (formula-safe tables, atomic writes); return the report's path."""
    from .pool_report import write_files

    svgs = _curves(result)
    return write_files(out_dir, {"power": result.power, "design": result.design, "effects": result.effects},
                       {f"power-{_slug(objective)}": svg for objective, svg in svgs.items()},
                       build_power_report(result, cohort=cohort, svgs=svgs))
