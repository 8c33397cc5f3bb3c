"""The evaluation phase's views: Kirkpatrick levels 1–4 and Phillips level 5, built from :func:`rmkit.evaluation.metrics_table.evaluate`.

These functions only reshape an :class:`~rmkit.evaluation.metrics_table.Evaluation` (already suppressed by ``min_group_size``) into
the tables and chart data the notebook, the report and the evaluation board show. A suppressed aggregate is shown
as suppressed — with its ``n`` — never silently dropped.
"""

from __future__ import annotations

import pandas as pd

from ..cohort.config import Instrument
from .metrics_table import Evaluation
from .scoring import score_labels

__all__ = [
    "score_labels",
    "LEVELS",
    "scale_labels",
    "kirkpatrick_summary",
    "learning_view",
    "change_view",
    "waves_view",
    "retention_view",
    "roi_view",
    "roi_table",
    "objectives_view",
    "suppressed_count",
    "effects_view",
    "balance_view",
    "EFFECTS_CAUTION",
]

#: what the effect against a comparison group does and does not show, in plain words (shown with the effects)
EFFECTS_CAUTION = (
    "The comparison group was not assigned at random: people who choose to join a program differ from those who do "
    "not (an NBER field experiment found that mentees who opted in gained far less than mentees who were assigned). "
    "The difference-in-differences removes what changed for everyone that year, and a stable head start of one "
    "group, but not a difference in how the groups would have developed anyway; read it with the balance table, and "
    "trust it more where the groups started alike.")

LEVELS = {1: "Reaction", 2: "Learning", 3: "Behaviour", 4: "Results", 5: "ROI"}


def scale_labels(instrument: Instrument) -> dict[str, str]:
    """scale id -> its label."""
    return {s.id: s.title for s in instrument.scales}


def _fmt(value: float, digits: int = 2, *, signed: bool = False) -> str:
    if value is None or pd.isna(value):
        return "–"
    if abs(value) < 0.5 * 10 ** -digits:
        value = 0.0  # never "-0.00"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def _value_text(row: pd.Series, scoring: str, min_group_size: int) -> str:
    if bool(row.get("suppressed", False)) or pd.isna(row.get("value")):
        return f"suppressed (n = {int(row['n'])} < {min_group_size})" if row.get("n") == row.get("n") else "no data"
    unit = "%" if scoring == "percent_favorable" else ""
    digits = 0 if scoring == "percent_favorable" else 2
    return f"{row['value']:.{digits}f}{unit} (n = {int(row['n'])})"


