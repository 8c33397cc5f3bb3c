"""Program metrics: the tidy metrics table (the README, "Scoring and metrics") and the full evaluation that the
evaluation notebook and dashboard display.

:func:`metrics_table` has exactly the columns ``metric, group, wave, n, value, ci_low, ci_high, suppressed``, in
this row order:

1. each scale (the instrument's order) × wave (``program.waves``) × group (``all``, ``role=mentor``,
   ``role=mentee``, ``department=…`` by name): ``metric`` = the scale id, ``value`` per the scale's scoring
   (:func:`rmkit.evaluation.waves.waves_table`); ``n`` = people with a score;
2. ``alpha:<scale>`` per wave, group ``all``: Cronbach's alpha and its Feldt CI
   (:func:`rmkit.evaluation.reliability.reliability_table`); ``n`` = people who answered at least one item of the scale;
3. ``change:<scale>`` per group, ``wave`` = the last wave: the mean paired change from the first to the last wave
   with responses and the paired t-test's CI (:func:`rmkit.evaluation.change.paired_change`); ``n`` = people answering both;
   then ``did:<scale>`` (group ``participant``, ``wave`` = the last wave) when a comparison group answered the survey:
   the participants' mean change minus the comparison group's, with the CI of the person-clustered OLS
   (:func:`rmkit.evaluation.effects.did`); ``n`` = people in both groups, hidden when either has fewer than
   ``min_group_size`` (:mod:`rmkit.evaluation.comparison`); then ``mixed:<scale>``, one row per wave after the first
   (group ``participant`` with a comparison group, ``all`` without): the effect at that wave from a random-intercept
   mixed model over every wave (:mod:`rmkit.evaluation.mixed_model`); ``n`` = people in the model, hidden when a
   group has fewer than ``min_group_size`` (:mod:`rmkit.evaluation.every_wave`); then
   ``rci_improved:<scale>`` and ``rci_worse:<scale>``
   per group (``all``, ``role=…``; ``wave`` = the last wave): the percentage of the people scored at both waves
   whose change is reliable (Jacobson–Truax, :mod:`rmkit.evaluation.reliable_change`); ``n`` = those people;
4. ``retention_12m`` for ``participant`` and ``comparison`` (no wave): the percentage still employed 365 days after
   ``start_date`` (:func:`rmkit.evaluation.retention.retention_rates`); ``n`` = people followed; then ``goals_done``
   for ``all``, ``role=mentor`` and ``role=mentee`` (no wave): the percentage of the goals of ``agreements.csv`` done
   (:func:`rmkit.evaluation.goals.goal_completion`; Kirkpatrick level 3); ``n`` = pairs with goals;
5. ``costs``, ``benefits``, ``bcr``, ``roi_percent`` (group ``all``, no wave): Phillips ROI (:mod:`rmkit.evaluation.roi`).
   ``n`` is empty: these figures describe money, not respondents, so the size rule does not apply to them.

Then :func:`rmkit.evaluation.confidentiality.suppress` applies ``min_group_size`` with complementary suppression within each
metric × wave breakdown. A table whose file is absent (no ``outcomes.csv``, say) contributes no rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..cohort import Cohort
from .change import Evidence, change_waves, judge_objectives, paired_change, two_way_learning
from .comparison import (
    EFFECT_COLUMNS,
    ComparisonEvidence,
    comparison_evidence,
    did_metric_rows,
    survey_scores,
)
from .confidentiality import suppress, suppress_subsets
from .every_wave import EveryWaveEvidence, every_wave_evidence, mixed_metric_rows
from .goals import GOAL_COLUMNS, goal_completion
from .pair_outcomes import OUTCOME_COLUMNS, PairOutcomes, pair_outcomes
from .reliability import item_table, reliability_table, reliability_warnings
from .reliable_change import (
    PERSON_COLUMNS,
    RCI_COLUMNS,
    ReliableChange,
    lower_is_better,
    rci_metric_rows,
    reliable_change,
)
from .retention import compare_retention, kaplan_meier, retention_rates
from .roi import intangibles, phillips_roi, roi_lines
from .scoring import SCORE_COLUMNS, score_responses
from .waves import waves_table

__all__ = ["METRICS_COLUMNS", "Evaluation", "evaluate", "metrics_table"]

METRICS_COLUMNS = ["metric", "group", "wave", "n", "value", "ci_low", "ci_high", "suppressed"]
ROI_IN_METRICS = ("costs", "benefits", "bcr", "roi_percent")
_CHANGE_STATS = ["n", "mean_before", "mean_after", "mean_change", "sd_change", "ci_low", "ci_high", "t", "dof",
                 "p_value", "cohen_dz", "hedges_g", "wilcoxon_w", "wilcoxon_p"]


@dataclass
class Evaluation:
    """Everything the evaluation phase shows, computed once from a cohort.

    Tables that aggregate people are already suppressed by ``min_group_size`` (their ``suppressed`` column says
    where), except ``scores``, the per-person scale scores (pseudonymous ``person_id``) for the researcher.
    """

    cohort: str
    min_group_size: int
    as_of: dt.date
    first_wave: str | None
    last_wave: str | None
    scores: pd.DataFrame
    waves: pd.DataFrame
    reliability: pd.DataFrame
    items: pd.DataFrame
    change: pd.DataFrame
    learning: pd.DataFrame
    retention: pd.DataFrame
    retention_comparison: pd.DataFrame
    retention_curves: pd.DataFrame
    roi: pd.DataFrame
    roi_lines: pd.DataFrame
    intangibles: pd.DataFrame
    objectives: pd.DataFrame
    metrics: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    goals: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[*GOAL_COLUMNS, "suppressed"]))
    #: the program's effect against the comparison group (DiD, ANCOVA, adjusted) per scale and participant group
    effects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EFFECT_COLUMNS))
    #: baseline balance of participants and comparison group (scale scores, covariates, SMDs)
    balance: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: why the comparison-group sections are empty ("" when they are not)
    effects_note: str = ""
    #: every wave at once: the mixed models, respondents per wave, attrition, stayers vs leavers
    every_wave: EveryWaveEvidence = field(default_factory=EveryWaveEvidence)
    #: reliable change (Jacobson–Truax) per scale and group, suppressed, with why a scale has none
    reliable_change: ReliableChange = field(default_factory=lambda: ReliableChange(pd.DataFrame(columns=RCI_COLUMNS),
                                                                                   pd.DataFrame(columns=PERSON_COLUMNS)))
    #: does the pairing matter: each side's learning against compatibility, meetings and pulse, per pair
    pair_outcomes: PairOutcomes = field(default_factory=lambda: PairOutcomes(pd.DataFrame(columns=OUTCOME_COLUMNS)))


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _rows(frame: pd.DataFrame, metric: pd.Series | str, group: pd.Series | str, wave: pd.Series | str | None,
          value: str = "value") -> pd.DataFrame:
    rows = pd.DataFrame({
        "metric": metric, "group": group, "wave": wave, "n": frame["n"].to_numpy(),
        "value": frame[value].to_numpy(dtype="float64"),
        "ci_low": frame["ci_low"].to_numpy(dtype="float64"), "ci_high": frame["ci_high"].to_numpy(dtype="float64"),
    }, index=frame.index)
    for column in ("suppressed", "at_risk"):  # hidden by a rule across tables (confidentiality.suppress_subsets)
        if column in frame.columns:
            rows[column] = frame[column].to_numpy()
    return rows


def _assemble(waves: pd.DataFrame | None, reliability: pd.DataFrame | None, change: pd.DataFrame | None,
              retention: pd.DataFrame | None, roi: pd.DataFrame | None, min_group_size: int,
              goals: pd.DataFrame | None = None, effects: pd.DataFrame | None = None,
              mixed: pd.DataFrame | None = None, rci: pd.DataFrame | None = None) -> pd.DataFrame:
    parts = []
    if waves is not None and not waves.empty:
        parts.append(_rows(waves, waves["scale"], waves["group"], waves["wave"]))
    if reliability is not None and not reliability.empty:
        parts.append(_rows(reliability, "alpha:" + reliability["scale"], "all", reliability["wave"], "alpha"))
    if change is not None and not change.empty:
        parts.append(_rows(change, "change:" + change["scale"], change["group"], change["last_wave"], "mean_change"))
    if effects is not None and not effects.empty:
        parts.append(did_metric_rows(effects))
    if mixed is not None and not mixed.empty:
        parts.append(mixed_metric_rows(mixed))
    if rci is not None and not rci.empty:
        parts.append(rci_metric_rows(rci))
    if retention is not None and not retention.empty:
        parts.append(_rows(retention, "retention_12m", retention["group"], None))
    if goals is not None and not goals.empty:
        parts.append(_rows(goals, "goals_done", goals["group"], None))
    if roi is not None and not roi.empty:
        money = roi[roi["metric"].isin(ROI_IN_METRICS)]
        parts.append(pd.DataFrame({"metric": money["metric"].to_numpy(), "group": "all", "wave": None, "n": pd.NA,
                                   "value": money["value"].to_numpy(dtype="float64"), "ci_low": np.nan,
                                   "ci_high": np.nan}))
    if not parts:
        table = _empty(METRICS_COLUMNS)
    else:
        table = pd.concat([p.reset_index(drop=True) for p in parts], ignore_index=True)
    table = table.astype({"metric": object, "group": object, "wave": object})
    table["wave"] = table["wave"].where(table["wave"].notna(), None)
    table["n"] = pd.array(table["n"].tolist(), dtype="Int64") if len(table) else pd.array([], dtype="Int64")
    for column in ("value", "ci_low", "ci_high"):
        table[column] = table[column].astype("float64")
    if "suppressed" in table.columns:
        table["suppressed"] = table["suppressed"].astype("boolean").fillna(False).astype(bool)
    table = suppress(table, min_group_size, keys=("metric", "wave"))
    table["suppressed"] = table["suppressed"].astype(bool)
    return table[METRICS_COLUMNS]


def _as_of(cohort: Cohort) -> dt.date:
    return cohort.program.as_of or dt.date.today()


def _survey(cohort: Cohort, confidence: float) -> dict[str, object]:
    program, instrument = cohort.program, cohort.instrument
    responses = cohort.responses
    if responses is None or responses.empty:
        return {"scores": _empty(SCORE_COLUMNS), "waves": None, "reliability": None, "items": None, "change": None,
                "first": None, "last": None, "frame": None,
                "rci": ReliableChange(pd.DataFrame(columns=RCI_COLUMNS), pd.DataFrame(columns=PERSON_COLUMNS),
                                      ["No survey responses: no reliable change."])}
    waves = list(program.waves)
    scores = score_responses(responses, instrument, waves=waves)
    first, last = change_waves(responses["wave"].tolist(), waves)
    table = waves_table(scores, cohort.participants, instrument, waves=waves, confidence=confidence, suppress=False)
    change = None
    if first is not None:
        change = paired_change(scores, cohort.participants, instrument, first=first, last=last, confidence=confidence)
        # the people at both waves are a subset of each wave's respondents: a difference of a few people would give
        # those people's answers away (wave value minus change), so such change rows are hidden
        ends = table[table["wave"].isin([first, last])]
        change = suppress_subsets(change, ends, cohort.program.min_group_size, on=["scale", "group"])
    alpha = reliability_table(responses, instrument, waves=waves, confidence=confidence)
    rci = reliable_change(scores, cohort.participants, instrument, alpha, first=first, last=last,
                          lower_better=lower_is_better(program.objectives), min_group_size=program.min_group_size,
                          waves_table=table, confidence=confidence)
    return {
        "scores": scores,
        "waves": table,  # unsuppressed here: the metrics table and evaluate() suppress every table together
        "reliability": alpha, "rci": rci,
        "items": item_table(responses, instrument, waves=waves),
        "change": change, "first": first, "last": last,
        "frame": survey_scores(cohort, scores, _comparison_scores(cohort, waves)),
    }


def _comparison_scores(cohort: Cohort, waves: list[str]) -> pd.DataFrame | None:
    others = cohort.comparison_responses
    if others is None or others.empty:
        return None
    return score_responses(others, cohort.instrument, waves=waves)


def _comparison(cohort: Cohort, survey: dict[str, object], confidence: float) -> ComparisonEvidence:
    """The comparison-group evidence, with the change as published (what the change hides, the effects hide)."""
    k = cohort.program.min_group_size
    frame = survey["frame"]
    if frame is None:
        return comparison_evidence(cohort, pd.DataFrame(columns=["person_id", "wave", "scale", "score", "group", "role"]),
                                   None, first=None, last=None, min_group_size=k, confidence=confidence)
    change = _suppress_by_n(survey["change"], k, _CHANGE_STATS[1:], ("scale",)) if survey["change"] is not None else None  # type: ignore[arg-type]
    return comparison_evidence(cohort, frame, change, first=survey["first"], last=survey["last"],  # type: ignore[arg-type]
                               min_group_size=k, confidence=confidence)


def metrics_table(cohort: Cohort, *, confidence: float = 0.95) -> pd.DataFrame:
    """The tidy metrics table of a cohort (the README, "Scoring and metrics").

    Parameters
    ----------
    cohort : rmkit.cohort.Cohort
        A loaded cohort (:func:`rmkit.cohort.load_cohort`).
    confidence : float
        Confidence level of every interval (default 0.95).

    Returns
    -------
    pandas.DataFrame
        ``metric``, ``group``, ``wave`` (empty where a metric has none), ``n`` (Int64; empty for ROI rows),
        ``value``, ``ci_low``, ``ci_high`` (empty where suppressed or undefined) and ``suppressed`` (bool), in the
        row order described in this module's documentation. Rates and shares are percentages (0–100).

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> table = metrics_table(load_cohort(example_cohort_dir()))
    >>> list(table.columns)
    ['metric', 'group', 'wave', 'n', 'value', 'ci_low', 'ci_high', 'suppressed']
    >>> table[table.metric == "roi_percent"][["metric", "group", "value"]].round(1)
              metric group  value
    ...  roi_percent   all   12.5
    """
    survey = _survey(cohort, confidence)
    retention = None
    if cohort.outcomes is not None and not cohort.outcomes.empty:
        retention = retention_rates(cohort.outcomes, as_of=_as_of(cohort), confidence=confidence)
    roi = phillips_roi(cohort.costs) if cohort.costs is not None and not cohort.costs.empty else None
    effects = _comparison(cohort, survey, confidence).effects
    every = _every_wave(cohort, survey, confidence)
    return _assemble(survey["waves"], survey["reliability"], survey["change"], retention, roi,  # type: ignore[arg-type]
                     cohort.program.min_group_size, goal_completion(cohort.agreements, confidence=confidence), effects,
                     every.mixed, survey["rci"].table)  # type: ignore[attr-defined]


def _every_wave(cohort: Cohort, survey: dict[str, object], confidence: float) -> EveryWaveEvidence:
    return every_wave_evidence(survey["frame"], waves=list(cohort.program.waves),  # type: ignore[arg-type]
                               min_group_size=cohort.program.min_group_size, confidence=confidence)


def _suppress_by_n(frame: pd.DataFrame | None, min_group_size: int, columns: list[str], keys: tuple[str, ...],
                   group: str | None = "group") -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame()
    if frame.empty:
        out = frame.copy()
        out["suppressed"] = pd.Series(dtype=bool)
        return out
    if group is None:
        out = suppress(frame.assign(_group="all"), min_group_size, keys=keys, group="_group", columns=columns)
        return out.drop(columns="_group")
    return suppress(frame, min_group_size, keys=keys, group=group, columns=columns)


def evaluate(cohort: Cohort, *, confidence: float = 0.95, every_wave: bool = True) -> Evaluation:
    """Compute every evaluation result of a cohort: the waves table, reliability, change and two-way learning,
    retention, ROI, objectives and the metrics table, with small groups suppressed.

    Parameters
    ----------
    cohort : rmkit.cohort.Cohort
        A loaded cohort.
    confidence : float
        Confidence level of every interval (default 0.95).
    every_wave : bool
        Whether to fit the mixed models of every wave (``every_wave``, and the ``mixed:<scale>`` rows of the metrics
        table); False leaves them empty, for a reader that does not show them (the executive summary).

    Returns
    -------
    Evaluation
        See :class:`Evaluation`; ``warnings`` lists what a reader should know (low reliability, items that
        correlate negatively with their scale, missing data).

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> result = evaluate(load_cohort(example_cohort_dir()))
    >>> result.first_wave, result.last_wave
    ('baseline', 'month12')
    >>> list(result.objectives.objective)
    ['digital_fluency', 'business_insight', 'collaboration']
    """
    k = cohort.program.min_group_size
    as_of = _as_of(cohort)
    notes: list[str] = []
    survey = _survey(cohort, confidence)
    instrument = cohort.instrument
    if survey["waves"] is None:
        notes.append("no survey responses: no scale scores, reliability or change")
    elif survey["first"] is None:
        notes.append("responses cover a single wave: change needs two waves")
    change = survey["change"]
    retention = retention_curves = None
    comparison = pd.DataFrame()
    if cohort.outcomes is not None and not cohort.outcomes.empty:
        retention = retention_rates(cohort.outcomes, as_of=as_of, confidence=confidence)
        comparison = compare_retention(cohort.outcomes, as_of=as_of, confidence=confidence)
        retention_curves = kaplan_meier(cohort.outcomes, as_of=as_of, confidence=confidence)
        if "comparison" not in set(retention["group"]):
            notes.append("outcomes have no comparison group: the program's effect on retention cannot be isolated")
    else:
        notes.append("no outcomes: no retention")
    roi = lines = None
    if cohort.costs is not None and not cohort.costs.empty:
        roi, lines = phillips_roi(cohort.costs), roi_lines(cohort.costs)
    else:
        notes.append("no costs: no ROI")
    evidence: dict[str, Evidence] = {}
    if not comparison.empty and np.isfinite(comparison.iloc[0]["difference"]):
        row = comparison.iloc[0]
        evidence["retention_12m"] = Evidence(float(row["difference"]), float(row["ci_low"]), float(row["ci_high"]),
                                             float(min(row["n_participant"], row["n_comparison"])),
                                             float(row["p_value"]), " points")
    if roi is not None:
        values = dict(zip(roi["metric"], roi["value"], strict=True))
        evidence["roi_percent"] = Evidence(float(values["roi_percent"]), unit="%")
        evidence["bcr"] = Evidence(float(values["bcr"]))
    goals = goal_completion(cohort.agreements, confidence=confidence)
    overall = goals[goals["group"] == "all"]
    if not overall.empty:
        g = overall.iloc[0]
        evidence["goals_done"] = Evidence(float(g["value"]), float(g["ci_low"]), float(g["ci_high"]), float(g["n"]), unit="%")
    waves = _suppress_by_n(survey["waves"], k, ["value", "sd", "ci_low", "ci_high"], ("scale", "wave"))  # type: ignore[arg-type]
    change_shown = _suppress_by_n(change, k, _CHANGE_STATS[1:], ("scale",))  # type: ignore[arg-type]
    change_shown = change_shown.drop(columns=["at_risk"], errors="ignore")
    # objectives are judged on the change as published: what the change table hides, no objective reveals
    change_frame = change_shown if change is not None else pd.DataFrame(columns=["scale", "group"])
    against = _comparison(cohort, survey, confidence)
    objectives = judge_objectives(cohort.program.objectives, change_frame, instrument, evidence=evidence,
                                  min_group_size=k, effects=against.effects)
    learning = two_way_learning(change_shown, instrument) if not change_shown.empty else pd.DataFrame()
    reliability = _suppress_by_n(survey["reliability"], k, ["alpha", "ci_low", "ci_high"], ("scale", "wave"), None)  # type: ignore[arg-type]
    items = _suppress_by_n(survey["items"], k, ["mean", "sd", "r_drop", "alpha_if_deleted"], ("scale", "wave", "item"), None)  # type: ignore[arg-type]
    if survey["reliability"] is not None:
        notes += reliability_warnings(reliability[~reliability["suppressed"]], items[~items["suppressed"]]
                                      if not items.empty else None)
    retention_shown = _suppress_by_n(retention, k, ["value", "se", "ci_low", "ci_high"], ())
    if not comparison.empty and (comparison.iloc[0]["n_participant"] < k or comparison.iloc[0]["n_comparison"] < k):
        comparison = comparison.assign(**{c: np.nan for c in ("participant", "comparison", "difference", "ci_low",
                                                               "ci_high", "logrank_z", "p_value")})
    curves = pd.DataFrame()
    if retention_curves is not None and retention is not None:
        large = set(retention.loc[retention["n"] >= k, "group"])
        curves = retention_curves[retention_curves["group"].isin(large)].reset_index(drop=True)
    every = _every_wave(cohort, survey, confidence) if every_wave else EveryWaveEvidence(
        note="The mixed models of every wave were not fitted (evaluate(..., every_wave=False)).")
    metrics = _assemble(survey["waves"], survey["reliability"], change, retention, roi, k, goals, against.effects,  # type: ignore[arg-type]
                        every.mixed, survey["rci"].table)  # type: ignore[attr-defined]
    goals_shown = _suppress_by_n(goals, k, ["value", "ci_low", "ci_high"], ())
    # An absent input gives an empty table that still has its documented columns.
    return Evaluation(
        cohort=cohort.name, min_group_size=k, as_of=as_of, first_wave=survey["first"], last_wave=survey["last"],  # type: ignore[arg-type]
        scores=survey["scores"], waves=_with_columns(waves, "waves"), reliability=_with_columns(reliability, "reliability"),
        items=_with_columns(items, "items"), change=_with_columns(change_shown, "change"),
        learning=_with_columns(learning, "learning"), retention=_with_columns(retention_shown, "retention"),
        retention_comparison=_with_columns(comparison, "retention_comparison"),
        retention_curves=_with_columns(curves, "retention_curves"), roi=_with_columns(roi, "roi"),
        roi_lines=_with_columns(lines, "roi_lines"), intangibles=intangibles(cohort.program, instrument),
        objectives=objectives, metrics=metrics, warnings=notes, goals=goals_shown, effects=against.effects,
        balance=against.balance, effects_note=against.note, every_wave=every,
        reliable_change=survey["rci"],  # type: ignore[arg-type]
        pair_outcomes=pair_outcomes(cohort.pairs, cohort.checkins, survey["scores"], instrument,  # type: ignore[arg-type]
                                    first=survey["first"], last=survey["last"], min_group_size=k,  # type: ignore[arg-type]
                                    confidence=confidence),
    )


_EMPTY_COLUMNS = {
    "waves": ["scale", "scoring", "wave", "group", "n", "value", "sd", "ci_low", "ci_high", "suppressed"],
    "reliability": ["scale", "wave", "n", "n_items", "alpha", "ci_low", "ci_high", "warning", "suppressed"],
    "items": ["scale", "wave", "item", "reverse", "n", "mean", "sd", "r_drop", "alpha_if_deleted", "warning", "suppressed"],
    "change": ["scale", "group", "first_wave", "last_wave", *_CHANGE_STATS, "suppressed"],
    "learning": ["learner", "taught_by", "scale", "label", "kirkpatrick", "n", "mean_change", "ci_low", "ci_high",
                 "p_value", "cohen_dz", "hedges_g"],
    "retention": ["group", "n", "left", "censored_early", "value", "se", "ci_low", "ci_high", "suppressed"],
    "retention_comparison": ["participant", "comparison", "difference", "ci_low", "ci_high", "n_participant",
                             "n_comparison", "logrank_z", "p_value"],
    "retention_curves": ["group", "day", "at_risk", "left", "censored", "retained", "ci_low", "ci_high"],
    "roi": ["metric", "value"],
    "roi_lines": ["kind", "item", "amount", "attribution", "confidence", "counted", "note"],
}


def _with_columns(frame: pd.DataFrame | None, name: str) -> pd.DataFrame:
    if frame is None or (frame.empty and len(frame.columns) == 0):
        return pd.DataFrame(columns=_EMPTY_COLUMNS[name])
    return frame
