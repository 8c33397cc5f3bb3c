"""The executive summary: the one screen a sponsor reads first, on top of ``report.html`` and alone in
``summary.html`` (print-ready on one A4 or Letter page).

Six tiles, each a figure and one sentence, computed from the cohort folder itself (like every phase):

1. **objectives** met or not, with the evidence that judged each (the objectives view's evidence column when the
   evaluation names one, else "paired change" for a survey scale);
2. **learning both ways**: the mentees' and the mentors' learning scales, and how many pairs' recent topics still
   go both ways;
3. **culture across the waves**: the Kirkpatrick level-4 survey scales, first wave → last wave;
4. **retention** of participants against the comparison group (12 months, Kaplan–Meier);
5. **ROI with its range**: the conservative Phillips ROI (benefits × attribution × confidence) and what it would be
   if every estimate were certain (benefits × attribution only);
6. **pairs to follow up**: at risk and needing a check-in (far-apart ratings, one-way learning), and overdue goals.

People appear by ``person_id`` only, and every aggregate follows ``min_group_size`` (the evaluation is already
suppressed). The page has no script, loads nothing, and carries the same Content-Security-Policy as the report.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..cohort import Cohort
    from ..evaluation.metrics_table import Evaluation

__all__ = ["Tile", "Summary", "executive_summary", "summary_section", "summary_page", "summary_to_json",
           "summary_from_json", "SUMMARY_CSS", "CSP"]

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_EVIDENCE_COLUMNS = ("judged_by", "evidence_from", "estimator", "method", "design")


@dataclass(frozen=True)
class Tile:
    """One result: a short ``title``, a big ``figure``, one ``sentence``; ``tone`` is good, bad or neutral."""

    key: str
    title: str
    figure: str
    sentence: str
    tone: str = "neutral"


@dataclass
class Summary:
    """The executive summary of a cohort."""

    program: str
    cohort: str
    as_of: dt.date | None
    facts: str
    tiles: list[Tile] = field(default_factory=list)


def _num(x: float, digits: int = 2, *, signed: bool = False) -> str:
    from ..phases.readable import format_number

    text = format_number(x, digits)
    return f"+{text}" if signed and text != "–" and not text.startswith("-") and float(text.replace(",", "")) != 0 else text


def _objectives_tile(evaluation, instrument) -> Tile:
    from ..evaluation.views import objectives_view

    view = objectives_view(evaluation)
    if view.empty:
        return Tile("objectives", "Objectives", "none set",
                    "program.yaml names no objectives, so nothing can be judged: agree goals and measures first.", "bad")
    raw = evaluation.objectives.set_index("objective")
    how_column = next((c for c in _EVIDENCE_COLUMNS if c in view.columns), None)
    parts, met = [], 0
    for row in view.itertuples(index=False):
        r = raw.loc[row.objective]
        if how_column:
            how = str(getattr(row, how_column))
        elif row.measure in instrument.scale_ids:
            how = "paired change"
        else:
            how = {"retention_12m": "participants against the comparison group", "goals_done": "the agreements' goals",
                   "roi_percent": "Phillips ROI", "bcr": "Phillips ROI"}.get(row.measure, "its measure")
        met += row.result == "met"
        estimate = "" if r["estimate"] != r["estimate"] else f" ({_num(r['estimate'], signed=True)} against {_num(r['target'], signed=True)}, {how})"
        parts.append(f"{row.objective.replace('_', ' ')} {row.result}{estimate}")
    judged = int((view["result"] != "not judged").sum())
    if judged == 0:
        # Nothing measured yet is not a failure: a sponsor reads "0 of 3" in red as three objectives missed.
        return Tile("objectives", "Objectives met", "not judged yet",
                    f"None of the {len(view)} objectives has evidence yet: " + "; ".join(parts) + ".", "neutral")
    tone = "good" if met == len(view) else ("bad" if met == 0 else "neutral")
    figure = f"{met} of {len(view)}" if judged == len(view) else f"{met} of {judged} judged"
    text = "; ".join(parts) + "." + ("" if judged == len(view) else f" {len(view) - judged} of {len(view)} not judged yet.")
    return Tile("objectives", "Objectives met", figure, text, tone)


def _learning_tile(evaluation, flows) -> Tile:
    learning = evaluation.learning
    shown = learning.dropna(subset=["mean_change"]) if not learning.empty else learning
    parts = []
    for row in shown.itertuples(index=False):
        parts.append(f"{row.learner}s' {row.label.lower()} {_num(row.mean_change, signed=True)} "
                     f"(95% CI {_num(row.ci_low)} to {_num(row.ci_high)}, n = {int(row.n)})")
    figure = " / ".join(_num(r.mean_change, signed=True) for r in shown.itertuples(index=False)) or "–"
    topics = ""
    if flows is not None and len(flows):
        both = int((flows["direction"] == "both ways").sum())
        down = int((flows["direction"] == "top-down only").sum())
        topics = f" In the recent check-ins {both} of {len(flows)} pairs still learn both ways" + (
            f"; {down} slid into one-way, top-down mentoring." if down else ".")
    if not parts:
        return Tile("learning", "Learning both ways", "–", "No learning scale was measured at two waves." + topics)
    real = all(r.ci_low > 0 for r in shown.itertuples(index=False))
    return Tile("learning", "Learning both ways (scale points)", figure,
                "Change first to last wave: " + "; ".join(parts) + "." + topics, "good" if real else "neutral")


def _culture_tile(evaluation, instrument) -> Tile:
    waves, first, last = evaluation.waves, evaluation.first_wave, evaluation.last_wave
    scales = [s for s in instrument.scales if (s.kirkpatrick or (2 if s.audience != "all" else 4)) == 4]
    parts, up, counted = [], 0, 0
    for scale in scales:
        here = waves[(waves["scale"] == scale.id) & (waves["group"] == "all") & ~waves["suppressed"].astype(bool)]
        a, b = here[here["wave"] == first], here[here["wave"] == last]
        if a.empty or b.empty:
            continue
        pct = scale.scoring == "percent_favorable"
        before, after = float(a["value"].iloc[0]), float(b["value"].iloc[0])
        fmt = (lambda v: f"{v:.0f}%") if pct else (lambda v: _num(v))
        parts.append(f"{scale.title.split(' (')[0].lower()} {fmt(before)} → {fmt(after)}")
        counted += 1
        up += after > before
    if not parts:
        return Tile("culture", "Culture across the waves", "–", "The culture scales were not measured at two waves.")
    return Tile("culture", f"Culture, {first} → {last}", f"{up} of {counted} up",
                "Whole cohort: " + "; ".join(parts) + ".", "good" if up == counted else "neutral")


def _retention_tile(evaluation) -> Tile:
    comparison = evaluation.retention_comparison
    if comparison.empty:
        text = ("No outcomes.csv: retention is not measured." if evaluation.retention.empty else
                "No comparison group in outcomes.csv: the program's effect on retention cannot be isolated.")
        return Tile("retention", "Retention", "–", text)
    c = comparison.iloc[0]
    if c["difference"] != c["difference"]:
        return Tile("retention", "Retention", "suppressed", "A group is smaller than the minimum group size.")
    tone = "good" if c["ci_low"] > 0 else ("bad" if c["ci_high"] < 0 else "neutral")
    return Tile("retention", "Retention after 12 months", f"{c['difference']:+.1f} points",
                f"{c['participant']:.1f}% of participants still employed against {c['comparison']:.1f}% of the "
                f"comparison group (95% CI of the difference {c['ci_low']:.1f} to {c['ci_high']:.1f} points).", tone)


def _roi_tile(cohort, evaluation) -> Tile:
    from ..evaluation.roi import phillips_roi

    if evaluation.roi.empty:
        return Tile("roi", "Return on investment", "–", "No costs.csv: ROI is not calculated.")
    roi = evaluation.roi.set_index("metric")["value"]
    certain = phillips_roi(cohort.costs.assign(confidence=1.0)).set_index("metric")["value"]
    currency = f"{cohort.program.currency} " if cohort.program.currency else ""
    tone = "good" if roi["roi_percent"] > 0 else "bad"
    return Tile("roi", "Return on investment", f"{roi['roi_percent']:.0f}%",
                f"Benefits of {currency}{roi['benefits']:,.0f} (after attribution and confidence) against fully loaded "
                f"costs of {currency}{roi['costs']:,.0f}: BCR {roi['bcr']:.2f}, payback in {roi['payback_months']:.1f} "
                f"months. Range: {roi['roi_percent']:.0f}% as counted (conservative) to {certain['roi_percent']:.0f}% "
                "if every estimate were certain.", tone)


def _follow_up_tile(health, goals) -> Tile:
    if health is None or health.empty:
        return Tile("follow_up", "Pairs to follow up", "–", "No check-ins yet: nothing to follow up.")
    at_risk = health[health["status"] == "at risk"]
    check = health[health["status"] == "needs check-in"]
    apart = int(check["rule"].str.contains("far apart").sum())
    one_way = int(check["rule"].str.contains("one way").sum())
    overdue = int(goals["overdue"].sum()) if goals is not None and len(goals) else 0
    ids = ", ".join(f"{m}–{e}" for m, e in zip(at_risk["mentor_id"].head(6), at_risk["mentee_id"].head(6), strict=True))
    detail = [f"{len(at_risk)} at risk" + (f" ({ids}{', …' if len(at_risk) > 6 else ''})" if ids else ""),
              f"{len(check)} need a check-in" + (f" ({apart} rated far apart by the two sides, {one_way} learning one way)"
                                                 if apart or one_way else "")]
    if overdue:
        detail.append(f"{overdue} goals overdue")
    total = len(at_risk) + len(check)
    tone = "good" if total == 0 else ("bad" if len(at_risk) else "neutral")
    return Tile("follow_up", "Pairs to follow up", f"{total} of {len(health)}", "; ".join(detail) + ".", tone)


def executive_summary(cohort: Cohort, evaluation: Evaluation | None = None) -> Summary:
    """The six tiles of a loaded cohort (see the module's docstring); ``evaluation`` is the cohort's
    :func:`~rmkit.evaluation.metrics_table.evaluate` when it was computed already (the evaluation phase has it)."""
    from ..evaluation.metrics_table import evaluate
    from ..phases.checkins import agreement_progress, health_dates, pair_health, pairs_to_watch, reciprocity

    if evaluation is None:
        evaluation = evaluate(cohort, every_wave=False)  # no tile shows the mixed models of every wave
    health = flows = goals = None
    as_of = None
    if cohort.checkins is not None:
        watched = pairs_to_watch(cohort.pairs, cohort.checkins)
        as_of = health_dates(cohort.program, cohort.checkins)[1]
        rules = cohort.program.checkins
        health = pair_health(watched, cohort.checkins, cohort.program, participants=cohort.participants)
        flows = reciprocity(watched, cohort.checkins, cohort.participants, recent=rules.recent_meetings,
                            one_way_share=rules.one_way_share)
        goals = agreement_progress(watched, cohort.agreements, as_of=as_of)
    pairs = len(cohort.pairs) if cohort.pairs is not None else (len(health) if health is not None else 0)
    when = cohort.program.as_of or (as_of.date() if as_of is not None else None)
    facts = (f"{len(cohort.mentors)} mentors and {len(cohort.mentees)} mentees, {pairs} pairs"
             + (f" · data as of {when.day} {when:%B %Y}" if when else "")
             + f" · groups under {evaluation.min_group_size} people are never shown")
    tiles = [_objectives_tile(evaluation, cohort.instrument), _learning_tile(evaluation, flows),
             _culture_tile(evaluation, cohort.instrument), _retention_tile(evaluation), _roi_tile(cohort, evaluation),
             _follow_up_tile(health, goals)]
    return Summary(program=cohort.program.program or cohort.name, cohort=cohort.name, as_of=when, facts=facts,
                   tiles=tiles)


def summary_to_json(summary: Summary) -> str:
    """The summary as JSON text (how the evaluation phase hands its tiles to ``rmkit run``)."""
    import json
    from dataclasses import asdict

    data = asdict(summary)
    data["as_of"] = summary.as_of.isoformat() if summary.as_of else None
    return json.dumps(data, ensure_ascii=False)


def summary_from_json(text: str) -> Summary:
    """The summary back from :func:`summary_to_json`'s text; ``ValueError`` (or ``KeyError``/``TypeError``) when
    the text is not such a summary.

    Examples
    --------
    >>> s = Summary("P", "c", dt.date(2025, 7, 1), "facts", [Tile("roi", "ROI", "12 %", "Conservative.", "good")])
    >>> summary_from_json(summary_to_json(s)) == s
    True
    """
    import json

    data = json.loads(text)
    tiles = [Tile(**{f.name: str(tile[f.name]) for f in fields(Tile)}) for tile in data["tiles"]]
    as_of = dt.date.fromisoformat(data["as_of"]) if data["as_of"] else None
    return Summary(program=str(data["program"]), cohort=str(data["cohort"]), as_of=as_of, facts=str(data["facts"]),
                   tiles=tiles)


# --------------------------------------------------------------------------------------------- HTML

SUMMARY_CSS = """
section.summary { margin: 0 0 1.5em; }
section.summary h2 { margin: 0.2em 0 0.2em; border: none; }
section.summary .facts-line { color: #59636e; margin: 0 0 0.8em; }
.tiles { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 10px; }
.tile { border: 1px solid #d0d7de; border-left: 6px solid #8c959f; border-radius: 6px; padding: 8px 12px; }
.tile.good { border-left-color: #1a7f37; } .tile.bad { border-left-color: #cf222e; } .tile.neutral { border-left-color: #9a6700; }
.tile h3 { font-size: 0.95em; margin: 0; color: #59636e; font-weight: 600; }
.tile .figure { font-size: 1.9em; font-weight: 700; margin: 2px 0 4px; line-height: 1.15; }
.tile p { margin: 0; font-size: 0.9em; line-height: 1.4; }
@media (max-width: 900px) { .tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
"""


def summary_section(summary: Summary) -> str:
    """The summary as a report section (escaped; no script)."""
    tiles = "".join(
        f'<div class="tile {html.escape(t.tone)}"><h3>{html.escape(t.title)}</h3>'
        f'<div class="figure">{html.escape(t.figure)}</div><p>{html.escape(t.sentence)}</p></div>' for t in summary.tiles)
    return (f'<section class="summary" id="summary"><h2>Executive summary</h2>'
            f'<p class="facts-line">{html.escape(summary.facts)}</p><div class="tiles">{tiles}</div></section>')


def summary_page(summary: Summary, *, run_name: str = "") -> str:
    """``summary.html``: the summary alone, print-ready on one A4 or Letter page."""
    title = html.escape(f"{summary.program} · executive summary")
    made = f" · run {html.escape(run_name)}" if run_name else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
* {{ box-sizing: border-box; }}
body {{ margin: 0 auto; max-width: 980px; padding: 24px 32px; color: #1f2328; background: #fff;
       font: 15px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }}
h1 {{ font-size: 1.7em; margin: 0; }}
.cohort {{ color: #59636e; margin: 0 0 0.6em; }}
footer {{ margin-top: 1.2em; color: #59636e; font-size: 0.8em; }}
{SUMMARY_CSS}
@page {{ margin: 12mm; }}
@media print {{
  body {{ max-width: none; padding: 0; font-size: 9.5pt; }}
  .tiles {{ grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 6px; }}
  .tile {{ break-inside: avoid; padding: 5px 9px; }}
  .tile .figure {{ font-size: 1.6em; }}
}}
</style>
</head>
<body>
<h1>{html.escape(summary.program)}</h1>
<p class="cohort">Cohort {html.escape(summary.cohort)}{made}</p>
{summary_section(summary)}
<footer>People appear by person_id only. The full report (report.html) holds every phase, table and chart; this page
needs no internet connection.</footer>
</body>
</html>
"""