def kirkpatrick_summary(evaluation: Evaluation, instrument: Instrument) -> pd.DataFrame:
    """One row per measure, ordered by Kirkpatrick level (and Phillips ROI as level 5).

    Returns ``level``, ``level_name``, ``measure``, ``group`` (whose result it is: the learners for a learning scale,
    else the whole cohort), ``first`` and ``last`` (the value at the first and last wave with answers), ``change``
    (mean paired change from the first to the last wave with its 95% CI).
    """
    rows = []
    waves, change = evaluation.waves, evaluation.change
    first, last = evaluation.first_wave, evaluation.last_wave
    for scale in instrument.scales:
        level = scale.kirkpatrick or (2 if scale.audience != "all" else 4)
        group = {"mentee": "role=mentee", "mentor": "role=mentor"}.get(scale.audience, "all")
        here = waves[(waves["scale"] == scale.id) & (waves["group"] == group)]
        at_first = here[here["wave"] == first]
        at_last = here[here["wave"] == last]
        delta = change[(change["scale"] == scale.id) & (change["group"] == group)]
        if delta.empty:
            change_text = "not measured at both waves"
        elif bool(delta["suppressed"].iloc[0]) or pd.isna(delta["mean_change"].iloc[0]):
            change_text = f"suppressed (n = {int(delta['n'].iloc[0])} < {evaluation.min_group_size})"
        else:
            d = delta.iloc[0]
            # the change is always of a person's scale mean (also for a percent-favourable scale): say so
            low, high = instrument.response_scale.min, instrument.response_scale.max
            unit = f" on the {low}–{high} scale" if scale.scoring in ("mean", "percent_favorable") else " points"
            prefix = "mean rating " if scale.scoring == "percent_favorable" else ""
            change_text = (f"{prefix}{_fmt(d['mean_change'], signed=True)}{unit} (95% CI {_fmt(d['ci_low'])} to "
                           f"{_fmt(d['ci_high'])}, n = {int(d['n'])})")
        # a scale answered only after pairing has no baseline: show its first and last waves with answers
        if at_first.empty and len(here) > 1:
            at_first = here.head(1)
        if at_last.empty and len(here):
            at_last = here.tail(1)
        rows.append({
            "level": level, "level_name": LEVELS[level], "measure": scale.title, "group": group,
            "first": _value_text(at_first.iloc[0], scale.scoring, evaluation.min_group_size) if len(at_first) else "–",
            "last": _value_text(at_last.iloc[0], scale.scoring, evaluation.min_group_size) if len(at_last) else "–",
            "change": change_text,
        })
    goals = evaluation.goals
    overall = goals[goals["group"] == "all"] if not goals.empty else goals
    if not overall.empty:
        g = overall.iloc[0]
        if bool(g.get("suppressed", False)) or pd.isna(g["value"]):
            done = f"suppressed (n = {int(g['n'])} pairs < {evaluation.min_group_size})"
        else:
            done = f"{g['value']:.0f}% done (95% CI {_fmt(g['ci_low'], 0)} to {_fmt(g['ci_high'], 0)}%)"
        rows.append({"level": 3, "level_name": LEVELS[3], "measure": "Goals of the mentoring agreements done",
                     "group": "pairs", "first": f"{int(g['goals'])} goals set by {int(g['n'])} pairs", "last": done,
                     "change": f"{int(g['done'])} done, {int(g['dropped'])} dropped"})
    if not evaluation.retention_comparison.empty:
        r = evaluation.retention_comparison.iloc[0]
        rows.append({"level": 4, "level_name": LEVELS[4], "measure": "Still employed after 12 months", "group": "participant vs comparison",
                     "first": f"comparison {_fmt(r['comparison'], 1)}%", "last": f"participants {_fmt(r['participant'], 1)}%",
                     "change": f"{_fmt(r['difference'], 1, signed=True)} points (95% CI {_fmt(r['ci_low'], 1)} to {_fmt(r['ci_high'], 1)})"})
    if not evaluation.roi.empty:
        roi = evaluation.roi.set_index("metric")["value"]
        rows.append({"level": 5, "level_name": LEVELS[5], "measure": "Return on investment", "group": "program",
                     "first": f"BCR {_fmt(roi.get('bcr'))}", "last": f"ROI {_fmt(roi.get('roi_percent'), 0)}%",
                     "change": f"payback in {_fmt(roi.get('payback_months'), 1)} months"})
    return pd.DataFrame(rows, columns=["level", "level_name", "measure", "group", "first", "last", "change"]).sort_values(
        "level", kind="stable").reset_index(drop=True)


def learning_view(evaluation: Evaluation) -> pd.DataFrame:
    """Both directions of learning for the change chart: ``scale`` (e.g. "Digital confidence · mentees"), ``group``, ``mean_change``, ``ci_low``, ``ci_high``, ``target``, ``n``, ``cohen_dz``."""
    learning = evaluation.learning
    if learning.empty:
        return pd.DataFrame(columns=["scale", "group", "mean_change", "ci_low", "ci_high", "target", "n", "cohen_dz"])
    targets = evaluation.objectives.set_index("measure")["target"] if not evaluation.objectives.empty else pd.Series(dtype=float)
    out = pd.DataFrame({
        "scale": learning["label"] + " · " + learning["learner"] + "s",
        "group": "role=" + learning["learner"],
        "mean_change": learning["mean_change"], "ci_low": learning["ci_low"], "ci_high": learning["ci_high"],
        "target": learning["scale"].map(targets).astype(float), "n": learning["n"], "cohen_dz": learning["cohen_dz"],
    })
    return out.reset_index(drop=True)


def change_view(evaluation: Evaluation, instrument: Instrument, *, groups: tuple[str, ...] = ("all",)) -> pd.DataFrame:
    """Change first → last wave per scale for the chosen groups, labelled, with suppressed rows kept (empty values)."""
    labels = scale_labels(instrument)
    change = evaluation.change[evaluation.change["group"].isin(groups)].copy()
    change.insert(0, "label", change["scale"].map(labels))
    targets = evaluation.objectives.set_index("measure")["target"] if not evaluation.objectives.empty else pd.Series(dtype=float)
    change["target"] = change["scale"].map(targets).astype(float)
    return change.reset_index(drop=True)


def waves_view(evaluation: Evaluation, instrument: Instrument, *, group: str = "all", levels: tuple[int, ...] | None = None) -> pd.DataFrame:
    """The waves table for one group, with scale labels (``scale`` = label, ``scale_id``), optionally restricted to
    Kirkpatrick levels; suppressed rows are kept with empty values."""
    labels = scale_labels(instrument)
    keep = [s.id for s in instrument.scales if levels is None or (s.kirkpatrick or 4) in levels]
    waves = evaluation.waves[(evaluation.waves["group"] == group) & (evaluation.waves["scale"].isin(keep))].copy()
    waves = waves.rename(columns={"scale": "scale_id"})
    waves.insert(0, "scale", waves["scale_id"].map(labels))
    return waves.reset_index(drop=True)


def retention_view(evaluation: Evaluation) -> pd.DataFrame:
    """Kaplan–Meier curves for the retention chart: ``group``, ``months`` (days / 30.44), ``survival``, ``ci_low``,
    ``ci_high`` (percentages)."""
    curves = evaluation.retention_curves
    if curves.empty:
        return pd.DataFrame(columns=["group", "months", "survival", "ci_low", "ci_high"])
    return pd.DataFrame({
        "group": curves["group"], "months": (curves["day"] / 30.44).round(2), "survival": curves["retained"],
        "ci_low": curves["ci_low"], "ci_high": curves["ci_high"],
    })


def roi_view(evaluation: Evaluation) -> pd.DataFrame:
    """Cost and benefit lines as counted (benefits after attribution × confidence), for the ROI chart."""
    lines = evaluation.roi_lines
    if lines.empty:
        return pd.DataFrame(columns=["kind", "item", "amount"])
    return pd.DataFrame({"kind": lines["kind"], "item": lines["item"], "amount": lines["counted"]})


def roi_table(evaluation: Evaluation, *, currency: str = "") -> pd.DataFrame:
    """Phillips ROI for people: ``measure`` (with its unit) and ``value`` (text), in the order a sponsor reads it.

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.evaluation.metrics_table import evaluate
    >>> from rmkit.resources import example_cohort_dir
    >>> roi_table(evaluate(load_cohort(example_cohort_dir())), currency="EUR")["measure"].tolist()[:2]
    ['Costs, fully loaded (EUR)', 'Benefits, after attribution and confidence (EUR)']
    """
    if evaluation.roi.empty:
        return pd.DataFrame(columns=["measure", "value"])
    roi = evaluation.roi.set_index("metric")["value"]
    unit = f" ({currency})" if currency else ""
    rows = [("Costs, fully loaded" + unit, f"{roi['costs']:,.0f}"),
            ("Benefits, after attribution and confidence" + unit, f"{roi['benefits']:,.0f}"),
            ("Benefit-cost ratio", _fmt(roi.get("bcr"))), ("ROI (%)", f"{_fmt(roi.get('roi_percent'), 0)}%"),
            ("Payback (months)", _fmt(roi.get("payback_months"), 1))]
    return pd.DataFrame(rows, columns=["measure", "value"])


def objectives_view(evaluation: Evaluation) -> pd.DataFrame:
    """Objectives judged: ``objective``, ``measure``, ``group``, ``target``, ``result`` (met / not met / not judged),
    ``judged_by`` (the evidence that judged it: difference-in-differences, paired change, …), ``evidence``."""
    objectives = evaluation.objectives
    if objectives.empty:
        return pd.DataFrame(columns=["objective", "measure", "group", "target", "result", "judged_by", "evidence"])
    result = objectives["met"].map({True: "met", False: "not met"}).fillna("not judged")
    judged_by = objectives["judged_by"] if "judged_by" in objectives.columns else ""
    return pd.DataFrame({"objective": objectives["objective"], "measure": objectives["measure"], "group": objectives["group"],
                         "target": objectives["target"], "result": result, "judged_by": judged_by,
                         "evidence": objectives["evidence"]})


def suppressed_count(evaluation: Evaluation) -> int:
    """How many aggregates the confidentiality rule hides (metrics table rows)."""
    return int(evaluation.metrics["suppressed"].sum()) if not evaluation.metrics.empty else 0


def _two(x: float) -> str:
    """Two decimals, never ``-0.00``; ``–`` for no value."""
    return "–" if x is None or pd.isna(x) else f"{0.0 if abs(x) < 0.005 else x:.2f}"


def _interval_text(estimate: float, low: float, high: float) -> str:
    """``+0.28 (0.00 to 0.55)``; never ``-0.00``; ``–`` when there is no estimate."""
    if estimate is None or pd.isna(estimate):
        return "–"
    two = _two

    text = f"{'+' if estimate >= 0.005 else ''}{two(estimate)}"
    return text + (f" ({two(low)} to {two(high)})" if pd.notna(low) and pd.notna(high) else "")


def effects_view(evaluation: Evaluation, instrument: Instrument) -> pd.DataFrame:
    """The effect against the comparison group for people: ``scale`` (label), ``group``, ``n_participant``,
    ``n_comparison``, ``sizes`` (text: "66 / 63"), ``participant_change``, ``comparison_change``, ``changes``
    (text: "0.22 / 0.26"), ``estimate`` (the DiD), ``ci_low``, ``ci_high``, ``p_value``, ``ancova`` and
    ``adjusted`` (text: estimate and 95% CI), ``adjusted_for``, ``suppressed``. Suppressed rows keep their sizes
    and lose every figure."""
    effects = evaluation.effects
    columns = ["scale", "group", "n_participant", "n_comparison", "sizes", "participant_change", "comparison_change",
               "changes", "estimate", "ci_low", "ci_high", "p_value", "ancova", "adjusted", "adjusted_for", "suppressed"]
    if effects.empty:
        return pd.DataFrame(columns=columns)
    labels = scale_labels(instrument)
    out = pd.DataFrame({
        "scale": effects["scale"].map(lambda s: labels.get(s, s)), "group": effects["group"],
        "n_participant": effects["n_participant"], "n_comparison": effects["n_comparison"],
        "participant_change": effects["participant_change"], "comparison_change": effects["comparison_change"],
        "estimate": effects["estimate"], "ci_low": effects["ci_low"], "ci_high": effects["ci_high"],
        "p_value": effects["p_value"],
        "ancova": [_interval_text(e, lo, hi) for e, lo, hi in zip(effects["ancova"], effects["ancova_ci_low"],
                                                                   effects["ancova_ci_high"], strict=True)],
        "adjusted": [_interval_text(e, lo, hi) for e, lo, hi in zip(effects["adjusted"], effects["adjusted_ci_low"],
                                                                     effects["adjusted_ci_high"], strict=True)],
        "adjusted_for": effects["adjusted_for"].fillna("").replace("", "–"),
        "suppressed": effects["suppressed"].astype(bool),
    })
    out["sizes"] = [f"{a} / {b}" for a, b in zip(effects["n_participant"], effects["n_comparison"], strict=True)]
    out["changes"] = [f"{_two(a)} / {_two(b)}" if pd.notna(a) else "–"
                      for a, b in zip(effects["participant_change"], effects["comparison_change"], strict=True)]
    return out[columns].reset_index(drop=True)


def balance_view(evaluation: Evaluation, instrument: Instrument) -> pd.DataFrame:
    """The baseline balance for people: ``variable`` (a scale's label, or a covariate and its value), ``n_participant``,
    ``mean_participant``, ``n_comparison``, ``mean_comparison`` (means; shares in % for a category, as the variable
    says), ``smd``, ``equivalence``, ``suppressed``."""
    balance = evaluation.balance
    columns = ["variable", "n_participant", "mean_participant", "n_comparison", "mean_comparison", "smd", "equivalence",
               "suppressed"]
    if balance.empty:
        return pd.DataFrame(columns=columns)
    labels = scale_labels(instrument)
    names = {"department": "Department", "level": "Level", "generation": "Generation", "tenure_years": "Tenure (years)"}
    variable = [labels.get(v, v) if kind == "scale" else (f"{names.get(v, v)}: {c} (%)" if c else names.get(v, v))
                for v, kind, c in zip(balance["variable"], balance["kind"], balance["category"], strict=True)]
    out = balance.assign(variable=variable, mean_participant=balance["participant"],
                         mean_comparison=balance["comparison"])
    out["equivalence"] = out["equivalence"].replace("", "–")
    return out[columns].reset_index(drop=True)
